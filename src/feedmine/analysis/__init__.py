"""Analysis of themed items: scores (frequency, impact, solvability, priority), trends, customer segments,
explanations, problem statements, discussion threads."""
from .score import ThemeScorer

__all__ = ["ThemeScorer"]
