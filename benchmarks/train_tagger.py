"""Train the tagging heads shipped in src/feedmine/tagging/heads.json (and check that they reproduce).

Data and split: see tagging_data.py (nsmc + maalej_app_reviews from ../shared/data, seed 42, the
"train" half only). Features: multilingual-e5-small ("query: ") + the three LexiconTagger cues.
Heads (scikit-learn LogisticRegression, lbfgs, deterministic):

* sentiment — nsmc label (Korean) and maalej 1–2★ = 0 / 4–5★ = 1 (English); 3★ left out. The two
  corpora get equal total weight, so the much larger nsmc does not drown the app reviews.
* request — maalej is_feature.
* bug — maalej is_bug.

C (inverse regularisation) is chosen per head by 5-fold cross-validated log-loss on the train half.

Run:  python benchmarks/train_tagger.py            # writes src/feedmine/tagging/heads.json
      python benchmarks/train_tagger.py --check    # retrains and compares with the shipped file
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tagging_data as data  # noqa: E402

from feedmine.tagging import LexiconTagger  # noqa: E402
from feedmine.tagging.heads import WEIGHTS, LinearHeads, lexical_features  # noqa: E402
from feedmine.embed import E5Embedder  # noqa: E402

C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)


def features(df) -> np.ndarray:
    lexical = lexical_features(LexiconTagger().fit_transform(df["text_clean"].tolist()))
    return np.hstack([data.embed(df["text_clean"].tolist()), lexical])


def fit_head(X: np.ndarray, y: np.ndarray, weight: np.ndarray | None, seed: int) -> tuple[LogisticRegression, float]:
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    scores = {}
    for C in C_GRID:
        model = LogisticRegression(C=C, max_iter=5000)
        scores[C] = cross_val_score(model, X, y, cv=folds, scoring="neg_log_loss",
                                    params={"sample_weight": weight} if weight is not None else None).mean()
    best = max(scores, key=scores.get)
    return LogisticRegression(C=best, max_iter=5000).fit(X, y, sample_weight=weight), best


def train(seed: int = data.SEED) -> LinearHeads:
    sets = data.load(seed)
    nsmc = sets["nsmc"][sets["nsmc"]["split"] == "train"]
    maalej = sets["maalej"][sets["maalej"]["split"] == "train"]
    X_nsmc, X_maalej = features(nsmc), features(maalej)

    rated = (maalej["rating"] != 3).to_numpy()
    X_sent = np.vstack([X_nsmc, X_maalej[rated]])
    y_sent = np.concatenate([nsmc["label"].to_numpy(int), (maalej["rating"].to_numpy()[rated] >= 4).astype(int)])
    w_sent = np.concatenate([np.full(len(nsmc), 0.5 / len(nsmc)), np.full(rated.sum(), 0.5 / rated.sum())])
    w_sent *= len(w_sent)  # mean weight 1, so C means what it means for the other heads

    heads, chosen = {}, {}
    for name, (X, y, w) in {"sentiment": (X_sent, y_sent, w_sent),
                            "request": (X_maalej, maalej["is_feature"].to_numpy(int), None),
                            "bug": (X_maalej, maalej["is_bug"].to_numpy(int), None)}.items():
        heads[name], chosen[name] = fit_head(X, y, w, seed)
        print(f"{name:<10} n={len(y):>5}  positives={int(y.sum()):>5}  C={chosen[name]}")
    names = tuple(heads)
    meta = {**data.provenance(seed), "C": chosen, "script": "benchmarks/train_tagger.py",
            "train_rows": {"nsmc": int(len(nsmc)), "maalej": int(len(maalej))}}
    return LinearHeads(E5Embedder().model_id, names, np.vstack([heads[n].coef_[0] for n in names]),
                       np.array([heads[n].intercept_[0] for n in names]), meta)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped weights instead of writing")
    parser.add_argument("--seed", type=int, default=data.SEED)
    args = parser.parse_args(argv)
    heads = train(args.seed)
    if not args.check:
        heads.save(WEIGHTS)
        print(f"wrote {WEIGHTS} ({WEIGHTS.stat().st_size:,} bytes)")
        return 0
    shipped = LinearHeads.load()
    # Embeddings differ in the last float bits across CPUs / thread counts; weights within 1e-3 are the same model.
    diff = float(np.max(np.abs(shipped.coef - heads.coef))) if shipped.coef.shape == heads.coef.shape else np.inf
    same = shipped.names == heads.names and shipped.model_id == heads.model_id and diff <= 1e-3
    print(f"max |Δ weight| = {diff:.2e} → {'reproduced' if same else 'DIFFERENT'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
