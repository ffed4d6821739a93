"""The graph files, streamed from the store: graph.trig, graph.ttl, graph.nt, graph.jsonld,
graph.nq.

The store holds the claims, reference data and inferred triples; the outputs add what it
does not hold as written: literals it keeps canonically (``typed``), the ontology graph and
the provenance graph (the Turtle the anchoring wrote). Each output streams from Oxigraph to
its file; nothing holds a whole serialisation in memory.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset
from rdflib.namespace import XSD

from graph.build.provenance import PROVENANCE_HEADER, json_text
from graph.namespaces import OA, ONTOLOGY_GRAPH, PREFIXES, PROVENANCE_GRAPH
from graph.rdf import stable_blank_nodes

__all__ = ["GRAPH_FILES", "write_graph_files", "ontology_quads", "rdflib_copy"]


_TYPED_COMMENT = b"\n# Typed literals as the sources wrote them (the store keeps them canonical).\n"


@dataclass
class Extras:
    """What the outputs add to the store's own serialisations."""

    typed: list[ox.Quad]
    ontology: list[ox.Quad]
    provenance: Path
    provenance_jsonld: Path
    # Where graph.trig's copy of the store ends: graph.ttl is made from it.
    trig: Path | None = None
    trig_store_end: int = 0


def _triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The triples of ``quads``, each once."""
    seen: dict[str, ox.Triple] = {}
    for q in quads:
        seen.setdefault(str(q.triple), q.triple)
    return list(seen.values())


def _provenance_jsonld(nodes: Path, out) -> None:
    """The provenance graph as a JSON-LD array holding one named graph (its node objects
    were written while anchoring)."""
    with nodes.open("rb") as handle:
        if not handle.read(1):
            out.write(b"[]")
            return
        out.write(b'[{"@id":' + json_text(str(PROVENANCE_GRAPH)).encode() + b',"@graph":[')
        handle.seek(0)
        while chunk := handle.read(1 << 20):
            out.write(chunk)
        out.write(b"]}]")


class _Lines:
    """A binary writer passing whole lines through ``transform``: an output filter that never
    holds more than one chunk of what Oxigraph writes."""

    def __init__(self, handle, transform: Callable[[bytes], bytes]):
        self.handle = handle
        self.transform = transform
        self.rest = b""

    def write(self, data: bytes) -> int:
        buffer = self.rest + bytes(data)
        cut = buffer.rfind(b"\n") + 1
        self.rest = buffer[cut:]
        if cut:
            self.handle.write(self.transform(buffer[:cut]))
        return len(data)

    def flush(self) -> None:
        """Nothing to do: only complete lines are passed on."""

    def close(self) -> None:
        """Pass on what is left (a last line without its line break)."""
        if self.rest:
            self.handle.write(self.transform(self.rest))
            self.rest = b""


_BLOCK_TRIG = re.compile(rb"^(?:[^\t@\n][^\n]* \{|\})\n", re.M)


def _turtle_from_trig(chunk: bytes) -> bytes:
    """Oxigraph's TriG to Turtle: the ``name {`` and ``}`` lines of graph blocks left out.

    Oxigraph writes each of them on a line of its own and indents statements with tabs
    (line breaks in literals are escaped), so they are found line by line without parsing.
    """
    return _BLOCK_TRIG.sub(b"", chunk)


def _write_trig(store: ox.Store, handle, extras: Extras) -> None:
    store.dump(output=handle, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    handle.flush()
    extras.trig_store_end = handle.tell()
    if extras.typed:
        handle.write(_TYPED_COMMENT)
        ox.serialize(extras.typed, handle, ox.RdfFormat.TRIG, prefixes=PREFIXES)
    handle.write(b"\n")
    ox.serialize(extras.ontology, handle, ox.RdfFormat.TRIG, prefixes=PREFIXES)
    with extras.provenance.open("rb") as provenance:
        header = provenance.read(len(PROVENANCE_HEADER.encode("utf-8")))
        handle.write(b"\n" + header + f"<{PROVENANCE_GRAPH}> {{\n".encode())
        shutil.copyfileobj(provenance, handle, 1 << 20)
        handle.write(b"}\n")


def _write_turtle(store: ox.Store, handle, extras: Extras) -> None:
    """The union of every graph but provenance, in Turtle: graph.trig's copy of the store
    with its graph blocks unwrapped (a triple in two graphs is written twice: the same
    graph, and no set of millions of triples held to avoid it), then the ontology."""
    if extras.trig is None:
        raise ValueError("graph.trig is written first")
    lines = _Lines(handle, _turtle_from_trig)
    with extras.trig.open("rb") as trig:
        remaining = extras.trig_store_end
        while remaining > 0 and (chunk := trig.read(min(1 << 20, remaining))):
            remaining -= len(chunk)
            lines.write(chunk)
    lines.close()
    if extras.typed:
        handle.write(_TYPED_COMMENT)
        ox.serialize(_triples(extras.typed), handle, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    handle.write(b"\n")
    ox.serialize(_triples(extras.ontology), handle, ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def _write_ntriples(store: ox.Store, handle, extras: Extras) -> None:
    """The union of every graph but provenance, in N-Triples, one graph after the other (a
    triple in two graphs is written twice: the same graph, and no set of millions of triples
    held to avoid it)."""
    for graph in sorted(store.named_graphs(), key=str):  # the store lists them in any order
        store.dump(output=handle, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
    store.dump(output=handle, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    triples = _triples(extras.typed) + _triples(extras.ontology)
    ox.serialize(triples, handle, ox.RdfFormat.N_TRIPLES)


def _write_nquads(store: ox.Store, handle, extras: Extras) -> None:
    """Every graph as N-Quads, provenance included, literals as the sources typed them: what
    bulk loaders read (Virtuoso 7's TriG parser keeps ``\\/`` escapes in graph names, its
    N-Quads one does not). Graphs are written in IRI order, so builds are byte-identical."""
    for graph in sorted(store.named_graphs(), key=str):
        ox.serialize(store.quads_for_pattern(None, None, None, graph), handle, ox.RdfFormat.N_QUADS)
    default = store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    ox.serialize(default, handle, ox.RdfFormat.N_QUADS)
    ox.serialize(extras.typed + extras.ontology, handle, ox.RdfFormat.N_QUADS)
    _write_provenance_nquads(extras.provenance, handle)


def _write_provenance_nquads(turtle: Path, handle) -> None:
    """The provenance graph's Turtle as N-Quads lines, blank nodes labelled ``provenance1``,
    ``provenance2``… in the order they come (as :func:`graph.rdf.stable_blank_nodes`).

    Oxigraph writes the parsed triples as N-Triples and each line gets the graph's name
    before its closing `` .`` (a line break inside a literal is escaped, so every `` .\n``
    ends a statement): 6.0-6.8 s instead of 9.7-10.0 s for the 2.2 million triples of a 1M
    build, when each triple was made a quad in Python, the same bytes. The anchoring writes
    no blank node; the lines that may hold one (``_:``) are still relabelled one by one.
    """
    graph = ox.NamedNode(str(PROVENANCE_GRAPH))
    tail = f" <{graph.value}> .\n".encode()
    labels: dict[str, ox.BlankNode] = {}

    def stable(term):
        if isinstance(term, ox.BlankNode):
            return labels.setdefault(term.value, ox.BlankNode(f"provenance{len(labels) + 1}"))
        return term

    def to_quads(chunk: bytes) -> bytes:
        if b"_:" not in chunk:
            return chunk.replace(b" .\n", tail)
        out = []
        for line in chunk.splitlines(keepends=True):
            if b"_:" not in line:
                out.append(line.replace(b" .\n", tail))
                continue
            quads = [
                ox.Quad(stable(t.subject), t.predicate, stable(t.object), graph)
                for t in ox.parse(line, ox.RdfFormat.N_TRIPLES)
            ]
            out.append(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
        return b"".join(out)

    lines = _Lines(handle, to_quads)
    provenance = ox.parse(path=str(turtle), format=ox.RdfFormat.TURTLE)
    ox.serialize(provenance, lines, ox.RdfFormat.N_TRIPLES)
    lines.close()


class _ArrayItems:
    """Receives a JSON array as it streams and passes on its items, without the brackets,
    after a comma when earlier arrays passed items on: so arrays join into one."""

    def __init__(self, handle, after_items: bool):
        self.handle = handle
        self.after_items = after_items
        self.opened = False
        self.pending = b""
        self.wrote = False

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        if not self.opened:
            chunk = chunk.lstrip()
            if not chunk:
                return len(data)
            if chunk[:1] != b"[":
                raise ValueError("expected a JSON array")
            chunk, self.opened = chunk[1:], True
        buffer = self.pending + chunk
        # Hold back the tail: the array's closing bracket must not pass.
        cut = len(buffer.rstrip()) - 1
        body, self.pending = buffer[: max(cut, 0)], buffer[max(cut, 0) :]
        if body.strip():
            if not self.wrote and self.after_items:
                self.handle.write(b",")
            self.wrote = True
            self.handle.write(body)
        elif body:
            self.pending = body + self.pending
        return len(data)

    def flush(self) -> None:
        """Nothing to do: the tail is held back until the array ends."""

    def close(self) -> bool:
        """End the array; True if it had items."""
        tail = self.pending.rstrip()
        if tail[-1:] != b"]":
            raise ValueError("expected the end of a JSON array")
        if tail[:-1].strip():
            if not self.wrote and self.after_items:
                self.handle.write(b",")
            self.wrote = True
            self.handle.write(tail[:-1])
        return self.wrote


def _write_jsonld(store: ox.Store, handle, extras: Extras) -> None:
    """Expanded JSON-LD of every graph, under an inline ``@context`` of our prefixes.

    Oxigraph writes each part as a JSON array; the parts are joined into one top-level
    ``@graph`` array, whose named graphs JSON-LD merges by name.
    """
    handle.write(b'{"@context": ' + json.dumps(PREFIXES, indent=1).encode("utf-8"))
    handle.write(b',\n"@graph": [')
    parts: list[Callable[[object], None]] = [
        lambda out: store.dump(output=out, format=ox.RdfFormat.JSON_LD),
        lambda out: ox.serialize(extras.typed, out, ox.RdfFormat.JSON_LD),
        lambda out: ox.serialize(extras.ontology, out, ox.RdfFormat.JSON_LD),
        lambda out: _provenance_jsonld(extras.provenance_jsonld, out),
    ]
    after_items = False
    for part in parts:
        items = _ArrayItems(handle, after_items)
        part(items)
        after_items = items.close() or after_items
    handle.write(b"]}\n")


def rdflib_copy(store: ox.Store, typed: list[str]) -> Dataset:
    """The store's quads in an rdflib ``Dataset``, literals as the sources typed them.

    The store keeps ``xsd:nonNegativeInteger`` character offsets of the provenance graph as
    ``xsd:integer``: the build wrote them all typed ``xsd:nonNegativeInteger``.
    """
    from rdflib import Literal

    from graph.namespaces import bind_prefixes
    from graph.rdf import from_ox

    dataset = Dataset()
    bind_prefixes(dataset)
    dataset.parse(data=store.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
    written = list(ox.parse("".join(typed), ox.RdfFormat.N_QUADS)) if typed else []
    # Every canonical copy out first: two written forms may share one (see restore_protected).
    for quad in written:
        canonical = ox.Store()
        canonical.add(quad)
        stored = next(iter(canonical))
        graph = dataset.graph(from_ox(quad.graph_name))
        graph.remove((from_ox(stored.subject), from_ox(stored.predicate), from_ox(stored.object)))
    for quad in written:
        graph = dataset.graph(from_ox(quad.graph_name))
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    provenance = dataset.graph(PROVENANCE_GRAPH)
    for predicate in (OA.start, OA.end):
        for s, o in list(provenance.subject_objects(predicate)):
            provenance.remove((s, predicate, o))
            provenance.add((s, predicate, Literal(str(o), datatype=XSD.nonNegativeInteger)))
    return dataset


def _sparql_data(typed: list[str]) -> str:
    """N-Quads lines as the body of a SPARQL ``INSERT DATA`` / ``DELETE DATA``."""
    blocks = []
    for line in typed:
        *triple, graph = line.rstrip(" .\n").split(" ")
        blocks.append(f"GRAPH {graph} {{ {' '.join(triple)} }}")
    return " ".join(blocks)


_WRITERS: dict[str, Callable[[ox.Store, object, Extras], None]] = {
    "graph.trig": _write_trig,
    "graph.ttl": _write_turtle,
    "graph.nt": _write_ntriples,
    "graph.jsonld": _write_jsonld,
    "graph.nq": _write_nquads,
}


def ontology_quads(ontology: Path, graph: ox.NamedNode) -> list[ox.Quad]:
    """The ontology's triples in its graph, blank nodes labelled the same in every build."""
    triples = ox.parse(
        path=str(ontology), format=ox.RdfFormat.TURTLE, base_iri=ontology.resolve().as_uri()
    )
    return stable_blank_nodes(triples, "ontology", graph)


