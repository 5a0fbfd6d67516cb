"""Per-item tags: sentiment, emotion, severity (with its cue), request and churn-intent flags.

:class:`FeedbackTagger` is the pipeline's default: linear heads on the embeddings the pipeline
already computed, combined with the hand-written cues of :class:`LexiconTagger`,
:class:`EmotionTagger` and :class:`ChurnDetector`. ``LexiconTagger`` alone is the baseline it is
measured against (benchmarks/tagging.py).
"""
from .churn import ChurnDetector
from .combine import item_tags, tag_units
from .emotion import EMOTIONS, EmotionTagger
from .heads import LinearHeads
from ..schema import SEVERITY_LEVELS
from .lexicon import LexiconTagger
from .tagger import FeedbackTagger

__all__ = ["EMOTIONS", "SEVERITY_LEVELS", "ChurnDetector", "EmotionTagger", "FeedbackTagger", "LexiconTagger",
           "LinearHeads", "item_tags", "tag_units"]
