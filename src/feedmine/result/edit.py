"""Fix the machine's themes: merge, split, rename, move items; every number of every theme is recomputed.

Each edit returns a new :class:`~feedmine.result.Result` (the old one is untouched) with keywords, labels,
quotes, sizes, tag mixes, scores, ranks and explanations redone for the whole table (priority is relative
across themes). ``meta["edits"]`` logs each edit with the keywords its themes had, so :func:`apply_edits`
can replay the log on a later run whose theme ids differ.

Sentence-mode results (``unit="sentence"``) are edited too: there the sentences carry the themes
(``sentences.theme_id``) and an item belongs to every theme in its ``documents.theme_ids`` (primary
first, ``theme_id`` = the primary). Keywords, labels, quotes and tightness are recomputed from the
sentences, as the pipeline computes them; sizes, tag mixes and scores count items (one per theme they
are in, never per sentence), as :meth:`~feedmine.result.Result.memberships` lists them.

>>> import pandas as pd
>>> import feedmine as fm
>>> from feedmine.embed import TfidfEmbedder
>>> ends = ("today", "again", "twice", "at checkout", "on mobile", "now")
>>> texts = [f"card payment failed {w}" for w in ends] + [f"delivery was slow {w}" for w in ends]
>>> result = fm.Pipeline(embedder=TfidfEmbedder(n_components=4), random_state=0, progress=False,
...     clusterer=fm.ThemeClusterer(reducer=None, min_cluster_size=3)).run(pd.DataFrame({"text": texts}), text="text")
>>> editor = ThemeEditor(result)
>>> merged = editor.merge([0, 1], label="Orders")
>>> merged.pain_points[["theme_id", "label", "size", "rank"]].values.tolist()
[[0, 'Orders', 12, 1]]
>>> split = editor.split(0, n=2)  # edits chain: editor.result is the latest state
>>> split.pain_points[["theme_id", "size"]].values.tolist()
[[1, 6], [2, 6]]
>>> [e["op"] for e in split.meta["edits"]], "edits" in result.meta
(['merge', 'split'], False)
"""
from __future__ import annotations

import copy
import logging
from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.cluster import KMeans

from ..analysis.score import ThemeScorer
from ..analysis.theme_table import finish_themes
from ..embed.base import l2_normalize
from ..embed.tfidf import TfidfEmbedder
from ..errors import FeedmineError
from ..schema import ResultTables, memberships
from ..themes.describe import ThemeDescriber

logger = logging.getLogger(__name__)

OPS = ("merge", "split", "rename", "move")


def _stage(config: dict[str, Any], name: str, cls: type) -> Any:
    """Rebuild the run's describer/scorer from ``config`` so edits use its settings; default otherwise."""
    entry = config.get(name) or {}
    params = dict(entry.get("params") or {})
    if isinstance(params.get("tokenizer"), str):  # a custom tokenizer is stored as its repr only
        logger.warning("the run's describer had a custom tokenizer config cannot restore; edits use the default "
                       "(pass describer= to ThemeEditor to keep yours)")
        params.pop("tokenizer")
    try:
        return cls(**params) if entry.get("class") == f"{cls.__module__}.{cls.__qualname__}" else cls()
    except TypeError as err:
        logger.warning("config of %s not reusable (%s); edits use the defaults", name, err)
        return cls()


def _check_label(label: Any) -> None:
    if not isinstance(label, str) or not label.strip():
        raise FeedmineError(f"a theme label must be a non-empty string, got {label!r}.")


def _lexical(texts: list[str], rows: np.ndarray, seed: int) -> np.ndarray:
    """Stand-in vectors: the lexical embedding (character 2–4-gram TF-IDF + SVD to 64 dimensions) fitted on
    the analysed rows; zeros elsewhere."""
    analysed = [texts[i] for i in rows]
    dense = TfidfEmbedder(n_components=64, min_df=1, random_state=seed).fit_transform(analysed) if analysed \
        else np.zeros((0, 1))
    X = np.zeros((len(texts), dense.shape[1]))
    X[rows] = dense
    return X


def _dedupe(themes: list[int]) -> list[int]:
    """The list without repeats, first occurrence kept (so the primary theme stays first)."""
    return list(dict.fromkeys(themes))


