"""by=: one analysis per group (separate themes, or shared themes scored per group), as one Result."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import feedmine as fm
from feedmine.cli import main as cli_main
from feedmine.embed import TfidfEmbedder
from feedmine.errors import ColumnNotFoundError, FeedmineError

from test_edit import _table


def _grouped_table() -> pd.DataFrame:
    table = _table()
    table["app"] = np.where(np.arange(len(table)) % 2 == 0, "alpha", "beta")
    table.loc[table.index[-3:], "app"] = "tiny"  # three rows: too small to cluster
    table.loc[table.index[0], "app"] = None  # a missing group value
    return table


def _model(group_themes: str = "separate") -> fm.Pipeline:
    return fm.Pipeline(embedder=TfidfEmbedder(n_components=16), clusterer=fm.ThemeClusterer(reducer=None, min_cluster_size=3),
                       group_themes=group_themes, random_state=0, progress=False)


@pytest.fixture(scope="module", params=["separate", "shared"])
def fitted(request):
    model = _model(request.param)
    model.fit(_grouped_table(), text="text", id="rid", by="app")
    return model


def test_every_row_once_in_order_with_its_group(fitted):
    table, docs = _grouped_table(), fitted.result_.documents
    assert docs["id"].tolist() == table["rid"].tolist()
    expected = table["app"].fillna("(missing)").tolist()
    assert docs["group"].tolist() == expected
    groups = fitted.result_.group_table()
    assert sorted(groups["group"]) == sorted(set(expected))
    assert groups.set_index("group")["n_items"].to_dict() == pd.Series(expected).value_counts().to_dict()


def test_theme_ids_unique_and_each_theme_in_one_group(fitted):
    result = fitted.result_
    themes, docs = result.themes, result.documents
    assert themes["theme_id"].is_unique
    real = themes[themes["theme_id"] >= 0]
    group_of = dict(zip(real["theme_id"], real["group"]))
    placed = docs[docs["theme_id"].fillna(-1) >= 0]
    assert all(group_of[int(t)] == g for t, g in zip(placed["theme_id"], placed["group"]))
    for g, part in real.groupby("group"):
        # ranks and shares are within the group: ranks 1..k, sizes add up to the group's placed items
        assert sorted(part["rank"].astype(int)) == list(range(1, len(part) + 1))
        n_placed = int((placed["group"] == g).sum())
        assert int(part["size"].sum()) == n_placed
        assert part["share"].sum() <= 1.0 + 1e-9


def test_small_group_is_reported_not_dropped(fitted):
    status = fitted.result_.group_table().set_index("group")["status"]
    assert "tiny" in status.index and status["tiny"] != "ok"
    assert status["alpha"] == "ok" and status["beta"] == "ok"
    assert (fitted.result_.documents["group"] == "tiny").sum() == 3


def test_for_group_is_that_groups_own_result(fitted):
    result = fitted.result_
    alpha = result.for_group("alpha")
    assert isinstance(alpha, fm.Result)
    assert alpha.documents["id"].tolist() == result.documents.loc[result.documents["group"] == "alpha", "id"].tolist()
    assert set(alpha.themes["theme_id"]) <= set(result.themes["group_theme_id"]) | {-1}
    assert alpha.pain_points["rank"].tolist() == sorted(alpha.pain_points["rank"].tolist())
    alpha.to_html()  # every view of a plain Result works on it
    with pytest.raises(FeedmineError, match="no group 'gamma'; the groups are"):
        result.for_group("gamma")


def test_separate_groups_equal_plain_fits_of_each_group():
    table = _grouped_table()
    result = _model("separate").fit(table, text="text", id="rid", by="app").result_
    for g in ("alpha", "beta"):
        alone = _model().fit(table[table["app"] == g].drop(columns="app"), text="text", id="rid").result_
        part = result.for_group(g)
        assert part.documents["theme_id"].equals(alone.documents["theme_id"])
        pd.testing.assert_series_equal(part.pain_points["priority"], alone.pain_points["priority"])


def test_shared_themes_mean_the_same_in_every_group():
    table = _grouped_table()
    model = _model("shared")
    result = model.fit(table, text="text", id="rid", by="app").result_
    pooled = _model().fit(table.drop(columns="app"), text="text", id="rid").result_
    # the shared theme of every row is the theme a pooled fit gives it
    assert result.documents["group_theme_id"].equals(pooled.documents["theme_id"])
    # and its frequency is within its group: the same shared theme has its own share per group
    real = result.themes[result.themes["theme_id"] >= 0]
    for g, part in real.groupby("group"):
        n = int(((result.documents["group"] == g) & result.documents["theme_id"].notna()).sum())
        assert np.allclose(part["share"], part["size"] / n)


def test_assign_gives_the_fitted_themes_and_save_load_keeps_them(fitted, tmp_path):
    table = _grouped_table()
    again = fitted.assign(table, text="text", id="rid", by="app")
    assert again.documents["theme_id"].equals(fitted.result_.documents["theme_id"])
    folder = fitted.save(tmp_path / "model")
    loaded = fm.load_model(folder)
    assert loaded.assign(table).documents["theme_id"].equals(fitted.result_.documents["theme_id"])
    assert loaded.result_.documents["group"].tolist() == fitted.result_.documents["group"].tolist()


def test_a_damaged_group_model_is_refused(tmp_path):
    model = _model("separate").fit(_grouped_table(), text="text", id="rid", by="app")
    folder = model.save(tmp_path / "model")
    target = next(p for p in sorted(folder.rglob("model.json")))
    target.write_text(target.read_text(encoding="utf-8").replace('"', "'", 1), encoding="utf-8")
    with pytest.raises(FeedmineError):
        fm.load_model(folder)


def test_new_groups(fitted):
    new = pd.DataFrame({"text": ["App crashes on startup every time", "배송이 너무 느려요"], "rid": ["n1", "n2"],
                        "app": ["gamma", "alpha"]})
    if fitted.group_themes == "separate":
        with pytest.raises(FeedmineError, match="no model for group.*'gamma'.*group_themes='shared'"):
            fitted.assign(new)
    else:
        out = fitted.assign(new)
        assert out.documents["group"].tolist() == ["gamma", "alpha"]
        assert out.documents["group_theme_id"].notna().all()


def test_errors_name_the_problem_and_the_fix(fitted):
    table = _grouped_table()
    with pytest.raises(ColumnNotFoundError, match="by column 'product' not found.*'app'"):
        _model().fit(table, text="text", id="rid", by="product")
    with pytest.raises(FeedmineError, match="group_themes must be one of separate, shared"):
        _model("per-app").fit(table, text="text", id="rid", by="app")
    with pytest.raises(FeedmineError, match="fitted with by="):
        fitted.assign(table.drop(columns="app"), text="text", id="rid")
    plain = _model().fit(table, text="text", id="rid")
    with pytest.raises(FeedmineError, match="without by="):
        plain.assign(table, text="text", id="rid", by="app")
    with pytest.raises(FeedmineError, match="update is not available"):
        fitted.update(table)
    with pytest.raises(FeedmineError, match="not split by group"):
        plain.result_.group_table()


def test_analyze_and_cli_take_by(tmp_path, capsys):
    table = _grouped_table()
    table.loc[table.index[1], "app"] = "<script>alert(1)</script>"
    result = fm.analyze(table, text="text", id="rid", by="app", embedder="tfidf", progress=False)
    assert "<script>alert(1)</script>" in set(result.documents["group"])
    html = result.to_html()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    path = tmp_path / "in.csv"
    table.to_csv(path, index=False)
    rc = cli_main(["analyze", str(path), "--text", "text", "--id", "rid", "--by", "app", "--embedder", "tfidf",
                   "--group-themes", "shared", "--no-progress", "--out", str(tmp_path / "out")])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "group" in printed.splitlines()[1] and "alpha" in printed
    saved = fm.load_result(tmp_path / "out")
    assert saved.meta["group_themes"] == "shared"
    assert json.loads(json.dumps(saved.meta["groups"]))[0]["group"]


def test_a_group_is_read_at_a_coarser_level_through_for_group(fitted):
    with pytest.raises(FeedmineError, match="for_group"):
        fitted.result_.themes_at(2)
    if fitted.group_themes == "separate":
        alpha = fitted.result_.for_group("alpha")
        coarse = alpha.themes_at(2)
        assert (coarse.themes["theme_id"] >= 0).sum() <= 2
        assert coarse.documents["id"].tolist() == alpha.documents["id"].tolist()


def test_exports_of_a_grouped_result_keep_groups_and_neutralise_formulas(tmp_path):
    table = _grouped_table()
    table.loc[table["app"] == "beta", "app"] = "=HYPERLINK(\"http://x\")"
    result = _model("shared").fit(table, text="text", id="rid", by="app").result_
    path = result.to_excel(tmp_path / "out.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    cells = {str(v) for df in sheets.values() for col in df.columns for v in df[col].dropna()}
    assert not any(c.startswith("=") for c in cells)
    assert any("HYPERLINK" in c for c in cells) and "alpha" in cells
    saved = fm.load_result(result.save(tmp_path / "r"))
    assert saved.documents["group"].tolist() == result.documents["group"].tolist()
    assert saved.for_group("alpha").documents["theme_id"].equals(result.for_group("alpha").documents["theme_id"])
