"""Input and output: reading feedback tables, and folders on disk (results, fitted models)."""
from .tables import ROLES, TableLike, load_corpus, read_table

__all__ = ["ROLES", "TableLike", "load_corpus", "read_table"]
