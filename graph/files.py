"""Writing files so that a reader never sees half of one: the one module every writer uses.

- :func:`atomic_writer` writes one file to a temporary name beside it, renamed over it only
  when writing succeeded (an export, a page written on its own).
- :func:`temporary_file` makes such a temporary name, with the mode any new file gets.

- :class:`StagedFolder`, :class:`FolderLock` and the manifest functions publish a whole
  folder (a build: its graph files, report and views) as one unit: see below.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from graph.errors import CvekgError, display_path

__all__ = [
    "atomic_writer",
    "temporary_file",
    "MANIFEST",
    "FolderBusyError",
    "FolderLock",
    "StagedFolder",
    "manifest_problems",
    "read_manifest",
    "remove_leftovers",
    "file_digest",
]


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
        except OSError as exc:  # a read-only folder: name the output, not our temporary file
            raise CvekgError(
                f"{display_path(folder / name)}: cannot write it: {exc.strerror or exc}"
            ) from None


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


# --- A folder published as one unit ----------------------------------------------------------
#
# A build folder (``build/``: graph files, report, views, build-info.json) is staged whole in a
# sibling folder, ``.build.new-<pid>-<random>``, then swapped with the published one in one
# step (Linux ``renameat2(RENAME_EXCHANGE)``): a reader, or a build killed at any moment, sees
# the complete old folder or the complete new one, never a mix. ``build-info.json`` is written
# last into the staged folder: it lists every output with its size and hash, so a folder whose
# files do not match it is known to be incomplete. A lock file beside the folder,
# ``.build.lock``, holds the process id of the build writing it.

MANIFEST = "build-info.json"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class FolderBusyError(CvekgError):
    """Another process is writing the build folder: try again when it ends."""

    exit_code = 75  # EX_TEMPFAIL: a temporary failure, worth retrying


def sibling(folder: Path, kind: str) -> Path:
    """The name of a hidden ``kind`` sibling of ``folder`` (its lock, its staged copies)."""
    folder = Path(os.path.abspath(folder))
    return folder.parent / f".{folder.name}.{kind}"


class FolderLock:
    """An exclusive lock on writing ``folder``, taken at once or refused with the holder's pid.

    The lock is ``flock`` on ``.<name>.lock`` beside the folder, holding the process id: the
    kernel releases it when the process ends, however it ends, so a killed build never leaves
    it held. The holder removes the file as it releases it; a process that locked a file just
    removed sees that the name no longer leads to it and tries again.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = sibling(self.folder, "lock")
        self._fd: int | None = None
        self._made: list[Path] = []

    def __enter__(self) -> FolderLock:
        missing = [p for p in self.path.parents if not p.exists()]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CvekgError(
                f"{display_path(self.folder)}: cannot make the output folder: {exc.strerror or exc}"
            ) from None
        self._made = missing[::-1]
        while self._fd is None:
            self._fd = self._try_lock()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"pid {os.getpid()}\n".encode(), 0)
        return self

    def _try_lock(self) -> int | None:
        import fcntl

        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise CvekgError(
                f"{display_path(self.folder)}: cannot write the build here: {exc.strerror or exc}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            os.close(fd)
            raise FolderBusyError(
                f"{display_path(self.folder)}/: another cvekg process ({holder}) is writing "
                "this build folder; wait for it to finish (or stop it), then run again"
            ) from None
        try:
            current = os.stat(self.path)
        except FileNotFoundError:
            current = None
        if current is None or not os.path.samestat(current, os.fstat(fd)):
            os.close(fd)  # its holder removed it as we locked it: lock the new one
            return None
        return fd

    def __exit__(self, *exc: object) -> None:
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)  # while still held: see the class docstring
        if not self.folder.exists():  # nothing was published: leave no folder made for it
            for folder in reversed(self._made):
                try:
                    folder.rmdir()
                except OSError:  # not empty: something else is in it now
                    break
        os.close(self._fd)  # closing releases the flock
        self._fd = None


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


#: Threads hashing a build's outputs: hashlib lets go of the GIL on large blocks, so two
#: threads hash the 4.3 GB of a 1M build in 1.6 s instead of 3.1 s on two cores.
DIGEST_THREADS = 2


def outputs_record(
    folder: Path,
    names: Iterable[Path],
    known: dict[str, dict] | None = None,
    linked_from: Path | None = None,
) -> dict[str, dict[str, object]]:
    """``{relative path: {"bytes": size, "sha256": digest}}`` for the given files in ``folder``.

    A file that is a hard link of the same file in ``linked_from`` keeps its ``known`` entry
    (carried over, so not read again: graph files run to gigabytes).
    """
    from concurrent.futures import ThreadPoolExecutor

    known = known or {}
    record: dict[str, dict[str, object]] = {}
    to_hash: list[tuple[int, str, Path]] = []
    for path in sorted(names):
        relative = path.relative_to(folder).as_posix()
        stat = path.stat()
        entry = known.get(relative)
        if entry and linked_from is not None and entry.get("bytes") == stat.st_size:
            try:
                same = os.path.samestat(stat, (linked_from / relative).stat())
            except OSError:
                same = False
            if same:
                record[relative] = entry
                continue
        record[relative] = {"bytes": stat.st_size}
        to_hash.append((stat.st_size, relative, path))
    to_hash.sort(key=lambda item: -item[0])  # largest first: the threads end about together
    with ThreadPoolExecutor(DIGEST_THREADS) as pool:
        digests = pool.map(file_digest, [path for _, _, path in to_hash])
        for (_, relative, _), digest in zip(to_hash, digests, strict=True):
            record[relative]["sha256"] = digest
    return record


