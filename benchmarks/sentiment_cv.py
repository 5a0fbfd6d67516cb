"""Choosing the Korean sentiment head's settings by cross-validation on training rows only.

The head (benchmarks/train_tagger.py, ``sentiment_head``) is trained on the "train" rows of nsmc
(Korean movie reviews) and steam_ko (Korean Steam game reviews, product feedback) from
tagging_data.py. Each variant below is scored by 5-fold cross-validation on those rows (folds
stratified by corpus and label), accuracy per corpus; C is chosen inside each variant. The held-out
"test" rows are not read here: benchmarks/tagging.py measures the shipped head on them once.

Variants: how the morpheme views are analysed (each word alone, as shipped; the whole text in one
kiwi call; no morpheme views); the corpora balanced in the loss or not; the weight of the dense block (embedding + lexicon
cues) against the n-grams; the corpora mixed vs nsmc alone (whose steam figure is then a transfer figure:
a model of nsmc's training rows scored on steam's).

Run:  python benchmarks/sentiment_cv.py   → benchmarks/results/sentiment_cv.json
      python benchmarks/sentiment_cv.py --morphemes-only   (the morpheme comparison alone, ≈ 8 min)
"""
from __future__ import annotations

import sys
import json
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tagging_data as data  # noqa: E402
import train_tagger as tt  # noqa: E402
from common import RESULTS, write_results  # noqa: E402

import feedmine.tagging.ngrams as ng  # noqa: E402
from feedmine.tagging.ngrams import build_vocabulary, ngram_matrix  # noqa: E402


def _whole_text_morphs(texts):
    """The previous release's analysis: each text in one kiwi call (neighbouring words as context)."""
    from feedmine.text.tokenize import _load_kiwi

    out = [[] for _ in texts]
    korean = [i for i, t in enumerate(texts) if ng._HANGUL.search(t)]
    for i, tokens in zip(korean, _load_kiwi(()).tokenize([texts[i] for i in korean])):
        out[i] = [f"{t.form.lower()}/{t.tag}" for t in tokens]
    return out


def morpheme_views(texts, dense, y, corpus) -> dict:
    """CV accuracy with the morphemes word by word (shipped), of the whole text, and with none."""
    shipped = ng._morphs
    out = {}
    try:
        for name, fn in (("each word alone (shipped)", shipped), ("whole text", _whole_text_morphs),
                         ("no morpheme views", lambda texts: [[] for _ in texts])):
            ng._morphs = fn
            t0 = time.perf_counter()
            vocabulary = build_vocabulary(texts, min_df=2)
            grams = ngram_matrix(texts, vocabulary)
            *_, C, by_corpus = tt.sentiment_head(texts, dense, y, data.SEED, corpus=corpus, vocabulary=vocabulary,
                                                 grams=grams, c_grid=(0.3, 0.5, 1.0))
            out[name] = {"n_grams": len(vocabulary), "chosen_C": C, "cv_accuracy": by_corpus[C],
                         "seconds": round(time.perf_counter() - t0, 1)}
            print(f"morphemes, {name}: {out[name]}", flush=True)
    finally:
        ng._morphs = shipped
    return out


def main(argv=None) -> int:
    morphemes_only = "--morphemes-only" in (argv if argv is not None else sys.argv[1:])
    sets = data.load()
    parts = {name: sets[name][sets[name]["split"] == "train"].reset_index(drop=True) for name in ("nsmc", "steam")}
    texts = [t for df in parts.values() for t in df["text_clean"]]
    y = np.concatenate([df["label"].to_numpy(int) for df in parts.values()])
    corpus = np.concatenate([[name] * len(df) for name, df in parts.items()])
    dense = np.vstack([tt.features(df) for df in parts.values()])
    if morphemes_only:
        path = RESULTS / "sentiment_cv.json"
        out = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        out["morpheme_views"] = morpheme_views(texts, dense, y, corpus)
        print(f"wrote {write_results('sentiment_cv', out)}")
        return 0
    t0 = time.perf_counter()
    vocabulary = build_vocabulary(texts, min_df=2)
    grams = ngram_matrix(texts, vocabulary)
    print(f"{len(texts)} texts, {len(vocabulary)} n-grams ({time.perf_counter() - t0:.0f}s)", flush=True)
    variants = {"mixed, balanced, dense 0.5": {},
                "mixed, not balanced, dense 0.5": {"balance": False},
                "mixed, balanced, dense 0.25": {"dense_scale": 0.25},
                "mixed, balanced, dense 1.0": {"dense_scale": 1.0}}
    out = {"rows": {name: int(len(df)) for name, df in parts.items()}, "n_grams": len(vocabulary), "variants": {},
           "morpheme_views": morpheme_views(texts, dense, y, corpus)}
    for name, kwargs in variants.items():
        t0 = time.perf_counter()
        *_, C, by_corpus = tt.sentiment_head(texts, dense, y, data.SEED, corpus=corpus, vocabulary=vocabulary,
                                             grams=grams, **kwargs)
        out["variants"][name] = {"chosen_C": C, "cv_accuracy": {str(c): v for c, v in by_corpus.items()},
                                 "seconds": round(time.perf_counter() - t0, 1)}
        print(f"{name}: C={C} {by_corpus[C]}", flush=True)
    # nsmc alone (the shipped head before steam_ko), scored on nsmc by CV and on steam's training rows
    nsmc = corpus == "nsmc"
    nsmc_texts = [t for t, k in zip(texts, nsmc) if k]
    coef, intercept, weights, C, by_corpus = tt.sentiment_head(nsmc_texts, dense[nsmc], y[nsmc], data.SEED)
    from feedmine.tagging.ngrams import ngram_scores

    steam_texts = [t for t, k in zip(texts, nsmc) if not k]
    logit = dense[~nsmc] @ coef + intercept + ngram_scores(steam_texts, weights)
    out["variants"]["nsmc only"] = {"chosen_C": C, "cv_accuracy_nsmc": by_corpus[C]["all"],
                                    "steam_train_rows_accuracy": round(float(((logit > 0) == y[~nsmc]).mean()), 4)}
    print("nsmc only:", out["variants"]["nsmc only"], flush=True)
    print(f"wrote {write_results('sentiment_cv', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
