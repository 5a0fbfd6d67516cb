"""Saved models and results: data only, written atomically, verified on load, clear errors."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import feedmine as fm
from feedmine.embed import TfidfEmbedder
from feedmine.io.store import MANIFEST, sha256_of
from feedmine.tagging.journey import JourneyStageMapper

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "reviews_mixed.csv"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    # the product sample has no dates; the Korean movie reviews carry their real ones
    t = pd.read_csv(SAMPLE)
    movies = pd.read_csv(SAMPLE.parent / "movie_reviews_ko.csv")[["review_id", "text", "stars", "date", "channel"]]
    return pd.concat([t.iloc[:120], movies.iloc[:120]], ignore_index=True)


@pytest.fixture(scope="module")
def model(table) -> fm.Pipeline:
    return fm.Pipeline(embedder=TfidfEmbedder(n_components=32), random_state=0, progress=False).fit(
        table, text="text", id="review_id", rating="stars", date="date")


@pytest.fixture()
def saved(model, tmp_path) -> Path:
    return model.save(tmp_path / "model")


def _rewrite_manifest(folder: Path) -> None:
    """Make the manifest agree with the files again (a consistent but hostile folder)."""
    manifest = json.loads((folder / MANIFEST).read_text())
    for name in manifest["files"]:
        manifest["files"][name] = {"bytes": (folder / name).stat().st_size, "sha256": sha256_of(folder / name)}
    (folder / MANIFEST).write_text(json.dumps(manifest))


def test_save_load_assign_gives_identical_documents(model, saved, table):
    loaded = fm.load_model(saved)
    new = pd.read_csv(SAMPLE).iloc[500:560].assign(date=None)  # undated rows
    pd.testing.assert_frame_equal(loaded.assign(new).documents, model.assign(new).documents)
    pd.testing.assert_frame_equal(loaded.result_.documents, model.result_.documents)
    assert loaded.fingerprint_ == model.fingerprint_ and loaded.columns_ == model.columns_
    assert loaded.get_params()["unit"] == "document" and loaded.random_state == 0
    # and it keeps living: an update after loading works and saves again
    loaded.update(pd.read_csv(SAMPLE).iloc[600:700].assign(date=None))
    assert fm.load_model(loaded.save(saved.parent / "again")).fingerprint_ == loaded.fingerprint_


def test_a_saved_model_holds_no_pickle(saved):
    kinds = {p.suffix for p in saved.rglob("*") if p.is_file()}
    assert kinds <= {".json", ".npz", ".parquet", ".csv"}
    with np.load(saved / "arrays.npz", allow_pickle=False) as npz:  # raises on any object array
        assert all(npz[k].dtype != object for k in npz.files)
    model_json = json.loads((saved / "model.json").read_text())
    assert model_json["feedmine_version"] == fm.__version__ and "embedder" in model_json
    assert model_json["embedder"]["model_id"].startswith("char-tfidf")  # recorded by name, not copied


def test_an_object_array_smuggled_into_the_arrays_is_refused(saved):
    arrays = dict(np.load(saved / "arrays.npz", allow_pickle=False))
    arrays["clusterer.theme_ids"] = np.array([{"x": 1}], dtype=object)  # would need pickle to read
    np.savez(saved / "arrays.npz", **arrays)
    _rewrite_manifest(saved)
    with pytest.raises(fm.FeedmineError, match="cannot read the model"):
        fm.load_model(saved)


@pytest.mark.parametrize("victim", ["arrays.npz", "model.json", "themes.parquet", "result/documents.parquet"])
def test_an_edited_or_truncated_file_is_a_clear_error(saved, victim):
    path = saved / victim
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(fm.FeedmineError, match="does not match its manifest"):
        fm.load_model(saved)


def test_a_swapped_file_is_caught(model, saved, tmp_path, table):
    other = fm.Pipeline(embedder=TfidfEmbedder(n_components=32), random_state=1, progress=False).fit(
        table.head(100), text="text", id="review_id").save(tmp_path / "other")
    (saved / "result" / "documents.parquet").write_bytes((other / "result" / "documents.parquet").read_bytes())
    with pytest.raises(fm.FeedmineError, match="does not match its manifest"):
        fm.load_model(saved)


def test_a_half_written_folder_and_a_missing_manifest(saved):
    (saved / "themes.parquet").unlink()
    with pytest.raises(fm.FeedmineError, match="missing"):
        fm.load_model(saved)
    (saved / MANIFEST).unlink()
    with pytest.raises(fm.FeedmineError, match="no manifest.json"):
        fm.load_model(saved)


def test_a_model_from_a_newer_feedmine_is_refused(saved):
    manifest = json.loads((saved / MANIFEST).read_text())
    manifest["format_version"] = 99
    (saved / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(fm.FeedmineError, match="Upgrade feedmine"):
        fm.load_model(saved)


def test_a_result_folder_is_not_a_model(model, tmp_path):
    folder = model.result_.save(tmp_path / "run")
    with pytest.raises(fm.FeedmineError, match="not a 'feedmine-model'"):
        fm.load_model(folder)


def test_an_interrupted_save_leaves_the_previous_model(model, saved, monkeypatch):
    import feedmine.pipeline.persist as persist

    before = sha256_of(saved / "arrays.npz")

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(persist, "write_result", broken)
    with pytest.raises(KeyboardInterrupt):
        model.save(saved)
    assert sha256_of(saved / "arrays.npz") == before
    fm.load_model(saved)  # still whole and verified
    assert [p.name for p in saved.parent.iterdir()] == ["model"]  # no temporary folder left behind


def test_saving_over_a_folder_of_other_files_is_refused(model, tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "thesis.txt").write_text("months of work")
    with pytest.raises(fm.FeedmineError, match="refusing to replace"):
        model.save(mine)
    assert (mine / "thesis.txt").read_text() == "months of work"


def test_a_custom_embedder_is_recorded_and_must_be_handed_back(table, tmp_path):
    class Letters:  # not a feedmine embedder: saved by name only
        model_id = "letters-v1"

        def fit(self, texts):
            return self

        def transform(self, texts):
            return np.array([[t.count(c) + 0.1 for c in "aeiou가나다"] for t in texts], dtype=np.float32)

    model = fm.Pipeline(embedder=Letters(), random_state=0, progress=False).fit(table.head(60), text="text")
    folder = model.save(tmp_path / "custom")
    with pytest.raises(fm.FeedmineError, match="custom embedder"):
        fm.load_model(folder)
    loaded = fm.load_model(folder, embedder=Letters())
    rows = pd.DataFrame({"text": table["text"].head(60)})
    assert loaded.assign(rows).documents["theme_id"].tolist() == model.assign(rows).documents["theme_id"].tolist()


def test_sentence_mode_survives_a_round_trip(table, tmp_path):
    model = fm.Pipeline(embedder=TfidfEmbedder(n_components=16), unit="sentence", random_state=0,
                        progress=False).fit(table.head(120), text="text", id="review_id")
    loaded = fm.load_model(model.save(tmp_path / "m"))
    assert loaded.distinct_pairs_ == model.distinct_pairs_
    new = table.iloc[120:200]
    pd.testing.assert_frame_equal(loaded.assign(new).documents, model.assign(new).documents)
    pd.testing.assert_frame_equal(loaded.assign(new).sentences, model.assign(new).sentences)


@pytest.mark.slow
def test_journey_stages_survive_a_round_trip_with_the_default_embedder(table, tmp_path):
    examples = JourneyStageMapper.from_examples(
        ["the app crashes when I open it", "love this app", "the payment failed", "I want a refund",
         "앱이 자꾸 꺼져요", "결제가 안 돼요"], ["use", "use", "purchase", "refund", "use", "purchase"])
    model = fm.Pipeline(journey=examples, random_state=0, progress=False).fit(table.head(150), text="text",
                                                                             id="review_id")
    assert model.stages_["journey"].center_ is not None  # centred on the fitted items, not on each batch
    loaded = fm.load_model(model.save(tmp_path / "m"))
    new = table.iloc[150:240]
    got, want = loaded.assign(new).documents, model.assign(new).documents
    pd.testing.assert_frame_equal(got, want)
    assert "journey_stage" in got
    one = loaded.assign(new.head(1)).documents["journey_stage"].iloc[0]
    assert one == want["journey_stage"].iloc[0]  # one item alone: the same stage as in its batch


def test_result_save_is_atomic_and_verified(model, tmp_path):
    folder = model.result_.save(tmp_path / "run")
    assert fm.load_result(folder).summary() == model.result_.summary()
    (folder / "themes.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(fm.FeedmineError, match="does not match its manifest"):
        fm.load_result(folder)


def test_tagging_heads_of_your_own_travel_with_the_model(table, tmp_path):
    from feedmine.tagging.heads import WEIGHTS, LinearHeads

    mine = tmp_path / "my_heads.json"
    mine.write_bytes(WEIGHTS.read_bytes())
    model = fm.Pipeline(embedder=TfidfEmbedder(n_components=16), tagger=fm.FeedbackTagger(heads=str(mine)),
                        random_state=0, progress=False).fit(table.head(80), text="text")
    folder = model.save(tmp_path / "m")
    mine.unlink()  # the path of the fit is gone: the copy in the model folder is used
    loaded = fm.load_model(folder)
    assert isinstance(loaded.stages_["tagger"].heads_, LinearHeads) and (folder / "heads.json").exists()
    rows = pd.DataFrame({"text": table["text"].head(40)})
    pd.testing.assert_frame_equal(loaded.assign(rows).documents, model.assign(rows).documents)
