"""Progress of a long build: a bar on a terminal, plain lines elsewhere (CI logs, pipes).

The build reports three things: a phase starts, it advanced (``done`` of ``total`` files or
claims), it finished (in so many seconds). :func:`progress_for` picks how to show them.
"""

from __future__ import annotations

import time
from typing import Protocol, TextIO

__all__ = ["Progress", "BarProgress", "LineProgress", "progress_for"]


class Progress(Protocol):
    """What the build calls while it works."""

    def start(self, phase: str) -> None:
        """A phase starts."""

    def advance(self, done: int, total: int) -> None:
        """The current phase has done ``done`` of ``total`` items."""

    def finish(self, phase: str, seconds: float) -> None:
        """A phase ended after ``seconds``."""


class LineProgress:
    """One line when a phase starts and one when it ends: readable in a CI log."""

    def __init__(self, stream: TextIO, prefix: str = ""):
        self.stream = stream
        self.prefix = prefix

    def start(self, phase: str) -> None:
        """Say that a phase starts."""
        self.stream.write(f"{self.prefix}{phase}…\n")
        self.stream.flush()

    def advance(self, done: int, total: int) -> None:
        """Plain lines stay quiet within a phase."""

    def finish(self, phase: str, seconds: float) -> None:
        """Say how long the phase took."""
        self.stream.write(f"{self.prefix}{phase} done in {seconds:.2f} s\n")
        self.stream.flush()


class BarProgress:
    """A bar redrawn in place (``\\r``) for the current phase, at most ten times a second."""

    WIDTH = 30

    def __init__(self, stream: TextIO, prefix: str = ""):
        self.stream = stream
        self.prefix = prefix
        self.phase = ""
        self.started = 0.0
        self.drawn = 0.0

    def _draw(self, text: str) -> None:
        self.stream.write(f"\r\x1b[2K{self.prefix}{text}")
        self.stream.flush()

    def start(self, phase: str) -> None:
        """Draw the empty bar of a new phase."""
        self.phase, self.started, self.drawn = phase, time.perf_counter(), 0.0
        self._draw(f"{phase:<9} …")

    def advance(self, done: int, total: int) -> None:
        """Redraw the bar (throttled)."""
        now = time.perf_counter()
        if now - self.drawn < 0.1 and done < total:
            return
        self.drawn = now
        filled = int(self.WIDTH * done / total) if total else self.WIDTH
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        self._draw(f"{self.phase:<9} {bar} {done}/{total}  {now - self.started:.1f} s")

    def finish(self, phase: str, seconds: float) -> None:
        """Leave the phase on its own line with its time."""
        self._draw(f"{phase:<9} done in {seconds:.2f} s\n")


def progress_for(stream: TextIO, prefix: str = "") -> Progress:
    """A bar when ``stream`` is a terminal, plain lines otherwise."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return BarProgress(stream, prefix)
    return LineProgress(stream, prefix)
