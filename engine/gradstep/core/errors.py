"""Errors a learner sees: always a line, a column and plain words, never a traceback."""

from __future__ import annotations


class DomainError(ValueError):
    """An op got inputs outside its domain (log of a negative, division by zero, overflow).

    Raised by the op table without a location; the program runner adds one.
    """


class ProgramError(Exception):
    """A program was refused, or failed while running, at a place in its text.

    ``line`` and ``col`` are 1-based; ``str(error)`` is ``"line L, col C: MESSAGE"``.
    """

    def __init__(self, line: int, col: int, message: str):
        super().__init__(f"line {line}, col {col}: {message}")
        self.line = line
        self.col = col
        self.message = message

    def to_dict(self) -> dict:
        return {"line": self.line, "col": self.col, "message": self.message}
