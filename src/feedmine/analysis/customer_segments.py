"""Which customer segments a theme comes from: theme × segment tables with lift and significance.

A theme's share in a segment (``share_in_theme``) is compared with the segment's share of all analysed
items (``share_overall``); their ratio is the ``lift``. Each (theme, value) pair is tested on the 2×2
table theme-vs-rest × segment-vs-rest, two-sided: Fisher's exact test when any expected count is below 5
(the textbook limit of the chi-square approximation), otherwise Pearson's chi-square without Yates'
correction, which is vectorised — Fisher for every row costs about 0.3–1 ms each, too slow for a
50-theme × 5-column × 30-value table under a notebook's patience. The ``test`` column says which was used.
p-values are Benjamini–Hochberg adjusted across all rows of one table (one column). Skipped items
(``theme_id`` <NA>) do not count anywhere; a missing segment value is its own value, ``"(missing)"``.

>>> import pandas as pd
>>> from feedmine.analysis.customer_segments import theme_segment_table, describe_segments
>>> docs = pd.DataFrame({"theme_id": pd.array([0] * 10 + [1] * 10 + [-1] * 2 + [None], dtype="Int64"),
...                      "channel": ["android"] * 10 + ["android", "ios"] * 5 + ["ios", None, "web"]})
>>> table = theme_segment_table(docs, "channel")
>>> android0 = table.set_index(["theme_id", "value"]).loc[(0, "android")]
>>> int(android0["n"]), int(android0["segment_size"]), int(android0["n_total"]), round(float(android0["lift"]), 3)
(10, 15, 22, 1.467)
>>> android0["direction"], android0["test"]
('over', 'fisher')
>>> describe_segments(docs, "channel", theme_id=0)
'mostly channel=android (100% vs 68% overall)'
>>> describe_segments(docs, "channel", theme_id=1)  # spread like everything else: nothing stands out
''
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ColumnNotFoundError, FeedmineError
from ..schema import membership_pairs
from .stats import adjust_p_values

logger = logging.getLogger(__name__)

MISSING = "(missing)"
#: below this expected count in any cell of the 2×2 table the chi-square approximation is not trusted
MIN_EXPECTED = 5.0
#: more distinct values than this suggests an id or free-text column rather than a segment
MANY_VALUES = 200
COLUMNS = ["theme_id", "column", "value", "n", "theme_size", "segment_size", "n_total", "share_in_theme",
           "share_overall", "lift", "p_value", "p_adjusted", "test", "direction", "unassigned"]


def theme_segment_table(documents: pd.DataFrame, column: str, memberships: pd.DataFrame | None = None,
                        min_count: int = 5, alpha: float = 0.05) -> pd.DataFrame:
    """One row per (theme_id, value of ``column``), real themes first and the unassigned theme -1 last.

    ``memberships`` (``row`` = position in ``documents``, ``theme_id``) lets an item count in several
    themes (sentence mode); without it, ``documents.theme_id`` says which theme each item is in.
    ``direction`` is ``"over"`` when ``p_adjusted < alpha``, ``lift > 1`` and ``n >= min_count`` (a lift
    from three items is not worth acting on), ``"under"`` when ``p_adjusted < alpha`` and ``lift < 1``,
    else ``""``. Every (theme, value) pair gets a row, ``n = 0`` included: an absence can be the finding.
    """
    if not 0 < alpha < 1:
        raise FeedmineError(f"alpha must be between 0 and 1 (exclusive), got {alpha!r}.")
    if min_count < 0:
        raise FeedmineError(f"min_count must be 0 or more, got {min_count!r}.")
    if "theme_id" not in documents.columns:
        raise FeedmineError("documents has no 'theme_id' column (it has: "
                            f"{', '.join(repr(str(c)) for c in documents.columns)}). Pass result.documents.")
    if column not in documents.columns:
        raise ColumnNotFoundError("column", column, [str(c) for c in documents.columns])

    analysed = documents["theme_id"].notna().to_numpy()
    pairs = membership_pairs(documents, memberships)
    # codes per row; missing values become a value of their own so that no analysed item is lost
    values = documents[column].astype(object).where(documents[column].notna(), MISSING)
    codes, uniques = pd.factorize(values.to_numpy()[analysed])
    row_code = np.full(len(documents), -1)
    row_code[analysed] = codes
    n_total = int(analysed.sum())
    if len(uniques) > MANY_VALUES:
        logger.warning("column %r has %d distinct values; a segment table is meant for a categorical column "
                       "(channel, plan, version), not an id or free text.", column, len(uniques))
    if n_total == 0 or pairs.empty:
        logger.info("no analysed items: the segment table for %r is empty.", column)
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("column", "value", "test", "direction")
                                          else float) for c in COLUMNS})

    segment_size = np.bincount(codes, minlength=len(uniques))
    themes = np.sort(pairs["theme_id"].unique())
    themes = np.concatenate([themes[themes >= 0], themes[themes < 0]])  # unassigned (-1) last
    theme_pos = pd.Series(np.arange(len(themes)), index=themes)
    counts = np.zeros((len(themes), len(uniques)), dtype=np.int64)
    np.add.at(counts, (theme_pos[pairs["theme_id"]].to_numpy(), row_code[pairs["row"].to_numpy()]), 1)
    theme_size = counts.sum(axis=1)

    # values in a fixed order for every theme: biggest segment first, "(missing)" at the end
    labels = [str(u) for u in uniques]
    order = sorted(range(len(uniques)), key=lambda j: (uniques[j] == MISSING, -segment_size[j], labels[j]))
    t_idx, v_idx = np.repeat(np.arange(len(themes)), len(order)), np.tile(order, len(themes))
    table = pd.DataFrame({
        "theme_id": themes[t_idx].astype(np.int64), "column": column,
        "value": pd.Series(uniques[v_idx], dtype=object), "n": counts[t_idx, v_idx],
        "theme_size": theme_size[t_idx], "segment_size": segment_size[v_idx], "n_total": n_total,
    })
    table["share_in_theme"] = table["n"] / table["theme_size"]
    table["share_overall"] = table["segment_size"] / n_total
    table["lift"] = table["share_in_theme"] / table["share_overall"]
    table["p_value"], table["test"] = _two_by_two_p(table["n"].to_numpy(), table["theme_size"].to_numpy(),
                                                    table["segment_size"].to_numpy(), n_total)
    table["p_adjusted"] = adjust_p_values(table["p_value"].to_numpy(), "bh")
    significant = table["p_adjusted"] < alpha
    table["direction"] = np.select(
        [significant & (table["lift"] > 1) & (table["n"] >= min_count), significant & (table["lift"] < 1)],
        ["over", "under"], default="")
    table["unassigned"] = table["theme_id"] < 0
    logger.debug("segment table %r: %d themes × %d values, %d rows by Fisher", column, len(themes),
                 len(uniques), int((table["test"] == "fisher").sum()))
    return table[COLUMNS]


def over_represented(table: pd.DataFrame, theme_id: int, top: int = 3) -> list[dict[str, Any]]:
    """The theme's significantly over-represented segments (``direction == "over"``), strongest lift first.

    ``table`` is one :func:`theme_segment_table` or several concatenated (one per column).
    """
    missing = [c for c in ("theme_id", "column", "value", "direction", "lift") if c not in table.columns]
    if missing:
        raise FeedmineError(f"table lacks column(s) {missing}; pass the output of theme_segment_table.")
    rows = table[table["theme_id"] == theme_id]
    if rows.empty:
        present = sorted(int(t) for t in table["theme_id"].unique())
        raise FeedmineError(f"theme {theme_id!r} is not in the segment table; its themes are {present}.")
    over = rows[rows["direction"] == "over"].sort_values(["lift", "p_adjusted"], ascending=[False, True])
    keys = ("share_in_theme", "share_overall", "lift", "p_adjusted")
    return [{"column": r["column"], "value": r["value"], **{k: float(r[k]) for k in keys}}
            for _, r in over.head(max(top, 0)).iterrows()]


def describe_segments(documents: pd.DataFrame, columns: str | Sequence[str], theme_id: int,
                      memberships: pd.DataFrame | None = None, top: int = 3, min_count: int = 5,
                      alpha: float = 0.05) -> str:
    """A plain phrase naming where the theme is concentrated, e.g.
    ``"mostly channel=android (62% vs 30% overall) and plan=free (80% vs 55%)"``; ``""`` when nothing
    stands out. Each column is tested in its own table (BH within a column); the strongest value of each
    column is named, columns ordered by lift, at most ``top`` of them."""
    return segment_phrases(documents, columns, memberships, top, min_count, alpha).get(int(theme_id), "")


def segment_phrases(documents: pd.DataFrame, columns: str | Sequence[str], memberships: pd.DataFrame | None = None,
                    top: int = 3, min_count: int = 5, alpha: float = 0.05) -> dict[int, str]:
    """:func:`describe_segments` for every theme at once (each column's table is computed once)."""
    columns = [columns] if isinstance(columns, str) else list(columns)
    tables = [theme_segment_table(documents, c, memberships, min_count=min_count, alpha=alpha) for c in columns]
    themes = sorted({int(t) for table in tables for t in table["theme_id"].unique()}) if tables else []
    out = {}
    for theme_id in themes:
        found = [d for table in tables if not table.empty and theme_id in set(table["theme_id"])
                 for d in over_represented(table, theme_id, top=1)]
        found.sort(key=lambda d: -d["lift"])
        phrases = [f"{d['column']}={d['value']} ({d['share_in_theme']:.0%} vs {d['share_overall']:.0%}"
                   f"{' overall' if i == 0 else ''})" for i, d in enumerate(found[:max(top, 0)])]
        if phrases:
            listed = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
            out[theme_id] = "mostly " + listed
    return out


def _two_by_two_p(n: np.ndarray, theme_size: np.ndarray, segment_size: np.ndarray,
                  n_total: int) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided p-values for [[n, K − n], [S − n, N − K − S + n]] and the test used for each."""
    k, s, big_n = theme_size.astype(float), segment_size.astype(float), float(n_total)
    min_expected = np.minimum(k, big_n - k) * np.minimum(s, big_n - s) / big_n
    exact = min_expected < MIN_EXPECTED  # also covers empty margins, where chi-square is undefined
    p = np.ones(len(n))
    chi = ~exact
    if chi.any():
        a, kk, ss = n[chi].astype(float), k[chi], s[chi]
        # Pearson's statistic for a 2×2 table, N (ad − bc)² / (product of the margins), with ad − bc = nN − KS
        stat = big_n * (a * big_n - kk * ss) ** 2 / (kk * (big_n - kk) * ss * (big_n - ss))
        p[chi] = stats.chi2.sf(stat, df=1)
    cache: dict[tuple[int, int, int], float] = {}  # n = 0 rows repeat the same tables
    for i in np.flatnonzero(exact):
        key = (int(n[i]), int(theme_size[i]), int(segment_size[i]))
        if key not in cache:
            a, kk, ss = key
            cache[key] = float(stats.fisher_exact([[a, kk - a], [ss - a, n_total - kk - ss + a]]).pvalue)
        p[i] = cache[key]
    return np.clip(p, 0.0, 1.0), np.where(exact, "fisher", "chi2")
