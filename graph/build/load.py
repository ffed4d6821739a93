"""Read the ontology, the source documents with their claims, and the reference data.

A source folder holds, for each document, ``<doc>.txt`` (the verbatim text) and ``<doc>.trig``
(its claims), plus reference Turtle files (``places.ttl``). In a ``.trig`` file each claim is a
named graph; its quote and notes sit in the default graph, on the claim's IRI, and the file
declares its one document (``a cvekg:SourceDocument ; cvekg:text "<doc>.txt"``).

Claims and reference data are parsed by Oxigraph straight into one store (the build's store,
``Corpus.store``), each claim in its named graph. Python sees each file once more, as Oxigraph
parses it, to keep its default graph (quotes, notes, the document) and to count triples per
graph and the terms used: reading those back from a store holding every file would cost a
scan per file. The ontology, small and read rule by rule, is parsed with rdflib.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from graph.errors import SourceError, line_column
from graph.namespaces import CVEKG, REFERENCE_GRAPH
from graph.rdf import (
    XSD,
    count_by_graph,
    from_ox,
    graph_size,
    protect_literals,
    rdflib_graph,
    restore_protected,
    stable_blank_nodes,
    unprotect,
)

__all__ = [
    "Claim",
    "Document",
    "ReferenceSet",
    "Corpus",
    "load_corpus",
    "parse_rdf_file",
    "read_source",
    "reference_graph_iri",
    "CLAIM_METADATA",
    "DOCUMENT_METADATA",
]

logger = logging.getLogger(__name__)

Triple = tuple

#: Predicates a curator may put on a claim's IRI in the default graph of a ``.trig`` file.
CLAIM_METADATA = frozenset({CVEKG.quote, CVEKG.quotePrefix, SKOS.editorialNote, CVEKG.support})
#: Predicates that declare the document in the default graph.
DOCUMENT_METADATA = frozenset({RDF.type, CVEKG.text})

_QUOTE = ox.NamedNode(str(CVEKG.quote))
_QUOTE_PREFIX = ox.NamedNode(str(CVEKG.quotePrefix))
_NOTE = ox.NamedNode(str(SKOS.editorialNote))
_SUPPORT = ox.NamedNode(str(CVEKG.support))
_TYPE = ox.NamedNode(str(RDF.type))
_TEXT = ox.NamedNode(str(CVEKG.text))
_SOURCE_DOCUMENT = ox.NamedNode(str(CVEKG.SourceDocument))
_VALUE_SOURCE = ox.NamedNode(str(CVEKG.valueSource))
_CLAIM_METADATA = frozenset({_QUOTE, _QUOTE_PREFIX, _NOTE, _SUPPORT})
_DOCUMENT_METADATA = frozenset({_TYPE, _TEXT})

_BLANK = ox.BlankNode
_ANY_BLANK = "FILTER(isBlank(?s) || isBlank(?o))"
_PREFIX_DECLARATION = re.compile(r"(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^<>\s]*)>", re.IGNORECASE)
_PREFIX_KEYWORD = re.compile(r"(?:@prefix|PREFIX|prefix)\s")
_BEFORE_IRI = re.compile(r"([\w.-]*):\s*$")
_QUOTE_PREDICATE = re.compile(r"[ \t]cvekg:quote\b")
# Where Oxigraph says the error is, in each of its forms: the message gives it once, first.
_PARSER_POSITION = re.compile(
    r"^Parser error (?:at line \d+ between columns \d+ and \d+|at line \d+ column \d+"
    r"|between line \d+ column \d+ and line \d+ column \d+): "
)


class _Locator:
    """Where each claim of one ``.trig`` file is written, worked out only when asked for
    (error messages): the file is read again then, not kept in memory."""

    def __init__(self, path: Path):
        self.path = path
        self._data: str | None = None
        self._prefixes: dict[str, str] = {}
        self._found: dict[str, tuple[int, int]] = {}

    def find(self, claim: URIRef) -> tuple[int, int]:
        if self._data is None:
            self._data = read_source(self.path)
            self._prefixes = _prefixes(self._data)
            self._found = _quote_locations(self._data, self._prefixes)
        found = self._found.get(str(claim))
        return found or _claim_location(self._data, claim, self._prefixes)


@dataclass
class Claim:
    """One claim: its named graph (in the corpus store) and the quote that supports it.

    ``line`` and ``column`` say where its quote is written in ``path``.
    """

    iri: URIRef
    size: int
    quote: str | None
    prefix: str | None
    notes: list[str]
    path: Path
    location: tuple[int, int] | None = None
    store: ox.Store | None = field(default=None, repr=False, compare=False)
    locator: _Locator | None = field(default=None, repr=False, compare=False)
    #: How the claim stands to its quote: ``cvekg:stated`` or ``cvekg:readFromContext``.
    support: str | None = None

    @property
    def name(self) -> str:
        """The claim's local name, as curators write it (``city-pair-lyon``)."""
        return self.iri.rsplit("/", 1)[-1]

    def _where(self) -> tuple[int, int]:
        if self.location is None:
            self.location = self.locator.find(self.iri) if self.locator else (1, 1)
        return self.location

    @property
    def line(self) -> int:
        """The line of the claim's quote in its ``.trig`` file."""
        return self._where()[0]

    @property
    def column(self) -> int:
        """The column of the claim's quote in its ``.trig`` file."""
        return self._where()[1]

    @property
    def triples(self) -> Graph:
        """The claim's triples: an rdflib view of its named graph in the store (no copy)."""
        if self.store is None:
            return Graph()
        return rdflib_graph(self.store, str(self.iri))


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
    """A reference data file, loaded into its own named graph of the corpus store.

    ``about_itself`` counts the triples describing the dataset and its value sources;
    ``has_source`` says whether the dataset declares any source (``dcterms:source`` or
    ``cvekg:valueSource``). Which triples a declared source covers is decided triple by
    triple by :mod:`graph.build.coverage`.
    """

    iri: URIRef
    path: Path
    size: int
    about_itself: int
    has_source: bool
    store: ox.Store | None = field(default=None, repr=False, compare=False)

    @property
    def facts(self) -> int:
        """Triples of reference data proper (not the description of the dataset itself)."""
        return self.size - self.about_itself

    @property
    def graph(self) -> Graph:
        """The reference triples: an rdflib view of the named graph (no copy)."""
        if self.store is None:
            return Graph()
        return rdflib_graph(self.store, str(self.iri))


