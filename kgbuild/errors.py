"""The one error type stages raise; only the CLI turns it into an exit code."""
from __future__ import annotations


class GeokgError(Exception):
    """A problem the user can fix: what went wrong, where, and how to fix it."""

    def __init__(self, message: str, path: object = None, line: int | None = None,
                 hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        text = where + self.message
        if self.hint:
            text += f"\nHint: {self.hint}"
        return text
