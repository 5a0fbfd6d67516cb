"""How right are the tags? FeedbackTagger (heads + cues) beside LexiconTagger (cues only), held-out data.

All figures on the "test" halves of tagging_data.py (never seen by benchmarks/train_tagger.py):

1. Korean sentiment, nsmc test and steam_ko test (game reviews: product feedback): accuracy and
   macro-F1 (positive when the score is ≥ 0), and the mean score of the nsmc neutral sample, which
   should sit between the means of the two classes. Beside it, a plain baseline trained on the same
   rows as the head: character 1–3-gram TF-IDF (scikit-learn ``char_wb``) + logistic regression, C by
   5-fold CV on the training rows (Korean: nsmc + steam_ko train; English: maalej train, 1–2★ vs 4–5★).
2. English sentiment, maalej test: 1–2★ negative vs 4–5★ positive, accuracy and macro-F1 (and the
   majority-class accuracy, since 82% of these reviews are positive).
3. Severity, maalej test: ROC-AUC of the severity level (low=0 … critical=3) for bug reports vs the
   rest, of ``severity_score`` (level + bug-head probability), and Spearman of the level with stars.
4. Request, maalej test: ROC-AUC of ``request_score`` for feature requests vs the rest, and the
   precision / recall of the ``is_request`` flag.
5. Emotion (no emotion-labelled data exists here, so only its valence is checked): among items given a
   negative emotion (anger … worry), the share whose review is negative (nsmc label 0; maalej 1–2★),
   and among items given satisfaction or gratitude, the share whose review is positive, beside the
   share a valence-blind tagger would get (the class base rate); and how often an emotion is named.
6. Neutral utterances: parakqc (10,000 Korean smart-home questions and commands written by annotators,
   no opinions) — the share labelled negative / neutral / positive, overall and for the questions, with
   question damping (the default) and without it; and what the damping costs on the reviews (share of
   nsmc negative reviews and maalej 1–2★ reviews still labelled negative).
7. Cost: seconds to tag 1,000 maalej texts given their vectors, against seconds to embed them
   (multilingual-e5-small, no cache), in one run.

Run:  python benchmarks/tagging.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tagging_data as data  # noqa: E402
from common import CACHE, SHARED, write_results  # noqa: E402

from feedmine.embed import E5Embedder  # noqa: E402
from feedmine.tagging import SEVERITY_LEVELS, FeedbackTagger, LexiconTagger  # noqa: E402
from feedmine.tagging.emotion import POSITIVE  # noqa: E402
from feedmine.text.normalize import TextCleaner  # noqa: E402


def tag(df: pd.DataFrame, vectors: np.ndarray) -> dict[str, pd.DataFrame]:
    texts, langs = df["text_clean"].tolist(), df["lang"].tolist()
    embedder = E5Embedder()
    return {"feedmine (heads + cues)": FeedbackTagger().fit(texts).transform(texts, langs, vectors, embedder),
            "baseline (LexiconTagger)": LexiconTagger().fit_transform(texts, langs)}


def char_baseline(train_texts: list[str], train_y: np.ndarray, test_sets: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """Predicted labels of the character 1–3-gram TF-IDF + logistic regression baseline, per test set."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), min_df=2, sublinear_tf=True),
                          LogisticRegressionCV(Cs=[0.3, 1.0, 3.0, 10.0], cv=5, max_iter=5000))
    model.fit(train_texts, train_y)
    return {name: model.predict(texts) for name, texts in test_sets.items()}


