"""Views of a result for people: the self-contained HTML report and the notebook summary."""
from .html import render_report, render_summary_html

__all__ = ["render_report", "render_summary_html"]
