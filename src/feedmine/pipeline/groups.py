"""One analysis per group: themes and priorities within each product, app or market (``by=``).

A feedback export usually mixes products, and a product team ranks its problems within its own
product: pooled, a small app's crash theme drowns in the big apps' volume. With ``by=`` a column, every
value of it is analysed apart and the parts come back as one Result:

* ``group_themes="shared"`` (default): one model fitted on every row, so a theme means the same thing
  in every group, and each group's rows scored on their own (share, impact and priority within the
  group, quotes from its own rows);
* ``group_themes="separate"``: one model per group — themes found in each group's own feedback,
  frequency and priority relative to that group.

Why shared is the default (benchmarks/group_priority.py, docs/scoring.md): on app reviews split by
app (29 apps of 10–39 reviews beside 470 smaller ones) it ranked a problem theme first in 84% of the
25 apps it could rank and problem above praise with pairwise AUC 0.94 (pooled: 0.88, 0.91), in 55 s;
separate models found two themes or more in only 19 apps (a problem theme first in 74%) and took 461 s,
one fit per group. Separate themes suit groups large enough to have problems of their own.

The combined Result is plain data like any other: ``documents`` and ``themes`` carry ``group``; a
theme's ``theme_id`` is unique across the result (so every view and export works on it as on any
result), ``group_theme_id`` is its id in its group's analysis (shared mode: the shared theme's id, the
same in every group) and ``rank`` its rank within its group. Unassigned items share the one -1 row.
``meta["groups"]`` lists each group with its counts and status: a group too small to cluster is
reported there, and its rows come out like every other row. ``result.for_group(g)`` is one group's own
Result, ``result.group_table()`` the across-groups summary.

>>> import pandas as pd, feedmine as fm
>>> from feedmine.embed import TfidfEmbedder
>>> texts = ["app crashes on start", "app crashes again", "the app crashes", "slow delivery", "delivery slow"]
>>> table = pd.DataFrame({"text": texts * 4, "app": ["A"] * 10 + ["B"] * 10})
>>> model = fm.Pipeline(embedder=TfidfEmbedder(n_components=4), random_state=0, progress=False)
>>> result = model.fit(table, text="text", by="app").result_
>>> result.group_table()[["group", "n_items"]].values.tolist()
[['A', 10], ['B', 10]]
>>> sorted(result.themes.loc[result.themes["theme_id"] >= 0, "group"].unique())
['A', 'B']
"""
from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from tqdm.auto import tqdm

from ..errors import FeedmineError
from ..result.result import Result
from ..themes.cluster import MIN_ITEMS_TO_CLUSTER

logger = logging.getLogger(__name__)

GROUP_THEMES = ("separate", "shared")


def check_group_themes(value: Any) -> str:
    if value not in GROUP_THEMES:
        raise FeedmineError(f"group_themes must be one of {', '.join(GROUP_THEMES)}, got {value!r}.")
    return value


def _rows_by_group(corpus: pd.DataFrame) -> dict[str, np.ndarray]:
    """Row positions of each group, groups in sorted order (the same table gives the same order)."""
    codes, names = pd.factorize(corpus["group"].astype(str), sort=True)
    return {str(name): np.flatnonzero(codes == k) for k, name in enumerate(names)}


def fit_groups(model: Any, corpus: pd.DataFrame, fit_plain: Any) -> None:
    """``Pipeline.fit`` of a corpus with a ``group`` column: sets ``model.groups_`` (separate) or the
    model's own fitted state (shared), and ``model.result_`` (the combined Result).
    ``fit_plain(pipeline, corpus)`` fits a pipeline on a corpus without groups."""
    how = check_group_themes(model.group_themes)
    rows = _rows_by_group(corpus)
    plain = corpus.drop(columns="group")
    columns = dict(model.columns_)
    if how == "shared":
        fit_plain(model, plain)
        model.columns_, model.group_mode_, model.groups_ = columns, "shared", None
        parts = score_groups(model, model.result_, rows)
    else:
        model.groups_, parts = {}, []
        for g, r in _progress(rows, model.progress, "fitting groups"):
            sub = clone(model).set_params(progress=False)
            fit_plain(sub, plain.iloc[r].reset_index(drop=True))
            model.groups_[g] = sub
            parts.append((g, sub.result_, r))
        model.group_mode_ = "separate"
    model.result_ = combine(parts, how)


