"""``cvekg build``: load, anchor quotes, infer, validate, then write every output at once.

Nothing is written until every check passes, and each output is written to a temporary file
in the output folder and renamed into place, so ``build/`` never holds a half-written file.

Every graph lives in one in-memory Oxigraph store (:mod:`graph.rdf`): sources are parsed
into it, rules and shapes run as SPARQL over it, and the outputs are serialised from it, so
the build stays in native code for the work that grows with the data. ``BuildResult.store``
is that store (views and queries use it); ``BuildResult.dataset`` copies it into rdflib for
code that wants the rdflib API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.namespace import XSD

from graph import __version__
from graph.build.anchor import (
    Anchor,
    QuoteAmbiguousError,
    QuoteNotFoundError,
    SourceText,
    anchor_quote,
)
from graph.errors import BuildError, CvekgError, display_path
from graph.files import temporary_file
from graph.build.infer import Rules, infer_store
from graph.build.load import Claim, Corpus, load_corpus, parse_rdf_file
from graph.namespaces import (
    CVEKG,
    GRAPH,
    INFERRED_GRAPH,
    OA,
    ONTOLOGY_GRAPH,
    PREFIXES,
    PROVENANCE_GRAPH,
)
from graph.progress import Phases, Progress
from graph.resources import ontology_file, shapes_file, sources_dir
from graph.rdf import graph_size, nt_literal, stable_blank_nodes
from graph.build.validate import (
    Coverage,
    Labeller,
    lint_problems,
    shacl_problems_in_store,
)

__all__ = [
    "BuildResult",
    "build_graph",
    "OUTPUT_FILES",
    "input_files",
]

logger = logging.getLogger(__name__)

#: Files every successful build writes into its output folder.
OUTPUT_FILES = (
    "graph.trig",
    "graph.ttl",
    "graph.jsonld",
    "graph.nt",
    "report.md",
    "build-info.json",
)

#: Triples stated in a ``.trig`` file outside any claim: kept aside so rules and shapes see
#: them as before, never written (provenance coverage fails the build when there are any).
UNCLAIMED_GRAPH = GRAPH["unclaimed"]


@dataclass
class BuildResult:
    """What a build produced and measured.

    ``store`` is the Oxigraph store of the written graph (what views and queries use);
    :attr:`dataset` gives the same graph through the rdflib API.
    """

    out: Path
    counts: dict[str, int]
    classes: dict[str, int]
    claims: int
    coverage: Coverage
    shacl: list[str]
    lint: list[str]
    seconds: dict[str, float] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    store: ox.Store | None = field(default=None, repr=False)
    typed: list[str] = field(default_factory=list, repr=False)
    _dataset: Dataset | None = field(default=None, repr=False)

    @property
    def dataset(self) -> Dataset:
        """The built graph as an in-memory rdflib ``Dataset``, made on first use.

        Literals are as the sources typed them (the store keeps some in canonical form: see
        :func:`graph.rdf.protect_literals`). Copying into rdflib takes minutes for millions
        of triples: large builds should use :attr:`store`.
        """
        if self._dataset is None:
            self._dataset = _rdflib_copy(self.store, self.typed)
        return self._dataset

    def summary(self) -> str:
        """The short summary the CLI prints."""
        total = sum(self.counts.values())
        violations = len(self.shacl) + len(self.lint)
        return (
            f"built {total} triples ({self.claims} claims, {self.counts['inferred']} inferred) "
            f"in {sum(self.seconds.values()):.2f} s: {violations} violations, "
            f"{self.coverage.percent:.1f}% of facts sourced -> {display_path(self.out)}/"
        )


def input_files(sources: Path, ontology: Path | None = None) -> list[Path]:
    """Every file a build reads: the ontology folder's Turtle and the sources."""
    ontology = ontology or ontology_file()
    files = [ontology, ontology.parent / "shapes.ttl"]
    files += sorted(p for p in sources.iterdir() if p.suffix in {".trig", ".ttl", ".txt"})
    return [f for f in files if f.is_file()]