def read_manifest(folder: Path) -> dict | None:
    """The build record ``folder/build-info.json``, or ``None`` when missing or unreadable."""
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def manifest_problems(folder: Path, deep: bool = False, manifest: dict | None = None) -> list[str]:
    """What in ``folder`` does not match its build record (``manifest``, read from the folder
    when not given): missing files, other sizes, and with ``deep`` other contents (hashes).
    Empty when the folder is a complete build."""
    manifest = read_manifest(folder) if manifest is None else manifest
    if manifest is None:
        return [f"{MANIFEST} is missing or unreadable"]
    outputs = manifest.get("outputs")
    if not isinstance(outputs, dict) or not outputs:
        return [f"{MANIFEST} lists no outputs (made by an older cvekg)"]
    problems = []
    for name, expected in outputs.items():
        path = Path(folder) / name
        try:
            size = path.stat().st_size
        except OSError:
            problems.append(f"{name} is missing")
            continue
        if size != expected.get("bytes"):
            problems.append(f"{name} has {size} bytes, not {expected.get('bytes')}")
        elif deep and file_digest(path) != expected.get("sha256"):
            problems.append(f"{name} differs from the build that wrote it")
    return problems


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; ``False`` where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(a), None, str(b))


class StagedFolder:
    """A new folder staged beside ``target``, published in its place by :meth:`publish`.

    Used as a context manager: leaving the block without publishing (an error, Ctrl+C)
    removes the staged folder; a SIGKILL leaves it, and :func:`remove_leftovers` removes it
    on the next run. Hold a :class:`FolderLock` on ``target`` around it (the lock makes the
    parent folders, and removes those it made if nothing was published).
    """

    def __init__(self, target: Path):
        self.target = Path(os.path.abspath(target))
        self.path = sibling(self.target, f"new-{os.getpid()}-{secrets.token_hex(3)}")
        self._made: list[Path] = []

    def __enter__(self) -> StagedFolder:
        missing = [p for p in self.target.parents if not p.exists()]
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.path.mkdir()
        except OSError as exc:
            raise CvekgError(
                f"{display_path(self.target)}: cannot make the output folder: {exc.strerror or exc}"
            ) from None
        self._made = missing[::-1]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)
        for folder in reversed(self._made):
            try:
                folder.rmdir()
            except OSError:  # not empty: something else is in it now
                break

    def carry_over(self, keep: Callable[[Path], bool]) -> None:
        """Link into the staged folder each file of the published one that ``keep`` accepts
        (relative path) and that the staged folder does not hold: files a user or ``cvekg
        view`` added, which the new build must not lose. Hard links cost no copy."""
        if not self.target.is_dir():
            return
        for path in sorted(self.target.rglob("*")):
            relative = path.relative_to(self.target)
            if path.is_dir() or not keep(relative):
                continue
            copy = self.path / relative
            if copy.exists():
                continue
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, copy)
            except OSError:
                shutil.copy2(path, copy)

    def publish(
        self, record: dict, outputs: Iterable[Path], known: dict[str, dict] | None = None
    ) -> None:
        """Write ``build-info.json`` (``record`` with every output's size and hash) last, then
        put the staged folder in place of the published one in one step. ``known`` are the
        published record's outputs, kept for the files carried over unchanged."""
        listed = outputs_record(self.path, outputs, known, self.target)
        record = {**record, "outputs": listed}
        with open(self.path / MANIFEST, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(record, indent=2) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            self._swap()
        except OSError as exc:  # a read-only folder (or parent): the old build stays
            raise CvekgError(
                f"{display_path(self.target)}: cannot replace the build there: "
                f"{exc.strerror or exc}"
            ) from None
        shutil.rmtree(self.path, ignore_errors=True)  # the previous build, if any

    def _swap(self) -> None:
        if self.target.exists():
            if not _exchange(self.path, self.target):
                # No atomic swap here: move the old folder aside first (readers briefly see
                # no folder, never a mixed one; remove_leftovers rolls back or forward).
                old = sibling(self.target, f"old-{os.getpid()}-{secrets.token_hex(3)}")
                self.target.rename(old)
                self.path.rename(self.target)
                self.path = old
        else:
            self.path.rename(self.target)


def remove_leftovers(target: Path) -> list[Path]:
    """Remove what interrupted runs left beside and in ``target`` (hold its lock): staged
    folders, old folders moved aside, and temporary files of earlier versions. Returns them.

    Where a swap was interrupted between its two renames (on systems without an atomic
    exchange), the target is missing: the newest complete staged folder is put in its place,
    else the old folder is put back.
    """
    target = Path(os.path.abspath(target))
    staged = sorted(target.parent.glob(f".{glob.escape(target.name)}.new-*"))
    moved = sorted(target.parent.glob(f".{glob.escape(target.name)}.old-*"))
    left = staged + moved
    if not target.exists():
        # Forward to a new folder that was complete, else back to the old one.
        complete = [p for p in staged + moved if not manifest_problems(p)]
        if complete:
            complete[0].rename(target)
            left.remove(complete[0])
    if target.is_dir():  # an earlier version staged files and views inside the folder
        left += sorted(target.glob(".graph.*.tmp")) + sorted(target.glob(".report.md.*.tmp"))
        left += sorted(target.glob(".build-info.json.*.tmp"))
        left += sorted(target.glob(".views-new-*")) + sorted(target.glob(".views-old-*"))
    for path in left:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return left
