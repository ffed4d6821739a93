"""The graph files: written by threads for a large store, the same bytes as written one
after the other, and a writer's failure loses nothing."""

from __future__ import annotations

import errno
import threading
import time
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
    """The files are written by two threads at once (the first two jobs meet at a barrier,
    so one thread cannot take every job of the small seed), and are the same bytes."""
    ran_in: dict[str, str] = {}  # each writer notes the thread it ran in
    together = threading.Barrier(serialize.WRITER_THREADS, timeout=10)
    first = {"graph.nq", "graph.trig"}  # the first job of each thread
    for name, writer in list(serialize._WRITERS.items()):

        def noted(store, handle, extras, writer=writer, name=name):
            ran_in[name] = threading.current_thread().name
            if name in first:
                together.wait()  # raises if the other job is not running beside this one
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
    failed = threading.Event()
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


@pytest.mark.parametrize("parallel", [False, True], ids=["one-by-one", "threads"])
def test_the_store_starts_loading_once_graph_nq_is_whole(tmp_path, monkeypatch, parallel) -> None:
    """The on-disk store loads from graph.nq beside the other writers: the build hands the
    folder on as soon as graph.nq is whole, before graph.nt (written last) is."""
    from graph.build.run import build_graph

    if parallel:
        monkeypatch.setattr(serialize, "PARALLEL_QUADS", 1)
    seen: list[tuple[int, bool]] = []
    nt_done: list[bool] = []

    def on_nquads(folder: Path) -> None:
        seen.append(((folder / "graph.nq").stat().st_size, bool(nt_done)))

    nt = serialize._WRITERS["graph.nt"]

    def nt_after_nq(store, handle, extras):  # a thread may begin it before graph.nq ends
        waited = 0
        while not seen and waited < 300:  # 3 s: a build that hands graph.nq on at the end
            time.sleep(0.01)  # of the write phase would wait here in vain
            waited += 1
        nt(store, handle, extras)
        nt_done.append(True)

    monkeypatch.setitem(serialize._WRITERS, "graph.nt", nt_after_nq)
    out = tmp_path / "b"
    out.mkdir()
    build_graph(folder=out, on_nquads=on_nquads)
    assert len(seen) == 1
    size, nt_written = seen[0]
    assert size == (out / "graph.nq").stat().st_size > 0
    assert not nt_written


def test_provenance_nquads_are_the_quads_of_its_turtle_blank_nodes_stable(tmp_path) -> None:
    """graph.nq's provenance lines are made from Oxigraph's N-Triples text: the same bytes as
    serialising each triple as a quad, blank nodes labelled in order, a literal holding
    `` .``, a line break or ``_:`` left whole."""
    import io

    import pyoxigraph as ox

    from graph.namespaces import PROVENANCE_GRAPH

    turtle = tmp_path / "provenance.ttl"
    turtle.write_text(
        "@prefix ex: <http://example.org/> .\n"
        'ex:a ex:says "ends with a dot .\\nand _:not a node ." ; ex:in [ ex:at 3 ] .\n'
        "_:x ex:knows ex:a , _:y .\n"
        '_:y ex:says "_:y" .\n'
        'ex:b ex:says "plain" .\n',
        encoding="utf-8",
    )
    graph = ox.NamedNode(str(PROVENANCE_GRAPH))
    labels: dict = {}

    def stable(term):
        if isinstance(term, ox.BlankNode):
            return labels.setdefault(term, ox.BlankNode(f"provenance{len(labels) + 1}"))
        return term

    parsed = ox.parse(path=str(turtle), format=ox.RdfFormat.TURTLE)
    quads = [ox.Quad(stable(t.subject), t.predicate, stable(t.object), graph) for t in parsed]
    expected = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    written = io.BytesIO()
    serialize._write_provenance_nquads(turtle, written)
    assert written.getvalue() == expected
    assert b"_:provenance3" in expected and b"_:provenance4" not in expected
