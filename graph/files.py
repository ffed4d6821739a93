"""Writing files so that a reader never sees half of one: the one module every writer uses.

- :func:`atomic_writer` writes one file to a temporary name beside it, renamed over it only
  when writing succeeded (an export, a page written on its own).
- :func:`temporary_file` makes such a temporary name, with the mode any new file gets.

The build's outputs go further: they are staged together and published as one unit
(:mod:`graph.pipeline`), with the staging, the lock and the manifest defined here too.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_writer", "temporary_file"]


def temporary_file(folder: Path, name: str) -> tuple[int, Path]:
    """A new temporary file in ``folder`` for the output ``name``, open for writing.

    It is created with the mode any new file gets there (read-write for all, less the
    umask), as the output it becomes should have: ``mkstemp`` would make it private, and
    reading the umask means setting it, for every thread of the process at once.
    """
    while True:
        tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator:
    """Write to a temporary file beside ``path``, renamed over it only if writing succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temporary_file(path.parent, path.name)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
