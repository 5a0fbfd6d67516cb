"""feedmine: ranked, explained pain points from Korean and English customer feedback.

Example (needs the default model, so not run as a doctest)::

    import feedmine as fm
    result = fm.analyze("reviews.csv", text="comment", id="review_id", rating="stars")
    result.pain_points.head()

    model = fm.Pipeline(random_state=0).fit("reviews.csv", text="comment", id="review_id")
    new = model.assign("reviews_next_week.csv")      # the same themes, the same ids
    model.save("model/"); model = fm.load_model("model/")
"""
from ._version import __version__
from .analysis.score import ThemeScorer
from .api import analyze, build_pipeline, make_embedder
from .errors import ColumnNotFoundError, FeedmineError
from .io.tables import load_corpus, read_table
from .pipeline import Pipeline, load_model
from .result.compare import compare
from .result.edit import ThemeEditor
from .result.edit_log import apply_edits, load_edits, save_edits
from .result.result import Result, load_result
from .tagging import EmotionTagger, FeedbackTagger, LexiconTagger
from .text.normalize import TextCleaner
from .themes.cluster import ThemeClusterer
from .themes.describe import ThemeDescriber

__all__ = [
    "analyze", "build_pipeline", "make_embedder", "Pipeline", "load_model", "Result", "load_result", "compare",
    "ThemeEditor", "apply_edits", "save_edits", "load_edits", "load_corpus", "read_table",
    "TextCleaner", "ThemeClusterer", "ThemeDescriber", "FeedbackTagger", "LexiconTagger", "EmotionTagger",
    "ThemeScorer", "FeedmineError", "ColumnNotFoundError", "__version__",
]
