"""Theme scores: frequency, impact, solvability and the priority that combines them.

Every score comes with the numbers it was made from (``freq_*``, ``impact_*``, ``solv_*`` columns),
so an analyst can check and defend a ranking. Formulas are written out in docs/scoring.md.

>>> import pandas as pd
>>> from feedmine.analysis.score import ThemeScorer
>>> docs = pd.DataFrame({"theme_id": [0, 0, 1, 1, 1, -1], "rating": [1, 2, 5, 4, 5, 3],
...                      "sentiment": [-.8, -.5, .7, .5, .9, 0], "severity": ["high", "high", "low", "low", "low", "low"],
...                      "is_request": [False, False, False, True, False, False]})
>>> themes = pd.DataFrame({"theme_id": [-1, 0, 1], "tightness": [.1, .8, .6], "distinctiveness": [0, .9, .5]})
>>> scored = ThemeScorer().fit(docs, themes).scores_
>>> theme0 = scored.set_index("theme_id").loc[0]  # ratings 1, 2 of all 1, 2, 5, 4, 5, 3: 4.25 − 3.33
>>> theme0["impact_method"], round(float(theme0["impact_rating_drop"]), 3)
('rating_loo', 0.917)
"""
from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ..errors import FeedmineError
from ..schema import SEVERITY_LEVELS

logger = logging.getLogger(__name__)

#: how much one item of each severity weighs when no rating is available
SEVERITY_WEIGHT = {"low": 0.1, "medium": 0.4, "high": 0.7, "critical": 1.0}
DEFAULT_WEIGHTS = {"frequency": 0.35, "impact": 0.45, "solvability": 0.20}
PAIN_SENTIMENT = 0.2  # |sentiment| beyond the tagger's neutral band
BOOTSTRAP_SEED = 0  # bootstrap resamples are seeded: same input, same intervals


def nps(scores: pd.Series, weights: pd.Series | None = None) -> float:
    """Net Promoter Score in points: % promoters (9–10) minus % detractors (0–6), optionally weighted."""
    s = scores.dropna()
    if s.empty:
        return float("nan")
    w = np.ones(len(s)) if weights is None else weights.reindex(s.index).to_numpy(dtype=float)
    if w.sum() <= 0:
        return float("nan")
    return float(100.0 * (np.average(s >= 9, weights=w) - np.average(s <= 6, weights=w)))


def weighted_mean(scores: pd.Series, weights: pd.Series | None = None) -> float:
    s = scores.dropna()
    if s.empty:
        return float("nan")
    w = np.ones(len(s)) if weights is None else weights.reindex(s.index).to_numpy(dtype=float)
    return float(np.average(s, weights=w)) if w.sum() > 0 else float("nan")


def focus_score(channels: pd.Series, k: int) -> float:
    """1 − normalised entropy of a theme's channel mix: 1 = all in one channel, 0 = spread evenly
    over the corpus's ``k`` channels. A focused problem has one owner (one app, one team)."""
    counts = channels.dropna().astype(str).value_counts().to_numpy(dtype=float)
    if k < 2 or counts.sum() == 0:
        return 0.0
    p = counts / counts.sum()
    return float(1.0 - (-(p * np.log(p)).sum()) / np.log(k))


def leave_one_out_drop(values: pd.Series, in_theme: pd.Series, metric=np.mean) -> tuple[float, float, float]:
    """(score without the theme's items) − (score of all items), with both scores.

    Positive when the theme pulls the overall score down: the gain if its problem disappeared.
    """
    valid = values.notna()
    all_score = float(metric(values[valid]))
    rest = values[valid & ~in_theme]
    rest_score = float(metric(rest)) if len(rest) else float("nan")
    return rest_score - all_score, all_score, rest_score