# --- anchor ---------------------------------------------------------------------------------

_PROVENANCE_PREFIXES = ("cvekg", "prov", "oa", "xsd", "skos")
#: The prefixes the provenance text is written with (it is Turtle, and TriG inside a block).
PROVENANCE_HEADER = "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in _PROVENANCE_PREFIXES)


def _where(claim) -> str:
    return f"{display_path(claim.path)}:{claim.line}:{claim.column}: claim {claim.name}"


class _ProvenanceWriter:
    """Writes the provenance graph twice as anchoring goes: Turtle (loaded into the store,
    and the body of its TriG block) and JSON-LD node objects (appended to graph.jsonld), so
    no output has to convert two million triples afterwards.

    With an ``inference``, also writes to ``inferred`` (N-Triples, for the inferred graph)
    what the rules add to the provenance graph: it joins the store after inference ran.
    """

    def __init__(
        self,
        turtle: io.TextIOBase,
        jsonld: io.TextIOBase,
        inferred: io.TextIOBase | None = None,
        inference: _ProvenanceInference | None = None,
    ):
        self.turtle = turtle
        self.jsonld = jsonld
        self.inferred = inferred
        self.inference = inference
        self.nodes = 0
        turtle.write(PROVENANCE_HEADER)

    def _nodes(self, nodes: list[str]) -> None:
        if nodes:
            self.jsonld.write(("," if self.nodes else "") + ",".join(nodes))
            self.nodes += len(nodes)

    def document(self, iri: str, text_name: str) -> None:
        """The document and its text file."""
        self.turtle.write(
            f"<{iri}> a cvekg:SourceDocument ; cvekg:text {nt_literal(text_name)} .\n"
        )
        self._nodes(
            [
                f'{{"@id":{_json(iri)},"@type":["cvekg:SourceDocument"],'
                f'"cvekg:text":[{{"@value":{_json(text_name)}}}]}}'
            ]
        )
        if self.inference is not None:
            self.inferred.write(self.inference.document(iri, text_name))

    def claims(self, doc: str, anchored: list[tuple[Claim, Anchor]]) -> None:
        """Claims and the Web Annotation of each quote (selectors by quote and by position)."""
        turtle, nodes = [], []
        d, dj = f"<{doc}>", f'{{"@id":{_json(doc)}}}'
        for claim, anchor in anchored:
            c = str(claim.iri)
            notes = "".join(f" ; skos:editorialNote {nt_literal(n)}" for n in claim.notes)
            context = ""
            if not anchor.unique:
                context = (
                    f" ; oa:prefix {nt_literal(anchor.prefix)} "
                    f"; oa:suffix {nt_literal(anchor.suffix)}"
                )
            turtle.append(
                f"<{c}> a cvekg:Claim ; cvekg:source {d} ; prov:wasDerivedFrom {d} ; "
                f"cvekg:quote {nt_literal(claim.quote or '')} ; "
                f"cvekg:sentence {nt_literal(anchor.sentence)}{notes} .\n"
                f"<{c}#annotation> a oa:Annotation ; oa:motivatedBy oa:describing ; "
                f"oa:hasBody <{c}> ; oa:hasTarget <{c}#target> .\n"
                f"<{c}#target> a oa:SpecificResource ; oa:hasSource {d} ; "
                f"oa:hasSelector <{c}#quote> , <{c}#position> .\n"
                f"<{c}#quote> a oa:TextQuoteSelector ; "
                f"oa:exact {nt_literal(anchor.exact)}{context} .\n"
                f"<{c}#position> a oa:TextPositionSelector ; "
                f'oa:start "{anchor.start}"^^xsd:nonNegativeInteger ; '
                f'oa:end "{anchor.end}"^^xsd:nonNegativeInteger .\n'
            )
            ref = {name: f'{{"@id":{_json(c + name)}}}' for name in ("", "#target", "#quote")}
            position = f'{{"@id":{_json(c + "#position")}}}'
            notes_json = ""
            if claim.notes:
                values = ",".join(f'{{"@value":{_json(n)}}}' for n in claim.notes)
                notes_json = f',"skos:editorialNote":[{values}]'
            context_json = ""
            if not anchor.unique:
                context_json = (
                    f',"oa:prefix":[{{"@value":{_json(anchor.prefix)}}}]'
                    f',"oa:suffix":[{{"@value":{_json(anchor.suffix)}}}]'
                )
            offset = '{{"@value":"{}","@type":"xsd:nonNegativeInteger"}}'
            nodes += [
                f'{{"@id":{_json(c)},"@type":["cvekg:Claim"],"cvekg:source":[{dj}],'
                f'"prov:wasDerivedFrom":[{dj}],"cvekg:quote":[{{"@value":{_json(claim.quote)}}}],'
                f'"cvekg:sentence":[{{"@value":{_json(anchor.sentence)}}}]{notes_json}}}',
                f'{{"@id":{_json(c + "#annotation")},"@type":["oa:Annotation"],'
                f'"oa:motivatedBy":[{{"@id":"oa:describing"}}],"oa:hasBody":[{ref[""]}],'
                f'"oa:hasTarget":[{ref["#target"]}]}}',
                f'{{"@id":{_json(c + "#target")},"@type":["oa:SpecificResource"],'
                f'"oa:hasSource":[{dj}],"oa:hasSelector":[{ref["#quote"]},{position}]}}',
                f'{{"@id":{_json(c + "#quote")},"@type":["oa:TextQuoteSelector"],'
                f'"oa:exact":[{{"@value":{_json(anchor.exact)}}}]{context_json}}}',
                f'{{"@id":{_json(c + "#position")},"@type":["oa:TextPositionSelector"],'
                f'"oa:start":[{offset.format(anchor.start)}],'
                f'"oa:end":[{offset.format(anchor.end)}]}}',
            ]
        self.turtle.write("".join(turtle))
        self._nodes(nodes)
        if self.inference is not None:
            self.inferred.write(
                "".join(self.inference.claim(doc, claim, anchor) for claim, anchor in anchored)
            )


