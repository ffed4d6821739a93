"""The graph files: written by threads for a large store, the same bytes as written one
after the other, and a writer's failure loses nothing."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from graph.build import serialize
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


def test_writer_threads_write_the_same_bytes(one_by_one, tmp_path, monkeypatch) -> None:
    import threading

    ran_in: dict[str, str] = {}  # each writer notes the thread it ran in
    for name, writer in list(serialize._WRITERS.items()):

        def noted(store, handle, extras, writer=writer, name=name):
            ran_in[name] = threading.current_thread().name
            writer(store, handle, extras)

        monkeypatch.setitem(serialize._WRITERS, name, noted)
    monkeypatch.setattr(serialize, "PARALLEL_QUADS", 1)  # as a large store would be
    build(out=tmp_path / "b", views=False)
    assert sorted(ran_in) == sorted(serialize.GRAPH_FILES)
    assert all(t.startswith("cvekg-writer") for t in ran_in.values()), ran_in
    assert len(set(ran_in.values())) == serialize.WRITER_THREADS
    assert _files(tmp_path / "b") == one_by_one


def test_disk_full_in_a_writer_thread_is_raised_and_leaves_no_graph_file(
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


def test_a_failed_writer_stops_the_jobs_not_yet_started(tmp_path: Path, monkeypatch) -> None:
    """graph.nq fails first: graph.jsonld and graph.nt, queued behind it, are never begun,
    and what the other thread wrote meanwhile is removed with it."""
    started: list[str] = []
    failed = __import__("threading").Event()
    for name, writer in list(serialize._WRITERS.items()):

        def noted(store, handle, extras, writer=writer, name=name):
            started.append(name)
            if name == "graph.nq":
                failed.set()
                raise ValueError("cannot serialise this")
            failed.wait(5)  # the other thread starts its job before graph.nq fails
            writer(store, handle, extras)

        monkeypatch.setitem(serialize._WRITERS, name, noted)
    monkeypatch.setattr(serialize, "PARALLEL_QUADS", 1)
    with pytest.raises(ValueError, match="cannot serialise this"):
        build(out=tmp_path / "b", views=False)
    assert "graph.jsonld" not in started and "graph.nt" not in started, started
    assert list(tmp_path.iterdir()) == []  # no build, no staging folder, no graph file
