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
    import os

    pids = tmp_path / "pids"  # each writer notes the process it ran in
    for name, writer in list(serialize._WRITERS.items()):

        def noted(store, handle, extras, writer=writer, name=name):
            with open(pids, "a") as note:
                note.write(f"{name} {os.getpid()}\n")
            writer(store, handle, extras)

        monkeypatch.setitem(serialize._WRITERS, name, noted)
    monkeypatch.setattr(serialize, "PARALLEL_QUADS", 1)  # as a large store would be
    build(out=tmp_path / "b", views=False)
    ran_in = dict(line.split() for line in pids.read_text().splitlines())
    assert sorted(ran_in) == sorted(serialize.GRAPH_FILES)
    assert str(os.getpid()) not in ran_in.values(), "a file was written by the build itself"
    assert _files(tmp_path / "b") == one_by_one


def test_disk_full_in_a_forked_writer_is_raised_and_leaves_no_graph_file(
    tmp_path: Path, monkeypatch
) -> None:
    def full(store, handle, extras):
        raise OSError(errno.ENOSPC, "No space left on device", str(handle.name))

    monkeypatch.setattr(serialize, "PARALLEL_QUADS", 1)
    monkeypatch.setitem(serialize._WRITERS, "graph.jsonld", full)
    with pytest.raises(OSError) as raised:
        build(out=tmp_path / "b", views=False)
    assert raised.value.errno == errno.ENOSPC
    assert raised.value.filename.endswith("graph.jsonld")
    assert list(tmp_path.iterdir()) == []  # no build, no staging folder, no graph file


def test_a_writer_process_that_dies_gives_a_message(tmp_path: Path, monkeypatch) -> None:
    import os

    def killed(store, handle, extras):
        os._exit(9)  # as the kernel's out-of-memory killer would end it

    monkeypatch.setattr(serialize, "PARALLEL_QUADS", 1)
    monkeypatch.setitem(serialize._WRITERS, "graph.nt", killed)
    with pytest.raises(CvekgError, match="writer process ended unexpectedly"):
        build(out=tmp_path / "b", views=False)
    assert list(tmp_path.iterdir()) == []  # no build, no staging folder, no graph file