class ThemeScorer(BaseEstimator):
    """Score themes from per-item tags and (optionally) a rating, NPS or CSAT column.

    Parameters
    ----------
    weights : dict or None
        Priority weights for ``frequency``, ``impact``, ``solvability``; normalised to sum to 1.
        Default ``{"frequency": 0.35, "impact": 0.45, "solvability": 0.20}``: impact first because a rare
        problem that makes people leave outranks a common mild annoyance.
    rating_scale : {"auto", "stars", "nps", "score"}
        How to read ``rating``: ``nps`` (0–10, impact on NPS points), ``stars``/``score`` (impact on the mean).
        ``auto`` picks ``nps`` for whole numbers within 0–10 that reach 9 or 10, else the mean.
    collapse_near_duplicates : bool
        Count a group of near-duplicates (a pasted complaint, a campaign) once per theme for frequency
        (``freq_items``; with a customer column, customers are counted once anyway).
    recent, baseline : str
        With a ``date`` column: the recent window and the baseline window before it (anchored at the
        latest date) for the emerging-theme test (:class:`~feedmine.analysis.trends.EmergingThemeDetector`);
        adds ``freq_recent_share``, ``freq_baseline_share``, ``freq_growth``, ``freq_emerging_p`` and
        ``emerging``.
    effort : dict or None
        The team's effort estimate per theme id, 1 (trivial) … 5 (very hard); it overrides the
        estimated solvability of those themes: solvability = (5 − effort) / 4.

    With a ``value`` column (customer value), every impact average is value-weighted; with a
    ``channel`` column, solvability also counts ``solv_focus`` (how concentrated the theme is in one
    channel).
    """

    def __init__(self, weights: dict[str, float] | None = None, rating_scale: str = "auto",
                 collapse_near_duplicates: bool = False, recent: str = "7D", baseline: str = "28D",
                 effort: dict[int, float] | None = None):
        self.weights = weights
        self.rating_scale = rating_scale
        self.collapse_near_duplicates = collapse_near_duplicates
        self.recent = recent
        self.baseline = baseline
        self.effort = effort

    def _weights(self) -> dict[str, float]:
        w = dict(DEFAULT_WEIGHTS if self.weights is None else self.weights)
        unknown = set(w) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise FeedmineError(f"unknown priority weight(s) {sorted(unknown)}; use {sorted(DEFAULT_WEIGHTS)}.")
        w = {k: float(w.get(k, 0.0)) for k in DEFAULT_WEIGHTS}
        if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
            raise FeedmineError(f"priority weights must be non-negative and not all zero, got {w}.")
        total = sum(w.values())
        return {k: v / total for k, v in w.items()}

    def _scale(self, rating: pd.Series) -> str:
        if self.rating_scale not in ("auto", "stars", "nps", "score"):
            raise FeedmineError(f"rating_scale must be auto, stars, nps or score, got {self.rating_scale!r}.")
        if self.rating_scale != "auto":
            return self.rating_scale
        r = rating.dropna()
        # NPS answers are whole numbers 0–10 and use the top of the scale; a 1–5 or 1–7 rating does not
        if len(r) and r.min() >= 0 and r.max() <= 10 and r.max() >= 9 and (r == r.round()).all():
            return "nps"
        return "stars"

    def fit(self, documents: pd.DataFrame, themes: pd.DataFrame, y: Any = None,
            memberships: pd.DataFrame | None = None) -> "ThemeScorer":
        """``documents`` needs ``theme_id``, ``sentiment``, ``severity``, ``is_request`` and may have
        ``rating`` and ``customer``; ``themes`` needs ``theme_id`` and may have ``tightness`` and
        ``distinctiveness`` (from the clusterer and describer). Sets ``scores_``."""
        weights = self._weights()
        items = self._items(documents)
        # with sentences an item can belong to several themes: (row, theme_id) pairs say which
        member_index = None if memberships is None else \
            memberships.groupby("theme_id")["row"].apply(lambda r: documents.index[r.to_numpy()]).to_dict()
        docs = items.docs
        rows = []
        for theme_id in themes["theme_id"]:
            in_theme = docs.index.isin(member_index.get(theme_id, ())) if member_index is not None \
                else docs["theme_id"] == theme_id
            rows.append(self._theme_row(theme_id, pd.Series(in_theme, index=docs.index), items))
        if not rows:  # nothing analysable: an empty table with the usual columns
            rows = [{"theme_id": -1, "freq_items": 0, "freq_items_raw": 0, "freq_share_items": 0.0, "frequency": 0.0,
                     "impact_harm_mean": 0.0, "impact_method": "sentiment_severity", "solv_request_share": 0.0}]
            scores = pd.DataFrame(rows).iloc[:0]
        else:
            scores = pd.DataFrame(rows)
        scores = scores.merge(themes[[c for c in ("theme_id", "tightness", "distinctiveness") if c in themes]],
                              on="theme_id", how="left")
        # real themes that hold items (a known theme no row of an assigned batch reached gets no score)
        ranked = (scores["theme_id"] >= 0) & (scores["freq_items_raw"] > 0)
        scores = _components(scores, ranked, items.has_rating, weights)
        scores = self._emerging(scores, documents, memberships)
        if items.has_rating and items.scale != "nps" and memberships is not None and memberships["row"].duplicated().any():
            scores = self._regression(scores, documents, memberships, ranked, weights)
        self.weights_ = weights
        self.rating_scale_ = items.scale
        self.scores_ = scores
        return self

    def _items(self, documents: pd.DataFrame) -> SimpleNamespace:
        """The analysed items and what every theme's scores read of them: harm, pain, value weights."""
        docs = documents[documents["theme_id"].notna()].copy()
        docs["theme_id"] = docs["theme_id"].astype(int)
        has_rating = "rating" in docs and docs["rating"].notna().sum() >= 2
        has_customer = "customer" in docs and docs["customer"].notna().any()
        # a customer-value column (revenue, plan price) weights every impact average: an unhappy
        # enterprise customer counts for more than an unhappy free user; missing values get the median
        value = None
        if "value" in docs and docs["value"].notna().any():
            value = docs["value"].astype(float)
            value = value.fillna(value.median()).clip(lower=0)
        has_channel = "channel" in docs and docs["channel"].notna().any()
        weight = docs["severity"].astype(object).map(SEVERITY_WEIGHT).astype(float).fillna(0.1)
        harm = weight * (1 + np.clip(-docs["sentiment"].astype(float), 0, 1)) / 2
        # an item that reports a problem: clearly negative, or severity medium and above, or churn
        pain = (docs["sentiment"].astype(float) <= -PAIN_SENTIMENT) | \
            docs["severity"].astype(object).isin(["medium", "high", "critical"])
        if "is_churn_risk" in docs:  # a customer on the way out is the most harm an item can show
            harm = harm.where(~docs["is_churn_risk"].astype(bool), 1.0)
            pain |= docs["is_churn_risk"].astype(bool)
        collapse = self.collapse_near_duplicates and "near_duplicate_of" in docs
        return SimpleNamespace(
            docs=docs, has_rating=has_rating, scale=self._scale(docs["rating"]) if has_rating else None,
            has_customer=has_customer, n_customers=docs["customer"].nunique() if has_customer else None,
            value=value, has_channel=has_channel, harm=harm, pain=pain, collapse=collapse,
            n_channels=int(docs["channel"].dropna().astype(str).nunique()) if has_channel else 0,
            # with campaigns collapsed, shares are of distinct items (each group counted once)
            total=int(docs["near_duplicate_of"].isna().sum()) if collapse else len(docs),
            effort={int(k): float(v) for k, v in (self.effort or {}).items()})

    @staticmethod
    def _theme_row(theme_id: int, in_theme: pd.Series, items: SimpleNamespace) -> dict[str, Any]:
        """One theme's frequency, impact and solvability evidence."""
        docs = items.docs
        members = docs[in_theme]
        n_items = int(in_theme.sum())
        if items.collapse:
            # each campaign counts once: items that point at another item of the same theme drop out
            firsts = members["near_duplicate_of"]
            n_items = int((firsts.isna() | ~firsts.isin(members["id"])).sum())
        row: dict[str, Any] = {"theme_id": theme_id, "freq_items": n_items, "freq_items_raw": int(in_theme.sum())}
        row["freq_share_items"] = row["freq_items"] / items.total if items.total else 0.0
        if items.has_customer:
            row["freq_customers"] = int(members["customer"].nunique())
            row["freq_share_customers"] = row["freq_customers"] / items.n_customers
        row["frequency"] = row["freq_share_customers"] if items.has_customer else row["freq_share_items"]
        row["impact_harm_mean"] = weighted_mean(items.harm[in_theme], items.value) if len(members) else 0.0
        if items.has_rating and len(members):
            base = nps if items.scale == "nps" else weighted_mean
            metric = (lambda v, base=base: base(v, items.value))  # noqa: E731 - value-weighted when given
            drop, all_score, rest_score = leave_one_out_drop(docs["rating"], in_theme, metric)
            row.update(impact_method="nps_loo" if items.scale == "nps" else "rating_loo",
                       impact_rating_theme=float(metric(members["rating"].dropna()))
                       if members["rating"].notna().any() else float("nan"),
                       impact_rating_all=all_score, impact_rating_rest=rest_score, impact_rating_drop=drop,
                       impact_rated_items=int(members["rating"].notna().sum()))
        else:
            row["impact_method"] = "sentiment_severity"
        row["pain_share"] = float(items.pain[in_theme].mean()) if len(members) else 0.0
        row["solv_request_share"] = float(members["is_request"].astype(bool).mean()) if len(members) else 0.0
        if items.has_channel:
            row["solv_focus"] = focus_score(members["channel"], items.n_channels)
        if theme_id in items.effort:
            row["solv_user_effort"] = items.effort[theme_id]
        if items.value is not None:
            row["impact_weighted_by"] = "value"
        if "is_churn_risk" in members:
            row["impact_churn_share"] = float(members["is_churn_risk"].astype(bool).mean()) if len(members) else 0.0
        return row

    @staticmethod
    def _regression(scores: pd.DataFrame, documents: pd.DataFrame, memberships: pd.DataFrame,
                    ranked: pd.Series, weights: dict[str, float]) -> pd.DataFrame:
        """Overlapping themes (sentence mode): the rating regressed on theme indicators, with bootstrap
        intervals, replaces the leave-one-out effect, which counts a shared item in every theme it is in."""
        from .impact_model import theme_regression

        value = documents["value"].astype(float) if "value" in documents else None
        weight = None if value is None else value.fillna(value.median()).clip(lower=0).to_numpy()
        table = theme_regression(documents["rating"].to_numpy(dtype=float), memberships, len(documents),
                                 sample_weight=weight, random_state=BOOTSTRAP_SEED)
        scores = scores.merge(table, on="theme_id", how="left")
        effect = scores["impact_effect"].clip(lower=0).fillna(0)
        top = effect[ranked].max()
        scores["impact"] = np.where(ranked, effect / top if top > 0 else 0.0, np.nan)
        scores.loc[ranked, "impact_method"] = "rating_regression"
        scores["priority"] = priority_from_components(scores, weights)
        scores.loc[~ranked, "priority"] = np.nan
        scores["rank"] = scores["priority"].rank(ascending=False, method="first").astype("Int64")
        return scores

    def _emerging(self, scores: pd.DataFrame, documents: pd.DataFrame,
                  memberships: pd.DataFrame | None) -> pd.DataFrame:
        """Recent vs baseline share per theme, when the data has dates in both windows."""
        self.emerging_window_ = None
        if "date" not in documents or documents["date"].isna().all() or scores.empty:
            return scores
        from .trends import EmergingThemeDetector

        detector = EmergingThemeDetector(recent=self.recent, baseline=self.baseline)
        try:
            table = detector.fit(documents, memberships=memberships).table_
        except FeedmineError as err:  # e.g. no item in the baseline window: no trend to report
            logger.info("no emerging-theme test: %s", err)
            return scores
        self.emerging_window_ = detector.window_
        table = table.rename(columns={"recent_share": "freq_recent_share", "baseline_share": "freq_baseline_share",
                                      "growth": "freq_growth", "p_adjusted": "freq_emerging_p",
                                      "is_emerging": "emerging", "recent_total": "freq_recent_total",
                                      "baseline_total": "freq_baseline_total"})
        keep = ["theme_id", "freq_recent_share", "freq_baseline_share", "freq_growth", "freq_emerging_p", "emerging",
                "freq_recent_total", "freq_baseline_total"]
        return scores.merge(table[keep], on="theme_id", how="left")