#: The graph files, in the order they are written (graph.ttl is made from graph.trig).
GRAPH_FILES = tuple(_WRITERS)


def write_graph_files(
    store: ox.Store,
    folder: Path,
    typed: list[str],
    provenance: tuple[Path, Path],
    ontology: Path,
    on_written: Callable[[Path], object] | None = None,
) -> list[Path]:
    """Serialise the graph into ``folder`` (a staging folder: files are written in place);
    ``on_written`` is called with each file's path once it is whole (from the thread that
    wrote it).

    ``typed`` are N-Quads lines of literals as the sources wrote them, ``provenance`` the
    Turtle and JSON-LD the anchoring wrote. A failure removes what was written.

    A large store's files are written by :data:`WRITER_THREADS` threads (see
    :data:`PARALLEL_QUADS`); a small one's here, one after the other.
    """
    onto_graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    written = [folder / name for name in _WRITERS]
    if typed:  # written as typed, while the store's canonical copies are left out
        store.update(f"DELETE DATA {{ {_sparql_data(typed)} }}")
    try:
        extras = Extras(
            typed=list(ox.parse("".join(typed), ox.RdfFormat.N_QUADS)) if typed else [],
            ontology=ontology_quads(ontology, onto_graph),
            provenance=provenance[0],
            provenance_jsonld=provenance[1],
        )
        if len(store) >= PARALLEL_QUADS:
            _write_in_threads(store, folder, extras, on_written)
        else:
            for job in _JOBS:
                _write_job(store, folder, extras, job, on_written)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    finally:
        if typed:
            store.update(f"INSERT DATA {{ {_sparql_data(typed)} }}")
    return written


