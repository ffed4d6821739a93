"""Read the ontology, the source documents with their claims, and the reference data.

A source folder holds, for each document, ``<doc>.txt`` (the verbatim text) and ``<doc>.trig``
(its claims), plus reference Turtle files (``places.ttl``). In a ``.trig`` file each claim is a
named graph; its quote and notes sit in the default graph, on the claim's IRI, and the file
declares its one document (``a cvekg:SourceDocument ; cvekg:text "<doc>.txt"``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, SKOS

from graph.errors import SourceError
from graph.namespaces import CVEKG, REFERENCE_GRAPH

__all__ = [
    "Claim",
    "Document",
    "ReferenceSet",
    "Corpus",
    "load_corpus",
    "parse_rdf_file",
    "CLAIM_METADATA",
    "DOCUMENT_METADATA",
]

logger = logging.getLogger(__name__)

Triple = tuple

#: Predicates a curator may put on a claim's IRI in the default graph of a ``.trig`` file.
CLAIM_METADATA = frozenset({CVEKG.quote, CVEKG.quotePrefix, SKOS.editorialNote})
#: Predicates that declare the document in the default graph.
DOCUMENT_METADATA = frozenset({RDF.type, CVEKG.text})


@dataclass
class Claim:
    """One claim: its named graph of triples and the quote that supports it."""

    iri: URIRef
    triples: Graph
    quote: str | None
    prefix: str | None
    notes: list[str]
    path: Path
    line: int
    column: int

    @property
    def name(self) -> str:
        """The claim's local name, as curators write it (``city-pair-lyon``)."""
        return self.iri.rsplit("/", 1)[-1]


@dataclass
class Document:
    """A source document: its text, its claims, and any triple asserted outside a claim."""

    iri: URIRef
    trig_path: Path
    text_path: Path
    text: str
    claims: list[Claim]
    unclaimed: list[Triple] = field(default_factory=list)


@dataclass
class ReferenceSet:
    """A reference data file, loaded into its own named graph."""

    iri: URIRef
    path: Path
    graph: Graph


@dataclass
class Corpus:
    """Everything the build reads."""

    ontology: Graph
    documents: list[Document]
    references: list[ReferenceSet]


def _line_column(data: str, offset: int) -> tuple[int, int]:
    line = data.count("\n", 0, offset) + 1
    column = offset - (data.rfind("\n", 0, offset) + 1) + 1
    return line, column


def parse_rdf_file(path: Path, fmt: str, into: Graph | Dataset | None = None) -> Graph | Dataset:
    """Parse a Turtle or TriG file; a syntax error becomes a ``file:line:column`` message."""
    target = into if into is not None else (Dataset() if fmt == "trig" else Graph())
    data = path.read_text(encoding="utf-8")
    try:
        target.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
    except SyntaxError as exc:  # rdflib's BadSyntax is a SyntaxError
        offset = getattr(exc, "_i", None)
        why = getattr(exc, "_why", None) or str(exc)
        if offset is not None:
            # rdflib's offset counts characters of the text (though it keeps the text as bytes).
            line, column = _line_column(data, offset)
        else:
            line, column = getattr(exc, "lineno", None) or 1, getattr(exc, "offset", None) or 1
        raise SourceError(path, line, column, f"{fmt.upper()} syntax error: {why}") from None
    except Exception as exc:  # other parser failures (bad IRIs, bad escapes) still name the file
        raise SourceError(path, 1, 1, f"cannot parse {fmt.upper()}: {exc}") from None
    return target


def _claim_location(data: str, claim: URIRef, prefixes: dict[str, str]) -> tuple[int, int]:
    """Where the claim's quote is written in the file (else where the claim is first named)."""
    local = claim.rsplit("/", 1)[-1]
    namespace = claim[: -len(local)]
    names = [f"<{claim}>"] + [f"{p}:{local}" for p, ns in prefixes.items() if ns == namespace]
    for name in names:
        match = re.search(re.escape(name) + r"\s+cvekg:quote\b", data)
        if match:
            return _line_column(data, match.start())
    for name in names:
        pos = data.find(name)
        if pos != -1:
            return _line_column(data, pos)
    return 1, 1


