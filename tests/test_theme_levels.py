"""The theme tree and coarser levels: themes_at merges along it, recomputes, and keeps every row."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import feedmine as fm
from feedmine.embed import TfidfEmbedder
from feedmine.errors import FeedmineError
from feedmine.result.edit import ThemeEditor
from feedmine.themes.hierarchy import coarse_groups, theme_tree, tree_from_meta

from test_edit import _table  # the four-topic bilingual table of the edit tests


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def fitted():
    model = fm.Pipeline(embedder=TfidfEmbedder(n_components=16), random_state=0, progress=False,
                        clusterer=fm.ThemeClusterer(reducer=None, min_cluster_size=3))
    model.fit(_table(), text="text", id="rid")
    return model


def test_tree_merges_nearest_first_and_names_groups_by_smallest_id():
    rng = np.random.default_rng(0)
    C = _unit(rng.normal(size=(7, 5)))
    ids = np.array([4, 9, 11, 12, 20, 21, 30])
    tree = theme_tree(ids, C)
    assert len(tree) == len(ids) - 1
    assert (np.diff(tree["distance"]) >= -1e-12).all()  # ward heights never decrease
    assert tree["size"].iloc[-1] == len(ids)
    assert (tree["into"] < tree["theme_id"]).all()
    first = tree.iloc[0]
    D = 1 - C @ C.T
    np.fill_diagonal(D, np.inf)
    i, j = np.unravel_index(np.argmin(D), D.shape)
    assert {int(first.theme_id), int(first.into)} == {int(ids[i]), int(ids[j])}
    assert first.distance == pytest.approx(np.sqrt(2 * D[i, j]), abs=1e-6)  # ward: euclidean on unit vectors
    # a function of the centroids alone: their order does not change the merges
    order = rng.permutation(len(ids))
    again = theme_tree(ids[order], C[order])
    assert sorted(map(tuple, again[["theme_id", "into"]].values)) == sorted(map(tuple, tree[["theme_id", "into"]].values))
    average = theme_tree(ids, C, method="average")
    assert len(average) == len(ids) - 1 and average["distance"].iloc[0] == pytest.approx(D[i, j], abs=1e-6)
    with pytest.raises(FeedmineError, match="linkage method"):
        theme_tree(ids, C, method="centroid-ish")


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
def test_cut_by_count_gives_that_many_groups_partitioning_the_themes(n):
    C = _unit(np.random.default_rng(1).normal(size=(7, 4)))
    ids = list(range(7))
    groups = coarse_groups(theme_tree(np.array(ids), C), ids, n_themes=n)
    assert len(groups) == n
    assert sorted(t for g in groups for t in g) == ids
    assert [g[0] for g in groups] == sorted(g[0] for g in groups) and all(g == sorted(g) for g in groups)


def test_cut_by_distance_merges_only_closer_pairs():
    C = _unit([[1, 0, 0], [0.995, 0.1, 0], [0, 1, 0], [0, 0.99, 0.14], [0, 0, 1]])
    tree = theme_tree(np.arange(5), C)
    assert coarse_groups(tree, range(5), distance=0.2) == [[0, 1], [2, 3], [4]]
    assert coarse_groups(tree, range(5), distance=0.0) == [[0], [1], [2], [3], [4]]
    assert coarse_groups(tree, range(5), distance=10.0) == [[0, 1, 2, 3, 4]]


@pytest.mark.parametrize("kwargs, match", [({}, "exactly one"), ({"n_themes": 2, "distance": 0.1}, "exactly one"),
                                           ({"n_themes": 0}, "at least 1"), ({"n_themes": 2.5}, "whole number"),
                                           ({"distance": -1.0}, "linkage height"),
                                           ({"distance": float("nan")}, "linkage height")])
def test_cut_arguments_are_checked(kwargs, match):
    tree = theme_tree(np.arange(3), np.eye(3))
    with pytest.raises(FeedmineError, match=match):
        coarse_groups(tree, range(3), **kwargs)


def test_every_result_carries_the_models_tree(fitted, tmp_path):
    fit_tree = tree_from_meta(fitted.result_.meta)
    n_themes = int((fitted.result_.themes["theme_id"] >= 0).sum())
    assert len(fit_tree) == n_themes - 1
    assigned = fitted.assign(_table().iloc[::3], text="text", id="rid")
    pd.testing.assert_frame_equal(tree_from_meta(assigned.meta), fit_tree)
    fitted.result_.save(tmp_path / "r")
    pd.testing.assert_frame_equal(tree_from_meta(fm.load_result(tmp_path / "r").meta), fit_tree)


def test_themes_at_count_merges_recomputes_and_keeps_every_row(fitted):
    result = fitted.result_
    n_fine = int((result.themes["theme_id"] >= 0).sum())
    assert n_fine >= 3
    coarse = result.themes_at(2)
    real = coarse.themes[coarse.themes["theme_id"] >= 0]
    assert len(real) == 2
    # nothing lost: same rows, same ids, each fine theme inside exactly one coarse theme
    assert coarse.documents["id"].tolist() == result.documents["id"].tolist()
    assert coarse.documents["fine_theme_id"].equals(result.documents["theme_id"])
    members = [t for ms in real["member_themes"] for t in ms]
    assert sorted(members) == sorted(result.themes.loc[result.themes["theme_id"] >= 0, "theme_id"].astype(int))
    for row in real.itertuples():
        inside = result.documents["theme_id"].isin(row.member_themes)
        assert (coarse.documents.loc[inside, "theme_id"] == row.theme_id).all()
        assert row.size == int(result.themes.set_index("theme_id").loc[list(row.member_themes), "size"].sum())
    assert real["size"].sum() == result.themes.loc[result.themes["theme_id"] >= 0, "size"].sum()
    assert set(coarse.themes["rank"].dropna()) == {1, 2}  # re-scored and re-ranked as a table of two
    assert [e["op"] for e in coarse.meta["edits"]] == ["merge"] * sum(len(m) > 1 for m in real["member_themes"])
    assert coarse.meta["level"]["n_themes"] == 2 and coarse.meta["level"]["n_themes_before"] == n_fine
    assert "fine_theme_id" not in result.documents and "edits" not in result.meta  # the input is untouched


def test_themes_at_its_own_count_and_at_distance_zero_change_nothing(fitted):
    result = fitted.result_
    n_fine = int((result.themes["theme_id"] >= 0).sum())
    for same in (result.themes_at(n_fine), result.themes_at(distance=0.0)):
        assert same.documents["theme_id"].equals(result.documents["theme_id"])
        assert "edits" not in same.meta
    one = result.themes_at(1)
    assert (one.themes["theme_id"] >= 0).sum() == 1
    coarse = result.themes_at()  # the documented level: round(2·√k) themes
    assert coarse.meta["level"]["level"] == "coarse"
    assert coarse.meta["level"]["n_themes"] == min(round(2 * n_fine ** 0.5), n_fine)


def test_themes_at_explains_bad_levels_and_missing_trees(fitted):
    result = fitted.result_
    with pytest.raises(FeedmineError, match="number of themes"):
        result.themes_at("medium")
    with pytest.raises(FeedmineError, match="at least 1"):
        result.themes_at(0)
    bare = fm.Result(result.documents, result.themes, result.config, {k: v for k, v in result.meta.items()
                                                                        if k != "theme_tree"})
    with pytest.raises(FeedmineError, match="no theme tree"):
        bare.themes_at(2)


def test_merge_groups_is_the_same_as_merging_one_by_one(fitted):
    result = fitted.result_
    ids = sorted(int(t) for t in result.themes["theme_id"] if t >= 0)
    groups = [ids[:2], ids[2:4]] if len(ids) >= 4 else [ids[:2]]
    at_once = ThemeEditor(result).merge_groups(groups)
    editor = ThemeEditor(result)
    for g in groups:
        one_by_one = editor.merge(g)
    assert at_once.documents["theme_id"].equals(one_by_one.documents["theme_id"])
    cols = ["theme_id", "size", "label", "priority"]
    pd.testing.assert_frame_equal(at_once.themes[cols], one_by_one.themes[cols])
    with pytest.raises(FeedmineError, match="disjoint"):
        ThemeEditor(result).merge_groups([ids[:2], ids[1:3]])


def test_sentence_mode_results_have_levels_too():
    table = _table()
    table["text"] = table["text"] + np.where(np.arange(len(table)) % 2 == 0, ". Delivery was very slow", "")
    result = fm.Pipeline(embedder=TfidfEmbedder(n_components=16), unit="sentence", random_state=0, progress=False,
                         clusterer=fm.ThemeClusterer(reducer=None, min_cluster_size=3)).run(table, text="text", id="rid")
    coarse = result.themes_at(2)
    assert (coarse.themes["theme_id"] >= 0).sum() <= 2
    assert coarse.documents["id"].tolist() == result.documents["id"].tolist()
    assert set(coarse.sentences["theme_id"].dropna().astype(int)) <= set(coarse.themes["theme_id"].astype(int))