def sentiment_table(sets: dict[str, pd.DataFrame], tags: dict[str, dict[str, pd.DataFrame]]) -> dict:
    """Held-out sentiment per corpus: feedmine's tagger, the lexicon, and the char-n-gram baseline."""
    def train(name):
        return sets[name][sets[name]["split"] == "train"]

    def test(name):
        return sets[name][sets[name]["split"] == "test"].reset_index(drop=True)

    ko = pd.concat([train("nsmc"), train("steam")])
    maalej_train = train("maalej")
    maalej_train = maalej_train[maalej_train["rating"] != 3]
    maalej_test = test("maalej")
    rated = (maalej_test["rating"] != 3).to_numpy()
    truth = {"nsmc": test("nsmc")["label"].to_numpy(int), "steam": test("steam")["label"].to_numpy(int),
             "maalej": (maalej_test["rating"].to_numpy()[rated] >= 4).astype(int)}
    base = char_baseline(ko["text_clean"].tolist(), ko["label"].to_numpy(int),
                         {"nsmc": test("nsmc")["text_clean"].tolist(), "steam": test("steam")["text_clean"].tolist()})
    base.update(char_baseline(maalej_train["text_clean"].tolist(), (maalej_train["rating"] >= 4).to_numpy(int),
                              {"maalej": maalej_test["text_clean"].tolist()}))
    base["maalej"] = base["maalej"][rated]
    out = {}
    for name, y in truth.items():
        row = {"n": int(len(y))}
        for method, t in tags[name].items():
            t = t[rated].reset_index(drop=True) if name == "maalej" else t
            row[method] = sentiment_figures(t, y)
        row["baseline (char 1-3-gram TF-IDF + LR, same training rows)"] = {
            "accuracy": round(accuracy_score(y, base[name]), 4), "macro_f1": round(f1_score(y, base[name], average="macro"), 4)}
        out[name] = row
    return out


def sentiment_figures(tags: pd.DataFrame, y: np.ndarray) -> dict:
    pred = (tags["sentiment"].to_numpy() >= 0).astype(int)
    return {"accuracy": round(accuracy_score(y, pred), 4), "macro_f1": round(f1_score(y, pred, average="macro"), 4),
            "share_scored_exactly_0": round(float((tags["sentiment"] == 0).mean()), 4)}


def emotion_valence(emotion: pd.Series, negative_review: np.ndarray) -> dict:
    """Valence agreement of the emotion tags with the review's own label (see the module notes)."""
    emotion = emotion.astype(str).to_numpy()
    named = emotion != "none"
    positive = np.isin(emotion, list(POSITIVE))
    negative = named & ~positive
    return {"n": len(emotion), "named_share": round(float(named.mean()), 4),
            "negative_emotion": {"n": int(negative.sum()),
                                 "share_negative_reviews": round(float(negative_review[negative].mean()), 4) if negative.any() else None,
                                 "base_rate": round(float(negative_review.mean()), 4)},
            "positive_emotion": {"n": int(positive.sum()),
                                 "share_positive_reviews": round(float(1 - negative_review[positive].mean()), 4) if positive.any() else None,
                                 "base_rate": round(float(1 - negative_review.mean()), 4)},
            "shares": pd.Series(emotion).value_counts(normalize=True).round(4).to_dict()}


def neutral_utterances(nsmc: pd.DataFrame, maalej: pd.DataFrame, vectors: dict[str, np.ndarray],
                       default_tags: dict[str, pd.DataFrame]) -> dict:
    """Section 6 of the module notes: label shares on parakqc with and without question damping.
    ``default_tags``: the main run's nsmc / maalej tags, which already are the default damping's."""
    parakqc = pd.read_csv(SHARED / "parakqc" / "parakqc.csv")
    clean = TextCleaner().fit_transform(parakqc["text"].tolist())
    texts, langs = clean["text_clean"].tolist(), clean["lang"].tolist()
    e5 = E5Embedder(cache_dir=CACHE, progress=False)
    parakqc_vectors = e5.transform(texts)
    questions = parakqc["intent"].str.endswith("question").to_numpy()
    out = {"n": len(texts), "questions": int(questions.sum())}
    for damping, name in ((FeedbackTagger().question_damping, "question_damping=0.25 (default)"),
                          (1.0, "question_damping=1 (off)")):
        tagger = FeedbackTagger(question_damping=damping).fit()
        label = tagger.transform(texts, langs, parakqc_vectors, e5)["sentiment_label"].astype(str)
        ko, en = (default_tags[n]["sentiment_label"] if damping < 1 else
                  tagger.transform(df["text_clean"].tolist(), df["lang"].tolist(), vectors[n], e5)["sentiment_label"]
                  for n, df in (("nsmc", nsmc), ("maalej", maalej)))
        out[name] = {"all": label.value_counts(normalize=True).round(4).to_dict(),
                     "questions": label[questions].value_counts(normalize=True).round(4).to_dict(),
                     "nsmc_negative_reviews_labelled_negative": round(float((ko[nsmc["label"] == 0] == "negative").mean()), 4),
                     "maalej_1_2_stars_labelled_negative": round(float((en[maalej["rating"] <= 2] == "negative").mean()), 4)}
    return out


