"""Compare two analyses: which themes are new, grown, shrunk, vanished or stable.

Theme ids and labels are not stable across runs (a re-run can renumber and re-word every theme), so
themes are matched by what their items say: each theme is the mean character n-gram TF-IDF vector of
its documents, blended with the overlap of its keywords, and themes are paired one-to-one.

>>> import pandas as pd
>>> from feedmine.result import Result
>>> def run(texts, labels, keywords):
...     docs = pd.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "text_clean": texts,
...                          "theme_id": pd.array(labels, dtype="Int64")})
...     ids = sorted(set(labels))
...     size = [labels.count(t) for t in ids]
...     themes = pd.DataFrame({"theme_id": ids, "label": [keywords[t][0] for t in ids],
...                            "keywords": [keywords[t] for t in ids], "size": size,
...                            "share": [s / len(labels) for s in size]})
...     return Result(documents=docs, themes=themes)
>>> before = run(["배송이 느려요", "배송 지연", "app crashes", "app crash again"], [0, 0, 1, 1],
...              {0: ["배송", "느려요"], 1: ["crash", "app"]})
>>> after = run(["app crashes daily", "배송이 너무 느려요", "the app crash"], [0, 1, 0],
...             {0: ["app", "crashes"], 1: ["배송"]})
>>> table = compare(before, after)
>>> list(zip(table["before_label"], table["after_label"], table["status"]))
[('crash', 'app', 'stable'), ('배송', '배송', 'stable')]
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.stats import norm
from sklearn.preprocessing import normalize

from ..errors import FeedmineError
from ..embed.tfidf import char_tfidf
from ..schema import memberships
from .result import Result
from ..analysis.stats import two_proportion_z

logger = logging.getLogger(__name__)

#: weight of the text similarity; keyword overlap gets the rest (see ``_similarity``)
TEXT_WEIGHT = 0.8
STATUS_ORDER = {"new": 0, "grown": 0, "shrunk": 1, "vanished": 2, "stable": 3}
COLUMNS = ["before_id", "after_id", "before_label", "after_label", "similarity", "before_share", "after_share",
           "before_size", "after_size", "change", "p_value", "status"]


def compare(before: Result, after: Result, min_similarity: float = 0.3, alpha: float = 0.05) -> pd.DataFrame:
    """Match the themes of two runs and say what became of each.

    One row per matched pair and per unmatched theme (the unassigned theme -1 is left out), with
    ``before_id, after_id, before_label, after_label, similarity, before_share, after_share,
    before_size, after_size, change, p_value, status`` and, when either run has a ``rating`` column,
    ``before_rating, after_rating`` (the mean rating of the theme's items).

    ``status`` is ``new`` (only in ``after``), ``vanished`` (only in ``before``), ``grown`` / ``shrunk``
    (matched, share changed with a two-sided two-proportion z-test p < ``alpha``) or ``stable``. A theme
    with no counterpart counts as 0 items on the other side, so ``change`` and ``p_value`` say how much
    and how surely it appeared or went. Rows are ordered new and grown (largest ``after_share`` first),
    shrunk and vanished (largest loss first), then stable (largest ``after_share`` first).

    ``similarity`` (0–1) blends the cosine of the themes' mean TF-IDF vectors and keyword overlap;
    pairs below ``min_similarity`` stay unmatched. Two results of one fitted model (its fit result and
    what :meth:`~feedmine.Pipeline.assign` or ``update`` returned; ``meta["model_lineage"]``) are matched
    by theme id, similarity 1: there a theme id is the same theme, and one that no new row reached
    shows as shrunk (size 0).
    """
    for name, value in (("before", before), ("after", after)):
        if not isinstance(value, Result):
            raise FeedmineError(f"compare() needs two feedmine Result objects; {name} is a "
                                f"{type(value).__name__}. Pass what fm.analyze(), Pipeline.run() or "
                                "fm.load_result() returned.")
        _check_columns(value, name)
    if not 0.0 <= float(min_similarity) <= 1.0:
        raise FeedmineError(f"min_similarity must be between 0 and 1, got {min_similarity!r}.")
    if not 0.0 < float(alpha) < 1.0:
        raise FeedmineError(f"alpha must be between 0 and 1 (exclusive), got {alpha!r}; 0.05 is usual.")

    b_themes, a_themes = _real_themes(before), _real_themes(after)
    lineage = before.meta.get("model_lineage")
    if lineage is not None and lineage == after.meta.get("model_lineage"):
        # two results of one fitted model (its fit, an assign, an update): a theme id is the same theme
        sim = (b_themes["theme_id"].to_numpy()[:, None] == a_themes["theme_id"].to_numpy()[None, :]).astype(float)
    else:
        sim = _similarity(before, after, b_themes, a_themes)
    pairs: list[tuple[int, int]] = []
    if sim.size:
        rows, cols = linear_sum_assignment(sim, maximize=True)
        pairs = [(int(i), int(j)) for i, j in zip(rows, cols) if sim[i, j] >= min_similarity]
    matched_b, matched_a = {i for i, _ in pairs}, {j for _, j in pairs}
    entries = pairs + [(i, None) for i in range(len(b_themes)) if i not in matched_b] \
        + [(None, j) for j in range(len(a_themes)) if j not in matched_a]
    logger.info("compare: %d themes before, %d after, %d matched", len(b_themes), len(a_themes), len(pairs))

    n_b, n_a = _n_analysed(before), _n_analysed(after)
    with_rating = "rating" in before.documents or "rating" in after.documents
    b_rating = _mean_rating(before, b_themes) if with_rating else None
    a_rating = _mean_rating(after, a_themes) if with_rating else None
    records = []
    for i, j in entries:
        b = _side(b_themes, i, b_rating)
        a = _side(a_themes, j, a_rating)
        p = two_proportion_p(b["size"], n_b, a["size"], n_a)
        if i is None or j is None:
            status = "new" if i is None else "vanished"
        elif p < alpha:
            status = "grown" if a["share"] > b["share"] else "shrunk"
        else:
            status = "stable"
        record = {f"before_{k}": v for k, v in b.items()} | {f"after_{k}": v for k, v in a.items()}
        record.update(similarity=float(sim[i, j]) if i is not None and j is not None else float("nan"),
                      change=a["share"] - b["share"], p_value=p, status=status)
        records.append(record)

    columns = COLUMNS + (["before_rating", "after_rating"] if with_rating else [])
    table = pd.DataFrame(records, columns=columns).astype(
        {"before_id": "Int64", "after_id": "Int64", "before_size": int, "after_size": int, "similarity": float,
         "before_share": float, "after_share": float, "change": float, "p_value": float})
    for col in ("before_label", "after_label"):  # object: pandas 3 would store a missing label as NaN
        table[col] = pd.Series([r[col] for r in records], index=table.index, dtype=object)
    if table.empty:
        return table
    # growth and new problems are what a reader acts on; within a group, the biggest move first
    group = table["status"].map(STATUS_ORDER)
    key = np.where(group.isin([0, 3]), -table["after_share"], table["change"])
    order = np.lexsort((key, group.to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test of x1/n1 against x2/n2.

    1.0 when there is nothing to test (an empty run, or both proportions 0 or both 1).

    >>> round(two_proportion_p(10, 100, 25, 100), 4)
    0.0052
    """
    if n1 <= 0 or n2 <= 0:
        return 1.0
    z, _ = two_proportion_z(x2, n2, x1, n1)
    return float(2 * norm.sf(abs(float(z)))) if z != 0 else 1.0


def _side(themes: pd.DataFrame, k: int | None, rating: list[float] | None) -> dict:
    """One run's side of a row; a theme with no counterpart counts as 0 items."""
    t = themes.iloc[k] if k is not None else None
    side = {"id": t["theme_id"] if t is not None else pd.NA, "label": t["label"] if t is not None else None,
            "share": float(t["share"]) if t is not None else 0.0, "size": int(t["size"]) if t is not None else 0}
    if rating is not None:
        side["rating"] = rating[k] if k is not None else float("nan")
    return side


def _check_columns(result: Result, name: str) -> None:
    missing = [f"themes.{c}" for c in ("theme_id", "label", "keywords", "size", "share")
               if c not in result.themes] + \
              [f"documents.{c}" for c in ("text_clean", "theme_id") if c not in result.documents]
    if missing:
        raise FeedmineError(f"{name} lacks {', '.join(missing)}, so its themes cannot be compared. "
                            "Pass a Result from fm.analyze(), Pipeline.run() or fm.load_result().")


def _real_themes(result: Result) -> pd.DataFrame:
    themes = result.themes
    return themes[themes["theme_id"].astype(int) >= 0].reset_index(drop=True)


def _n_analysed(result: Result) -> int:
    # the denominator of ``share``: analysed items (skipped ones have no theme_id)
    return int(result.documents["theme_id"].notna().sum())


def _members(result: Result, themes: pd.DataFrame) -> sparse.csr_matrix:
    """A themes × documents 0/1 matrix; in sentence mode an item belongs to every theme it touches."""
    pairs = memberships(result.documents)
    index = {int(t): k for k, t in enumerate(themes["theme_id"])}
    known = pairs["theme_id"].isin(list(index)).to_numpy()
    rows = pairs["theme_id"].to_numpy()[known]
    return sparse.csr_matrix((np.ones(int(known.sum())), ([index[int(t)] for t in rows], pairs["row"].to_numpy()[known])),
                             shape=(len(themes), len(result.documents)))


def _mean_rating(result: Result, themes: pd.DataFrame) -> list[float]:
    if "rating" not in result.documents:
        return [float("nan")] * len(themes)
    rating = pd.to_numeric(result.documents["rating"], errors="coerce").to_numpy(dtype=float)
    valid = np.isfinite(rating)
    members = _members(result, themes)
    sums = members @ np.where(valid, rating, 0.0)
    counts = members @ valid.astype(float)
    return [float(s / c) if c else float("nan") for s, c in zip(sums, counts)]


def _centroids(members: sparse.csr_matrix, X: sparse.csr_matrix) -> sparse.csr_matrix:
    counts = np.asarray(members.sum(axis=1)).ravel()
    mean = sparse.diags(1.0 / np.maximum(counts, 1)) @ members @ X
    return normalize(mean)  # L2, so that a dot product is a cosine


def _similarity(before: Result, after: Result, b_themes: pd.DataFrame, a_themes: pd.DataFrame) -> np.ndarray:
    """before-themes × after-themes similarity in [0, 1].

    ``TEXT_WEIGHT`` (0.8) × cosine of the mean TF-IDF vectors + 0.2 × Jaccard of the keyword lists.
    The text side dominates because it rests on every member document, while keywords are a top-k
    list whose ranking shifts with the other themes of the run (the same theme typically keeps only
    half its keywords across runs); keywords still count because they carry the theme's distinctive
    words, where character n-grams also reward shared grammar (Korean endings such as 해요). When
    either theme has no keywords the text similarity is used alone, not penalised.
    """
    if b_themes.empty or a_themes.empty:
        return np.zeros((len(b_themes), len(a_themes)))
    texts = []
    for result in (before, after):
        docs = result.documents
        usable = docs["theme_id"].notna() & docs["text_clean"].notna()
        # rows without text contribute an empty string: keeps document positions aligned with members
        texts.append(docs["text_clean"].where(usable, "").astype(str).tolist())
    # ONE vocabulary and IDF for both runs, so the two sets of vectors are comparable
    vectorizer = char_tfidf(dtype=np.float32)
    try:
        X = vectorizer.fit_transform(texts[0] + texts[1])
    except ValueError:  # no n-gram at all (every text empty): text says nothing
        logger.warning("compare: the documents have no text to compare; matching on keywords alone")
        X = None
    if X is not None:
        n_b = len(texts[0])
        cb = _centroids(_members(before, b_themes), X[:n_b])
        ca = _centroids(_members(after, a_themes), X[n_b:])
        text_sim = np.clip((cb @ ca.T).toarray(), 0.0, 1.0)
    kw_b = [_keyword_set(k) for k in b_themes["keywords"]]
    kw_a = [_keyword_set(k) for k in a_themes["keywords"]]
    sim = np.zeros((len(b_themes), len(a_themes)))
    for i, kb in enumerate(kw_b):
        for j, ka in enumerate(kw_a):
            jaccard = len(kb & ka) / len(kb | ka) if kb and ka else None
            if X is None:
                sim[i, j] = jaccard or 0.0
            elif jaccard is None:
                sim[i, j] = text_sim[i, j]
            else:
                sim[i, j] = TEXT_WEIGHT * text_sim[i, j] + (1 - TEXT_WEIGHT) * jaccard
    return sim


def _keyword_set(keywords) -> set[str]:
    if keywords is None or isinstance(keywords, float):
        return set()
    if isinstance(keywords, str):  # a CSV export joins them; accept that too
        keywords = keywords.split("|")
    return {str(k).strip().lower() for k in keywords if str(k).strip()}