#: Placeholders in the provenance the rules run on: IRIs, and the claim's literal values.
_DOCUMENT, _CLAIM = "urn:x-cvekg:document", "urn:x-cvekg:claim"
_SLOTS = ("text", "quote", "note", "sentence", "exact", "prefix", "suffix")


class _ProvenanceInference:
    """What the rules add to the provenance graph (``Claim ⊑ prov:Entity``, the inverse
    ``claimSupported`` of ``source``…), worked out once from the ontology.

    The writer writes every document and claim in the same shape: the rules run on one of
    each, written with placeholders, and what they add is a template filled in per claim
    (a string replacement or two), where running them on the provenance graph would cost
    a pass over 40% of the triples. No claim's provenance links to another's, so no rule
    could chain across claims.
    """

    def __init__(self, rules: Rules):
        slot = {name: f"\ue000{name}\ue000" for name in _SLOTS}
        turtle = io.StringIO()
        writer = _ProvenanceWriter(turtle, io.StringIO())
        writer.document(_DOCUMENT, slot["text"])
        claim = Claim(URIRef(_CLAIM), 0, slot["quote"], None, [slot["note"]], Path())
        anchor = Anchor(
            0, 1, slot["exact"], slot["sentence"], slot["prefix"], slot["suffix"], unique=False
        )
        writer.claims(_DOCUMENT, [(claim, anchor)])
        store = ox.Store()
        store.load(turtle.getvalue(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(_CLAIM))
        infer_store(store, rules, str(INFERRED_GRAPH))
        inferred = sorted(
            f"{q.triple} .\n"
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(INFERRED_GRAPH)))
        )
        # Each placeholder as it reads in an N-Triples line, and what it stands for.
        tokens = {f"<{_DOCUMENT}>": "document", f"<{_CLAIM}": "claim"}
        tokens |= {str(ox.Literal(slot[name])): name for name in _SLOTS}
        for name, predicate in (("start", OA.start), ("end", OA.end)):
            stored = next(store.quads_for_pattern(None, ox.NamedNode(str(predicate)), None))
            tokens[str(stored.object)] = name
        self._document = [(line, [t for t in tokens if t in line]) for line in inferred]
        self._claim = [(line, tokens) for line, tokens in self._document if _CLAIM in line]
        self._document = [(line, tokens) for line, tokens in self._document if _CLAIM not in line]
        self._names = tokens

    def _fill(self, templates: list[tuple[str, list[str]]], values: Callable[[str], list[str]]):
        out: list[str] = []
        for line, tokens in templates:
            filled = [line]
            for token in tokens:
                filled = [f.replace(token, v) for f in filled for v in values(self._names[token])]
            out += filled
        return "".join(out)

    def document(self, iri: str, text_name: str) -> str:
        """The N-Triples lines the rules add to a document's provenance."""
        values = {"document": [f"<{iri}>"], "text": [nt_literal(text_name)]}
        return self._fill(self._document, values.__getitem__)

    def claim(self, document: str, claim: Claim, anchor: Anchor) -> str:
        """The N-Triples lines the rules add to a claim's provenance."""
        return self._fill(self._claim, lambda name: _claim_values(name, document, claim, anchor))


