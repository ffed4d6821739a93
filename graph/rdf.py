"""The build's store: one in-memory Oxigraph store, and the few helpers the build shares.

The build keeps every graph (claims, reference data, provenance, inferred triples, ontology) in
one ``pyoxigraph.Store``: parsing, rules, validation queries and serialisation then run in
Oxigraph's native code, and Python touches only what it must (quotes, counts, problems).
Where code wants the rdflib API, :func:`rdflib_dataset` and :func:`rdflib_graph` wrap the same
store through oxrdflib, without copying it.

Triples the build generates (provenance, inferred triples) are written as N-Triples text and
loaded in batches: for Oxigraph, parsing text is much cheaper than receiving Python objects.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

__all__ = [
    "KEEP",
    "REWRITTEN_TYPES",
    "TripleBatch",
    "bulk_load_in_parts",
    "count_by_graph",
    "graph_size",
    "graph_quads",
    "nquad",
    "protect_literals",
    "restore_protected",
    "stable_blank_nodes",
    "unprotect",
    "from_ox",
    "nt_iri",
    "nt_literal",
    "nt_term",
    "rdflib_dataset",
    "rdflib_graph",
    "to_ox",
]

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r]')


def nt_literal(value: str, datatype: str | None = None, language: str | None = None) -> str:
    """A literal in N-Triples syntax (``"text"``, ``"1"^^<…>`` or ``"texte"@fr``)."""
    if _NEEDS_ESCAPE.search(value):
        value = value.translate(_ESCAPES)
    if language:
        return f'"{value}"@{language}'
    if datatype:
        return f'"{value}"^^<{datatype}>'
    return f'"{value}"'


def nt_iri(iri: str) -> str:
    """An IRI in N-Triples syntax."""
    return f"<{iri}>"


def nt_term(term: object) -> str:
    """Any rdflib or Oxigraph term in N-Triples syntax."""
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return str(term)
    from rdflib import BNode, Literal, URIRef  # rdflib terms: only the inference API passes them

    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return nt_literal(str(term), str(term.datatype) if term.datatype else None, term.language)
    raise TypeError(f"not an RDF term: {term!r}")


def to_ox(term: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as an Oxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
        return ox.Literal(str(term), datatype=datatype)
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal):
    """An Oxigraph term as an rdflib term (without importing oxrdflib and rdflib's SPARQL)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD + "string":  # rdflib's plain literal
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


class TripleBatch:
    """Collects N-Triples lines for one graph and loads them into the store in batches."""

    def __init__(self, store: ox.Store, graph: str, size: int = 200_000):
        self.store = store
        self.graph = ox.NamedNode(graph)
        self.size = size
        self.lines: list[str] = []
        self.loaded = 0

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """Add one triple, each term already in N-Triples syntax."""
        self.lines.append(f"{subject} {predicate} {obj} .\n")
        if len(self.lines) >= self.size:
            self.flush()

    def extend(self, lines: Iterable[str]) -> None:
        """Add complete N-Triples lines (``"<s> <p> <o> .\\n"``)."""
        self.lines.extend(lines)
        if len(self.lines) >= self.size:
            self.flush()

    def flush(self) -> None:
        """Load what was collected."""
        if self.lines:
            self.store.load("".join(self.lines), ox.RdfFormat.N_TRIPLES, to_graph=self.graph)
            self.loaded += len(self.lines)
            self.lines = []


def count_by_graph(store: ox.Store) -> dict[str, int]:
    """Triples per named graph (graph IRI -> count), counted in one pass by Oxigraph."""
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    return {row[0].value: int(row[1].value) for row in store.query(query)}


def graph_size(store: ox.Store, graph: str) -> int:
    """Triples in one named graph, counted by Oxigraph."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return int(next(iter(store.query(query)))[0].value)


def graph_quads(store: ox.Store, graph: str) -> Iterator[ox.Quad]:
    """The quads of one named graph."""
    return store.quads_for_pattern(None, None, None, ox.NamedNode(graph))


def rdflib_dataset(store: ox.Store):
    """An rdflib ``Dataset`` over the Oxigraph store (oxrdflib), sharing its data."""
    from oxrdflib import OxigraphStore
    from rdflib import Dataset

    from graph.namespaces import bind_prefixes

    dataset = Dataset(store=OxigraphStore(store=store))
    bind_prefixes(dataset)
    return dataset


def rdflib_graph(store: ox.Store, graph: str):
    """An rdflib ``Graph`` over one named graph of the Oxigraph store, sharing its data."""
    from oxrdflib import OxigraphStore
    from rdflib import Graph, URIRef

    return Graph(store=OxigraphStore(store=store), identifier=URIRef(graph))


# --- Literals Oxigraph would rewrite ------------------------------------------------------------
#
# Oxigraph stores some typed literals canonically (oxigraph/oxigraph#526): "22" typed
# xsd:nonNegativeInteger becomes "22"^^xsd:integer, "49.0"^^xsd:decimal becomes "49". Queries
# and shapes see values either way, but the build's outputs must say what the sources say. So
# the loader marks such literals in the text it hands Oxigraph, reads the marked ones back
# (by their exact value: an index lookup, not a scan), stores them canonically as Oxigraph
# wants, and keeps their original form as N-Quads lines: the build writes those back into its
# outputs and shows them to the shape checks.

XSD = "http://www.w3.org/2001/XMLSchema#"
#: Where a marked literal's datatype points while Oxigraph parses it (never written out).
KEEP = "https://w3id.org/cvekg/keep#"
#: XSD datatypes whose literals Oxigraph rewrites (to xsd:integer, xsd:dateTime, or a
#: canonical lexical form).
INTEGER_TYPES = frozenset(
    "integer int long short byte nonNegativeInteger positiveInteger nonPositiveInteger "
    "negativeInteger unsignedLong unsignedInt unsignedShort unsignedByte".split()
)
REWRITTEN_TYPES = INTEGER_TYPES | {"decimal", "double", "float", "boolean", "dateTimeStamp"}


@functools.lru_cache(maxsize=16)
def _rewritten_datatype(xsd_prefixes: tuple[str, ...]) -> re.Pattern:
    """``^^`` and a datatype Oxigraph rewrites, as an IRI or with one of the XSD prefixes."""
    names = "|".join(sorted(REWRITTEN_TYPES, key=len, reverse=True))
    forms = [f"<{re.escape(XSD)}({names})>"]
    if xsd_prefixes:
        alternatives = "|".join(re.escape(p) for p in xsd_prefixes)
        forms.append(f"(?:{alternatives}):({names})(?![\\w-]|\\.[\\w-])")
    else:
        forms.append(f"(?!)({names})")
    return re.compile(r"\^\^(?:" + "|".join(forms) + ")")


_CANONICAL = {
    "integer": re.compile(r"-?(0|[1-9][0-9]*)"),
    "decimal": re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?"),
    "boolean": re.compile(r"true|false"),
}


def _kept_as_is(local: str, lexical: str) -> bool:
    """True when Oxigraph stores this literal exactly as written (so it needs no marking)."""
    canonical = _CANONICAL.get(local)
    return canonical is not None and bool(canonical.fullmatch(lexical)) and lexical != "-0"


#: What can hold a quote or ``^^`` that is not syntax: IRIs, comments, strings (long and
#: short, either quote). Scanned in order, these tell where each string term starts.
_OPAQUE = re.compile(
    r"<[^<>\n]*>|#[^\n]*"
    r'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'",
    re.S,
)


def _terms_starting_at(data: str, starts: set[int]) -> set[int]:
    """Which of ``starts`` begin a string term of the text (rather than fall inside a string
    or a comment): the text's strings, comments and IRIs are scanned up to the last one."""
    last = max(starts)
    found = set()
    for token in _OPAQUE.finditer(data):
        begin = token.start()
        if begin > last:
            break
        if begin in starts:
            found.add(begin)
    return found


def protect_literals(data: str, prefixes: dict[str, str]) -> tuple[str, set[tuple[str, str]]]:
    """Mark in Turtle/TriG text the typed literals Oxigraph would rewrite.

    Returns the text to parse and the set of ``(lexical form, XSD local name)`` marked. The
    search starts from each ``^^``, so text without typed literals costs one scan; a text
    with some is scanned once more, to leave alone those written inside a string or comment.
    """
    marked: set[tuple[str, str]] = set()
    if "^^" not in data:
        return data, marked
    xsd_prefixes = tuple(sorted(p for p, ns in prefixes.items() if ns == XSD))
    candidates: list[tuple[int, re.Match, str, str]] = []
    for match in _rewritten_datatype(xsd_prefixes).finditer(data):
        local = match.group(1) or match.group(2)
        # The literal ends just before "^^"; the lexical forms of these types hold no quote.
        end = match.start() - 1
        quote = data[end] if end >= 0 else ""
        if quote not in ('"', "'"):
            continue
        start = data.rfind(quote, 0, end)
        lexical = data[start + 1 : end]
        if start <= 0 or data[start - 1] in (quote, "\\") or not lexical:
            continue  # a long string or an escaped quote: left as it is
        if "\\" in lexical or "\n" in lexical or _kept_as_is(local, lexical):
            continue
        candidates.append((start, match, lexical, local))
    if not candidates:
        return data, marked
    terms = _terms_starting_at(data, {start for start, *_ in candidates})
    out: list[str] = []
    pos = 0
    for start, match, lexical, local in candidates:
        if start not in terms:
            continue
        marked.add((lexical, local))
        out.append(data[pos : match.start()])
        out.append(f"^^<{KEEP}{local}>")
        pos = match.end()
    if not out:
        return data, marked
    out.append(data[pos:])
    return "".join(out), marked


def unprotect(term):
    """A literal read back from the store with its marked datatype turned back into XSD."""
    if isinstance(term, ox.Literal) and term.datatype.value.startswith(KEEP):
        return ox.Literal(term.value, datatype=ox.NamedNode(XSD + term.datatype.value[len(KEEP) :]))
    return term


def restore_protected(store: ox.Store, marked: Iterable[tuple[str, str]]) -> list[str]:
    """Store marked literals the way Oxigraph wants them; return their original N-Quads lines.

    When the sources also wrote the canonical form itself on the same triple (``"49"`` typed
    ``xsd:nonNegativeInteger`` and ``xsd:integer``), both become one quad in the store: its
    line is returned too, so outputs and shapes see both values.
    """
    lines: list[str] = []
    restored: set[ox.Quad] = set()
    for lexical, local in sorted(marked):
        keep = ox.Literal(lexical, datatype=ox.NamedNode(KEEP + local))
        original = ox.Literal(lexical, datatype=ox.NamedNode(XSD + local))
        quads = list(store.quads_for_pattern(None, None, keep, None))
        for quad in quads:
            store.remove(quad)
            s, p, g = quad.subject, quad.predicate, quad.graph_name
            written = next(store.quads_for_pattern(s, p, original, g), None)
            if written is not None and written not in restored:
                lines.append(nquad(s, p, written.object, g))
            store.add(ox.Quad(s, p, original, g))
            restored.add(next(store.quads_for_pattern(s, p, original, g)))
            lines.append(nquad(s, p, original, g))
    return lines


def stable_blank_nodes(
    quads: Iterable[ox.Quad], tag: str, graph: ox.NamedNode | None = None
) -> list[ox.Quad]:
    """The quads with their blank nodes labelled ``<tag>1``, ``<tag>2``… in the order they
    come (into ``graph`` if given).

    The parsers label blank nodes at random, and the store's serialisations follow their
    labels: the outputs would differ from one build of the same sources to the next. A
    ``tag`` holding a letter beyond ``f`` never meets the store's own (hexadecimal) labels.
    """
    labels: dict[ox.BlankNode, ox.BlankNode] = {}

    def stable(term):
        if isinstance(term, ox.BlankNode):
            if term not in labels:
                labels[term] = ox.BlankNode(f"{tag}{len(labels) + 1}")
            return labels[term]
        return term

    return [
        ox.Quad(
            stable(q.subject),
            q.predicate,
            stable(q.object),
            graph if graph is not None else stable(q.graph_name),
        )
        for q in quads
    ]


def nquad(subject, predicate, obj, graph) -> str:
    """One N-Quads line (an Oxigraph default graph gives an N-Triples line)."""
    if isinstance(graph, ox.DefaultGraph):
        return f"{subject} {predicate} {obj} .\n"
    return f"{subject} {predicate} {obj} {graph} .\n"


#: The size of each part :func:`bulk_load_in_parts` hands Oxigraph's bulk loader: about half a
#: million quads of our graph.nq, whose indexes the loader sorts in memory (about 0.4 GB).
BULK_PART_BYTES = 100 << 20


def bulk_load_in_parts(
    store: ox.Store, path: str, fmt: ox.RdfFormat, part_bytes: int = BULK_PART_BYTES
) -> int:
    """Bulk-load the line-based RDF file at ``path`` (N-Quads, N-Triples) into the on-disk
    ``store`` in parts of about ``part_bytes``, each ending at a line break; return how many.

    Oxigraph's bulk loader sorts a batch of a million quads per thread in memory before it
    writes them: 1.8 GB at our 1M-triple build's 5.2M quads, beside the build's own store.
    Parts of 100 MB bound it to about 0.5 GB for some 8% more CPU (measured on that build:
    80 s and 1,837 MB in one go, 87 s and 555 MB in parts). Each line of these formats is a
    whole statement, but Oxigraph names a file's blank nodes afresh in every load: the lines
    that may name one (those holding ``_:``, a few hundred in our graph) are set aside and
    loaded together, last, so each blank node stays one node.
    """
    import tempfile

    parts = 0
    with open(path, "rb") as handle, tempfile.TemporaryFile() as aside:
        while chunk := handle.read(part_bytes):
            chunk += handle.readline()
            if b"_:" in chunk:
                lines = chunk.splitlines(keepends=True)
                aside.writelines(line for line in lines if b"_:" in line)
                chunk = b"".join(line for line in lines if b"_:" not in line)
            if chunk:
                store.bulk_load(chunk, fmt)
                parts += 1
        if aside.tell():
            aside.seek(0)
            store.bulk_load(aside, fmt)
            parts += 1
    return parts
