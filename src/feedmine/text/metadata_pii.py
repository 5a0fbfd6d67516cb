"""Personal data in the metadata columns that travel with the feedback.

With masking on, every column that reaches the outputs is checked, not only the text:

* **text-like metadata** (channel, segment, any column you keep): each string cell is masked with the
  same masker as the text ("VIP 010-1234-5678" → "VIP <PHONE>");
* **ids** (``id``, ``thread_id``, ``parent_id``, ``customer_id``): they are join keys, so they are not masked into a
  placeholder (two customers would become one); an id that holds personal data (an e-mail used as a
  customer id) is replaced by its :func:`pseudonym`, the same for the same id in every run, so that
  threads, duplicates and your own join (``pseudonym(my_id)``) still work;
* numbers and dates (rating, value, date) are not personal data and are left as they are.

>>> import pandas as pd
>>> from feedmine.text.pii import PiiMasker
>>> corpus = pd.DataFrame({"id": ["kim@example.com", "r2"], "text": ["a", "b"], "channel": ["app", "call 010-1234-5678"]})
>>> out = mask_metadata(corpus, PiiMasker().fit())
>>> out["id"].tolist()[1], out["channel"].tolist()
('r2', ['app', 'call <PHONE>'])
>>> out["id"].iloc[0] == pseudonym("kim@example.com")
True
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

#: role columns that are numbers or dates, never personal data
NUMBER_ROLES = ("rating", "value", "date", "nps", "csat")
#: columns that are keys: pseudonymised, not masked
ID_COLUMNS = ("id", "thread_id", "parent_id", "customer_id")


def _long_integers(column: pd.Series) -> bool:
    """A numeric column with whole numbers of ten digits or more (what a phone, card or account is)."""
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return False
    values = column.to_numpy(dtype=float, na_value=np.nan)
    big = np.abs(values) >= 1e9
    return bool(np.any(big & (values == np.round(values))))


def _integer_text(value: Any) -> Any:
    if isinstance(value, (float, np.floating)) and value == value and abs(value) >= 1e9 and value == round(value):
        return str(int(value))
    return None if isinstance(value, float) and value != value else value


def pseudonym(value: Any) -> str:
    """A stable stand-in for an id that holds personal data: ``pii-`` and 16 hex digits of its SHA-256.

    >>> pseudonym("kim@example.com")
    'pii-5d9a0087d4ccdb9b'
    """
    return "pii-" + hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:16]


def mask_metadata(corpus: pd.DataFrame, masker: Any) -> pd.DataFrame:
    """``corpus`` with personal data masked in every column but ``text`` (see the module docs); the
    caller's frame is not changed. Each distinct value is masked once (channels repeat)."""
    out = None
    for col in corpus.columns:
        if col == "text" or col in NUMBER_ROLES:
            continue
        textual = corpus[col].dtype == object or pd.api.types.is_string_dtype(corpus[col])
        if not textual and not _long_integers(corpus[col]):
            continue
        values = corpus[col].to_numpy(dtype=object)
        if not textual:  # a kept number column holding card or phone numbers as numbers
            values = np.array([_integer_text(v) for v in values], dtype=object)
        seen: dict[Any, Any] = {}
        changed = 0
        kinds: dict[str, int] = {}
        new = values.copy()
        for i, v in enumerate(values):
            if v is None or isinstance(v, bool) or (isinstance(v, float) and v != v):
                continue
            key = v if isinstance(v, str) else repr(v)
            if key not in seen:
                masked, counts = masker.mask(v if isinstance(v, str) else str(v))
                for k, n in counts.items():
                    kinds[k] = kinds.get(k, 0) + n
                seen[key] = ((pseudonym(v) if col in ID_COLUMNS else masked),) if counts else None
            if seen[key] is not None:
                new[i] = seen[key][0]
                changed += 1
        if changed:
            out = corpus.copy(deep=False) if out is None else out
            out[col] = pd.Series(new, index=corpus.index, dtype=object)
            what = ", ".join(f"{k}:{n}" for k, n in sorted(kinds.items()))
            if col in ID_COLUMNS:
                logger.warning("column %r: %d ids hold personal data (%s) and are replaced by pseudonyms "
                               "(feedmine.text.metadata_pii.pseudonym(id) gives the same); pass mask_pii=False "
                               "to keep them", col, changed, what)
            else:
                logger.info("column %r: personal data masked in %d cells (%s)", col, changed, what)
    return corpus if out is None else out
