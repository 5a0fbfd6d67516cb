"""How well does JourneyStageMapper place real customer messages? banking77 intents as a yardstick.

banking77's 77 intents are human labels; many of them belong plainly to one stage of a bank customer's
journey. The rubric below (ours, written before looking at any output) maps the unambiguous intents
to a stage; the rest are left out of the score. On the banking77 test set's items with a mapped
intent, reported (accuracy, macro-F1 over the four stages, balanced accuracy):

* zero-shot: the mapper's generic default stages (cues → centred e5 similarity with a margin →
  "use"), and similarity alone;
* few-shot: ``JourneyStageMapper.from_examples`` with k = 5, 10, 20, 50 labelled train-split items
  per stage (5 random draws each; mean and range), nearest-examples matching (n_nearest = 3) and, as
  an ablation, the cosine to the examples' mean (n_nearest = None); margins 0.02 (default) and 0;
* baselines: always "use" (the majority class) and a random stage drawn by the class shares.

The examples come from train.csv, the scores from test.csv, so no scored item is an example.

Examples in another language than the items: no stage-labelled Korean data exists here, so the same
mechanism (``from_examples``, 3 nearest, batch-centred, margin 0) is run on a stand-in task with real
labels in both languages, review sentiment: 25 examples per class from English app reviews (maalej 1–2★
vs 4–5★) or from Korean movie reviews (nsmc train split) placing the nsmc test reviews.

Run:  python benchmarks/journey.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import balanced_accuracy_score, f1_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tagging_data as data  # noqa: E402
from common import CACHE, SHARED, write_results  # noqa: E402

from feedmine.embed import E5Embedder  # noqa: E402
from feedmine.tagging.journey import JourneyStageMapper  # noqa: E402

RUBRIC = {
    "consideration": ["fiat_currency_support", "supported_cards_and_currencies", "age_limit", "country_support",
                      "visa_or_mastercard", "top_up_limits", "disposable_card_limits", "atm_support"],
    "purchase/activation": ["card_arrival", "card_delivery_estimate", "activate_my_card", "verify_my_identity",
                            "why_verify_identity", "unable_to_verify_identity", "get_physical_card",
                            "order_physical_card", "getting_virtual_card", "get_disposable_virtual_card",
                            "getting_spare_card", "card_linking"],
    "use": ["card_not_working", "contactless_not_working", "pending_top_up", "top_up_failed", "top_up_reverted",
            "declined_card_payment", "declined_transfer", "declined_cash_withdrawal", "failed_transfer",
            "pending_transfer", "pending_card_payment", "pending_cash_withdrawal", "transfer_timing",
            "transaction_charged_twice", "card_payment_fee_charged", "transfer_fee_charged", "pin_blocked",
            "change_pin", "card_swallowed", "exchange_via_app", "automatic_top_up", "receiving_money"],
    "repurchase/referral": ["terminate_account", "card_about_to_expire"],
}


DRAWS = 5
SHOTS = (5, 10, 20, 50)


def _load(split: str) -> tuple[pd.DataFrame, np.ndarray]:
    stage_of = {intent: stage for stage, intents in RUBRIC.items() for intent in intents}
    df = pd.read_csv(SHARED / "banking77" / f"{split}.csv")
    df = df[df["category"].isin(stage_of)].reset_index(drop=True)
    return df, df["category"].map(stage_of).to_numpy()


def _scores(truth: np.ndarray, predicted) -> dict[str, float]:
    predicted = np.asarray(predicted, dtype=str)
    labels = sorted(set(truth))
    return {"accuracy": round(float((predicted == truth).mean()), 3),
            "macro_f1": round(float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 3),
            "balanced_accuracy": round(float(balanced_accuracy_score(truth, predicted)), 3)}


def _few_shot(train: pd.DataFrame, y_train: np.ndarray, vectors: np.ndarray, texts: list[str],
              truth: np.ndarray, e5) -> dict[str, dict]:
    out = {}
    for k in SHOTS:
        for label, params in (("nearest 3, margin 0.02", {}), ("nearest 3, margin 0", {"margin": 0.0}),
                              ("examples' mean, margin 0.02", {"n_nearest": None})):
            runs = []
            for draw in range(DRAWS):
                rng = np.random.default_rng(draw)
                rows = np.concatenate([rng.choice(np.flatnonzero(y_train == stage), k, replace=False)
                                       for stage in RUBRIC])
                mapper = JourneyStageMapper.from_examples(train["text"].to_numpy()[rows].tolist(), y_train[rows].tolist(),
                                                          embedder=e5, **params).fit()
                runs.append(_scores(truth, mapper.transform(vectors, texts=texts)["journey_stage"].astype(str)))
            out[f"k={k}, {label}"] = {m: {"mean": round(float(np.mean([r[m] for r in runs])), 3),
                                          "min": min(r[m] for r in runs), "max": max(r[m] for r in runs)}
                                      for m in runs[0]}
    return out


def _cross_language() -> dict:
    """Sentiment as a stand-in for stages: English vs Korean examples placing Korean items."""
    sets = data.load()
    nsmc, maalej = sets["nsmc"], sets["maalej"][sets["maalej"]["rating"] != 3]
    items = nsmc[nsmc["split"] == "test"].reset_index(drop=True)
    truth = np.where(items["label"] == 1, "positive", "negative")
    vectors = data.embed(items["text_clean"].tolist(), progress=False)
    e5 = E5Embedder(cache_dir=CACHE, progress=False)
    pools = {"English examples (maalej)": (maalej["text_clean"].to_numpy(),
                                           np.where(maalej["rating"] >= 4, "positive", "negative")),
             "Korean examples (nsmc train)": (nsmc.loc[nsmc["split"] == "train", "text_clean"].to_numpy(),
                                              np.where(nsmc.loc[nsmc["split"] == "train", "label"] == 1, "positive", "negative"))}
    out = {}
    for name, (texts, labels) in pools.items():
        runs = []
        for draw in range(DRAWS):
            rng = np.random.default_rng(draw)
            rows = np.concatenate([rng.choice(np.flatnonzero(labels == c), 25, replace=False) for c in ("negative", "positive")])
            mapper = JourneyStageMapper.from_examples(texts[rows].tolist(), labels[rows].tolist(), embedder=e5,
                                                      margin=0.0, default_stage=None).fit()
            runs.append(float((mapper.transform(vectors)["journey_stage"].astype(str).to_numpy() == truth).mean()))
        out[name] = {"accuracy_mean": round(float(np.mean(runs)), 3), "min": round(min(runs), 3), "max": round(max(runs), 3)}
    return {"items": "nsmc test (Korean)", "examples_per_class": 25, **out}


def main() -> int:
    df, truth = _load("test")
    train, y_train = _load("train")
    texts = df["text"].tolist()
    e5 = E5Embedder(cache_dir=CACHE, progress=False)
    vectors = e5.transform(texts)
    mapper = JourneyStageMapper(embedder=E5Embedder(progress=False)).fit()
    default = mapper.transform(vectors, texts=texts)
    cue = default["journey_cue"].isin(["similarity", "default"]).to_numpy() == False  # noqa: E712
    similarity_only = JourneyStageMapper(embedder=E5Embedder(progress=False), margin=0.0).fit().transform(vectors)
    shares = pd.Series(truth).value_counts(normalize=True)
    random_stage = np.random.default_rng(0).choice(shares.index.to_numpy(), len(truth), p=shares.to_numpy())
    out = {"items": len(df), "intents_mapped": sum(len(v) for v in RUBRIC.values()),
           "truth_shares": shares.round(3).to_dict(),
           "zero_shot": {"generic stages (cues, similarity, 'use')": _scores(truth, default["journey_stage"].astype(str)),
                         "generic stages, similarity only (no margin)": _scores(truth, similarity_only["journey_stage"].astype(str))},
           "baselines": {"always 'use' (majority)": _scores(truth, ["use"] * len(truth)),
                         "random stage by class shares (seed 0)": _scores(truth, random_stage)},
           "few_shot": _few_shot(train, y_train, vectors, texts, truth, e5),
           "cross_language_stand_in": _cross_language(),
           "cue_decided_share": round(float(cue.mean()), 3),
           "cue_accuracy_where_a_cue_fired": round(float((default["journey_stage"].astype(str).to_numpy()[cue] == truth[cue]).mean()), 3) if cue.any() else None,
           "confusion_generic (columns: mapped)": pd.crosstab(pd.Series(truth, name="truth"), default["journey_stage"].astype(str).rename("mapped")).to_dict()}
    print(f"banking77 test, {out['items']} items with a mapped intent; truth {out['truth_shares']}")
    print(f"  {'':<52} accuracy  macro-F1  balanced")
    for group in ("baselines", "zero_shot"):
        for name, sc in out[group].items():
            print(f"  {name:<52} {sc['accuracy']:.3f}     {sc['macro_f1']:.3f}     {sc['balanced_accuracy']:.3f}")
    for name, sc in out["few_shot"].items():
        print(f"  {name:<52} {sc['accuracy']['mean']:.3f}     {sc['macro_f1']['mean']:.3f}     "
              f"{sc['balanced_accuracy']['mean']:.3f}   (accuracy {sc['accuracy']['min']:.3f}–{sc['accuracy']['max']:.3f})")
    for name, sc in out["cross_language_stand_in"].items():
        if isinstance(sc, dict):
            print(f"  stand-in (sentiment of Korean reviews), {name:<30} accuracy {sc['accuracy_mean']:.3f} "
                  f"({sc['min']:.3f}–{sc['max']:.3f})")
    print(f"  generic cues fired on {out['cue_decided_share']:.1%}; accuracy there {out['cue_accuracy_where_a_cue_fired']}")
    print(f"wrote {write_results('journey', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
