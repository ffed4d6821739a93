"""The graph files: written by forked processes for a large store, the same bytes as written
one after the other, and a writer's failure loses nothing."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from graph.build import serialize
from graph.errors import CvekgError
from graph.pipeline import build


def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in serialize.GRAPH_FILES}


@pytest.fixture(scope="module")
def one_by_one(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The seed build's graph files, written in this process (the seed is small)."""
    out = tmp_path_factory.mktemp("sequential")
    result = build(out=out, views=False)
    assert sum(result.counts.values()) < serialize.PARALLEL_QUADS
    return _files(out)


def test_forked_writers_write_the_same_bytes(one_by_one, tmp_path, monkeypatch) -> None:
    forks = []
    real = serialize._write_in_processes

    def counted(*args) -> None:
        forks.append(1)
        real(*args)

    monkeypatch.setattr(serialize, "PARALLEL_QUADS", 1)  # as a large store would be
    monkeypatch.setattr(serialize, "_write_in_processes", counted)
    build(out=tmp_path / "b", views=False)
    assert forks, "the files were not written by forked processes"
    assert _files(tmp_path / "b") == one_by_one


def test_disk_full_in_a_forked_writer_is_raised_and_leaves_no_graph_file(
    tmp_path: Path, monkeypatch
) -> None:
    def full(store, handle, extras):
        raise OSError(errno.ENOSPC, "No space left on device", str(handle.name))

    monkeypatch.setattr(serialize, "PARALLEL_QUADS", 1)
    monkeypatch.setitem(serialize._WRITERS, "graph.jsonld", full)
    out = tmp_path / "b"
    with pytest.raises(OSError) as raised:
        build(out=out, views=False)
    assert raised.value.errno == errno.ENOSPC
    assert raised.value.filename.endswith("graph.jsonld")
    assert not out.exists() or not any(out.rglob("graph.*"))


def test_a_writer_process_that_dies_gives_a_message(tmp_path: Path, monkeypatch) -> None:
    import os

    def killed(store, handle, extras):
        os._exit(9)  # as the kernel's out-of-memory killer would end it

    monkeypatch.setattr(serialize, "PARALLEL_QUADS", 1)
    monkeypatch.setitem(serialize._WRITERS, "graph.nt", killed)
    out = tmp_path / "b"
    with pytest.raises(CvekgError, match="writer process ended unexpectedly"):
        build(out=out, views=False)
    assert not out.exists() or not any(out.rglob("graph.*"))
