"""Progress of a long build: a bar on a terminal, plain lines elsewhere (CI logs, pipes).

The build reports three things: a phase starts, it advanced (``done`` of ``total`` files or
claims), it finished (in so many seconds). :func:`progress_for` picks how to show them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol, TextIO

__all__ = ["Phases", "Progress", "BarProgress", "LineProgress", "progress_for"]

logger = logging.getLogger(__name__)


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


class Phases:
    """Times the build's phases and tells a progress reporter (or a plain callable given a
    line per phase, or the log) about them."""

    def __init__(self, progress: Callable[[str], None] | Progress | None):
        self.seconds: dict[str, float] = {}
        self._started: dict[str, float] = {}
        if progress is None:
            self.reporter = None
            self.say: Callable[[str], None] = logger.info
        elif hasattr(progress, "start"):
            self.reporter = progress
            self.say = logger.info
        else:  # a plain callable, given one line per phase
            self.reporter = None
            self.say = progress

    def start(self, name: str) -> None:
        self._started[name] = time.perf_counter()
        if self.reporter is not None:
            self.reporter.start(name)
        else:
            self.say(f"{name}…")

    def advance(self, done: int, total: int) -> None:
        if self.reporter is not None:
            self.reporter.advance(done, total)

    def done(self, name: str) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + (
            time.perf_counter() - self._started[name]
        )
        if self.reporter is not None:
            self.reporter.finish(name, self.seconds[name])