def _claim_values(name: str, document: str, claim: Claim, anchor: Anchor) -> list[str]:
    """The N-Triples terms a claim gives a placeholder of :class:`_ProvenanceInference`."""
    if name == "claim":
        return [f"<{claim.iri}"]  # also the start of <claim#annotation> and the like
    if name == "document":
        return [f"<{document}>"]
    if name in ("start", "end"):
        return [nt_literal(str(getattr(anchor, name)), str(XSD.nonNegativeInteger))]
    if name == "quote":
        return [nt_literal(claim.quote or "")]
    if name == "note":
        return [nt_literal(note) for note in claim.notes]
    if name in ("prefix", "suffix") and anchor.unique:
        return []  # written only for a quote that occurs more than once
    return [nt_literal(getattr(anchor, name))]


def _json(text: str | None) -> str:
    return json.dumps(text, ensure_ascii=False)


def _anchor_all(
    corpus: Corpus, provenance: _ProvenanceWriter, advance: Callable[[int, int], None]
) -> tuple[set[URIRef], list[str]]:
    """Anchor every quote and write the provenance graph to ``provenance``.

    Returns the claims anchored and the problems (quotes not found or ambiguous). Character
    offsets are typed ``xsd:nonNegativeInteger``.
    """
    anchored: set[URIRef] = set()
    problems: list[str] = []
    total = sum(len(doc.claims) for doc in corpus.documents)
    done = 0
    for doc in corpus.documents:
        text = SourceText(doc.text)
        text_name = doc.text_path.name
        provenance.document(str(doc.iri), text_name)
        found: list[tuple[Claim, Anchor]] = []
        for claim in doc.claims:
            done += 1
            if claim.quote is None:
                continue  # reported by provenance coverage: its triples are unsourced
            try:
                anchor = anchor_quote(text, claim.quote, claim.prefix)
            except QuoteNotFoundError as exc:
                problems.append(
                    f'{_where(claim)}: quote not found in {text_name}: "{exc.quote}" '
                    f'(closest: "{exc.closest}")'
                )
                continue
            except QuoteAmbiguousError as exc:
                problems.append(f"{_where(claim)}: {exc} in {text_name}")
                continue
            anchored.add(claim.iri)
            found.append((claim, anchor))
        provenance.claims(str(doc.iri), found)
        doc.text = ""  # no longer needed: free it for the store's growth to come
        advance(done, total)
    return anchored, problems


# --- validate ---------------------------------------------------------------------------------


def _coverage(corpus: Corpus, anchored: set[URIRef], label: Labeller) -> Coverage:
    from graph.build.coverage import provenance_coverage  # reference data: triple by triple

    return provenance_coverage(corpus, anchored, label)