@dataclass
class Corpus:
    """Everything the build reads; ``store`` holds the claims and reference data.

    ``typed`` holds, as N-Quads lines, the literals the store keeps in a canonical form other
    than the sources' (``"22"^^xsd:nonNegativeInteger`` is stored as an ``xsd:integer``), as
    the sources wrote them (see :func:`graph.rdf.protect_literals`). ``used`` holds the
    predicates and classes the sources use (for the ontology lint).
    """

    ontology: Graph
    documents: list[Document]
    references: list[ReferenceSet]
    store: ox.Store = field(default_factory=ox.Store, repr=False)
    ontology_path: Path | None = None
    typed: list[str] = field(default_factory=list, repr=False)
    used: set = field(default_factory=set, repr=False)


@dataclass
class _Census:
    """What the Python pass over the parsed quads notes: triples per graph (keyed by graph
    name), predicates and classes used (noted in the same pass, rather than asked of the
    store afterwards: 0.09 s at 1M)."""

    sizes: Counter = field(default_factory=Counter)
    predicates: set = field(default_factory=set)
    classes: set = field(default_factory=set)
    quads: int = 0


def read_source(path: Path, keep_line_breaks: bool = False) -> str:
    """The text of a source file; bytes that are not UTF-8 give a ``file:line:column`` error.

    With ``keep_line_breaks``, ``"\r\n"`` and ``"\r"`` stay as they are (offsets into a
    text file count the characters on disk); otherwise they read as ``"\n"``, and a Turtle or
    TriG file's byte order mark is dropped (the parsers refuse it; editors do not show it).
    """
    try:
        with open(path, encoding="utf-8", newline="" if keep_line_breaks else None) as handle:
            data = handle.read()
    except UnicodeDecodeError as exc:
        raw = path.read_bytes()
        before = raw[: exc.start].decode("utf-8", errors="replace")
        before = before.replace("\r\n", "\n").replace("\r", "\n")
        line, column = line_column(before, len(before))
        raise SourceError(
            path,
            line,
            column,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}: {exc.reason}); save it as UTF-8",
        ) from None
    except OSError as exc:
        raise SourceError(path, 1, 1, f"cannot read: {exc.strerror or exc}") from None
    if not keep_line_breaks and data.startswith("\ufeff"):
        data = data[1:]
    return data


