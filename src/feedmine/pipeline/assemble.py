"""Assembling the result tables from what the stages produced: one row per input row (documents),
one row per theme with its sizes, tag mixes and summary (themes), and the ranking's stability.

Kept apart from :mod:`feedmine.pipeline` so that the pipeline reads as the order of the stages, and so
that theme editing (:mod:`feedmine.result.edit`) rebuilds themes with the same code.
"""
from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FeedmineError
from ..analysis.explain import keyword_distinctiveness
from ..schema import SEVERITY_LEVELS

logger = logging.getLogger(__name__)


def build_documents(corpus: pd.DataFrame, clean: pd.DataFrame, truncated: np.ndarray, labels: np.ndarray,
               confidence: np.ndarray, reassigned: np.ndarray, tags: pd.DataFrame, themes: pd.DataFrame,
               usable: np.ndarray) -> pd.DataFrame:
    """One row per input row, input order: ids, raw and clean text, theme, tags, metadata."""
    n = len(corpus)
    raw = corpus[["id", "text"]].copy()
    if "text_masked" in clean:  # PII masking on: no raw personal data goes any further
        raw["text"] = clean["text_masked"].to_numpy(dtype=object)
        clean = clean.drop(columns="text_masked")
    documents = pd.concat([raw, clean], axis=1)
    documents["truncated"] = truncated
    theme_id = pd.array(np.where(labels == -2, 0, labels), dtype="Int64")
    theme_id[labels == -2] = pd.NA  # skipped items have no theme at all (not even "unassigned")
    documents["theme_id"] = theme_id
    label_of = dict(zip(themes["theme_id"], themes["label"]))
    documents["theme_label"] = [label_of.get(int(t)) if t is not pd.NA else None for t in theme_id]
    documents["theme_confidence"] = confidence
    documents["reassigned"] = reassigned
    for col in tags.columns:  # skipped rows: no tag (NaN / None), False for flags
        values = tags[col]
        if col == "severity":
            full = pd.Categorical([None] * n, categories=list(SEVERITY_LEVELS), ordered=True)
            full[usable] = values.astype(str).to_numpy()
            documents[col] = full
            continue
        if values.dtype == bool:
            full = np.zeros(n, dtype=bool)
        elif pd.api.types.is_numeric_dtype(values):
            full = np.full(n, np.nan)
        else:
            full = np.full(n, None, dtype=object)
        full[usable] = values.to_numpy()
        documents[col] = pd.Series(full, index=documents.index, dtype=full.dtype)
    for col in corpus.columns:
        if col not in ("id", "text"):
            documents[col] = corpus[col].to_numpy()
    return documents

def theme_table(themes: pd.DataFrame, documents: pd.DataFrame, members: pd.DataFrame,
                 clusterer: Any) -> pd.DataFrame:
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
        themes["top_emotion"] = themes["theme_id"].map(top.map(lambda t: t[0])).fillna("none")
        themes["top_emotion_share"] = themes["theme_id"].map(top.map(lambda t: t[1])).fillna(0.0)
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
    tightness = getattr(clusterer, "tightness_", {})
    themes["tightness"] = themes["theme_id"].map(tightness)
    themes["distinctiveness"] = keyword_distinctiveness(themes)
    return themes


def theme_summaries(themes: pd.DataFrame, texts: np.ndarray, langs: np.ndarray, labels: np.ndarray,
               confidence: np.ndarray, max_items: int = 60) -> list[str]:
    """Two sentences that best cover each theme (extractive, from its most typical items)."""
    from ..analysis.threads import extractive_summary

    out = []
    for theme_id in themes["theme_id"]:
        rows = np.flatnonzero(labels == theme_id)
        if theme_id < 0 or not len(rows):
            out.append("")
            continue
        rows = rows[np.argsort(-np.nan_to_num(confidence[rows]), kind="stable")[:max_items]]
        picked = extractive_summary([texts[r] for r in rows], n_sentences=2, lang=[langs[r] for r in rows])
        out.append(" / ".join(picked))
    return out


def ranking_stability(themes: pd.DataFrame, weights: dict[str, float] | None) -> str | None:
    """One sentence on how the ranking moves when each priority weight moves ±20% (docs/scoring.md)."""
    from ..analysis.priority import rank_stability, stability_summary

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