def assign_groups(model: Any, corpus: pd.DataFrame, mode: str) -> Result:
    """``Pipeline.assign`` of a grouped model: each group's rows placed by its own model (separate) or
    the shared one, scored within the group."""
    rows = _rows_by_group(corpus)
    plain = corpus.drop(columns="group")
    if model.group_mode_ == "shared":  # shared themes: every group, known or new, goes into them
        return combine(score_groups(model, model._assign(plain, mode=mode), rows), "shared")
    unknown = sorted(set(rows) - set(model.groups_))
    if unknown:
        raise FeedmineError(f"no model for group(s) {', '.join(map(repr, unknown[:10]))}: this model was fitted "
                            f"per group on {', '.join(map(repr, list(model.groups_)[:10]))}. Fit again with "
                            "these groups, or use group_themes='shared', which places any group in shared themes.")
    parts = [(g, model.groups_[g].assign(plain.iloc[r].reset_index(drop=True)), r)
             for g, r in _progress(rows, model.progress, "assigning groups")]
    return combine(parts, "separate")


def score_groups(model: Any, pooled: Result, rows: dict[str, np.ndarray]) -> list[tuple[str, Result, np.ndarray]]:
    """Shared themes: each group's Result from the rows placed once for the whole table. An item's theme
    and tags do not depend on its batch, so only the theme table is redone per group — sizes, tag
    mixes, scores and quotes from the group's own rows (its most confident members) — as the assign
    path would have made it for that group alone, without embedding and placing every group again."""
    from ..analysis.theme_table import finish_themes
    from ..schema import memberships
    from ..themes.describe import THEME_COLUMNS

    described = pooled.themes[[c for c in THEME_COLUMNS if c in pooled.themes]]
    n_quotes = getattr(model.stages_["describer"], "n_quotes", 3)
    sentence_rows: dict[str, np.ndarray] = {}
    if pooled.sentences is not None:  # each sentence's group, from its item's id: one pass, not one per group
        group_of = {i: g for g, r in rows.items() for i in pooled.documents["id"].iloc[r]}
        sentence_rows = pooled.sentences.groupby(pooled.sentences["id"].map(group_of), sort=False).indices
    parts = []
    for g, r in _progress(rows, model.progress, "scoring groups"):
        docs = pooled.documents.iloc[r].reset_index(drop=True)
        members = memberships(docs)
        themes = _own_quotes(described, docs, members, n_quotes)
        themes, _ = finish_themes(themes, docs, members, model.tightness_, clone(model.stages_["scorer"], safe=False))
        sentences = None
        if pooled.sentences is not None:
            sentences = pooled.sentences.iloc[sentence_rows.get(g, [])].reset_index(drop=True)
        meta = {**pooled.meta, "n_items": int(len(docs)), "n_analysed": int(docs["theme_id"].notna().sum())}
        parts.append((g, Result(documents=docs, themes=themes, config=pooled.config, meta=meta, sentences=sentences), r))
    return parts


def _own_quotes(described: pd.DataFrame, docs: pd.DataFrame, members: pd.DataFrame, k: int) -> pd.DataFrame:
    """The themes' descriptions with quotes from these rows: each theme's most confident distinct texts."""
    confidence = docs["theme_confidence"].to_numpy(dtype=float) if "theme_confidence" in docs else np.ones(len(docs))
    texts, ids = docs["text_clean"].fillna("").astype(str).to_numpy(), docs["id"].to_numpy()
    order = members.assign(c=np.nan_to_num(confidence[members["row"].to_numpy()], nan=0.0)).sort_values(
        ["theme_id", "c", "row"], ascending=[True, False, True], kind="stable")
    quotes: dict[int, list[int]] = {}
    for t, row in zip(order["theme_id"], order["row"]):
        picked = quotes.setdefault(int(t), [])
        if len(picked) < k and texts[row] and all(texts[row] != texts[p] for p in picked):
            picked.append(int(row))
    out = described.copy()
    out["quotes"] = [[texts[p] for p in quotes.get(int(t), [])] for t in out["theme_id"]]
    out["quote_ids"] = [[ids[p] for p in quotes.get(int(t), [])] for t in out["theme_id"]]
    return out