def parse_rdf_file(path: Path, fmt: str, into: Graph | Dataset | None = None) -> Graph | Dataset:
    """Parse a Turtle or TriG file; a syntax error becomes a ``file:line:column`` message."""
    target = into if into is not None else (Dataset() if fmt == "trig" else Graph())
    data = read_source(path)
    try:
        target.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
    except SyntaxError as exc:  # rdflib's BadSyntax is a SyntaxError
        offset = getattr(exc, "_i", None)
        why = getattr(exc, "_why", None) or str(exc)
        if offset is not None:
            # rdflib's offset counts characters of the text (though it keeps the text as bytes).
            line, column = line_column(data, offset)
        else:
            line, column = getattr(exc, "lineno", None) or 1, getattr(exc, "offset", None) or 1
        raise SourceError(path, line, column, f"{fmt.upper()} syntax error: {why}") from None
    except Exception as exc:  # other parser failures (bad IRIs, bad escapes) still name the file
        raise SourceError(path, 1, 1, f"cannot parse {fmt.upper()}: {exc}") from None
    return target


_NOT_IN_IRI_NAME = re.compile(r"[^\w.~-]")


def reference_graph_iri(path: Path) -> str:
    """The named graph of a reference file: ``…/graph/reference/<name>``, the name
    percent-encoded where it holds what an IRI may not (``my places`` → ``my%20places``)."""
    name = _NOT_IN_IRI_NAME.sub(
        lambda m: "".join(f"%{byte:02X}" for byte in m.group().encode("utf-8")), path.stem
    )
    return str(REFERENCE_GRAPH[name])


