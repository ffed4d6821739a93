"""Errors a user reads: each names the file, line and column, or the entity, it is about."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CvekgError",
    "SourceError",
    "BuildError",
    "display_path",
    "display_width",
    "line_column",
]


class CvekgError(Exception):
    """Any error the CLI reports as a message (no traceback) with a non-zero exit."""

    exit_code = 2


def line_column(text: str, offset: int) -> tuple[int, int]:
    """Line and column (from 1, in characters, as editors count) of ``text[offset]``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide (CJK) characters take two.

    >>> display_width("Lyon"), display_width("Élysée"), display_width("東京")
    (4, 6, 4)
    """
    if text.isascii():  # nearly every cell: no lookup per character (a 17k-row table)
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def display_path(path: Path | str) -> str:
    """The path relative to the working folder when it is inside it, else as given."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass
class SourceError(CvekgError):
    """A problem at a place in a source file: ``file:line:column: message``."""

    path: Path
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.column}: {self.message}"


class BuildError(CvekgError):
    """The build found problems; ``problems`` lists them, one readable line each."""

    exit_code = 1

    def __init__(self, summary: str, problems: list[str]):
        super().__init__(summary)
        self.summary = summary
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join([self.summary, *(f"  {p}" for p in self.problems)])
