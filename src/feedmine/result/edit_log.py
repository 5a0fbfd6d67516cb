"""The edit log: save it, load it, and re-apply it to a later run.

Each entry of ``result.meta["edits"]`` records the operation and the keywords of the themes it touched,
so a later run's themes can be matched to them (keyword overlap, one to one) and the same edit made
again; an edit that cannot be matched is skipped with the reason.
"""
from __future__ import annotations

import copy
import json
import logging
from os import PathLike
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from .compare import _keyword_set
from .edit import OPS, ThemeEditor
from ..errors import FeedmineError
from .result import Result

logger = logging.getLogger(__name__)


class _Skip(Exception):
    """Why an edit cannot be replayed on this run."""


def _match(snaps: list[dict[str, Any]], themes: pd.DataFrame, min_similarity: float) -> list[int]:
    """This run's theme for each snapshot: one-to-one, best keyword Jaccard, at least ``min_similarity``."""
    real = themes[themes["theme_id"] >= 0]
    now = [_keyword_set(k) for k in real["keywords"]]
    was = [_keyword_set(snap.get("keywords")) for snap in snaps]
    sim = np.array([[len(w & k) / len(w | k) if w and k else 0.0 for k in now] for w in was]).reshape(len(was), -1)
    if len(snaps) > len(now):
        raise _Skip(f"it involves {len(snaps)} themes but this run has only {len(now)}")
    rows, cols = linear_sum_assignment(sim, maximize=True)
    for i, j in zip(rows, cols):
        if sim[i, j] < min_similarity:
            raise _Skip(f"theme {snaps[i].get('theme_id')} ({snaps[i].get('label')!r}) matches no theme of this "
                        f"run (best keyword overlap {sim[i].max():.2f} < min_similarity {min_similarity})")
    return [int(real["theme_id"].iat[j]) for j in cols[np.argsort(rows)]]


def _replay(editor: ThemeEditor, edit: dict[str, Any], min_similarity: float) -> dict[str, Any]:
    """Apply one logged edit to ``editor``; returns what to add to its new log entry."""
    snaps = list(edit.get("themes") or [])
    ids = _match(snaps, editor.result.themes, min_similarity) if snaps else []
    extra: dict[str, Any] = {"replayed": True, "matched": {str(s.get("theme_id")): t for s, t in zip(snaps, ids)}}
    if edit["op"] == "merge":
        editor.merge(ids, label=edit.get("label"))
    elif edit["op"] == "split":
        editor.split(ids[0], n=int(edit.get("n", 2)), random_state=edit.get("random_state", 0))
    elif edit["op"] == "rename":
        editor.rename(ids[0], edit["label"])
    else:
        docs = editor.result.documents
        here = set(docs.loc[docs["theme_id"].notna(), "id"].astype(str))
        items = [str(i) for i in edit.get("item_ids", [])]
        if not any(i in here for i in items):
            raise _Skip("none of its documents is among this run's analysed documents")
        editor.move([i for i in items if i in here], ids[0] if ids else -1)
        extra["item_ids_missing"] = [i for i in items if i not in here]
    return extra


def apply_edits(result: Result, edits: Sequence[dict[str, Any]], embeddings: np.ndarray | None = None,
                min_similarity: float = 0.3) -> Result:
    """Replay a saved edit log (``meta["edits"]`` or :func:`load_edits`) on another run, in order.

    Each edit's themes are matched to this run's by keyword Jaccard (one-to-one, at least
    ``min_similarity``); moves find their documents by id. An edit that cannot be matched or applied is
    skipped with a warning. ``meta["edits"]`` of the returned Result gives each edit's ``status``
    (``applied``, or ``skipped`` with a ``reason``). Sentence-mode results are replayed the same way;
    ``embeddings`` is then one row per ``result.sentences`` row (see :class:`ThemeEditor`)."""
    if not 0.0 <= float(min_similarity) <= 1.0:
        raise FeedmineError(f"min_similarity must be between 0 and 1, got {min_similarity!r}.")
    edits = _check_log(edits)
    # a private copy: a skipped edit is logged on it, never on the caller's result
    editor = ThemeEditor(Result(result.documents.copy(), result.themes.copy(), copy.deepcopy(result.config),
                                copy.deepcopy(result.meta), result.sentences), embeddings=embeddings)
    for k, edit in enumerate(edits):
        try:
            extra = _replay(editor, edit, min_similarity)
        except (_Skip, FeedmineError) as why:  # FeedmineError: e.g. too few items here to split in n
            logger.warning("edit %d (%s) skipped: %s", k, edit["op"], why)
            kept = {key: v for key, v in edit.items() if key not in ("status", "reason", "replayed", "matched",
                                                                     "item_ids_missing")}
            editor.result.meta.setdefault("edits", []).append(dict(kept, status="skipped", reason=str(why)))
            continue
        editor.result.meta["edits"][-1].update(extra)
    return editor.result


def _check_log(edits: Any) -> list[dict[str, Any]]:
    edits = edits.meta.get("edits", []) if isinstance(edits, Result) else edits
    if not isinstance(edits, (list, tuple)) or not all(isinstance(e, dict) for e in edits):
        raise FeedmineError("edits must be a list of edit dicts, as in result.meta['edits'] or from load_edits().")
    for k, e in enumerate(edits):
        if e.get("op") not in OPS or (not e.get("themes") and not (e.get("op") == "move" and e.get("theme_id") == -1)):
            raise FeedmineError(f"edit {k} ({e.get('op')!r}) is not a feedmine edit: it needs an op among "
                                f"{', '.join(OPS)} and the 'themes' it touched; save logs with save_edits().")
    return list(edits)


def save_edits(result: Result | Sequence[dict[str, Any]], path: str | PathLike) -> Path:
    """Write a result's edit log (or a list of edits) as JSON."""
    out = Path(path)
    out.write_text(json.dumps(_check_log(result), indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return out


def load_edits(path: str | PathLike) -> list[dict[str, Any]]:
    """Read an edit log written by :func:`save_edits`."""
    try:
        edits = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise FeedmineError(f"cannot read an edit log from {str(path)!r}: {err}. Pass a file written by "
                            "save_edits().") from err
    return _check_log(edits)
