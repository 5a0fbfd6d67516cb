"""``analyze``: one call from a feedback table to ranked pain points.

Example (needs the default model, so not run as a doctest)::

    import feedmine as fm
    result = fm.analyze("data/samples/reviews_mixed.csv", text="text", id="review_id", rating="stars")
    result.pain_points[["rank", "label", "share", "priority"]].head()
"""
from __future__ import annotations

import os
from typing import Any

import pandas as pd

from .analysis.score import ThemeScorer
from .embed.names import EMBEDDER_NAMES, FAST_TFIDF_SAMPLE, make_embedder  # noqa: F401  (public here)
from .errors import FeedmineError
from .io.tables import TableLike, load_corpus, read_table
from .pipeline.model import FIT_SAMPLE, Pipeline
from .result.result import Result
from .tagging.journey import JourneyStageMapper
from .text.normalize import TextCleaner
from .themes.cluster import ThemeClusterer

def analyze(source: TableLike, text: str | None = None, id: str | None = None, date: str | None = None,
            rating: str | None = None, channel: str | None = None, segment: str | None = None,
            customer: str | None = None, value: str | None = None, thread: str | None = None,
            parent: str | None = None, by: str | None = None, *, group_themes: str = "shared",
            embedder: Any = "hybrid", clusterer: Any = None,
            tagger: Any = None, weights: dict[str, float] | None = None, rating_scale: str = "auto",
            min_cluster_size: int | str = "auto", mask_pii: bool = True, unit: str = "document",
            cache_dir: Any = None, journey: Any = None, encoding: str | None = None,
            fit_sample: int | None = FIT_SAMPLE, n_jobs: int | None = None,
            random_state: int | None = 0, progress: bool = True) -> Result:
    """Analyse a feedback table and return a :class:`~feedmine.result.Result`.

    ``source`` is a DataFrame or a CSV/TSV/JSONL/Parquet/Excel path. The column arguments name the
    columns that hold each role (only ``text`` is needed; it is guessed when omitted). ``embedder``,
    ``clusterer`` and ``tagger`` accept feedmine's or your own objects; ``weights`` sets the priority
    weights of frequency, impact and solvability. ``mask_pii`` (on by default) masks e-mails, phone,
    resident-registration, card, account and passport numbers, URLs, IPs, street addresses and names
    beside an honorific before anything is embedded, cached, logged or rendered, in the text and in the
    metadata columns (ids holding personal data become pseudonyms; docs/data-handling.md). ``unit="sentence"`` themes the sentences of long items, so one review can raise
    several problems (``documents.theme_ids``). ``value`` (customer value) weights impact; ``thread`` /
    ``parent`` make replies that only agree ("저도요", "+1") count as votes for their parent's themes.
    ``journey`` maps items to customer-journey stages: True for the generic stages, a table (or a path
    to one) with ``text`` and ``stage`` columns of your own labelled examples (far more accurate, see
    docs/scoring.md), or a :class:`~feedmine.tagging.journey.JourneyStageMapper`; None (default) leaves it out.
    ``encoding`` names a CSV's text encoding; None tries UTF-8, then CP949 (Korean Excel).
    A table longer than ``fit_sample`` rows is fitted on a seeded sample of that many and every row is
    then placed in the themes found; ``n_jobs`` worker processes place them (-1: one per CPU;
    docs/scale.md). ``embedder="fast"`` is the tier for hundreds of thousands of items. ``by`` names a
    column (product, app, market) whose values are analysed apart: themes and priorities within each
    group, returned as one Result with a ``group`` column (``result.for_group(g)``,
    ``result.group_table()``): by default (``group_themes="shared"``) one set of themes fitted on every
    row, each group scored on its own rows; ``"separate"`` finds each group's themes apart
    (:mod:`feedmine.pipeline.groups`).
    Same input and ``random_state`` give the same result.
    """
    pipeline = build_pipeline(embedder=embedder, clusterer=clusterer, tagger=tagger, weights=weights,
                              rating_scale=rating_scale, min_cluster_size=min_cluster_size, mask_pii=mask_pii,
                              unit=unit, cache_dir=cache_dir, journey=journey, fit_sample=fit_sample,
                              n_jobs=n_jobs, group_themes=group_themes, random_state=random_state,
                              progress=progress)
    corpus = load_corpus(source, text=text, id=id, date=date, rating=rating, channel=channel, segment=segment,
                         customer=customer, value=value, thread=thread, parent=parent, encoding=encoding, by=by)
    return pipeline.fit(corpus).result_


def build_pipeline(*, embedder: Any = "hybrid", clusterer: Any = None, tagger: Any = None,
                   weights: dict[str, float] | None = None, rating_scale: str = "auto",
                   min_cluster_size: int | str = "auto", mask_pii: bool = True, unit: str = "document",
                   cache_dir: Any = None, journey: Any = None, fit_sample: int | None = FIT_SAMPLE,
                   n_jobs: int | None = None, group_themes: str = "shared", random_state: int | None = 0,
                   progress: bool = True) -> Pipeline:
    """The unfitted :class:`~feedmine.Pipeline` that :func:`analyze` runs, from the same arguments (for
    ``fm.build_pipeline(...).fit(table, text=...)``, then ``assign`` and ``save``)."""
    if clusterer is None:
        clusterer = ThemeClusterer(min_cluster_size=min_cluster_size)
    return Pipeline(cleaner=TextCleaner(mask_pii=mask_pii),
                    embedder=make_embedder(embedder, cache_dir=cache_dir, progress=progress),
                    clusterer=clusterer, tagger=tagger, scorer=ThemeScorer(weights=weights, rating_scale=rating_scale),
                    journey=journey_mapper(journey), unit=unit, fit_sample=fit_sample, n_jobs=n_jobs,
                    group_themes=group_themes, random_state=random_state, progress=progress)


def journey_mapper(spec: Any) -> Any:
    """The journey stage of :func:`analyze` from its ``journey`` argument (see there); None for none."""
    if spec is None or spec is False:
        return None
    if spec is True:
        return JourneyStageMapper()
    if isinstance(spec, JourneyStageMapper):
        return spec
    if not isinstance(spec, (pd.DataFrame, str, os.PathLike)):
        raise FeedmineError(f"journey must be None, True, a JourneyStageMapper, or a table (DataFrame or file "
                            f"path) of labelled examples with 'text' and 'stage' columns; got {type(spec).__name__}.")
    try:
        table = read_table(spec)
    except FeedmineError as exc:
        raise FeedmineError(f"journey must be True, a JourneyStageMapper, or a table of labelled examples "
                            f"with 'text' and 'stage' columns; reading {spec!r} failed: {exc}") from exc
    missing = [c for c in ("text", "stage") if c not in table.columns]
    if missing:
        raise FeedmineError(f"the journey examples lack column(s) {missing}; they have {list(table.columns)}. "
                            "Give one row per example with its 'text' and its 'stage'.")
    table = table[table["text"].notna() & table["stage"].notna()]
    return JourneyStageMapper.from_examples(table["text"].astype(str).tolist(), table["stage"].astype(str).tolist())
