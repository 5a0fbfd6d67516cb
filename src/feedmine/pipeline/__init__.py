"""The pipeline: the fit path and the assign path over the same per-item steps."""
from .model import Pipeline

__all__ = ["Pipeline"]
