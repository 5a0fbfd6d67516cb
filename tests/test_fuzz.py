"""Fuzzing (issue 13), a fixed budget of examples per target: the loaders, ``load_result`` and
``load_model`` meet random and mutated bytes and either read them or raise FeedmineError with a
message, never another exception. Any crash found here becomes a named regression test in
test_hostile_input.py."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import feedmine as fm
from feedmine.embed import TfidfEmbedder
from feedmine.errors import FeedmineError
from feedmine.io.store import MANIFEST, sha256_of
from feedmine.io.tables import load_corpus

BUDGET = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
TEXTS = ["앱이 자꾸 꺼져요", "로그인이 안 돼요", "배송이 늦어요", "환불 해주세요", "app crashes on start",
         "cannot log in", "slow delivery", "refund please"] * 3


def _valid_files() -> dict[str, bytes]:
    table = pd.DataFrame({"id": [str(i) for i in range(len(TEXTS))], "text": TEXTS, "rating": [1, 5, 3] * 8})
    files = {".csv": table.to_csv(index=False).encode("utf-8"),
             ".tsv": table.to_csv(index=False, sep="\t").encode("utf-8"),
             ".jsonl": table.to_json(orient="records", lines=True, force_ascii=False).encode("utf-8"),
             ".json": table.to_json(orient="records", force_ascii=False).encode("utf-8")}
    buf = io.BytesIO()
    table.to_parquet(buf, index=False)
    files[".parquet"] = buf.getvalue()
    buf = io.BytesIO()
    table.to_excel(buf, index=False)
    files[".xlsx"] = buf.getvalue()
    return files


VALID = _valid_files()


@st.composite
def mutated(draw, original: bytes):
    """``original`` cut short, with bytes flipped or inserted, or replaced by random bytes."""
    how = draw(st.sampled_from(["cut", "flip", "insert", "random"]))
    data = bytearray(original)
    if how == "random":
        return draw(st.binary(max_size=2000))
    if how == "cut":
        return bytes(data[:draw(st.integers(0, len(data)))])
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        if how == "flip":
            data[at] ^= draw(st.integers(1, 255))
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)


@BUDGET
@given(st.sampled_from(sorted(VALID)).flatmap(lambda s: st.tuples(st.just(s), mutated(VALID[s]))),
       st.sampled_from(["text", None]))
def test_loaders_read_or_refuse_mutated_files(tmp_path_factory, case, text):
    suffix, data = case
    path = tmp_path_factory.mktemp("fuzz") / f"export{suffix}"
    path.write_bytes(data)
    try:
        corpus = load_corpus(path, text=text)
    except FeedmineError as err:
        assert str(err)  # a message that names the problem
        return
    assert isinstance(corpus, pd.DataFrame) and "text" in corpus and corpus["id"].is_unique


# ----- saved results and models ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("saved")
    table = pd.DataFrame({"text": TEXTS, "rating": [1, 5, 3] * 8})
    model = fm.Pipeline(embedder=TfidfEmbedder(n_components=8), random_state=0, progress=False).fit(table)
    return {"result": model.result_.save(root / "result"), "model": model.save(root / "model")}


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def _rewrite_manifest(folder: Path) -> None:
    """Make the manifest agree with the mutated files: a consistent but hostile folder."""
    for manifest_path in folder.rglob(MANIFEST):
        manifest = json.loads(manifest_path.read_text())
        base = manifest_path.parent
        for name in manifest.get("files", {}):
            if (base / name).is_file():
                manifest["files"][name] = {"bytes": (base / name).stat().st_size, "sha256": sha256_of(base / name)}
        manifest_path.write_text(json.dumps(manifest))


@BUDGET
@given(st.sampled_from(["result", "model"]), st.data(), st.booleans())
def test_load_refuses_or_reads_a_mutated_folder(folders, tmp_path_factory, kind, data, consistent):
    folder = tmp_path_factory.mktemp("mutated") / kind
    shutil.copytree(folders[kind], folder)
    victim = folder / data.draw(st.sampled_from(_files(folder)))
    original = victim.read_bytes()
    changed = data.draw(mutated(original))
    if changed == original:
        return
    victim.write_bytes(changed)
    if consistent:
        _rewrite_manifest(folder)
    load = fm.load_result if kind == "result" else fm.load_model
    try:
        load(folder)
    except FeedmineError as err:
        assert str(err)
        return
    # only a folder whose manifest was made to agree can load, and then only as data
    assert consistent, f"{victim.name} changed but {kind} loaded without a word"
