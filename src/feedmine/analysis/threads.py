"""Threads: replies that only agree become votes, and threads or themes get short extractive summaries.

Feedback often arrives as threads (a community post and its replies, a chat transcript). A reply that
only agrees ("저도요ㅠㅠ", "222", "same here!!!") raises no new problem, but it is a vote for its parent's:
:func:`agreement_votes` turns such replies into votes for the parent's theme, following chains (agreeing
with an agreement counts for the original), and :func:`theme_votes` totals them per theme.
:func:`extractive_summary` picks the few sentences that best cover a set of texts.

>>> import pandas as pd
>>> from feedmine.analysis.threads import is_agreement, theme_votes, extractive_summary
>>> [is_agreement(t) for t in ["저도요ㅠㅠ", "222", "Same here!!!", "저도요, 그리고 결제 버튼도 안 눌려요"]]
[True, True, True, False]
>>> docs = pd.DataFrame({"id": [1, 2, 3, 4], "parent_id": [None, 1, 2, 1],
...                      "text_clean": ["App crashes on launch", "+1", "me too", "Login is slow"],
...                      "theme_id": pd.array([0, -1, -1, 1], dtype="Int64")})
>>> theme_votes(docs).to_dict()
{0: 2, 1: 0}
>>> extractive_summary(["The app crashes on launch. Love the colours!", "It crashes on launch every time."],
...                    n_sentences=1)
['The app crashes on launch.']
"""
from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from ..embed.base import l2_normalize
from ..embed.tfidf import char_tfidf
from ..errors import ColumnNotFoundError, FeedmineError
from ..text.language import HANGUL_SYLLABLE, SYLLABLE_WEIGHT, detect_language
# NFKC that keeps typed jamo, as in feedmine.tagging.churn: "ㅋㅠㅠ" must not compose into "ㅋ큐ㅠ".
from ..text.normalize import _nfkc_keep_jamo
from ..text.sentences import SentenceSplitter

logger = logging.getLogger(__name__)

AGREEMENT_PATTERNS: list[str] = [
    # Korean: specific phrases first, so "저도 같은 문제" is removed whole rather than just "저도".
    r"(?<![가-힣])[저나][도두]\s?(?:똑\s?)?같은\s?(?:문제|증상|현상|오류|에러|상황|버그)",
    r"(?<![가-힣])[저나][도두]\s?(?:그래|그렇|그럼|그랬|그런|마찬가지|똑같|같아|같네|같습)[가-힣]*",
    r"(?<![가-힣])[저나][도두](?:요|여|용|욤|유)?", r"마찬가지|똑같(?:아요|네요|습니다|음)",
    r"[나저]만\s?(?:그런|이런|그러는|이러는)\s?(?:게|거|건|것이|줄)\s?(?:아니|알았)[가-힣]*",
    r"동감|공감|격공|인정|ㅇㅈ|ㄹㅇ|레알", r"(?<!\d)(?:2{3,}|3{3,})(?!\d)",
    # English (lower-cased text). "+1"/"+100" and a lone "^" (not the "^^" smile) are symbols.
    r"\+\s?\d+\b", r"(?<!\^)\^(?!\^)",
    r"\b(?:(?:i|we)(?:'m|'ve|'re| am| are)?\s+(?:also\s+|too\s+)?)?(?:have|having|had|got|getting|get|see"
    r"|seeing|experienc(?:e|ing)|facing)\s+(?:the\s+|exactly\s+the\s+)?(?:exact\s+)?same\s+(?:issue|problem|bug"
    r"|error|thing)s?", r"\bsame\s+(?:here|for me|with me|boat|thing|issue|problem|bug|error|story)s?\b",
    r"\bme\s+(?:too|to|2)\b", r"\bditto\b", r"\bagreed\b|\b(?:i\s+)?(?:totally\s+)?agree\b", r"\bseconded\b",
]
# Words that count as agreement only when nothing else is left ("this!!!", "same 😭", "so much this"):
# inside a sentence they are ordinary words ("this crashes", "the same as before").
BARE_AGREEMENT = frozenset({"this", "same", "so", "much"})
# Emotion, pleas and intensifiers add no problem: "저도요 진짜 빨리 고쳐주세요ㅠㅠ" is still a vote.
FILLER_PATTERNS: list[str] = [
    r"(?<![가-힣])(?:진짜|정말|너무|완전|넘|제발|빨리|여전히|아직도?|헐|대박|다들|ㅜ+|ㅠ+|ㅋ+|ㅎ+)(?![가-힣])",
    r"고쳐\s?주세요|해결\s?(?:좀\s?)?(?:해\s?)?주세요|짜증\s?(?:나|난|납)[가-힣]*|답답[가-힣]*|미치겠[가-힣]*",
    r"\b(?:lol|lmao|ugh|omg|pls|plz|please|yes|yeah|yep|really|totally|exactly|too|here|annoying|frustrating)\b",
    r"\b(?:fix (?:this|it)|any (?:updates?|news|fix)(?: on this)?|still (?:happening|broken|an issue|not fixed))\b",
]
_AGREE = re.compile("|".join(f"(?:{_nfkc_keep_jamo(p)})" for p in AGREEMENT_PATTERNS))
_FILLER = re.compile("|".join(f"(?:{_nfkc_keep_jamo(p)})" for p in FILLER_PATTERNS))
# A negator just before the phrase turns it around ("not the same problem", "I don't have the same issue");
# Korean negation follows the phrase, so it is looked for in what remains ("저도 그렇지 않아요").
_EN_NEGATED = re.compile(r"\b(?:not|no|never|\w+n't|cannot|different|disagree)\b[^.!?]{0,12}$")
_KO_NEGATION = re.compile(r"않|아니|없")
_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[A-Za-z]")
# letters that are neither Latin, Hangul syllables nor jamo (ㅠㅠ, ㅋㅋ carry no content)
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
#: surface similarity (character TF-IDF cosine) at which two sentences are one sentence for a summary
NEAR_DUPLICATE = 0.8


