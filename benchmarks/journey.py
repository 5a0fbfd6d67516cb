"""How well does JourneyStageMapper place real customer messages? banking77 intents as a yardstick.

banking77's 77 intents are human labels; many of them belong plainly to one stage of a bank customer's
journey. The rubric below (ours, written before looking at any output) maps the unambiguous intents
to a stage; the rest are left out of the score. On the banking77 test set's items with a mapped
intent, reported: accuracy of the mapper's default (cues → centred e5 similarity with a margin →
"use"), of cues and similarity alone, and of always answering "use" (the majority baseline).

Run:  python benchmarks/journey.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, SHARED, write_results  # noqa: E402

from feedmine.embed import E5Embedder  # noqa: E402
from feedmine.journey import JourneyStageMapper  # noqa: E402

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


def main() -> int:
    df = pd.read_csv(SHARED / "banking77" / "test.csv")
    stage_of = {intent: stage for stage, intents in RUBRIC.items() for intent in intents}
    df = df[df["category"].isin(stage_of)].reset_index(drop=True)
    truth = df["category"].map(stage_of).to_numpy()
    texts = df["text"].tolist()
    e5 = E5Embedder(cache_dir=CACHE, progress=False)
    vectors = e5.transform(texts)
    mapper = JourneyStageMapper(embedder=E5Embedder(progress=False)).fit()
    default = mapper.transform(vectors, texts=texts)
    cue = default["journey_cue"].isin(["similarity", "default"]).to_numpy() == False  # noqa: E712
    similarity_only = JourneyStageMapper(embedder=E5Embedder(progress=False), margin=0.0).fit().transform(vectors)
    out = {"items": len(df), "intents_mapped": len(stage_of), "truth_shares": pd.Series(truth).value_counts(normalize=True).round(3).to_dict(),
           "accuracy": {
               "mapper default (cues, similarity, 'use')": round(float((default["journey_stage"].astype(str) == truth).mean()), 3),
               "similarity only (centred, no margin)": round(float((similarity_only["journey_stage"].astype(str) == truth).mean()), 3),
               "always 'use' (majority)": round(float((truth == "use").mean()), 3)},
           "cue_decided_share": round(float(cue.mean()), 3),
           "cue_accuracy_where_a_cue_fired": round(float((default["journey_stage"].astype(str).to_numpy()[cue] == truth[cue]).mean()), 3) if cue.any() else None,
           "confusion": pd.crosstab(pd.Series(truth, name="truth"), default["journey_stage"].astype(str).rename("mapped")).to_dict()}
    print(f"banking77 test, {out['items']} items with a mapped intent; truth {out['truth_shares']}")
    for name, acc in out["accuracy"].items():
        print(f"  {name:<45} {acc:.3f}")
    print(f"  cues fired on {out['cue_decided_share']:.1%}; accuracy there {out['cue_accuracy_where_a_cue_fired']}")
    print(f"wrote {write_results('journey', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