def _load_into(
    store: ox.Store,
    path: Path,
    data: str,
    fmt: ox.RdfFormat,
    to_graph: ox.NamedNode | None = None,
    marked: set[tuple[str, str]] | None = None,
    census: _Census | None = None,
) -> list[ox.Quad]:
    """Parse ``data`` (the text of ``path``) into the store; errors name file, line, column.

    Literals Oxigraph would rewrite are marked first and added to ``marked``. With a
    ``census``, the text is parsed once, in Python: the census counts the quads, the quads
    of the default graph are returned (for TriG: the quotes and notes), and the store gets
    the parsed quads (``extend``) rather than parsing the text again: loading the 1M corpus's
    2,049 documents took 7.3-8.7 s parsed twice, 5.0-5.4 s so, and 4.8-5.6 s for
    ``Store.load`` alone.
    """
    if census is not None and to_graph is not None:
        raise ValueError("a census is taken of files loaded into the graphs they name")
    name = "TRIG" if fmt == ox.RdfFormat.TRIG else "TURTLE"
    text = data
    if marked is not None:
        text, found = protect_literals(data, _xsd_prefixes(data))
        marked |= found
    base = path.resolve().as_uri()
    default: list[ox.Quad] = []
    try:
        blank = False
        parsed: list[ox.Quad] | None = None
        if census is not None:
            sizes, predicates, classes = census.sizes, census.predicates, census.classes
            parsed = list(ox.parse(text, fmt, base_iri=base))
            for q in parsed:
                graph = q.graph_name
                if isinstance(graph, ox.DefaultGraph):
                    default.append(q)
                    continue
                sizes[graph] += 1
                predicate = q.predicate
                predicates.add(predicate)
                if predicate == _TYPE:
                    classes.add(q.object)
                if not blank and (type(q.subject) is _BLANK or type(q.object) is _BLANK):
                    blank = True
            if not blank:  # what Store.load would add, default graph included
                store.extend(parsed)
        else:
            store.load(text, fmt, base_iri=base, to_graph=to_graph)
        if census is None and to_graph is not None:  # not seen in Python: ask the store
            blank = bool(store.query(f"ASK {{ GRAPH {to_graph} {{ ?s ?p ?o {_ANY_BLANK} }} }}"))
            if blank:
                store.clear_graph(to_graph)
        if blank:
            # Labels the same in every build (the parser draws them at random).
            tag = "s" + hashlib.sha256(path.name.encode("utf-8")).hexdigest()[:12] + "n"
            quads = parsed if parsed is not None else ox.parse(text, fmt, base_iri=base)
            store.extend(stable_blank_nodes(quads, tag, to_graph))
    except SyntaxError as exc:
        error = exc
        if text is not data:  # marking moved columns: find the error in the text as written
            try:
                ox.Store().load(data, fmt, base_iri=base)
            except SyntaxError as original:
                error = original
        # Oxigraph counts lines and columns (of characters) from 1, as editors do.
        message = _PARSER_POSITION.sub("", error.msg)
        line, column = error.lineno or 1, error.offset or 1
        raise SourceError(path, line, column, f"{name} syntax error: {message}") from None
    except MemoryError as exc:  # Oxigraph holds one term in a buffer of at most 16 MiB
        line, column = _longest_line(data)
        raise SourceError(
            path,
            line,
            column,
            f"a literal or IRI here is too long to read ({exc}): sources hold quotes and "
            "facts, not whole documents; put long text in the document's .txt file",
        ) from None
    except (OSError, ValueError) as exc:
        raise SourceError(path, 1, 1, f"cannot parse {name}: {exc}") from None
    return default


def _longest_line(data: str) -> tuple[int, int]:
    """Where the longest line of ``data`` starts (line, column 1): where a term too long for
    the parser most likely is."""
    best, best_line, line, start = -1, 1, 1, 0
    while start <= len(data):
        end = data.find("\n", start)
        end = len(data) if end < 0 else end
        if end - start > best:
            best, best_line = end - start, line
        start, line = end + 1, line + 1
    return best_line, 1


def _xsd_prefixes(data: str) -> dict[str, str]:
    """The prefixes a text declares for XSD (found from the XSD IRI: one fast scan)."""
    found = {}
    needle = f"<{XSD}>"
    pos = data.find(needle)
    while pos != -1:
        match = _BEFORE_IRI.search(data, max(0, pos - 200), pos)
        if match:
            found[match.group(1)] = XSD
        pos = data.find(needle, pos + 1)
    return found


def _prefixes(data: str) -> dict[str, str]:
    """The prefixes a Turtle or TriG text declares (``@prefix`` or ``PREFIX``)."""
    found = {}
    for keyword in _PREFIX_KEYWORD.finditer(data):
        match = _PREFIX_DECLARATION.match(data, keyword.start())
        if match:
            found[match.group(1)] = match.group(2)
    return found


def _written_names(iri: str, prefixes: dict[str, str]) -> list[str]:
    """The ways a file with these prefixes can write ``iri``: ``<iri>`` or ``prefix:local``."""
    local = iri.rsplit("/", 1)[-1]
    namespace = iri[: -len(local)]
    return [f"<{iri}>"] + [f"{p}:{local}" for p, ns in prefixes.items() if ns == namespace]