def _letters(text: str) -> float:
    """Letters in Latin-letter equivalents (a Hangul syllable weighs 2.5), jamo and symbols not counted."""
    return (len(_LATIN.findall(text)) + SYLLABLE_WEIGHT * len(HANGUL_SYLLABLE.findall(text))
            + len(_OTHER_LETTER.findall(text)))


def is_agreement(text: Any, max_extra_letters: float = 8.0) -> bool:
    """True when ``text`` only agrees: an agreement phrase, and fewer than ``max_extra_letters`` letters
    (Latin-letter equivalents) left once it, emotion, punctuation, emoji and ㅠㅠ/ㅋㅋ are removed."""
    if not isinstance(text, str) or not text.strip():
        return False
    t = _nfkc_keep_jamo(text).replace("\u2019", "'").lower()
    if any(_EN_NEGATED.search(t, 0, m.start()) for m in _AGREE.finditer(t)):
        return False
    rest, n_phrases = _AGREE.subn(" ", t)
    rest = _FILLER.sub(" ", rest)
    if _KO_NEGATION.search(rest):
        return False
    words = _WORD.findall(rest)
    if not n_phrases and not (words and BARE_AGREEMENT.issuperset(words) and {"this", "same"} & set(words)):
        return False
    return _letters(" ".join(w for w in words if w not in BARE_AGREEMENT)) < max_extra_letters


