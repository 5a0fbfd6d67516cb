"""Themes: clustering items into themes, sizing them from the data, describing them, and matching new items."""
from .cluster import ThemeClusterer
from .describe import ThemeDescriber

__all__ = ["ThemeClusterer", "ThemeDescriber"]