def _claim_location(data: str, claim: URIRef, prefixes: dict[str, str]) -> tuple[int, int]:
    """Where the claim's quote is written in the file (else where the claim is first named)."""
    names = _written_names(claim, prefixes)
    for name in names:
        match = re.search(re.escape(name) + r"\s+cvekg:quote\b", data)
        if match:
            return line_column(data, match.start())
    for name in names:
        pos = data.find(name)
        if pos != -1:
            return line_column(data, pos)
    return 1, 1


def _quote_locations(data: str, prefixes: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Line and column of the first ``<claim> cvekg:quote`` of each claim, in one pass."""
    first: dict[str, int] = {}
    for match in _QUOTE_PREDICATE.finditer(data):
        # The subject is the token just before the predicate, on the same line.
        line_start = data.rfind("\n", 0, match.start()) + 1
        head = data[line_start : match.start()].rstrip()
        start = max(head.rfind(" "), head.rfind("\t")) + 1
        token = head[start:]
        if token.startswith("<") and token.endswith(">"):
            iri = token[1:-1]
        else:
            prefix, colon, local = token.partition(":")
            if not colon or prefix not in prefixes:
                continue
            iri = prefixes[prefix] + local
        first.setdefault(iri, line_start + start)
    locations: dict[str, tuple[int, int]] = {}
    line, pos = 1, 0
    for iri, offset in sorted(first.items(), key=lambda item: item[1]):
        line += data.count("\n", pos, offset)
        pos = offset
        locations[iri] = (line, offset - (data.rfind("\n", 0, offset) + 1) + 1)
    return locations


def _text_place(trig_path: Path, text_name: str) -> tuple[int, int]:
    """Line and column of the ``cvekg:text`` value in ``trig_path`` (1, 1 if not found)."""
    data = read_source(trig_path)
    for quote in ('"', "'"):
        at = data.find(f"{quote}{text_name}{quote}")
        if at >= 0:
            return line_column(data, at)
    at = data.find("cvekg:text")
    return line_column(data, at) if at >= 0 else (1, 1)


def _text_file(trig_path: Path, text_name: str) -> Path:
    """The file ``cvekg:text`` names: a regular file inside the sources folder, or an error.

    A source names its text relative to its own folder; an absolute path, a ``..`` step, or a
    symbolic link leading out of the folder would let a source publish any file the build can
    read (``/etc/passwd``, a key) in the graph, its views and its pages, so each is refused
    with the place of the name in the ``.trig`` file.
    """
    folder = trig_path.parent.resolve()

    def refuse(why: str) -> SourceError:
        line, column = _text_place(trig_path, text_name)
        return SourceError(trig_path, line, column, f"cvekg:text {text_name!r} {why}")

    if "\x00" in text_name or not text_name.strip():
        raise refuse("is not a file name")
    name = Path(text_name)
    if name.is_absolute() or text_name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", text_name):
        raise refuse("is an absolute path: name a file inside the sources folder")
    if ".." in re.split(r"[/\\]", text_name):
        raise refuse("steps out of the sources folder (..): name a file inside it")
    text_path = trig_path.parent / name
    if not text_path.exists() and not text_path.is_symlink():
        raise refuse(f"names no file: text file not found: {text_path.name}")
    resolved = text_path.resolve()
    if not resolved.is_relative_to(folder):
        raise refuse(
            f"leads out of the sources folder (a symbolic link to {resolved}): "
            "only files inside it are read"
        )
    if not resolved.is_file():
        raise refuse("is not a regular file")
    return text_path


def _load_document(
    store: ox.Store, trig_path: Path, marked: set[tuple[str, str]], census: _Census
) -> Document:
    """Load one ``.trig`` file's claims into the store; read its default graph into Python."""
    data = read_source(trig_path)
    default = _load_into(store, trig_path, data, ox.RdfFormat.TRIG, marked=marked, census=census)
    del data

    documents = {
        q.subject for q in default if q.predicate == _TYPE and q.object == _SOURCE_DOCUMENT
    }
    if len(documents) != 1:
        raise SourceError(
            trig_path,
            1,
            1,
            f"declare exactly one document (found {len(documents)}): "
            '<doc> a cvekg:SourceDocument ; cvekg:text "<doc>.txt" .',
        )
    doc = documents.pop()
    doc_iri = URIRef(doc.value)
    text_name = next(
        (q.object.value for q in default if q.subject == doc and q.predicate == _TEXT), None
    )
    if text_name is None:
        raise SourceError(trig_path, 1, 1, f"document {doc_iri} has no cvekg:text file name")
    text_path = _text_file(trig_path, text_name)

    metadata: dict[str, dict[ox.NamedNode, list[str]]] = {}
    unclaimed: list[Triple] = []
    for q in default:
        if q.predicate in _CLAIM_METADATA and isinstance(q.subject, ox.NamedNode):
            metadata.setdefault(q.subject.value, {}).setdefault(q.predicate, []).append(
                q.object.value
            )
        elif not (q.subject == doc and q.predicate in _DOCUMENT_METADATA):
            obj = from_ox(unprotect(q.object))
            unclaimed.append((from_ox(q.subject), from_ox(q.predicate), obj))
            census.predicates.add(q.predicate)
            if q.predicate == _TYPE:
                census.classes.add(q.object)

    locator = _Locator(trig_path)
    claims: list[Claim] = []
    for iri, values in metadata.items():  # in the order the file gives them
        claim = Claim(
            iri=URIRef(iri),
            size=0,  # counted once every file is read
            quote=None,
            prefix=None,
            notes=values.get(_NOTE, []),
            path=trig_path,
            store=store,
            locator=locator,
        )
        quotes = values.get(_QUOTE, [])
        if len(quotes) > 1:
            raise SourceError(
                trig_path, claim.line, claim.column, f"claim {iri} has {len(quotes)} quotes"
            )
        supports = values.get(_SUPPORT, [])
        if len(supports) > 1:
            raise SourceError(
                trig_path,
                claim.line,
                claim.column,
                f"claim {iri} says {len(supports)} ways it stands to its quote "
                "(cvekg:support): give one",
            )
        claim.support = supports[0] if supports else None
        given_prefix = values.get(_QUOTE_PREFIX, [])
        claim.quote = quotes[0] if quotes else None
        claim.prefix = given_prefix[0] if given_prefix else None
        claims.append(claim)
    # Line breaks as the file has them ("\r\n" too): offsets count the characters on disk.
    text = read_source(text_path, keep_line_breaks=True)
    return Document(doc_iri, trig_path, text_path, text, claims, unclaimed)


def _attach_unquoted_graphs(documents: list[Document], graphs: list[str], store: ox.Store) -> None:
    """Named graphs with no quote are claims without a quote: find the file that names them."""
    todo = set(graphs)
    for doc in documents:
        if not todo:
            break
        data = read_source(doc.trig_path)
        prefixes = _prefixes(data)
        for iri in sorted(todo):
            names = _written_names(iri, prefixes)
            match = next(
                (m for n in names if (m := re.search(re.escape(n) + r"\s*\{", data))), None
            )
            if match is None:
                continue
            where = line_column(data, match.start())
            doc.claims.append(Claim(URIRef(iri), 0, None, None, [], doc.trig_path, where, store))
            todo.discard(iri)
    for iri in sorted(todo):  # named in no file we can find: report it on the first document
        doc = documents[0]
        doc.claims.append(Claim(URIRef(iri), 0, None, None, [], doc.trig_path, (1, 1), store))


def _reference_terms(store: ox.Store, graph: str, census: _Census) -> None:
    """The predicates and classes a reference graph uses (it is not parsed in Python)."""
    for row in store.query(f"SELECT DISTINCT ?p WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"):
        census.predicates.add(row[0])
    for row in store.query(f"SELECT DISTINCT ?c WHERE {{ GRAPH <{graph}> {{ ?s a ?c }} }}"):
        census.classes.add(row[0])


def load_corpus(
    ontology_path: Path,
    sources: Path,
    progress: Callable[[int, int], None] | None = None,
) -> Corpus:
    """Read the ontology and every ``.trig`` and ``.ttl`` file of a sources folder.

    ``progress(done, total)`` is called as files are read.
    """
    if not sources.is_dir():
        raise SourceError(sources, 1, 1, "sources folder not found")
    ontology = parse_rdf_file(ontology_path, "turtle")
    trig_paths = sorted(sources.glob("*.trig"))
    ttl_paths = sorted(sources.glob("*.ttl"))
    if not trig_paths:
        raise SourceError(sources, 1, 1, "no source documents (*.trig) in this folder")
    store = ox.Store()
    total = len(trig_paths) + len(ttl_paths)
    documents = []
    marked: set[tuple[str, str]] = set()
    census = _Census()
    for i, path in enumerate(trig_paths, 1):
        documents.append(_load_document(store, path, marked, census))
        if progress is not None:
            progress(i, total)
    store.clear_graph(ox.DefaultGraph())  # the quotes and notes, read from each file above
    sizes = Counter({graph.value: n for graph, n in census.sizes.items()})
    reference_iris = []
    for i, path in enumerate(ttl_paths, len(trig_paths) + 1):
        iri = reference_graph_iri(path)
        data = read_source(path)
        _load_into(store, path, data, ox.RdfFormat.TURTLE, ox.NamedNode(iri), marked)
        reference_iris.append((iri, path))
        if progress is not None:
            progress(i, total)

    typed = restore_protected(store, marked)
    counted = sum(sizes.values())
    for iri, _ in reference_iris:
        sizes[iri] = graph_size(store, iri)
        _reference_terms(store, iri, census)
    if counted + sum(sizes[iri] for iri, _ in reference_iris) != len(store):
        # A triple written twice in one claim counts once in the store: count there.
        sizes = Counter(count_by_graph(store))
    references = []
    for iri, path in reference_iris:
        node = ox.NamedNode(iri)
        # The dataset's own description and that of its value sources: not reference facts.
        described = [node] + [
            q.object
            for q in store.quads_for_pattern(node, _VALUE_SOURCE, None, node)
            if isinstance(q.object, ox.NamedNode)
        ]
        about = sum(
            1
            for d in dict.fromkeys(described)
            for _ in store.quads_for_pattern(d, None, None, node)
        )
        has_source = any(
            next(store.quads_for_pattern(node, p, None, node), None) is not None
            for p in (ox.NamedNode(str(DCTERMS.source)), _VALUE_SOURCE)
        )
        references.append(
            ReferenceSet(URIRef(iri), path, sizes.get(iri, 0), about, has_source, store)
        )
    claimed = {str(c.iri) for d in documents for c in d.claims}
    unquoted = [g for g in sizes if g not in claimed and g not in dict(reference_iris)]
    if unquoted:
        _attach_unquoted_graphs(documents, unquoted, store)
    for doc in documents:
        for claim in doc.claims:
            claim.size = sizes.get(str(claim.iri), 0)
            if claim.size == 0:
                raise SourceError(
                    claim.path,
                    claim.line,
                    claim.column,
                    f"{claim.iri} has a quote but no claim graph",
                )
    used = {from_ox(t) for t in census.predicates | census.classes}
    logger.info("loaded %d documents, %d reference files", len(documents), len(references))
    return Corpus(ontology, documents, references, store, ontology_path, typed, used)