def _key(value: Any) -> str | None:
    """One comparable key per id: 7, 7.0 (an int column with gaps) and "7" are the same item."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return str(value).strip() or None


def _text_column(documents: pd.DataFrame) -> str:
    for name in ("text_clean", "text"):
        if name in documents.columns:
            return name
    raise ColumnNotFoundError("text", "text_clean", list(documents.columns))


def agreement_votes(documents: pd.DataFrame, parent: str | None = "parent_id",
                    thread: str | None = "thread_id") -> pd.DataFrame:
    """One row per pure-agreement reply: ``id``, ``parent_id`` and ``votes_for_theme``.

    ``documents`` needs ``id``, ``text_clean`` (or ``text``), ``theme_id`` and a ``parent`` and/or
    ``thread`` column. A reply without a parent id is a reply to its thread's first item: the row whose
    id is the thread id, or else the thread's first row in table order (sort by time beforehand).
    ``votes_for_theme`` is the theme of the item agreed with, following agreement chains to the original;
    it is <NA> when that item is missing from the data (logged as a warning), in a cycle, or has no theme.
    """
    for col in ("id", "theme_id"):
        if col not in documents.columns:
            raise ColumnNotFoundError(col, col, list(documents.columns))
    text_col = _text_column(documents)
    have_parent = parent is not None and parent in documents.columns
    have_thread = thread is not None and thread in documents.columns
    if not (have_parent or have_thread):
        raise FeedmineError(f"agreement votes need a parent column ({parent!r}) or a thread column "
                            f"({thread!r}); the table has {list(documents.columns)}. Pass parent= or thread=.")
    ids = documents["id"].tolist()
    keys = [_key(v) for v in ids]
    row_of: dict[str, int] = {}
    for i, k in enumerate(keys):
        if k is not None:
            row_of.setdefault(k, i)
    if len(row_of) < sum(k is not None for k in keys):
        logger.warning("agreement votes: %d duplicate ids; the first row of each is the one replied to",
                       sum(k is not None for k in keys) - len(row_of))
    parents: list[Any] = documents[parent].tolist() if have_parent else [None] * len(keys)
    if have_thread:
        threads = [_key(v) for v in documents[thread]]
        roots: dict[str, Any] = {}
        for i, t in enumerate(threads):
            if t is not None and t not in roots:
                roots[t] = ids[row_of[t]] if t in row_of else ids[i]
        for i, t in enumerate(threads):
            if _key(parents[i]) is None and t is not None and _key(roots[t]) != keys[i]:
                parents[i] = roots[t]
    parent_keys = [None if _key(p) == k else _key(p) for p, k in zip(parents, keys)]  # self-replies
    agree = [is_agreement(t) for t in documents[text_col]]
    themes = documents["theme_id"].astype("Int64").tolist()
    rows, missing, cycles = [], set(), 0
    for i in range(len(keys)):
        if not agree[i] or parent_keys[i] is None:
            continue
        cur, seen, vote = parent_keys[i], {keys[i]}, pd.NA
        while True:
            j = row_of.get(cur)
            if j is None:
                missing.add(cur)
                break
            if not (agree[j] and parent_keys[j] is not None):
                vote = themes[j]
                break
            if cur in seen:
                cycles += 1
                break
            seen.add(cur)
            cur = parent_keys[j]
        direct = row_of.get(parent_keys[i])
        rows.append((ids[i], ids[direct] if direct is not None else parents[i], vote))
    if missing:
        shown = ", ".join(sorted(missing)[:5]) + (" ..." if len(missing) > 5 else "")
        logger.warning("agreement votes: %d parent ids are not in the data (%s); replies to them give no vote",
                       len(missing), shown)
    if cycles:
        logger.warning("agreement votes: %d agreement replies form a cycle and give no vote", cycles)
    out = pd.DataFrame(rows, columns=["id", "parent_id", "votes_for_theme"])
    out["votes_for_theme"] = out["votes_for_theme"].astype("Int64")
    return out


def theme_votes(documents: pd.DataFrame, parent: str | None = "parent_id",
                thread: str | None = "thread_id") -> pd.Series:
    """Agreement votes per theme (theme_id → count), 0 for assigned themes nobody agreed with."""
    votes = agreement_votes(documents, parent, thread)["votes_for_theme"].dropna()
    votes = votes[votes >= 0].astype(int)
    themes = documents["theme_id"].astype("Int64").dropna()
    index = sorted(set(themes[themes >= 0].astype(int)) | set(votes))
    counts = votes.value_counts().reindex(index, fill_value=0).astype(int)
    return counts.rename("agreement_votes").rename_axis("theme_id")


def _dedup_key(sentence: str) -> str:
    return " ".join(re.findall(r"\w+", _nfkc_keep_jamo(sentence).casefold()))


def _embed(vectors: Any, sentences: list[str]) -> np.ndarray:
    if hasattr(vectors, "transform"):
        try:
            emb = vectors.transform(sentences)
        except NotFittedError:  # a corpus-fitted embedder (TfidfEmbedder): fit a copy, leave theirs alone
            emb = clone(vectors).fit_transform(sentences)
    elif callable(vectors):
        emb = vectors(sentences)
    else:
        raise FeedmineError(f"vectors must be an embedder (with transform(texts)) or a function from "
                            f"sentences to an array, got {type(vectors).__name__}")
    emb = np.asarray(emb.toarray() if hasattr(emb, "toarray") else emb, dtype=np.float64)
    if emb.ndim != 2 or emb.shape[0] != len(sentences):
        raise FeedmineError(f"vectors gave shape {emb.shape} for {len(sentences)} sentences; expected one row each")
    return l2_normalize(emb)


def _similarity(rows: Any, i: int) -> np.ndarray:
    """Cosine of every (L2-normalised) row with row ``i``; sparse or dense."""
    sims = rows @ rows[i].T
    return sims.toarray().ravel() if hasattr(sims, "toarray") else np.asarray(sims).ravel()


def extractive_summary(texts: Sequence[Any], vectors: Any = None, n_sentences: int = 3,
                       lang: str | Sequence[str | None] | None = None, *, mmr_lambda: float = 0.7,
                       min_letters: float = 10.0, sentences: Sequence[Sequence[str]] | None = None) -> list[str]:
    """The ``n_sentences`` sentences that best cover ``texts``, best first.

    Texts are split into sentences as :class:`~feedmine.text.sentences.SentenceSplitter` does (kiwipiepy for
    Korean, punctuation for English; ``lang`` per text, or one for all, or detected). Sentences with
    fewer than ``min_letters`` letters are skipped unless nothing else is left, and repeats are counted
    once. Each is scored by cosine to the centroid of all sentences (repeats weigh more), using character
    2–4-gram TF-IDF or ``vectors`` (an embedder with ``transform``, or a function) for the sentences.
    Picks are greedy MMR (``mmr_lambda`` relevance vs. novelty), and a sentence nearly identical in
    wording to one already picked is never picked. Deterministic. ``sentences``: the texts already cut
    (:func:`feedmine.text.sentences.raw_sentences`, one list per text), when many summaries are made.
    """
    if not isinstance(n_sentences, (int, np.integer)) or n_sentences < 1:
        raise FeedmineError(f"n_sentences must be a positive int, got {n_sentences!r}")
    if not 0.0 <= mmr_lambda <= 1.0:
        raise FeedmineError(f"mmr_lambda must be between 0 and 1, got {mmr_lambda!r}")
    texts = list(texts)
    langs = [lang] * len(texts) if lang is None or isinstance(lang, str) else list(lang)
    if len(langs) != len(texts):
        raise FeedmineError(f"got {len(texts)} texts but {len(langs)} langs")
    if sentences is not None and len(sentences) != len(texts):
        raise FeedmineError(f"got {len(texts)} texts but sentences for {len(sentences)}")
    splitter, counts, first = SentenceSplitter(), {}, {}
    for j, (text, lg) in enumerate(zip(texts, langs)):
        if not isinstance(text, str) or not text.strip():
            continue
        cut = sentences[j] if sentences is not None else splitter._sentences(text, lg or detect_language(text))
        for s in cut:
            k = _dedup_key(s)
            if k:
                first.setdefault(k, s)
                counts[k] = counts.get(k, 0) + 1
    cand = [k for k in first if _letters(first[k]) >= min_letters] or [k for k in first if _letters(first[k])]
    if not cand:
        return []
    sentences = [first[k] for k in cand]
    weights = np.array([counts[k] for k in cand], dtype=np.float64)
    surface = char_tfidf().fit_transform(sentences)
    emb = _embed(vectors, sentences) if vectors is not None else surface
    centroid = np.asarray(emb.T @ weights).ravel() / weights.sum()
    rel = np.asarray(emb @ centroid).ravel() / max(np.linalg.norm(centroid), 1e-12)
    max_sim, blocked, chosen = np.full(len(cand), -np.inf), np.zeros(len(cand), dtype=bool), []
    while len(chosen) < n_sentences and not blocked.all():
        gain = rel if not chosen else mmr_lambda * rel - (1 - mmr_lambda) * max_sim
        i = int(np.argmax(np.where(blocked, -np.inf, gain)))  # ties: the earliest sentence
        chosen.append(i)
        max_sim = np.maximum(max_sim, _similarity(emb, i))
        blocked |= _similarity(surface, i) >= NEAR_DUPLICATE
        blocked[i] = True
    return [sentences[i] for i in sorted(chosen, key=lambda i: (-rel[i], i))]


def thread_summaries(documents: pd.DataFrame, thread: str = "thread_id", n_sentences: int = 2) -> pd.DataFrame:
    """Per thread, in order of first appearance: ``thread_id``, ``n_items`` and ``summary`` (the
    :func:`extractive_summary` sentences joined by " / "; pure agreements are left out of it). Rows
    without a thread id belong to no thread. A ``lang`` column is used when present."""
    if thread not in documents.columns:
        raise ColumnNotFoundError("thread", thread, list(documents.columns))
    texts = documents[_text_column(documents)].tolist()
    langs = documents["lang"].tolist() if "lang" in documents.columns else [None] * len(texts)
    groups: dict[str, list[int]] = {}
    first_value: dict[str, Any] = {}
    for i, value in enumerate(documents[thread]):
        k = _key(value)
        if k is not None:
            groups.setdefault(k, []).append(i)
            first_value.setdefault(k, value)
    rows = []
    for k, members in groups.items():
        keep = [i for i in members if not is_agreement(texts[i])]
        lg = [langs[i] if isinstance(langs[i], str) else None for i in keep]
        summary = extractive_summary([texts[i] for i in keep], n_sentences=n_sentences, lang=lg)
        rows.append((first_value[k], len(members), " / ".join(summary)))
    return pd.DataFrame(rows, columns=["thread_id", "n_items", "summary"])
