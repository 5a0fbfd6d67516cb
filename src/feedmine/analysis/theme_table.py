"""The theme table a Result holds: sizes and tag mixes, scores, summary, segment note, explanation.

One function builds it for every path that changes which items are in which theme (the fit path, the
assign path, theme editing), so a theme reads the same however its members came to be.
"""
from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FeedmineError
from ..schema import EMOTIONS, SEVERITY_LEVELS, UNASSIGNED, labels_of
from ..text.language import detect_language
from ..text.sentences import raw_sentences
from .customer_segments import segment_phrases
from .explain import explain_theme, keyword_distinctiveness
from .priority import rank_stability, stability_summary
from .threads import extractive_summary

logger = logging.getLogger(__name__)


def finish_themes(themes: pd.DataFrame, documents: pd.DataFrame, members: pd.DataFrame,
                  tightness: dict[int, float], scorer: Any) -> tuple[pd.DataFrame, Any]:
    """``themes`` (descriptions: ``theme_id``, label, keywords, quotes) completed for ``documents``:
    sizes and tag mixes (:func:`theme_table`), the scores of ``scorer`` (fitted here), a two-sentence
    summary, the over-represented channel/segment, and the plain-language explanation."""
    themes = theme_table(themes, documents, members, tightness)
    scorer = scorer.fit(documents, themes, memberships=members)
    themes = themes.merge(scorer.scores_, on="theme_id", how="left")
    confidence = documents["theme_confidence"].to_numpy(dtype=float) if "theme_confidence" in documents \
        else np.ones(len(documents))
    themes["summary"] = theme_summaries(themes, documents["text_clean"].fillna("").to_numpy(dtype=object),
                                        documents["lang"].to_numpy(dtype=object), labels_of(documents), confidence)
    columns = [c for c in ("channel", "segment") if c in documents and documents[c].notna().any()]
    if columns:  # "mostly channel=android (62% vs 30% overall)": who this pain belongs to
        notes = segment_phrases(documents, columns, members)
        themes["segment_note"] = [notes.get(int(t), "") for t in themes["theme_id"]]
    themes["explanation"] = [explain_theme(row, has_rating="rating" in documents) for _, row in themes.iterrows()]
    return themes, scorer


def theme_table(themes: pd.DataFrame, documents: pd.DataFrame, members: pd.DataFrame,
                tightness: dict[int, float]) -> pd.DataFrame:
    """Sizes and tag mixes per theme, counting items (an item in two themes counts in both)."""
    total = max(int(documents["theme_id"].notna().sum()), 1)
    analysed = documents.iloc[members["row"].to_numpy()].assign(member_of=members["theme_id"].to_numpy())
    groups = analysed.groupby("member_of")
    themes = themes.copy()
    themes["size"] = themes["theme_id"].map(groups.size()).fillna(0).astype(int)
    themes["share"] = themes["size"] / total
    themes["mean_sentiment"] = themes["theme_id"].map(groups["sentiment"].mean())
    if "sentiment_label" in analysed:
        for label in ("negative", "positive"):
            share = groups["sentiment_label"].apply(lambda s, lb=label: float((s == lb).mean()))
            themes[f"{label}_share"] = themes["theme_id"].map(share).fillna(0.0)
    if "emotion" in analysed:
        top = groups["emotion"].apply(_top_emotion)
        # as objects: with no theme matched the column is float NaN, which pandas will not fill with text
        themes["top_emotion"] = themes["theme_id"].map(top.map(lambda t: t[0])).astype(object).fillna("none")
        themes["top_emotion_share"] = themes["theme_id"].map(top.map(lambda t: t[1])).fillna(0.0)
        for emotion in EMOTIONS:  # the mix behind top_emotion (schema.emotion_mix reads it)
            share = groups["emotion"].apply(lambda s, e=emotion: float((s == e).mean()))
            themes[f"emotion_{emotion}"] = themes["theme_id"].map(share).fillna(0.0)
    if "journey_stage" in analysed:
        stage = groups["journey_stage"].agg(lambda s: s.astype(str).value_counts().index[0] if len(s) else None)
        themes["journey_stage"] = themes["theme_id"].map(stage)
    for flag, name in (("is_request", "request_share"), ("is_churn_risk", "churn_share")):
        if flag in analysed:
            themes[name] = themes["theme_id"].map(groups[flag].mean()).fillna(0.0)
    for level in SEVERITY_LEVELS:
        share = groups["severity"].apply(lambda s, lv=level: float((s.astype(str) == lv).mean()))
        themes[f"severity_{level}"] = themes["theme_id"].map(share).fillna(0.0)
    themes["n_reassigned"] = themes["theme_id"].map(groups["reassigned"].sum()).fillna(0).astype(int)
    themes["tightness"] = themes["theme_id"].map(tightness)
    themes["distinctiveness"] = keyword_distinctiveness(themes)
    return themes


def theme_summaries(themes: pd.DataFrame, texts: np.ndarray, langs: np.ndarray, labels: np.ndarray,
               confidence: np.ndarray, max_items: int = 60) -> list[str]:
    """Two sentences that best cover each theme (extractive, from its most typical items)."""
    picks = {}
    for theme_id in themes["theme_id"]:
        rows = np.flatnonzero(labels == theme_id)
        if theme_id != UNASSIGNED and len(rows):
            picks[theme_id] = rows[np.argsort(-np.nan_to_num(confidence[rows]), kind="stable")[:max_items]]
    # every theme's texts cut into sentences in one call (kiwi spreads it over its threads)
    todo = sorted({int(r) for rows in picks.values() for r in rows
                   if isinstance(texts[r], str) and texts[r].strip()})
    cut = dict(zip(todo, raw_sentences([texts[r] for r in todo],
                                       [langs[r] or detect_language(texts[r]) for r in todo])))
    out = []
    for theme_id in themes["theme_id"]:
        rows = picks.get(theme_id)
        if rows is None:
            out.append("")
            continue
        picked = extractive_summary([texts[r] for r in rows], n_sentences=2, lang=[langs[r] for r in rows],
                                    sentences=[cut.get(int(r), []) for r in rows])
        out.append(" / ".join(picked))
    return out


def ranking_stability(themes: pd.DataFrame, weights: dict[str, float] | None) -> str | None:
    """One sentence on how the ranking moves when each priority weight moves ±20% (docs/scoring.md)."""
    if (themes["theme_id"] >= 0).sum() < 3 or "frequency_score" not in themes:
        return None
    try:
        return stability_summary(rank_stability(themes, weights))
    except FeedmineError as err:  # a scorer without the weighted components: nothing to perturb
        logger.info("no ranking stability: %s", err)
        return None


def _top_emotion(emotions: pd.Series) -> tuple[str, float]:
    """The most common emotion other than "none", and the share of the theme's items that show it."""
    named = emotions[emotions.notna() & (emotions != "none")]
    if named.empty:
        return "none", 0.0
    counts = named.value_counts()
    return str(counts.index[0]), float(counts.iloc[0] / len(emotions))