def main() -> int:
    sets = data.load()
    out: dict = {"split_seed": data.SEED}
    nsmc = sets["nsmc"][sets["nsmc"]["split"] == "test"].reset_index(drop=True)
    neutral = sets["nsmc_neutral"]
    maalej = sets["maalej"][sets["maalej"]["split"] == "test"].reset_index(drop=True)
    steam = sets["steam"][sets["steam"]["split"] == "test"].reset_index(drop=True)
    vec = {name: data.embed(df["text_clean"].tolist()) for name, df in
           (("nsmc", nsmc), ("neutral", neutral), ("maalej", maalej), ("steam", steam))}
    tags = {name: tag(df, vec[name]) for name, df in
            (("nsmc", nsmc), ("neutral", neutral), ("maalej", maalej), ("steam", steam))}
    out["sentiment_held_out"] = sentiment_table(sets, tags)

    y = nsmc["label"].to_numpy(int)
    out["korean_sentiment_nsmc"] = {"n": len(y)}
    for method, t in tags["nsmc"].items():
        fig = sentiment_figures(t, y)
        s = t["sentiment"].to_numpy()
        fig.update(mean_score_negative=round(float(s[y == 0].mean()), 3), mean_score_positive=round(float(s[y == 1].mean()), 3),
                   mean_score_neutral_sample=round(float(tags["neutral"][method]["sentiment"].mean()), 3))
        out["korean_sentiment_nsmc"][method] = fig

    rated = (maalej["rating"] != 3).to_numpy()
    y_en = (maalej["rating"].to_numpy()[rated] >= 4).astype(int)
    out["english_sentiment_maalej"] = {"n": int(rated.sum()), "majority_class_accuracy": round(float(max(y_en.mean(), 1 - y_en.mean())), 4)}
    for method, t in tags["maalej"].items():
        out["english_sentiment_maalej"][method] = sentiment_figures(t[rated].reset_index(drop=True), y_en)

    bug, feature, stars = maalej["is_bug"].to_numpy(int), maalej["is_feature"].to_numpy(int), maalej["rating"].to_numpy()
    out["severity_maalej"] = {"n": len(bug), "bug_reports": int(bug.sum())}
    out["request_maalej"] = {"n": len(feature), "feature_requests": int(feature.sum())}
    for method, t in tags["maalej"].items():
        level = t["severity"].astype(str).map(SEVERITY_LEVELS.index).to_numpy()
        sev = {"auc_level_bug": round(roc_auc_score(bug, level), 4),
               "spearman_level_stars": round(float(spearmanr(level, stars).statistic), 4),
               "level_shares": {lv: round(float((level == i).mean()), 4) for i, lv in enumerate(SEVERITY_LEVELS)}}
        if "severity_score" in t:
            sev["auc_score_bug"] = round(roc_auc_score(bug, t["severity_score"]), 4)
        out["severity_maalej"][method] = sev
        flag = t["is_request"].to_numpy(bool)
        score = t["request_score"] if "request_score" in t else flag.astype(float)
        out["request_maalej"][method] = {"auc": round(roc_auc_score(feature, score), 4),
                                         "flag_precision": round(precision_score(feature, flag), 4),
                                         "flag_recall": round(recall_score(feature, flag), 4)}
    out["churn_and_emotion_maalej_test"] = {
        "churn_flag_share": round(float(tags["maalej"]["feedmine (heads + cues)"]["is_churn_risk"].mean()), 4),
        "churn_flag_share_1_2_stars": round(float(tags["maalej"]["feedmine (heads + cues)"]["is_churn_risk"][stars <= 2].mean()), 4),
        "churn_flag_share_4_5_stars": round(float(tags["maalej"]["feedmine (heads + cues)"]["is_churn_risk"][stars >= 4].mean()), 4),
        "emotion_shares": tags["maalej"]["feedmine (heads + cues)"]["emotion"].value_counts(normalize=True).round(4).to_dict()}

    ours = "feedmine (heads + cues)"
    out["emotion_valence"] = {
        "nsmc_test": emotion_valence(tags["nsmc"][ours]["emotion"], y == 0),
        "maalej_test_rated": emotion_valence(tags["maalej"][ours]["emotion"][rated].reset_index(drop=True),
                                             maalej["rating"].to_numpy()[rated] <= 2)}

    out["neutral_utterances_parakqc"] = neutral_utterances(
        nsmc, maalej, vec, {name: tags[name]["feedmine (heads + cues)"] for name in ("nsmc", "maalej")})

    # cost: the same 1,000 texts embedded from scratch and tagged from their vectors
    texts = maalej["text_clean"].tolist()[:1000]
    t0 = time.perf_counter()
    fresh = E5Embedder(cache_dir=False, progress=False).transform(texts)
    embed_s = time.perf_counter() - t0
    tagger = FeedbackTagger().fit(texts)
    tagger.transform(texts[:20], None, fresh[:20], E5Embedder())  # warm-up (regex compilation)
    t0 = time.perf_counter()
    tagger.transform(texts, None, fresh, E5Embedder())
    tag_s = time.perf_counter() - t0
    out["cost_1000_texts"] = {"embed_s": round(embed_s, 2), "tag_s": round(tag_s, 3), "ratio": round(tag_s / embed_s, 4)}

    print("\nsentiment, held out (accuracy / macro-F1):")
    for name, row in out["sentiment_held_out"].items():
        print(f"  {name:<7} n={row['n']:>5}  " + "  ".join(f"{m.split(' (')[0]} {v['accuracy']:.3f}/{v['macro_f1']:.3f}"
                                                      for m, v in row.items() if m != "n"))
    k, e = out["korean_sentiment_nsmc"], out["english_sentiment_maalej"]
    for name in ("feedmine (heads + cues)", "baseline (LexiconTagger)"):
        print(f"\n{name}")
        print(f"  Korean sentiment (nsmc test, n={k['n']}): acc {k[name]['accuracy']:.3f}  macro-F1 {k[name]['macro_f1']:.3f}  "
              f"mean score neg/neutral/pos {k[name]['mean_score_negative']:+.2f} / {k[name]['mean_score_neutral_sample']:+.2f} / "
              f"{k[name]['mean_score_positive']:+.2f}")
        print(f"  English sentiment (maalej test, n={e['n']}): acc {e[name]['accuracy']:.3f}  macro-F1 {e[name]['macro_f1']:.3f}  "
              f"(majority class {e['majority_class_accuracy']:.3f})")
        s, r = out["severity_maalej"][name], out["request_maalej"][name]
        print(f"  Severity: AUC(level, bug) {s['auc_level_bug']:.3f}  Spearman(level, stars) {s['spearman_level_stars']:+.3f}"
              + (f"  AUC(score, bug) {s['auc_score_bug']:.3f}" if "auc_score_bug" in s else ""))
        print(f"  Request: AUC {r['auc']:.3f}  flag precision {r['flag_precision']:.3f} recall {r['flag_recall']:.3f}")
    for name, ev in out["emotion_valence"].items():
        ne, po = ev["negative_emotion"], ev["positive_emotion"]
        print(f"\nemotion ({name}, n={ev['n']}): named {ev['named_share']:.1%}; negative emotions n={ne['n']} on negative "
              f"reviews {ne['share_negative_reviews']} (base {ne['base_rate']}); satisfaction/gratitude n={po['n']} on "
              f"positive reviews {po['share_positive_reviews']} (base {po['base_rate']})")
    nu = out["neutral_utterances_parakqc"]
    for name in ("question_damping=0.25 (default)", "question_damping=1 (off)"):
        f = nu[name]
        print(f"parakqc ({nu['n']} neutral utterances) {name}: all {f['all']}; questions {f['questions']}; "
              f"nsmc negatives still negative {f['nsmc_negative_reviews_labelled_negative']}, maalej 1–2★ "
              f"{f['maalej_1_2_stars_labelled_negative']}")
    c = out["cost_1000_texts"]
    print(f"\ncost: embed {c['embed_s']:.1f}s, tag {c['tag_s']:.2f}s → tagging = {c['ratio']:.1%} of embedding")
    print(f"wrote {write_results('tagging', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
