"""Errors a user can act on.

Every error feedmine raises on bad input names the problem and the fix, so that a notebook user never
has to read a numpy traceback to learn that a column name was misspelt.
"""
from __future__ import annotations


class FeedmineError(ValueError):
    """Bad input or configuration; the message says what is wrong and how to fix it."""


class ColumnNotFoundError(FeedmineError, KeyError):
    """A mapped column does not exist in the table."""

    def __init__(self, role: str, name: str, available: list[str]):
        self.role, self.name, self.available = role, name, list(available)
        shown = ", ".join(repr(c) for c in self.available[:50])
        more = f" (and {len(self.available) - 50} more)" if len(self.available) > 50 else ""
        super().__init__(
            f"{role} column {name!r} not found. The table has these columns: {shown}{more}. "
            f"Pass {role}=<one of them>."
        )

    def __str__(self) -> str:  # KeyError would otherwise wrap the message in quotes
        return self.args[0]