def _class_counts(store: ox.Store) -> dict[str, int]:
    """Instances per class of our ontology, asserted or inferred."""
    query = (
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c "
        f'FILTER(STRSTARTS(STR(?c), "{CVEKG}")) }} GROUP BY ?c'
    )
    counts = {
        Labeller.short(URIRef(row[0].value)): int(row[1].value)
        for row in store.query(query, use_default_graph_as_union=True)
    }
    return dict(sorted(counts.items()))


# --- write ------------------------------------------------------------------------------------
#
# The store holds the claims, reference data and inferred triples; the outputs add what it
# does not hold as written: literals it keeps canonically (``typed``), the ontology graph and
# the provenance graph (the Turtle the anchoring wrote). Each output streams from Oxigraph
# to its file; nothing holds a whole serialisation in memory.

_TYPED_COMMENT = b"\n# Typed literals as the sources wrote them (the store keeps them canonical).\n"


@dataclass
class _Extras:
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
        out.write(b'[{"@id":' + _json(str(PROVENANCE_GRAPH)).encode() + b',"@graph":[')
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


def _write_trig(store: ox.Store, handle, extras: _Extras) -> None:
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


def _write_turtle(store: ox.Store, handle, extras: _Extras) -> None:
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


def _write_ntriples(store: ox.Store, handle, extras: _Extras) -> None:
    """The union of every graph but provenance, in N-Triples, one graph after the other (a
    triple in two graphs is written twice: the same graph, and no set of millions of triples
    held to avoid it)."""
    for graph in sorted(store.named_graphs(), key=str):  # the store lists them in any order
        store.dump(output=handle, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
    store.dump(output=handle, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    triples = _triples(extras.typed) + _triples(extras.ontology)
    ox.serialize(triples, handle, ox.RdfFormat.N_TRIPLES)


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


def _write_jsonld(store: ox.Store, handle, extras: _Extras) -> None:
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


def _rdflib_copy(store: ox.Store, typed: list[str]) -> Dataset:
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


_WRITERS: dict[str, Callable[[ox.Store, object, _Extras], None]] = {
    "graph.trig": _write_trig,
    "graph.ttl": _write_turtle,
    "graph.nt": _write_ntriples,
    "graph.jsonld": _write_jsonld,
}


def _ontology_quads(ontology: Path, graph: ox.NamedNode) -> list[ox.Quad]:
    """The ontology's triples in its graph, blank nodes labelled the same in every build."""
    triples = ox.parse(
        path=str(ontology), format=ox.RdfFormat.TURTLE, base_iri=ontology.resolve().as_uri()
    )
    return stable_blank_nodes(triples, "ontology", graph)


@dataclass
class _Staged:
    """A build's temporary output files by name, and the folders it made to hold them
    (outermost first): what a failed build removes."""

    files: dict[str, Path] = field(default_factory=dict)
    folders: list[Path] = field(default_factory=list)

    def make_folder(self, out: Path) -> None:
        """Make ``out`` and its missing parents, noting which were made."""
        missing = [p for p in (out, *out.absolute().parents) if not p.exists()]
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CvekgError(
                f"{display_path(out)}: cannot make the output folder: {exc.strerror or exc}"
            ) from None
        self.folders = missing[::-1]

    def discard(self) -> None:
        """Remove the temporary files, and the folders this build made if still empty."""
        for tmp in self.files.values():
            tmp.unlink(missing_ok=True)
        self.files.clear()
        for folder in reversed(self.folders):
            try:
                folder.rmdir()
            except OSError:  # not empty: something else is in it now
                break
        self.folders.clear()


def _write_graph_files(
    corpus: Corpus,
    out: Path,
    typed: list[str],
    provenance: tuple[Path, Path],
    ontology: Path,
) -> _Staged:
    """Serialise the graph into temporary files in ``out`` (renamed by :func:`_publish`)."""
    store = corpus.store
    staged = _Staged()
    staged.make_folder(out)
    onto_graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    if typed:  # written as typed, while the store's canonical copies are left out
        store.update(f"DELETE DATA {{ {_sparql_data(typed)} }}")
    try:
        extras = _Extras(
            typed=list(ox.parse("".join(typed), ox.RdfFormat.N_QUADS)) if typed else [],
            ontology=_ontology_quads(ontology, onto_graph),
            provenance=provenance[0],
            provenance_jsonld=provenance[1],
        )
        for name, writer in _WRITERS.items():
            fd, tmp = temporary_file(out, name)
            staged.files[name] = tmp
            if name == "graph.trig":
                extras.trig = tmp
            with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
                writer(store, handle, extras)
    except BaseException:
        staged.discard()
        raise
    finally:
        if typed:
            store.update(f"INSERT DATA {{ {_sparql_data(typed)} }}")
    return staged


def _publish(result: BuildResult, corpus: Corpus, shapes: Path, staged: _Staged) -> list[Path]:
    """Write the report and build info, then rename every temporary file into place."""
    from graph.build.report import render_report  # keeps report formatting in one module

    out = result.out
    info = {
        "cvekg": __version__,
        "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sources": str(corpus.documents[0].trig_path.parent.resolve()),
        "inputs": {
            display_path(p): hashlib.sha256(p.read_bytes()).hexdigest()[:16]
            for p in [
                corpus.ontology_path,
                shapes,
                *(d.trig_path for d in corpus.documents),
                *(d.text_path for d in corpus.documents),
                *(r.path for r in corpus.references),
            ]
        },
        "triples": result.counts,
        "classes": result.classes,
        "claims": result.claims,
        "coverage_percent": round(result.coverage.percent, 2),
        "seconds": {k: round(v, 4) for k, v in result.seconds.items()},
    }
    rendered = {
        "report.md": render_report(result, corpus).encode("utf-8"),
        "build-info.json": (json.dumps(info, indent=2) + "\n").encode("utf-8"),
    }
    try:
        for name, data in rendered.items():
            fd, tmp = temporary_file(out, name)
            staged.files[name] = tmp
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        written = []
        staged.folders.clear()  # they stay: they hold the build now
        for name in OUTPUT_FILES:
            os.replace(staged.files.pop(name), out / name)
            written.append(out / name)
    finally:
        staged.discard()
    return written


# --- build ------------------------------------------------------------------------------------


def _check_out(out: Path, sources: Path) -> None:
    """Refuse, before any work, an output folder the build cannot or must not write to."""
    existing = next(p for p in (out, *out.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise CvekgError(
            f"{display_path(existing)}: cannot write the build here: it is a file, not a folder"
        )
    resolved, sources = out.resolve(), sources.resolve()
    if resolved == sources or sources in resolved.parents:
        # The next build would read the outputs (graph.ttl…) as sources.
        raise CvekgError(
            f"{display_path(out)}: cannot write the build here: it is inside the sources "
            f"folder {display_path(sources)} (choose an output folder outside it)"
        )


def build_graph(
    sources: Path | None = None,
    out: Path | None = None,
    ontology: Path | None = None,
    shapes: Path | None = None,
    progress: Callable[[str], None] | Progress | Phases | None = None,
) -> BuildResult:
    """Build the graph from ``sources`` into ``out``; raise ``BuildError`` on any problem.

    Parameters
    ----------
    sources : folder of ``<doc>.txt`` + ``<doc>.trig`` pairs and reference ``*.ttl`` files
        (default: the shipped ``graph/sources``).
    out : output folder (default ``./build``).
    ontology, shapes : Turtle files (default: the shipped ``ontology/``).
    progress : a :class:`graph.progress.Progress` (phases and how far each got), or a
        callable given a short line as each phase starts.

    The graph files are serialised to temporary files before validation and renamed into
    place only once every check passed (so serialising can stream from the store before
    the provenance graph joins it); a failed build removes them.
    """
    sources = Path(sources) if sources else sources_dir()
    out = Path(out) if out else Path("build")
    ontology = Path(ontology) if ontology else ontology_file()
    shapes = Path(shapes) if shapes else shapes_file()
    _check_out(out, sources)
    phases = progress if isinstance(progress, Phases) else Phases(progress)

    phases.start("load")
    corpus = load_corpus(ontology, sources, progress=phases.advance)
    store = corpus.store
    phases.done("load")

    with tempfile.TemporaryDirectory(prefix="cvekg-build-") as workdir:
        provenance_path = Path(workdir) / "provenance.ttl"
        provenance_jsonld = Path(workdir) / "provenance.jsonld"
        provenance_inferred = Path(workdir) / "provenance-inferred.nt"
        phases.start("anchor")
        rules = Rules(corpus.ontology)
        with (
            provenance_path.open("w", encoding="utf-8") as turtle,
            provenance_jsonld.open("w", encoding="utf-8") as jsonld,
            provenance_inferred.open("w", encoding="utf-8") as inferred,
        ):
            writer = _ProvenanceWriter(turtle, jsonld, inferred, _ProvenanceInference(rules))
            anchored, quote_problems = _anchor_all(corpus, writer, phases.advance)
        phases.done("anchor")
        if quote_problems:
            raise BuildError(
                f"build failed: {len(quote_problems)} quote(s) could not be anchored",
                quote_problems,
            )

        phases.start("infer")
        unclaimed = [t for doc in corpus.documents for t in doc.unclaimed]
        if unclaimed:  # kept so rules and shapes see them; coverage fails on them
            from graph.rdf import nt_term

            store.load(
                "".join(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in unclaimed),
                ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(str(UNCLAIMED_GRAPH)),
            )
        infer_store(store, rules, str(INFERRED_GRAPH))
        # What the rules add to the provenance graph (which joins the store only later):
        # after the rules ran, which would take a claimSupported back to its source.
        store.load(
            path=str(provenance_inferred),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(str(INFERRED_GRAPH)),
        )
        inferred_count = graph_size(store, str(INFERRED_GRAPH))
        phases.done("infer")

        phases.start("write")
        staged = _write_graph_files(
            corpus, out, corpus.typed, (provenance_path, provenance_jsonld), ontology
        )
        phases.done("write")

        try:
            phases.start("validate")
            store.load(
                path=str(provenance_path),
                format=ox.RdfFormat.TURTLE,
                to_graph=ox.NamedNode(str(PROVENANCE_GRAPH)),
                lenient=True,
            )
            label = Labeller(corpus.ontology, store=store)
            shacl = shacl_problems_in_store(
                store, parse_rdf_file(shapes, "turtle"), label, corpus.typed
            )
            lint = lint_problems(corpus.ontology, used=corpus.used)
            coverage = _coverage(corpus, anchored, label)
            counts = {
                "ontology": len(corpus.ontology),
                "reference": sum(r.size for r in corpus.references),
                "claims": sum(c.size for d in corpus.documents for c in d.claims),
                "provenance": graph_size(store, str(PROVENANCE_GRAPH)),
                "inferred": inferred_count,
            }
            classes = _class_counts(store)
            phases.done("validate")
        except BaseException:
            staged.discard()
            raise

    result = BuildResult(
        out=out,
        counts=counts,
        classes=classes,
        claims=len(anchored),
        coverage=coverage,
        shacl=shacl,
        lint=lint,
        seconds=phases.seconds,
        store=store,
        typed=corpus.typed,
    )
    problems = (
        [f"SHACL: {p}" for p in shacl]
        + [f"lint: {p}" for p in lint]
        + [f"provenance: {p}" for p in coverage.uncovered]
    )
    if problems:
        staged.discard()
        raise BuildError(
            f"build failed: {len(shacl)} SHACL violation(s), {len(lint)} lint problem(s), "
            f"provenance coverage {coverage.percent:.1f}%; nothing was written",
            problems,
        )

    result.files = _publish(result, corpus, shapes, staged)
    del corpus, anchored  # claims and quotes: the views get the store, which has them all
    # The store becomes the whole written graph, for the views and for callers.
    store.extend(_ontology_quads(ontology, ox.NamedNode(str(ONTOLOGY_GRAPH))))

    return result
