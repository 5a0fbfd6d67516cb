"""The result of an analysis (plain DataFrames), theme editing and its log, and comparing two results."""
from .result import Result, load_result

__all__ = ["Result", "load_result"]