#: From this many quads in the store on, the graph files are written by threads.
#: At a million asserted triples (5.2 million quads) writing them one after the other took
#: 38 s; Oxigraph serialises without holding the GIL, so two threads write them in 29 s.
PARALLEL_QUADS = 200_000
#: Threads writing the graph files: the machines we measure on have two cores.
WRITER_THREADS = 2
#: The files written together, longest first (so the two threads end about together):
#: graph.ttl is made from graph.trig, in the same thread.
_JOBS: tuple[tuple[str, ...], ...] = (
    ("graph.nq",),
    ("graph.trig", "graph.ttl"),
    ("graph.jsonld",),
    ("graph.nt",),
)


def _write_job(
    store: ox.Store,
    folder: Path,
    extras: Extras,
    names: tuple[str, ...],
    on_written: Callable[[Path], object] | None = None,
) -> None:
    for name in names:
        path = folder / name
        if name == "graph.trig":
            extras.trig = path
        with open(path, "wb", buffering=1 << 20) as handle:
            _WRITERS[name](store, handle, extras)
        if on_written is not None:
            on_written(path)


def _write_in_threads(
    store: ox.Store,
    folder: Path,
    extras: Extras,
    on_written: Callable[[Path], object] | None = None,
) -> None:
    """Write the files in :data:`WRITER_THREADS` threads reading ``store`` (only read, so
    shared safely). The first error is raised here, once the jobs already running end; the
    jobs not yet begun are not begun.

    Threads, not forked processes: at 1M forked writers took about as long (26.5-31.2 s
    against 26.7-28.9 s) for 4-9 s more CPU, spent by the kernel on the children's page
    faults (22-25 s of system time against 12-17 s; 54 s in one build). The second core is
    better left to the on-disk store, which loads beside the writers.
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    failed = threading.Event()

    def job(names: tuple[str, ...]) -> None:
        if failed.is_set():  # another job failed: the build stops, no need to write more
            return
        try:
            _write_job(store, folder, extras, names, on_written)
        except BaseException:
            failed.set()
            raise

    with ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix="cvekg-writer") as pool:
        futures = [pool.submit(job, names) for names in _JOBS]
        for future in futures:
            future.result()  # the first error, once the pool's running jobs have ended