class ThemeEditor:
    """Edit a result's themes; ``result`` always holds the latest state.

    Each operation returns the new Result and also makes it ``self.result``, so edits chain. Vectors for
    quotes, tightness and splits come from ``embeddings`` or, when None, from a character 2–4-gram
    TF-IDF + SVD fitted on the analysed texts.

    Document mode: ``embeddings`` has one row per ``documents`` row (skipped rows may be zero); the
    lexical vectors come from ``documents.text_clean``.

    Sentence mode (``unit="sentence"``): themes live on the sentences, so the vectors are per sentence.
    Document-level vectors cannot be used there: ``embeddings`` must have one row per
    ``result.sentences`` row, in that order (e.g. your embedder on ``result.sentences["text"]``), or be
    None for lexical vectors of the sentence texts.
    """

    def __init__(self, result: ResultTables, embeddings: np.ndarray | None = None, describer: Any = None,
                 scorer: Any = None):
        if not all(isinstance(getattr(result, t, None), pd.DataFrame) for t in ("documents", "themes")):
            raise FeedmineError(f"ThemeEditor needs a feedmine Result, got {type(result).__name__}; pass what "
                                "fm.analyze(), Pipeline.run() or fm.load_result() returned.")
        docs = result.documents
        #: True for a sentence-mode result: themes are on ``result.sentences``, items list theirs in theme_ids
        self.sentence_mode_ = "theme_ids" in docs or result.meta.get("unit") in ("sentence", "segment")
        segs = result.sentences
        missing = [f"documents.{c}" for c in ("id", "text_clean", "theme_id") if c not in docs] + \
                  [f"themes.{c}" for c in ("theme_id", "label", "keywords") if c not in result.themes]
        if self.sentence_mode_:
            missing += [] if "theme_ids" in docs else ["documents.theme_ids"]
            missing += ["segments"] if segs is None else \
                [f"segments.{c}" for c in ("id", "text", "theme_id") if c not in segs]
        if missing:
            raise FeedmineError(f"the result lacks {', '.join(missing)}; pass a Result from fm.analyze(), "
                                "Pipeline.run() or fm.load_result().")
        if self.sentence_mode_:
            row_of = {str(v): r for r, v in enumerate(docs["id"])}
            unknown = [v for v in segs["id"] if str(v) not in row_of]
            if unknown:
                raise FeedmineError(f"segments of unknown documents {unknown[:5]!r}: result.sentences['id'] must "
                                    "name rows of result.documents; pass the Result as the pipeline made it.")
            #: documents row of each sentence (sentence mode only)
            self.sentence_rows_ = np.array([row_of[str(v)] for v in segs["id"]], dtype=int)
            texts, rows = segs["text"].fillna("").astype(str).tolist(), np.arange(len(segs))
            n_rows, per = len(segs), "result.sentences row"
            how = ("embed result.sentences['text'] (document-level vectors cannot be used for sentences)")
        else:
            texts = docs["text_clean"].fillna("").astype(str).tolist()
            rows = np.flatnonzero(docs["theme_id"].notna().to_numpy())
            n_rows, per = len(docs), "documents row"
            how = "embed result.documents['text_clean'] (zeros for skipped rows)"
        self.result = result
        self.describer = describer if describer is not None else _stage(result.config, "describer", ThemeDescriber)
        self.scorer = scorer if scorer is not None else _stage(result.config, "scorer", ThemeScorer)
        if embeddings is None:
            self.vector_source_ = "lexical"
            X = _lexical(texts, rows, result.config.get("random_state") or 0)
            logger.info("no embeddings given: quotes, tightness and splits use lexical (character n-gram) "
                        "vectors; pass embeddings= for semantic ones")
        else:
            self.vector_source_ = "embeddings"
            X = np.asarray(embeddings, dtype=np.float64)
            if X.ndim != 2 or X.shape[0] != n_rows or not np.isfinite(X).all():
                raise FeedmineError(f"embeddings must be a finite 2-D array with one row per {per} ({n_rows}), "
                                    f"got shape {X.shape}; {how} or pass embeddings=None for lexical vectors.")
        self.vectors_ = l2_normalize(X)

    # ----- operations ---------------------------------------------------------------------------
    def merge(self, theme_ids: Sequence[int], label: str | None = None) -> ResultTables:
        """Make the themes one, under the smallest id; ``label`` fixes its label."""
        ids = sorted({self._theme(t) for t in theme_ids})
        if label is not None:
            _check_label(label)
        if len(ids) < 2:
            raise FeedmineError(f"merge needs at least two different themes, got {list(theme_ids)!r}.")
        # a label the analyst chose for any merged theme survives, unless a new one is given
        return self._merge([ids], [label], [[int(t) for t in theme_ids]])

    def merge_groups(self, groups: Sequence[Sequence[int]]) -> ResultTables:
        """Several merges at once, one recompute (what :meth:`Result.themes_at` uses): each group becomes
        one theme under its smallest id, logged as one merge entry per group."""
        groups = [sorted({self._theme(t) for t in g}) for g in groups]
        groups = [g for g in groups if len(g) > 1]
        if len({t for g in groups for t in g}) != sum(map(len, groups)):
            raise FeedmineError(f"merge_groups needs disjoint groups, got {groups!r}.")
        if not groups:
            raise FeedmineError("merge_groups needs at least one group of two or more themes.")
        return self._merge(groups, [None] * len(groups), groups)

    def _merge(self, groups: list[list[int]], labels: list[str | None], asked: list[list[int]]) -> ResultTables:
        into = {t: g[0] for g in groups for t in g}
        docs, segs = self.result.documents.copy(), None
        if self.sentence_mode_:
            # every merged id becomes the kept one, once, where its first occurrence was (primary stays first)
            self._set_lists(docs, [_dedupe([into.get(t, t) for t in ts]) for ts in self._lists(docs)])
            segs = self.result.sentences.copy()
            segs["theme_id"] = segs["theme_id"].replace(into)
        else:
            docs["theme_id"] = docs["theme_id"].replace(into)
        fixed = self._fixed()
        chosen = [label if label is not None else next((fixed[t] for t in order if t in fixed), None)
                  for label, order in zip(labels, asked)]
        fixed = {t: lb for t, lb in fixed.items() if t not in into}
        fixed.update({g[0]: str(lb) for g, lb in zip(groups, chosen) if lb is not None})
        entries = [{"op": "merge", "theme_ids": g, "label": lb, "into": g[0], "themes": self._snapshot(g)}
                   for g, lb in zip(groups, labels)]
        return self._commit(docs, fixed, entries[0] if len(entries) == 1 else entries, segs)

    def split(self, theme_id: int, n: int = 2, random_state: int = 0) -> ResultTables:
        """k-means the theme's items into ``n`` new themes, numbered after the current largest id.

        In sentence mode the theme's *sentences* are split (k-means on sentence vectors); each item that was
        in the theme gets, in the old id's place in ``theme_ids``, the parts its sentences went to: both
        when they went to two, the part holding more of its sentences first. Its other themes stay."""
        tid = self._theme(theme_id)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise FeedmineError(f"split needs n >= 2 parts, got {n!r}.")
        docs, segs = self.result.documents.copy(), None
        if self.sentence_mode_:
            segs = self.result.sentences.copy()
            rows, what = np.flatnonzero((segs["theme_id"] == tid).to_numpy()), "segments"
        else:
            rows, what = np.flatnonzero((docs["theme_id"] == tid).fillna(False).to_numpy()), "items"
        V = self.vectors_[rows]
        if len(np.unique(np.round(V, 9), axis=0)) < n:
            raise FeedmineError(f"theme {tid} has {len(rows)} {what} but fewer than {n} distinct texts, so it "
                                f"cannot be split in {n}; use a smaller n or move items by hand.")
        parts = KMeans(n_clusters=int(n), random_state=random_state, n_init=10).fit_predict(V)
        # number the parts in order of their first item, so ids do not depend on k-means' labelling
        order = {p: k for k, p in enumerate(dict.fromkeys(parts.tolist()))}
        start = int(self.result.themes["theme_id"].max()) + 1
        new = [start + order[p] for p in parts]
        if segs is not None:
            segs.loc[segs.index[rows], "theme_id"] = new
            if "theme_confidence" in segs:
                segs.loc[segs.index[rows], "theme_confidence"] = np.nan
            self._split_lists(docs, tid, self.sentence_rows_[rows], new)
        else:
            docs.loc[docs.index[rows], "theme_id"] = new
            docs.loc[docs.index[rows], "theme_confidence"] = np.nan  # the clusterer's confidence no longer applies
        fixed = {t: lb for t, lb in self._fixed().items() if t != tid}  # each part needs its own label
        entry = {"op": "split", "theme_id": tid, "n": int(n), "random_state": random_state,
                 "new_theme_ids": list(range(start, start + int(n))), "themes": self._snapshot([tid])}
        return self._commit(docs, fixed, entry, segs)

    def rename(self, theme_id: int, label: str) -> ResultTables:
        """Set a theme's label; it stays through later recomputes. Nothing else changes."""
        tid = self._theme(theme_id)
        _check_label(label)
        themes = self.result.themes.copy()
        if "label_fixed" not in themes:
            themes.insert(themes.columns.get_loc("label") + 1, "label_fixed", False)
        at = themes["theme_id"] == tid
        themes.loc[at, "label"] = label
        themes.loc[at, "label_fixed"] = True
        docs = self.result.documents.copy()
        docs["theme_label"] = self._doc_labels(docs, themes)
        entry = {"op": "rename", "theme_id": tid, "label": label, "themes": self._snapshot([tid])}
        return self._publish(docs, themes, entry)

    def move(self, item_ids: Sequence[Any], theme_id: int) -> ResultTables:
        """Put documents (by ``id``) in a theme, or in -1 (unassigned).

        In sentence mode a moved item leaves all its other themes: its ``theme_ids`` becomes
        ``[theme_id]`` (``[]`` for -1) and every one of its sentences moves with it."""
        tid = -1 if not isinstance(theme_id, bool) and theme_id == -1 else self._theme(theme_id)
        if isinstance(item_ids, (str, bytes)) or not len(item_ids):
            raise FeedmineError(f"move needs a non-empty list of document ids, got {item_ids!r}.")
        docs = self.result.documents.copy()
        row_of = {str(v): r for r, v in enumerate(docs["id"])}
        unknown = [i for i in item_ids if str(i) not in row_of]
        if unknown:
            raise FeedmineError(f"no document with id {unknown[:5]!r}; ids are in result.documents['id'].")
        rows = np.array([row_of[str(i)] for i in item_ids])
        skipped = [item_ids[k] for k, r in enumerate(rows) if pd.isna(docs["theme_id"].iat[r])]
        if skipped:
            raise FeedmineError(f"documents {skipped[:5]!r} were skipped (see skip_reason) and have no theme, "
                                "so they cannot be moved; fix the text and re-run to include them.")
        segs = None
        if self.sentence_mode_:
            lists = self._lists(docs)
            for r in rows:
                lists[r] = [tid] if tid >= 0 else []
            self._set_lists(docs, lists)
            segs = self.result.sentences.copy()
            at = np.isin(self.sentence_rows_, rows)
            segs.loc[at, "theme_id"] = tid
            if "theme_confidence" in segs:
                segs.loc[at, "theme_confidence"] = np.nan
            if "reassigned" in segs:
                segs.loc[at, "reassigned"] = False
        else:
            docs.loc[docs.index[rows], "theme_id"] = tid
        docs.loc[docs.index[rows], "theme_confidence"] = np.nan  # an analyst's choice, not the clusterer's
        docs.loc[docs.index[rows], "reassigned"] = False
        entry = {"op": "move", "item_ids": [str(i) for i in item_ids], "theme_id": tid,
                 "themes": self._snapshot([tid]) if tid >= 0 else []}
        return self._commit(docs, self._fixed(), entry, segs)

    # ----- internals ----------------------------------------------------------------------------
    def _theme(self, theme_id: Any) -> int:
        known = [int(t) for t in self.result.themes["theme_id"] if int(t) >= 0]
        tid = int(theme_id) if isinstance(theme_id, (int, np.integer)) and not isinstance(theme_id, bool) else None
        if tid not in known:
            raise FeedmineError(f"no theme {theme_id!r} to edit; themes are {known} (-1, unassigned, can only "
                                "be a move target).")
        return tid

    def _fixed(self) -> dict[int, str]:
        t = self.result.themes
        return {int(r.theme_id): str(r.label) for r in t.itertuples() if bool(r.label_fixed)} \
            if "label_fixed" in t else {}

    def _snapshot(self, ids: list[int]) -> list[dict[str, Any]]:
        """What a theme was when edited: how apply_edits recognises it in another run."""
        t = self.result.themes.set_index("theme_id")
        return [{"theme_id": int(i), "label": str(t.at[i, "label"]), "keywords": [str(k) for k in t.at[i, "keywords"]]}
                for i in ids]

    @staticmethod
    def _lists(docs: pd.DataFrame) -> list[list[int]]:
        """Fresh copies of every item's theme list (the frame's own lists are shared with the old result)."""
        return [[int(t) for t in ts] if isinstance(ts, (list, tuple, np.ndarray)) else [] for ts in docs["theme_ids"]]

    @staticmethod
    def _set_lists(docs: pd.DataFrame, lists: list[list[int]]) -> None:
        """Write the theme lists; analysed items' ``theme_id`` follows (the primary, -1 when none)."""
        column = np.empty(len(lists), dtype=object)  # one list per cell, whatever their lengths
        for r, ts in enumerate(lists):
            column[r] = list(ts)
        docs["theme_ids"] = column
        analysed = docs["theme_id"].notna().to_numpy()
        primary = np.array([ts[0] if ts else -1 for ts in lists], dtype=int)
        docs.loc[analysed, "theme_id"] = primary[analysed]

    def _split_lists(self, docs: pd.DataFrame, tid: int, seg_rows: np.ndarray, new: list[int]) -> None:
        """Put the parts of split theme ``tid`` in its place in each item's list, larger share first."""
        share: dict[int, dict[int, int]] = {}
        for r, t in zip(seg_rows.tolist(), new):  # insertion order: the part of the earlier sentence first
            share.setdefault(r, {})
            share[r][t] = share[r].get(t, 0) + 1
        biggest = max(set(new), key=lambda t: (new.count(t), -t))
        lists = self._lists(docs)
        primary_was = [bool(ts) and ts[0] == tid for ts in lists]
        for r, ts in enumerate(lists):
            if tid in ts:
                got = share.get(r) or {biggest: 1}  # an item without a sentence of the theme: not expected
                parts = sorted(got, key=lambda t: -got[t])  # stable: ties keep sentence order
                lists[r] = _dedupe([p for t in ts for p in (parts if t == tid else [t])])
        self._set_lists(docs, lists)
        # the clusterer's confidence was for the old primary theme
        docs.loc[np.array(primary_was, dtype=bool), "theme_confidence"] = np.nan

    @staticmethod
    def _doc_labels(docs: pd.DataFrame, themes: pd.DataFrame) -> list[str | None]:
        label_of = dict(zip(themes["theme_id"].astype(int), themes["label"]))
        return [label_of.get(int(t)) if pd.notna(t) else None for t in docs["theme_id"]]

    def _commit(self, docs: pd.DataFrame, fixed: dict[int, str], entry: dict[str, Any] | list[dict[str, Any]],
                segs: pd.DataFrame | None = None) -> ResultTables:
        """Recompute the whole theme table (as the pipeline builds it) from ``docs.theme_id``, or in sentence
        mode from ``segs.theme_id`` (keywords, labels, quotes, tightness) and ``docs.theme_ids`` (the rest)."""
        if segs is not None:
            texts = segs["text"].fillna("").astype(str).tolist()
            labels = segs["theme_id"].to_numpy().astype(int)
            V, ids = self.vectors_, segs["id"].tolist()
            members = memberships(docs)  # items, once per theme they are in
        else:
            analysed = np.flatnonzero(docs["theme_id"].notna().to_numpy())
            texts = docs["text_clean"].iloc[analysed].astype(str).tolist()
            labels = docs["theme_id"].to_numpy()[analysed].astype(int)
            V, ids = self.vectors_[analysed], docs["id"].iloc[analysed].tolist()
            members = pd.DataFrame({"row": analysed, "theme_id": labels}, dtype=int)
        describer = clone(self.describer, safe=False)
        describer.fit(texts, labels, V, ids=ids)
        themes = describer.themes_.copy()
        themes["label"] = [fixed.get(int(t), lb) for t, lb in zip(themes["theme_id"], themes["label"])]
        themes.insert(themes.columns.get_loc("label") + 1, "label_fixed", themes["theme_id"].isin(list(fixed)))
        # tightness as the clusterer measures it: mean cosine of the members to their normalised centroid
        groups = {int(t): V[labels == t] for t in np.unique(labels[labels >= 0])}
        tightness = {t: float((G @ l2_normalize(G.mean(axis=0, keepdims=True))[0]).mean()) for t, G in groups.items()}
        themes, _ = finish_themes(themes, docs, members, tightness, clone(self.scorer, safe=False))
        gone = sorted(set(self.result.themes["theme_id"].astype(int)) - set(themes["theme_id"]) - {-1})
        # merge and split remove themes by design; a move only by emptying
        if gone and not isinstance(entry, list) and entry["op"] == "move":
            logger.info("themes %s lost all their items and were removed", gone)
        docs["theme_label"] = self._doc_labels(docs, themes)
        return self._publish(docs, themes, entry, segs)

    def _publish(self, docs: pd.DataFrame, themes: pd.DataFrame, entry: dict[str, Any] | list[dict[str, Any]],
                 segs: pd.DataFrame | None = None) -> ResultTables:
        old = self.result
        meta = copy.deepcopy(old.meta)
        entries = [dict(e, status="applied", vectors=self.vector_source_)
                   for e in (entry if isinstance(entry, list) else [entry])]
        meta["edits"] = list(meta.get("edits", [])) + entries
        meta["n_themes"] = int((themes["theme_id"] >= 0).sum())
        labels = docs["theme_id"].dropna()
        meta["unassigned_share"] = float((labels == -1).mean()) if len(labels) else 0.0
        # the old result's own class: this module does not import feedmine.result.result (it imports us)
        self.result = type(old)(documents=docs, themes=themes.reset_index(drop=True), config=copy.deepcopy(old.config),
                             meta=meta, sentences=segs if segs is not None else old.sentences)
        return self.result