def priority_from_components(scores: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """w_f · frequency_score · pain_share + w_i · impact + w_s · solvability · pain_share.

    A pain point has to hurt: frequency and solvability count in proportion to the share of the
    theme's items that report a problem (``pain_share``), so a large, tidy theme of praise cannot
    outrank real problems on size alone (maalej: praise themes at ranks 4 and 5 without this gate).
    Without a ``pain_share`` column every theme counts fully.
    """
    pain = scores["pain_share"].fillna(0.0) if "pain_share" in scores else 1.0
    return (weights["frequency"] * scores["frequency_score"] * pain + weights["impact"] * scores["impact"]
            + weights["solvability"] * scores["solvability"] * pain)


def _components(scores: pd.DataFrame, ranked: pd.Series, has_rating: bool, weights: dict[str, float]) -> pd.DataFrame:
    """Impact, frequency and solvability on 0–1 scales across the ranked themes, then priority and rank."""
    # impact on a 0–1 scale across real themes, so that it can be combined with the others
    if has_rating:
        drop = scores["impact_rating_drop"].clip(lower=0).fillna(0)
        scores["impact"] = drop / drop[ranked].max() if drop[ranked].max() > 0 else 0.0
    else:
        scores["impact"] = scores["impact_harm_mean"]
    freq_max = scores.loc[ranked, "frequency"].max() if ranked.any() else 0
    scores["frequency_score"] = scores["frequency"] / freq_max if freq_max else 0.0
    scores["solv_tightness"] = _minmax(scores.get("tightness"), ranked)
    scores["solv_distinctiveness"] = scores.get("distinctiveness", pd.Series(0.0, index=scores.index)).fillna(0)
    parts = ["solv_tightness", "solv_distinctiveness", "solv_request_share"] + \
        (["solv_focus"] if "solv_focus" in scores else [])
    scores["solvability"] = scores[parts].fillna(0.0).mean(axis=1)
    if "solv_user_effort" in scores:  # the team's own estimate wins: effort 1 (trivial) … 5 (very hard)
        given = scores["solv_user_effort"].notna()
        scores.loc[given, "solvability"] = ((5.0 - scores.loc[given, "solv_user_effort"]) / 4.0).clip(0, 1)
    scores["priority"] = priority_from_components(scores, weights)
    scores.loc[~ranked, ["priority", "impact", "solvability", "frequency_score"]] = np.nan
    scores["rank"] = scores["priority"].rank(ascending=False, method="first").astype("Int64")
    return scores.drop(columns=[c for c in ("tightness", "distinctiveness") if c in scores])


def _minmax(values: pd.Series | None, mask: pd.Series) -> pd.Series:
    if values is None:
        return pd.Series(0.0, index=mask.index)
    v = values.astype(float)
    lo, hi = v[mask].min(), v[mask].max()
    if not np.isfinite(lo) or hi - lo <= 1e-12:
        return pd.Series(0.5, index=mask.index).where(mask, 0.0)
    return ((v - lo) / (hi - lo)).clip(0, 1).fillna(0)
