"""Folders written atomically and read back verified: saved results and saved models.

A save writes every file into a temporary folder beside the target, then writes ``manifest.json`` (what
kind of folder, its format version, the feedmine version, and each file's size and SHA-256), and only
then moves the folder into place; an interrupted save leaves the previous folder (or none), never a mix
of old and new files. A load reads the manifest first and checks every file it lists, so a truncated,
swapped or edited file is a clear error instead of a misread. Nothing here unpickles anything.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_folder(root / "out", kind="example", format_version=1) as tmp:
...     _ = (tmp / "a.txt").write_text("hello")
>>> read_manifest(root / "out", kind="example", format_version=1)["files"]["a.txt"]["bytes"]
5
>>> _ = (root / "out" / "a.txt").write_text("HELLO")
>>> read_manifest(root / "out", kind="example", format_version=1)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
feedmine.errors.FeedmineError: 'a.txt' in ... does not match its manifest (its SHA-256 differs): the folder was changed or half written after it was saved. Save it again.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import FeedmineError

MANIFEST = "manifest.json"
#: files that mark a folder written by an older feedmine, before manifests
LEGACY_MARKERS = ("meta.json", "documents.parquet")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def atomic_file(path: Any) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write; on success it is renamed into place, so a reader
    sees the old file or the new one, never half of one (on failure it is removed)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix or ".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Any, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (:func:`atomic_file`)."""
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def is_feedmine_folder(path: Path) -> bool:
    return (path / MANIFEST).is_file() or all((path / m).is_file() for m in LEGACY_MARKERS)


def check_folder_target(path: Any) -> Path:
    """``path`` as a Path, once it is known that a feedmine folder may be saved there: it is new, empty,
    or an earlier feedmine folder. Anything else is refused, so a wrong ``--out`` never deletes someone's
    files (the CLI checks before the analysis runs, :func:`atomic_folder` again before it writes)."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise FeedmineError(f"{str(target)!r} exists and is a file; give a folder path to save into.")
    if target.is_dir() and any(target.iterdir()) and not is_feedmine_folder(target):
        raise FeedmineError(f"{str(target)!r} exists and holds files feedmine did not write; refusing to replace "
                            "it. Choose a new or empty folder.")
    return target


@contextmanager
def atomic_folder(path: Any, kind: str, format_version: int) -> Iterator[Path]:
    """Yield a temporary folder to write into; on success it replaces ``path`` whole, with a manifest.

    ``path`` may be new, empty, or an earlier feedmine folder; any other existing folder or file is
    left alone and the save refused (a wrong ``--out`` never deletes someone's files)."""
    target = check_folder_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.saving-", dir=target.parent))
    try:
        yield tmp
        files = {str(p.relative_to(tmp).as_posix()): {"bytes": p.stat().st_size, "sha256": sha256_of(p)}
                 for p in sorted(tmp.rglob("*")) if p.is_file()}
        manifest = {"kind": kind, "format_version": format_version, "feedmine_version": __version__,
                    "files": files}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        _swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(tmp: Path, target: Path) -> None:
    """Move ``tmp`` to ``target``; an existing target is moved aside first and removed after."""
    if not target.exists():
        os.replace(tmp, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    old.rmdir()
    os.replace(target, old)
    try:
        os.replace(tmp, target)
    except BaseException:
        os.replace(old, target)  # put the previous folder back rather than leave none
        raise
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(path: Any, kind: str, format_version: int) -> dict[str, Any]:
    """The manifest of folder ``path``, after checking its kind, its format and every file it lists."""
    folder = Path(path)
    where = str(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FeedmineError(f"{where!r} has no {MANIFEST}: it is not a folder feedmine saved, or the save did "
                            "not finish. Save it again.") from None
    except (OSError, ValueError) as err:
        raise FeedmineError(f"{MANIFEST} in {where!r} cannot be read ({err}); the folder is damaged. "
                            "Save it again.") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != kind:
        found = manifest.get("kind") if isinstance(manifest, dict) else None
        raise FeedmineError(f"{where!r} holds a {found!r}, not a {kind!r}.")
    saved = manifest.get("format_version")
    if not isinstance(saved, int) or saved > format_version:
        raise FeedmineError(f"{where!r} was saved by feedmine {manifest.get('feedmine_version')} in format "
                            f"{saved}; this feedmine ({__version__}) reads format {format_version} and older. "
                            "Upgrade feedmine to load it.")
    for name, facts in manifest.get("files", {}).items():
        _check_file(folder, name, facts, where)
    return manifest


def _check_file(folder: Path, name: str, facts: dict[str, Any], where: str) -> None:
    file = folder / name
    if ".." in Path(name).parts or not file.is_file():
        raise FeedmineError(f"{name!r} listed in the manifest of {where!r} is missing; the folder is incomplete. "
                            "Save it again.")
    if file.stat().st_size != facts.get("bytes"):
        why = f"it has {file.stat().st_size} bytes, the manifest says {facts.get('bytes')}"
    elif sha256_of(file) != facts.get("sha256"):
        why = "its SHA-256 differs"
    else:
        return
    raise FeedmineError(f"{name!r} in {where!r} does not match its manifest ({why}): the folder was changed or "
                        "half written after it was saved. Save it again.")
