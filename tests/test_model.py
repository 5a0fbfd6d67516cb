"""The pipeline as a model that lives: fit, assign, update, compare, on real reviews (data/samples).

Most tests use the TF-IDF embedder (fast, deterministic); the slow ones run the default embedder.
What they check holds by construction on any machine: the fitted rows are placed by the rule that
places new ones, so assigning them again gives the same themes, alone or in any batch.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import feedmine as fm
from feedmine.embed import TfidfEmbedder

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "reviews_mixed.csv"
COLUMNS = dict(text="text", id="review_id", rating="stars", channel="channel")  # the sample has no dates


@pytest.fixture(scope="module")
def reviews() -> pd.DataFrame:
    table = pd.read_csv(SAMPLE)
    # both languages, and a few rows that are skipped (empty, no letters, a number)
    picked = pd.concat([table.iloc[:250], table.iloc[-250:]], ignore_index=True)
    odd = pd.DataFrame({"review_id": ["x1", "x2", "x3"], "text": ["", "!!!", "12345"], "stars": [1, 5, 3],
                        "channel": ["web"] * 3, "date": [None] * 3})
    return pd.concat([picked, odd], ignore_index=True)


@pytest.fixture(scope="module")
def model(reviews) -> fm.Pipeline:
    return fm.Pipeline(embedder=TfidfEmbedder(), random_state=0, progress=False).fit(reviews, **COLUMNS)


def _themes(result: fm.Result) -> pd.Series:
    return result.documents.set_index("id")["theme_id"].astype("Int64")


def test_assigning_the_fitted_rows_gives_their_fitted_themes(model, reviews):
    fitted, again = model.result_, model.assign(reviews)
    pd.testing.assert_series_equal(_themes(again), _themes(fitted))
    assert fitted.documents["theme_id"].tail(3).isna().all()  # skipped rows: no theme either way
    assert again.meta["mode"] == "assign" and fitted.meta["mode"] == "fit"
    assert 0 <= again.documents["theme_confidence"].min() and again.documents["theme_confidence"].max() <= 1
    np.testing.assert_allclose(again.documents["theme_confidence"], fitted.documents["theme_confidence"])


def test_one_row_batches_give_exactly_the_theme_of_the_big_batch(model, reviews):
    whole = _themes(model.result_)
    for i in range(0, len(reviews), 25):
        alone = _themes(model.assign(reviews.iloc[[i]]))
        assert alone.equals(whole.loc[alone.index]), reviews.iloc[i]["text"]


def test_a_theme_does_not_depend_on_the_batch(model, reviews):
    shuffled = reviews.sample(frac=1.0, random_state=3)
    halves = [model.assign(shuffled.iloc[:200]), model.assign(shuffled.iloc[200:])]
    together = pd.concat([_themes(h) for h in halves]).sort_index()
    assert together.equals(_themes(model.result_).sort_index())
    korean_only = reviews[reviews["text"].str.contains("[가-힣]", na=False)]
    # language centring is learned in fit: a batch of one language is not centred on itself
    assert _themes(model.assign(korean_only)).equals(_themes(model.result_).loc[korean_only["review_id"]])


def test_assign_reuses_the_column_arguments_of_fit(model, reviews):
    new = model.assign(reviews.head(20))
    assert new.documents["id"].tolist() == reviews["review_id"].head(20).astype(str).tolist()
    assert "rating" in new.documents and "channel" in new.documents
    renamed = reviews.head(5).rename(columns={"text": "comment"})
    with pytest.raises(fm.ColumnNotFoundError, match="'comment'.*fitted with text='text'"):
        model.assign(renamed)  # the text column of fit is gone: the error lists what exists, and the fix
    explicit = model.assign(renamed, text="comment", id="review_id")
    assert _themes(explicit).equals(_themes(model.result_).loc[explicit.documents["id"]])


def test_new_rows_keep_theme_ids_and_get_scores(model, reviews):
    table = pd.read_csv(SAMPLE).iloc[250:450]  # rows the model has not seen
    new = model.assign(table)
    assert len(new.documents) == len(table) and new.documents["id"].tolist() == table["review_id"].astype(str).tolist()
    known = set(model.themes_["theme_id"])
    assert set(new.documents["theme_id"].dropna().astype(int)) <= known
    assert (new.themes["theme_id"].tolist() == sorted(new.themes["theme_id"])) or set(new.themes["theme_id"]) == known
    reached = new.themes[new.themes["size"] > 0]
    assert {"priority", "impact", "frequency", "explanation"} <= set(new.themes.columns)
    assert reached.loc[reached["theme_id"] >= 0, "priority"].notna().all()
    assert (new.themes.loc[new.themes["size"] == 0, "priority"].isna()).all()  # not reached: not ranked
    assert set(new.pain_points["theme_id"]) == set(reached.loc[reached["theme_id"] >= 0, "theme_id"])
    # labels and keywords are the fitted ones; quotes come from the new rows
    fitted_labels = dict(zip(model.themes_["theme_id"], model.themes_["label"]))
    assert all(fitted_labels[t] == lb for t, lb in zip(new.themes["theme_id"], new.themes["label"]) if t >= 0)
    ids = set(new.documents["id"])
    assert all(set(q) <= ids for q in new.themes["quote_ids"])


def test_update_adds_candidate_themes_and_moves_no_placed_row(reviews):
    english = reviews[~reviews["text"].str.contains("[가-힣]", na=False)]
    # new Korean feedback: enough of it that some recurs (game reviews vary more than 250 rows show)
    sample = pd.read_csv(SAMPLE)
    korean = sample[sample["text"].str.contains("[가-힣]", na=False)].head(600)
    model = fm.Pipeline(embedder=TfidfEmbedder(), random_state=0, progress=False).fit(english, **COLUMNS)
    before_assign = _themes(model.assign(korean))
    known = set(model.themes_["theme_id"])
    updated = model.update(korean)
    after = _themes(updated)
    placed = before_assign[before_assign >= 0].index
    assert after.loc[placed].equals(before_assign.loc[placed])  # nothing placed before moves
    new_ids = set(model.themes_["theme_id"]) - known
    assert new_ids and min(new_ids) > max(known)  # new ids after the old ones
    assert set(model.themes_.loc[model.themes_["candidate"], "theme_id"]) == new_ids
    assert set(after.dropna().astype(int)) & new_ids  # rows unassigned before now sit in new themes
    assert updated.themes.set_index("theme_id").loc[sorted(new_ids), "candidate"].all()
    # the model now places them there by itself; the fitted rows keep their themes
    assert _themes(model.assign(korean)).equals(after)
    fitted = _themes(model.result_)
    placed = fitted[fitted >= 0].index  # (a fitted row no theme fitted may now fit a new one)
    assert _themes(model.assign(english)).loc[placed].equals(fitted.loc[placed])
    assert updated.meta["model_lineage"] == model.result_.meta["model_lineage"]


def test_compare_across_fit_and_assign_matches_theme_by_theme(model, reviews):
    new = model.assign(pd.read_csv(SAMPLE).iloc[250:450])
    table = fm.compare(model.result_, new)
    matched = table.dropna(subset=["before_id", "after_id"])
    assert (matched["before_id"] == matched["after_id"]).all() and (matched["similarity"] == 1).all()
    assert set(matched["before_id"]) == set(model.result_.themes.query("theme_id >= 0")["theme_id"])
    assert set(table["status"]) <= {"grown", "shrunk", "stable"}
    gone = new.themes.loc[(new.themes["size"] == 0) & (new.themes["theme_id"] >= 0), "theme_id"]
    assert (table.set_index("after_id").loc[gone, "after_size"] == 0).all()


def test_sentence_mode_assign_gives_the_fitted_themes():
    crash = ["The app crashes every time I open it.", "It keeps crashing on startup after the update.",
             "Crashes constantly when I open the camera.", "The app crashed again and I lost my work."]
    dark = ["Please add a dark mode for night reading.", "I wish there was a dark theme option.",
            "A dark mode would be really nice to have.", "Please give us a night mode with dark colours."]
    rows = [f"{r} (#{i})" for i, r in enumerate(crash * 3 + dark * 3)]
    rows += [f"{c} Also, {d[0].lower()}{d[1:]}" for c, d in zip(crash, dark)]
    table = pd.DataFrame({"text": rows})
    model = fm.Pipeline(embedder=TfidfEmbedder(n_components=16), clusterer=fm.ThemeClusterer(reducer=None),
                        unit="sentence", random_state=0, progress=False).fit(table, text="text")
    again = model.assign(table)
    assert again.documents["theme_ids"].tolist() == model.result_.documents["theme_ids"].tolist()
    assert again.sentences["theme_id"].tolist() == model.result_.sentences["theme_id"].tolist()
    alone = model.assign(table.tail(1))
    assert alone.documents["theme_ids"].iloc[0] == model.result_.documents["theme_ids"].iloc[-1]


def test_unfitted_model_says_what_to_do():
    with pytest.raises(fm.FeedmineError, match="not fitted"):
        fm.Pipeline().assign(pd.DataFrame({"text": ["a"]}))


def test_unit_segment_is_the_old_name_of_sentence():
    table = pd.DataFrame({"text": ["The app crashes. Please add dark mode."] * 12})
    with pytest.warns(FutureWarning, match="unit='sentence'"):
        model = fm.Pipeline(embedder=TfidfEmbedder(n_components=4), unit="segment", progress=False).fit(table, text="text")
    assert model.result_.meta["unit"] == "sentence"


@pytest.mark.slow
def test_default_model_fit_save_load_assign_on_real_reviews(tmp_path):
    table = pd.read_csv(SAMPLE)
    fit_rows = pd.concat([table.iloc[:150], table.iloc[-150:]], ignore_index=True)
    model = fm.Pipeline(random_state=0, progress=False).fit(fit_rows, **COLUMNS)
    loaded = fm.load_model(model.save(tmp_path / "model"))
    again = loaded.assign(fit_rows)
    assert _themes(again).equals(_themes(model.result_))
    for i in (0, 77, 151, 299):  # one row at a time: the same theme
        assert _themes(loaded.assign(fit_rows.iloc[[i]])).iloc[0] is _themes(model.result_).iloc[i] or \
            _themes(loaded.assign(fit_rows.iloc[[i]])).iloc[0] == _themes(model.result_).iloc[i]
    new = table.iloc[150:250]
    pd.testing.assert_frame_equal(loaded.assign(new).documents, model.assign(new).documents)
    assert loaded.result_.summary() == model.result_.summary()


@pytest.mark.slow
def test_default_model_leaves_text_about_something_else_unassigned():
    table = pd.read_csv(SAMPLE)
    app = table[~table["text"].str.contains("[가-힣]", na=False)]
    model = fm.Pipeline(random_state=0, progress=False).fit(app.iloc[:400], text="text", id="review_id")
    held_out = model.assign(app.iloc[400:500])
    assert (held_out.documents["theme_id"].dropna() >= 0).mean() >= 0.9  # unseen app reviews find themes
    elsewhere = ["What is the capital of France?", "Two eggs, flour and a pinch of salt.",
                 "The train to Busan leaves at nine.", "Photosynthesis converts light into chemical energy.",
                 "The meeting is moved to Thursday afternoon.", "Mix the paint with water before use."]
    placed = model.assign(pd.DataFrame({"body": elsewhere}), text="body").documents
    assert (placed["theme_id"] == -1).mean() >= 0.8, placed[["text", "theme_id"]]
    assert (placed.loc[placed["theme_id"] == -1, "theme_confidence"] == 0).all()


def test_cli_fit_then_assign_and_update(tmp_path, capsys):
    from feedmine.cli import main

    table = pd.read_csv(SAMPLE)
    first, later = tmp_path / "first.csv", tmp_path / "later.csv"
    pd.concat([table.iloc[:80], table.iloc[-80:]]).to_csv(first, index=False)
    table.iloc[300:360].to_csv(later, index=False)
    model_dir, out = tmp_path / "model", tmp_path / "run"
    assert main(["fit", str(first), "--text", "text", "--id", "review_id", "--rating", "stars",
                 "--embedder", "tfidf", "--model", str(model_dir), "--no-progress"]) == 0
    assert "model" in capsys.readouterr().out
    assert main(["assign", str(later), "--model", str(model_dir), "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    written = sorted(p.name for p in out.iterdir() if p.name != "manifest.json")
    assert all(name in printed for name in written) and {"report.html", "documents.parquet"} <= set(written)
    docs = pd.read_csv(out / "documents.csv", dtype={"id": str})
    model = fm.load_model(model_dir)
    expected = model.assign(table.iloc[300:360]).documents
    assert docs["theme_id"].fillna(-9).tolist() == expected["theme_id"].fillna(-9).tolist()
    assert main(["assign", str(later), "--model", str(model_dir), "--out", str(out), "--update", "--no-progress"]) == 0
    capsys.readouterr()
    assert fm.load_model(model_dir).fingerprint_ != model.fingerprint_ or \
        not fm.load_model(model_dir).themes_["candidate"].any()
    assert main(["assign", str(later), "--model", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "manifest" in err


def test_every_documents_column_is_declared_in_the_schema(model, reviews):
    from feedmine.schema import DOCUMENT_COLUMNS, METADATA_COLUMNS

    for result in (model.result_, model.assign(reviews.head(30))):
        undeclared = set(result.documents.columns) - set(DOCUMENT_COLUMNS) - set(METADATA_COLUMNS)
        assert not undeclared, undeclared


def test_chunks_give_the_same_result_as_one_batch(model, reviews, monkeypatch):
    import feedmine.pipeline.chunks as chunks

    whole = model.assign(reviews)
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 37)  # many chunks, one of them short
    cut = model.assign(reviews)
    pd.testing.assert_frame_equal(cut.documents, whole.documents)
    pd.testing.assert_frame_equal(cut.themes, whole.themes)


def test_a_long_table_is_fitted_on_a_sample_and_assigned_whole(reviews):
    model = fm.Pipeline(embedder=TfidfEmbedder(), fit_sample=300, random_state=0, progress=False).fit(reviews, **COLUMNS)
    docs = model.result_.documents
    assert len(docs) == len(reviews) and docs["id"].tolist() == reviews["review_id"].astype(str).tolist()
    assert model.result_.meta["fit_sample"] == {"n_fitted": 300, "n_rows": len(reviews)}
    assert model.result_.meta["mode"] == "fit" and "fit_embed" in model.result_.meta["seconds"]
    # every row, sampled or not, is where the model puts it
    assert _themes(model.assign(reviews)).equals(_themes(model.result_))
    assert (docs["theme_id"].dropna() >= 0).mean() > 0.8
    assert docs["duplicate_of"].notna().sum() == model.assign(reviews).documents["duplicate_of"].notna().sum()


def test_chunks_prepared_by_workers_during_the_fit_give_the_same_result(reviews, monkeypatch):
    import feedmine.pipeline.chunks as chunks
    from feedmine.pipeline.workers import Workers

    monkeypatch.setattr(chunks, "CHUNK_ROWS", 100)
    params = dict(embedder=TfidfEmbedder(), fit_sample=300, random_state=0, progress=False)
    alone = fm.Pipeline(**params).fit(reviews, **COLUMNS).result_
    stop, prepared = Workers.stop_preparing, {}

    def stop_when_two_are_prepared(self):
        import time

        deadline = time.monotonic() + 120  # the fit of 300 rows is quicker than a worker's start: wait for it
        while time.monotonic() < deadline and sum(f.done() for _, f in self.prepared) < 2:
            time.sleep(0.05)
        prepared.update(stop(self))
        return prepared

    monkeypatch.setattr(Workers, "stop_preparing", stop_when_two_are_prepared)
    shared = fm.Pipeline(**params, n_jobs=2).fit(reviews, **COLUMNS).result_
    assert len(prepared) >= 2 and all(f.done() for f in prepared.values())
    pd.testing.assert_frame_equal(shared.documents, alone.documents)
    pd.testing.assert_frame_equal(shared.themes, alone.themes)


def test_prepare_stages_travel_as_data(model, reviews):
    from feedmine.pipeline.chunks import prepare_chunk
    from feedmine.pipeline.transport import stages_bytes, stages_from_bytes
    from feedmine.pipeline.workers import PREPARE_STAGES

    blob = stages_bytes(model.stages_, PREPARE_STAGES)
    assert set(blob) == {"stages.json", "arrays.npz"} and b"pickle" not in blob["stages.json"]
    again = stages_from_bytes(blob)
    assert set(again) == set(PREPARE_STAGES)
    corpus = model._read(reviews.head(120), COLUMNS)[0]
    here, there = prepare_chunk(model.stages_, corpus, "document"), prepare_chunk(again, corpus, "document")
    np.testing.assert_array_equal(here.batch.Z, there.batch.Z)
    pd.testing.assert_frame_equal(here.tags, there.tags)


def test_worker_processes_give_the_same_result(model, reviews, monkeypatch):
    import feedmine.pipeline.chunks as chunks

    whole = model.assign(reviews)
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 100)  # six chunks: this process places some
    model.set_params(n_jobs=3)  # ... and two spawned workers the others
    try:
        cut = model.assign(reviews)
    finally:
        model.set_params(n_jobs=None)
    pd.testing.assert_frame_equal(cut.documents, whole.documents)
    pd.testing.assert_frame_equal(cut.themes, whole.themes)
