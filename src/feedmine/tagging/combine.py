"""Running a tagger on the pipeline's units, and rolling sentence tags up to their items.

In sentence mode every sentence-level sentence is tagged (``result.sentences`` shows them) and an item
gets: sentiment = mean of its sentences weighted by length (neutral band as the tagger's); severity
= its most severe sentence, with that segment's cue; emotion = its most confident segment's; the
request and churn flags when any sentence has them (the highest request score).
"""
from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..text.sentences import weighted_length
from ..schema import SEVERITY_LEVELS


def tag_units(tagger: Any, texts: Sequence[str], langs: Sequence[str], embeddings: np.ndarray,
              embedder: Any) -> pd.DataFrame:
    """``tagger.fit_transform`` on the unit texts, handing over the embeddings when it takes them."""
    accepts = inspect.signature(tagger.transform).parameters
    if "embeddings" in accepts:
        return tagger.fit(texts, langs).transform(texts, langs, embeddings=embeddings, embedder=embedder)
    return tagger.fit_transform(list(texts), list(langs)).reset_index(drop=True)


def item_tags(unit_tags: pd.DataFrame, unit_item: np.ndarray, unit_texts: Sequence[str], usable: np.ndarray,
              neutral_band: float = 0.2) -> pd.DataFrame:
    """One row per analysed item (the order of ``usable``) from the tags of its sentences."""
    tags = unit_tags.reset_index(drop=True)
    weight = np.array([max(weighted_length(t), 1.0) for t in unit_texts])
    position = {int(item): k for k, item in enumerate(usable)}
    group = np.array([position[int(i)] for i in unit_item], dtype=int)
    n = len(usable)
    out = pd.DataFrame(index=range(n))
    rank = tags["severity"].astype(str).map(SEVERITY_LEVELS.index).to_numpy() if "severity" in tags else None
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    most_severe, most_emotional = np.zeros(n, dtype=int), np.zeros(n, dtype=int)
    for rows in np.split(order, bounds):
        if not len(rows):
            continue
        item = group[rows[0]]
        # ties: the earlier sentence, as for the primary theme
        most_severe[item] = rows[np.argmax(rank[rows])] if rank is not None else rows[0]
        conf = tags["emotion_confidence"].to_numpy()[rows] if "emotion_confidence" in tags else None
        most_emotional[item] = rows[np.argmax(conf)] if conf is not None else rows[0]
    for col in tags.columns:
        values = tags[col]
        if col == "sentiment":
            sums = np.bincount(group, weights=weight * values.to_numpy(dtype=float), minlength=n)
            out[col] = sums / np.bincount(group, weights=weight, minlength=n)
        elif col.startswith("severity"):
            out[col] = values.to_numpy()[most_severe]
        elif col.startswith("emotion"):
            out[col] = values.to_numpy()[most_emotional]
        elif values.dtype == bool:
            out[col] = np.bincount(group, weights=values.to_numpy(dtype=float), minlength=n) > 0
        elif col == "request_score":
            best = np.zeros(n)
            np.maximum.at(best, group, values.to_numpy(dtype=float))
            out[col] = best
        else:  # text columns (churn_cue, tag_method): the first non-empty one
            first = np.full(n, "", dtype=object)
            for g, v in zip(group, values.to_numpy(dtype=object)):
                if not first[g] and v:
                    first[g] = v
            out[col] = first
    if "sentiment_label" in out:
        s = out["sentiment"].to_numpy()
        out["sentiment_label"] = np.where(s <= -neutral_band, "negative", np.where(s >= neutral_band, "positive", "neutral"))
    if "severity" in out:
        out["severity"] = pd.Categorical(out["severity"], categories=SEVERITY_LEVELS, ordered=True)
    return out