def _progress(rows: dict[str, np.ndarray], show: bool, what: str):
    return tqdm(rows.items(), total=len(rows), desc=f"feedmine: {what}", unit="group", disable=not show)


def _status(n_analysed: int, n_themes: int, how: str) -> str:
    if how == "shared":  # nothing is clustered per group; a small group is scored on few items
        return "ok" if n_analysed >= MIN_ITEMS_TO_CLUSTER else \
            f"few items: {n_analysed} analysed, so its priorities rest on little evidence"
    if n_analysed < MIN_ITEMS_TO_CLUSTER:
        return (f"too small to cluster: {n_analysed} analysed items, at least {MIN_ITEMS_TO_CLUSTER} are "
                "needed (its items are kept, in one theme)")
    return "ok" if n_themes else "no themes found (every item unassigned)"


def _renumber(values: pd.Series, new_id: dict[int, int]) -> pd.Series:
    return values.map(lambda t: new_id.get(int(t), int(t)) if pd.notna(t) else t).astype(values.dtype)


def combine(parts: list[tuple[str, Result, np.ndarray]], how: str) -> Result:
    """One Result of the groups' Results (see the module notes); rows back in input order."""
    docs, themes, sentences, groups, group_meta, offset = [], [], [], [], {}, 0
    for g, res, rows in parts:
        t = res.themes
        keep = (t["theme_id"] >= 0) & (t["size"] > 0 if "size" in t else True)
        ids = sorted(int(x) for x in t.loc[keep, "theme_id"])
        new_id = {old: offset + k for k, old in enumerate(ids)}
        offset += len(ids)
        d = res.documents.copy()
        d.insert(1, "group", g)
        d.insert(d.columns.get_loc("theme_id") + 1, "group_theme_id", d["theme_id"])
        d["theme_id"] = _renumber(d["theme_id"], new_id)
        if "theme_ids" in d:
            d["theme_ids"] = [[new_id.get(int(x), int(x)) for x in ts] for ts in d["theme_ids"]]
        docs.append(d.set_index(pd.Index(rows)))
        part = t[keep].copy()
        part.insert(1, "group", g)
        part.insert(2, "group_theme_id", part["theme_id"])
        part["theme_id"] = part["theme_id"].map(new_id)
        themes.append(part)
        if res.sentences is not None:
            s = res.sentences.copy()
            s.insert(1, "group", g)
            s["theme_id"] = _renumber(s["theme_id"], new_id)
            sentences.append(s)
        analysed = int(d["theme_id"].notna().sum())
        top = part.sort_values("rank")["label"].iloc[0] if len(part) and "rank" in part else None
        groups.append({"group": g, "n_items": int(len(d)), "n_analysed": analysed, "n_themes": len(ids),
                       "n_unassigned": int((d["theme_id"] == -1).sum()), "top_pain_point": top,
                       "status": _status(analysed, len(ids), how)})
        group_meta[g] = res.meta
    documents = pd.concat(docs).sort_index().reset_index(drop=True)
    n_unassigned = sum(x["n_unassigned"] for x in groups)
    n_analysed = sum(x["n_analysed"] for x in groups)
    unassigned = pd.DataFrame({"theme_id": [-1], "group": [None], "group_theme_id": [-1], "label": ["unassigned"],
                               "size": [n_unassigned], "share": [n_unassigned / n_analysed if n_analysed else 0.0]})
    table = pd.concat([unassigned, *themes], ignore_index=True)
    first = parts[0][1] if parts else None
    meta = {"mode": first.meta.get("mode") if first else None, "group_themes": how, "groups": groups,
            "group_meta": group_meta, "n_themes": offset,
            "unassigned_share": n_unassigned / n_analysed if n_analysed else 0.0}
    config = {**(first.config if first else {}), "group_themes": how}
    return Result(documents=documents, themes=table, config=config, meta=meta,
                  sentences=pd.concat(sentences, ignore_index=True) if sentences else None)