def _load_document(trig_path: Path) -> Document:
    dataset = parse_rdf_file(trig_path, "trig")
    data = trig_path.read_text(encoding="utf-8")
    prefixes = {p: str(ns) for p, ns in dataset.namespaces()}
    default = dataset.graph(DATASET_DEFAULT_GRAPH_ID)

    documents = set(default.subjects(RDF.type, CVEKG.SourceDocument))
    if len(documents) != 1:
        raise SourceError(
            trig_path,
            1,
            1,
            f"declare exactly one document (found {len(documents)}): "
            '<doc> a cvekg:SourceDocument ; cvekg:text "<doc>.txt" .',
        )
    doc_iri = documents.pop()
    text_name = default.value(doc_iri, CVEKG.text)
    if text_name is None:
        raise SourceError(trig_path, 1, 1, f"document {doc_iri} has no cvekg:text file name")
    text_path = trig_path.parent / str(text_name)
    if not text_path.is_file():
        raise SourceError(trig_path, 1, 1, f"text file not found: {text_path.name}")

    claims: list[Claim] = []
    claim_iris = set()
    for graph in dataset.graphs():
        if graph.identifier == DATASET_DEFAULT_GRAPH_ID or len(graph) == 0:
            continue
        iri = URIRef(graph.identifier)
        claim_iris.add(iri)
        triples = Graph()
        for triple in graph:
            triples.add(triple)
        quotes = list(default.objects(iri, CVEKG.quote))
        prefixes_given = list(default.objects(iri, CVEKG.quotePrefix))
        line, column = _claim_location(data, iri, prefixes)
        if len(quotes) > 1:
            raise SourceError(trig_path, line, column, f"claim {iri} has {len(quotes)} quotes")
        claims.append(
            Claim(
                iri=iri,
                triples=triples,
                quote=str(quotes[0]) if quotes else None,
                prefix=str(prefixes_given[0]) if prefixes_given else None,
                notes=[str(n) for n in default.objects(iri, SKOS.editorialNote)],
                path=trig_path,
                line=line,
                column=column,
            )
        )

    unclaimed = []
    for s, p, o in default:
        if s == doc_iri and p in DOCUMENT_METADATA:
            continue
        if s in claim_iris and p in CLAIM_METADATA:
            continue
        if p in CLAIM_METADATA and s not in claim_iris:
            line, column = _claim_location(data, URIRef(s), prefixes)
            raise SourceError(trig_path, line, column, f"{s} has a quote but no claim graph")
        unclaimed.append((s, p, o))

    claims.sort(key=lambda c: (c.line, c.column))
    text = text_path.read_text(encoding="utf-8")
    return Document(doc_iri, trig_path, text_path, text, claims, unclaimed)


def load_corpus(ontology_path: Path, sources: Path) -> Corpus:
    """Read the ontology and every ``.trig`` and ``.ttl`` file of a sources folder."""
    if not sources.is_dir():
        raise SourceError(sources, 1, 1, "sources folder not found")
    ontology = parse_rdf_file(ontology_path, "turtle")
    documents = [_load_document(p) for p in sorted(sources.glob("*.trig"))]
    references = []
    for path in sorted(sources.glob("*.ttl")):
        graph = parse_rdf_file(path, "turtle")
        references.append(ReferenceSet(URIRef(REFERENCE_GRAPH[path.stem]), path, graph))
    if not documents:
        raise SourceError(sources, 1, 1, "no source documents (*.trig) in this folder")
    logger.info("loaded %d documents, %d reference files", len(documents), len(references))
    return Corpus(ontology, documents, references)
