"""Query answers as people and programs read them.

- ``table``: an aligned table for a terminal, entities shown by their English label (or, with
  ``iris=True``, by their prefixed IRI, ``city:lyon``), one row per solution.
- ``csv``, ``tsv``, ``json``, ``xml``: the W3C SPARQL 1.1 results formats, for SELECT and ASK.
- ``turtle``, ``trig``, ``jsonld``, ``nt``: RDF, for CONSTRUCT and DESCRIBE.

With sources, each result row gains what it rests on: the claims (quotes) of the triples that
matched it, found by :mod:`graph.query.lineage`, then the reference data and ontology graphs
among them; an inferred triple cites what it was inferred from. Only a row the lineage cannot
explain falls back to a guess from its values, marked as one. A graph answer with sources
puts each triple in the claim graphs that state it and adds those claims' quotes, so it needs
a dataset format (TriG or JSON-LD).

The W3C formats are written here rather than by Oxigraph because the server caps the number of
rows and sources add columns; the tests check them against Oxigraph's own parsers.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.errors import CvekgError, display_width
from graph.namespaces import (
    INFERRED_GRAPH_IRI,
    ONTOLOGY_GRAPH_IRI,
    PREFIXES,
    PROVENANCE_GRAPH_IRI,
    REFERENCE_GRAPH_IRI,
    compact,
)
from graph.query.formats import FORMATS, GRAPH_FORMATS, RESULT_FORMATS
from graph.query.sparql import QueryOutcome, execute
from graph.text import plain

if TYPE_CHECKING:
    from graph.query.lineage import Hit

__all__ = [
    "RESULT_FORMATS",
    "GRAPH_FORMATS",
    "FORMATS",
    "Source",
    "Answer",
    "answer",
    "fold_labels",
    "compact",
    "labels",
    "row_sources",
    "claim_quads",
    "provenance_quads",
    "claim_sources",
    "serialize",
    "serialize_rdf",
    "table",
    "term_text",
]

logger = logging.getLogger(__name__)

_RDF_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
}
_DATASET_FORMATS = {"trig", "jsonld"}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_CVEKG = PREFIXES["cvekg"]
_PROVENANCE = PROVENANCE_GRAPH_IRI
_READ_FROM_CONTEXT = _CVEKG + "readFromContext"
_SKOS_NOTE = PREFIXES["skos"] + "editorialNote"
_INFERRED = INFERRED_GRAPH_IRI
_ONTOLOGY = ONTOLOGY_GRAPH_IRI
_REFERENCE = REFERENCE_GRAPH_IRI
_CLAIM = PREFIXES["claim"]
_SOURCE_COLUMNS = ("claims", "quotes")
_CHUNK = 400


@dataclass(frozen=True)
class Source:
    """What a result rests on: a claim (its IRI, quote, the sentence around it, its
    document and offset), or a graph of reference data or the ontology (``kind``
    ``"reference"`` or ``"ontology"``: ``claim`` is the graph's IRI, ``title`` its title,
    and there is no quote). ``guess`` marks a claim found from a row's values alone, not
    from the triples that matched it. ``read`` marks a claim read from context rather than
    stated by the words, ``note`` its editorial note (what was read and why)."""

    claim: str
    quote: str
    sentence: str
    document: str
    start: int
    kind: str = "claim"
    title: str = ""
    guess: bool = False
    read: bool = False
    note: str = ""

    @property
    def name(self) -> str:
        """The claim's short name, ``dipnote-2019-06-06/city-pair-lyon``."""
        return self.claim.removeprefix(PREFIXES["claim"])


@dataclass
class Answer:
    """A rendered answer: the bytes to print or send, and the outcome they came from."""

    body: bytes
    outcome: QueryOutcome
    format: str
    media_type: str


def term_text(term, names: dict[str, str] | None = None) -> str:
    """How a term reads in a table: a label or prefixed IRI, a literal's lexical value."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if names is not None and term.value in names:
            return names[term.value]
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return "<< " + " ".join(term_text(t, names) for t in term) + " >>"
    return term.value


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def labels(store: ox.Store, terms: Iterable, language: str = "en") -> dict[str, str]:
    """The best ``rdfs:label`` of each IRI among ``terms``: ``language``, untagged, then any."""
    iris = sorted({t.value for t in terms if isinstance(t, ox.NamedNode)})
    rank: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(iris):
        values = " ".join(f"<{iri}>" for iri in chunk)
        query = f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x <{_LABEL}> ?l }}"
        for row in store.query(query, use_default_graph_as_union=True):
            literal = row["l"]
            lang = literal.language or ""
            score = 0 if lang == language else 1 if lang == "" else 2 if lang == "fr" else 3
            key = (score, literal.value)
            if row["x"].value not in rank or key < rank[row["x"].value]:
                rank[row["x"].value] = key
    return {iri: value for iri, (_, value) in rank.items()}


def claim_sources(store: ox.Store, claims: Iterable[str]) -> dict[str, Source]:
    """The quote, sentence, document and offset of each claim (IRIs) found in the store."""
    found: dict[str, Source] = {}
    claim_list = sorted(set(claims))
    for chunk in _chunks(claim_list):
        values = " ".join(f"<{c}>" for c in chunk)
        query = f"""
            SELECT ?claim ?quote ?sentence ?document ?support (SAMPLE(?n) AS ?note)
                   (MIN(?offset) AS ?start) WHERE {{
              VALUES ?claim {{ {values} }}
              GRAPH <{_PROVENANCE}> {{
                ?claim <{_CVEKG}quote> ?quote ; <{_CVEKG}source> ?document .
                OPTIONAL {{ ?claim <{_CVEKG}sentence> ?sentence }}
                OPTIONAL {{ ?claim <{_CVEKG}support> ?support }}
                OPTIONAL {{ ?claim <{_SKOS_NOTE}> ?n }}
                OPTIONAL {{
                  ?annotation <http://www.w3.org/ns/oa#hasBody> ?claim ;
                    <http://www.w3.org/ns/oa#hasTarget>/<http://www.w3.org/ns/oa#hasSelector>/
                    <http://www.w3.org/ns/oa#start> ?offset }}
              }}
            }} GROUP BY ?claim ?quote ?sentence ?document ?support"""
        for row in store.query(query):
            start = row["start"]
            found[row["claim"].value] = Source(
                claim=row["claim"].value,
                quote=row["quote"].value,
                sentence=row["sentence"].value if row["sentence"] else "",
                document=row["document"].value,
                start=int(start.value) if start is not None else 0,
                read=bool(row["support"]) and row["support"].value == _READ_FROM_CONTEXT,
                note=row["note"].value if row["note"] else "",
            )
    return found


def row_sources(
    store: ox.Store, outcome: QueryOutcome, query: str | None = None
) -> list[list[Source]]:
    """What each row of a SELECT answer rests on: claims in the order of the source text,
    then reference data and the ontology.

    With the ``query`` text, a row's sources are those of the triples that matched it
    (:mod:`graph.query.lineage`). A row the lineage cannot explain, or any row without the
    query text, falls back to a guess from its values (:func:`guessed_sources`), each claim
    marked ``guess``.
    """
    found: list[list[Source] | None] = [None] * len(outcome.rows)
    if query is not None and outcome.form == "SELECT":
        # The lineage reads the query with rdflib's algebra: imported only for sources.
        from graph.query.lineage import LineageUnavailableError, row_lineage

        try:
            lineage = row_lineage(store, query, outcome.variables, outcome.rows)
        except (LineageUnavailableError, CvekgError) as exc:
            exc.__traceback__ = None  # its frames may hold Oxigraph results of this thread
            logger.info("sources are guessed from the values: %s", exc)
        else:
            explained = hit_sources(store, [h or set() for h in lineage])
            found = [e if e else None for e in explained]
    missing = [i for i, f in enumerate(found) if f is None]
    if missing:
        partial = QueryOutcome(outcome.form, outcome.variables, [outcome.rows[i] for i in missing])
        for i, guessed in zip(missing, guessed_sources(store, partial), strict=True):
            found[i] = guessed
    return [f or [] for f in found]


def hit_sources(store: ox.Store, hits: Sequence[Iterable[Hit]]) -> list[list[Source]]:
    """The sources of each set of matched quads: a claim graph is that claim; a reference
    or the ontology graph, that graph; a provenance triple about a claim, that claim; an
    inferred triple, what it was inferred from (:func:`implied_graphs`)."""
    from graph.query.lineage import implied_graphs, naming_claims  # rdflib: only for sources

    inferred = {(s, p, o) for found in hits for g, s, p, o in found if g == f"<{_INFERRED}>"}
    implied = implied_graphs(store, inferred) if inferred else {}
    per_row: list[set[str]] = []
    for found in hits:
        graphs: set[str] = set()
        for g, s, p, o in found:
            graph = g[1:-1]
            if graph == _INFERRED:
                graphs.update(implied.get((s, p, o), ()))
            elif graph == _PROVENANCE:
                graphs.update(t[1:-1] for t in (s, o) if t.startswith(f"<{_CLAIM}"))
            elif graph.startswith(_CLAIM) or graph.startswith(_REFERENCE) or graph == _ONTOLOGY:
                graphs.add(graph)
        per_row.append(graphs)
    # A row resting on reference data alone (a city typed by its country) rests on the
    # claims naming the entities whose types were inferred.
    bare = [
        (k, {s for g, s, p, _ in found if g == f"<{_INFERRED}>" and p == f"<{_RDF_TYPE}>"})
        for k, found in enumerate(hits)
        if not any(g.startswith(_CLAIM) for g in per_row[k])
    ]
    if any(entities for _, entities in bare):
        naming = naming_claims(store, {e for _, entities in bare for e in entities})
        for k, entities in bare:
            for entity in entities:
                per_row[k].update(naming.get(entity, ()))
    details = claim_sources(store, {g for graphs in per_row for g in graphs})
    details.update(graph_sources(store, {g for gs in per_row for g in gs if g not in details}))
    return [_ordered(details[g] for g in graphs if g in details) for graphs in per_row]


def _ordered(sources: Iterable[Source]) -> list[Source]:
    """Claims in source order, then reference data, then the ontology."""
    rank = {"claim": 0, "reference": 1, "ontology": 2}
    return sorted(sources, key=lambda s: (rank.get(s.kind, 3), s.document, s.start, s.claim))


def graph_sources(store: ox.Store, graphs: Iterable[str]) -> dict[str, Source]:
    """Reference-data graphs and the ontology graph as sources, with their titles."""
    found: dict[str, Source] = {}
    wanted = sorted(set(graphs))
    for graph in wanted:
        if graph == _ONTOLOGY:
            query = f"""SELECT ?t WHERE {{ GRAPH <{_ONTOLOGY}> {{
                ?o a <http://www.w3.org/2002/07/owl#Ontology> ;
                   <http://purl.org/dc/terms/title>|<{_LABEL}> ?t }} }}"""
            kind = "ontology"
        elif graph.startswith(_REFERENCE):
            query = f"""SELECT ?t WHERE {{ GRAPH ?any {{
                <{graph}> <http://purl.org/dc/terms/title> ?t }} }}"""
            kind = "reference"
        else:
            continue
        titles = sorted(
            [
                (row["t"].language not in (None, "", "en"), row["t"].value)
                for row in store.query(query)
            ]
        )
        found[graph] = Source(
            claim=graph,
            quote="",
            sentence="",
            document=graph,
            start=0,
            kind=kind,
            title=titles[0][1] if titles else "",
        )
    return found


def guessed_sources(store: ox.Store, outcome: QueryOutcome) -> list[list[Source]]:
    """A guess of the claims behind each row from its values alone, each marked ``guess``.

    A claim supports a row when its named graph mentions the most of the row's values (IRIs
    and literals), at least two. Otherwise a row is supported by the claims that introduce
    (state the type of) one of its IRIs, else by those that mention one of its IRIs. A
    literal (a year, a count) supports only a row of that one value: too many claims share
    one for it to say which claim a row comes from.
    """
    wanted = sorted(
        {
            str(term)
            for row in outcome.rows
            for term in row
            if isinstance(term, ox.NamedNode | ox.Literal)
        }
    )
    mentions: dict[str, set[str]] = {}  # term -> claims mentioning it
    introduces: dict[str, set[str]] = {}  # term -> claims stating its type
    for chunk in _chunks(wanted):
        values = " ".join(chunk)
        query = f"""
            SELECT DISTINCT ?claim ?t ?typed WHERE {{
              VALUES ?t {{ {values} }}
              GRAPH ?claim {{ {{ ?t ?p ?o }} UNION {{ ?s ?p ?t }} }}
              GRAPH <{_PROVENANCE}> {{ ?claim a <{_CVEKG}Claim> }}
              BIND(EXISTS {{ GRAPH ?claim {{ ?t a ?type }} }} AS ?typed)
            }}"""
        for row in store.query(query):
            term, claim = str(row["t"]), row["claim"].value
            mentions.setdefault(term, set()).add(claim)
            if row["typed"].value == "true":
                introduces.setdefault(term, set()).add(claim)
    per_row: list[list[str]] = []
    for row in outcome.rows:
        values = {str(t) for t in row if isinstance(t, ox.NamedNode | ox.Literal)}
        counts: dict[str, int] = {}
        for value in values:
            for claim in mentions.get(value, ()):
                counts[claim] = counts.get(claim, 0) + 1
        best = max(counts.values(), default=0)
        if best >= 2:
            chosen = [c for c, n in counts.items() if n == best]
        else:
            chosen = sorted(set().union(*(introduces.get(v, set()) for v in values)))
            iris = [v for v in values if v.startswith("<")]
            if not chosen and (iris or len(values) == 1):
                chosen = sorted(set().union(*(mentions.get(v, set()) for v in iris or values)))
        per_row.append(chosen)
    details = claim_sources(store, {c for claims in per_row for c in claims})
    return [
        _ordered(replace(details[c], guess=True) for c in claims if c in details)
        for claims in per_row
    ]


def triple_sources(store: ox.Store, triples: Sequence[ox.Triple]) -> list[list[Source]]:
    """What each triple of a graph answer rests on, claims in source order: the claims
    stating it word for word, the reference data holding it, or for an inferred triple
    what it was inferred from (:func:`hit_sources`)."""
    plain_triples = [
        t for t in triples if not any(isinstance(x, ox.BlankNode | ox.Triple) for x in t)
    ]
    holders: dict[ox.Triple, set[Hit]] = {}
    for chunk in _chunks(plain_triples):
        values = " ".join(f"({t.subject} {t.predicate} {t.object})" for t in chunk)
        query = (
            f"SELECT ?s ?p ?o ?g WHERE {{ VALUES (?s ?p ?o) {{ {values} }} "
            "GRAPH ?g { ?s ?p ?o } }"
        )
        for row in store.query(query):
            triple = ox.Triple(row["s"], row["p"], row["o"])
            hit = (str(row["g"]), str(row["s"]), str(row["p"]), str(row["o"]))
            holders.setdefault(triple, set()).add(hit)
    return hit_sources(store, [holders.get(t, set()) for t in triples])


def _claims_stating(store: ox.Store, triples: Sequence[ox.Triple]) -> dict[ox.Triple, list[str]]:
    # A blank node or a triple term cannot be looked up by value; no claim states those.
    plain = [t for t in triples if not any(isinstance(x, ox.BlankNode | ox.Triple) for x in t)]
    return _claims_matching(store, plain, "?s ?p ?o")


def _claims_matching(
    store: ox.Store, triples: Sequence[ox.Triple], pattern: str
) -> dict[ox.Triple, list[str]]:
    """The claims whose graph matches ``pattern`` (over ``?s ?p ?o``), for each triple."""
    graphs: dict[ox.Triple, list[str]] = {}
    for chunk in _chunks(triples):
        values = " ".join(f"({t.subject} {t.predicate} {t.object})" for t in chunk)
        query = f"""
            SELECT DISTINCT ?s ?p ?o ?claim WHERE {{
              VALUES (?s ?p ?o) {{ {values} }}
              GRAPH ?claim {{ {pattern} }}
              GRAPH <{_PROVENANCE}> {{ ?claim a <{_CVEKG}Claim> }}
            }}"""
        for row in store.query(query):
            triple = ox.Triple(row["s"], row["p"], row["o"])
            graphs.setdefault(triple, []).append(row["claim"].value)
    return graphs


def claim_quads(store: ox.Store, triples: Sequence[ox.Triple]) -> list[ox.Quad]:
    """Each triple in every claim graph that states it (or in the default graph when none
    does), then each of those claims' quote, sentence and source in the provenance graph."""
    graphs = _claims_stating(store, triples)
    quads: list[ox.Quad] = []
    claims: set[str] = set()
    for triple in triples:
        where = sorted(graphs.get(triple, []))
        claims.update(where)
        for graph in where or [None]:
            name = ox.NamedNode(graph) if graph else ox.DefaultGraph()
            quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, name))
    return quads + provenance_quads(claim_sources(store, claims))


def provenance_quads(sources: dict[str, Source]) -> list[ox.Quad]:
    """Each claim's quote, sentence and source document, in the provenance graph."""
    provenance = ox.NamedNode(_PROVENANCE)
    quads = []
    for claim, source in sorted(sources.items()):
        node = ox.NamedNode(claim)
        for predicate, value in (
            ("quote", ox.Literal(source.quote)),
            ("sentence", ox.Literal(source.sentence)),
            ("source", ox.NamedNode(source.document)),
            ("support", ox.NamedNode(_CVEKG + ("readFromContext" if source.read else "stated"))),
        ):
            quads.append(ox.Quad(node, ox.NamedNode(_CVEKG + predicate), value, provenance))
        if source.note:
            note = ox.NamedNode(_SKOS_NOTE)
            quads.append(ox.Quad(node, note, ox.Literal(source.note), provenance))
    return quads


# --- W3C results formats --------------------------------------------------------------------


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _csv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _tsv_term(term) -> str:
    return "" if term is None else str(term)


def _with_source_columns(
    outcome: QueryOutcome, sources: list[list[Source]] | None
) -> tuple[list[str], list[tuple]]:
    if sources is None:
        return outcome.variables, outcome.rows
    names = list(outcome.variables)
    for column in _SOURCE_COLUMNS:
        name = column
        while name in names:
            name += "_"
        names.append(name)
    rows = []
    for row, found in zip(outcome.rows, sources, strict=True):
        claims = ox.Literal(" ".join(s.claim for s in found)) if found else None
        quotes = ox.Literal(" | ".join(s.quote for s in found)) if found else None
        rows.append((*row, claims, quotes))
    return names, rows


def _results_json(outcome: QueryOutcome, names: list[str], rows: list[tuple]) -> bytes:
    if outcome.form == "ASK":
        document: dict = {"head": {}, "boolean": bool(outcome.boolean)}
    else:
        bindings = [
            {n: _json_term(t) for n, t in zip(names, row, strict=True) if t is not None}
            for row in rows
        ]
        document = {"head": {"vars": names}, "results": {"bindings": bindings}}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _results_xml(outcome: QueryOutcome, names: list[str], rows: list[tuple]) -> bytes:
    # Imported here: xml.sax.saxutils imports urllib.request, some 25 ms of every start.
    from xml.sax.saxutils import escape, quoteattr

    def _xml_term(term) -> str:
        if isinstance(term, ox.NamedNode):
            return f"<uri>{escape(term.value)}</uri>"
        if isinstance(term, ox.BlankNode):
            return f"<bnode>{escape(term.value)}</bnode>"
        if isinstance(term, ox.Triple):
            parts = zip(("subject", "predicate", "object"), term, strict=True)
            inner = "".join(f"<{n}>{_xml_term(t)}</{n}>" for n, t in parts)
            return f"<triple>{inner}</triple>"
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            datatype = quoteattr(term.datatype.value)
            return f"<literal datatype={datatype}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"

    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    out.append('<sparql xmlns="http://www.w3.org/2005/sparql-results#">')
    if outcome.form == "ASK":
        out.append("<head/>")
        out.append(f"<boolean>{'true' if outcome.boolean else 'false'}</boolean>")
    else:
        out.append("<head>" + "".join(f"<variable name={quoteattr(n)}/>" for n in names))
        out.append("</head>")
        out.append("<results>")
        for row in rows:
            bindings = "".join(
                f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                for n, t in zip(names, row, strict=True)
                if t is not None
            )
            out.append(f"<result>{bindings}</result>")
        out.append("</results>")
    out.append("</sparql>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _results_csv(outcome: QueryOutcome, names: list[str], rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if outcome.form == "ASK":
        writer.writerow(["boolean"])
        writer.writerow(["true" if outcome.boolean else "false"])
    else:
        writer.writerow(names)
        for row in rows:
            writer.writerow([_csv_term(t) for t in row])
    return buffer.getvalue().encode("utf-8")


def _results_tsv(outcome: QueryOutcome, names: list[str], rows: list[tuple]) -> bytes:
    if outcome.form == "ASK":
        return b"?boolean\n" + (b"true\n" if outcome.boolean else b"false\n")
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


_RESULT_WRITERS = {
    "json": _results_json,
    "xml": _results_xml,
    "csv": _results_csv,
    "tsv": _results_tsv,
}


def serialize(
    outcome: QueryOutcome,
    fmt: str,
    sources: list[list[Source]] | None = None,
    quads: list[ox.Quad] | None = None,
) -> bytes:
    """The answer in a W3C results format (SELECT, ASK) or an RDF format (CONSTRUCT, DESCRIBE).

    ``sources`` (one list per row) adds the ``claims`` and ``quotes`` columns; ``quads`` (from
    :func:`claim_quads`) replaces a graph answer's triples by the triples in their claim graphs.
    """
    if outcome.is_graph:
        if fmt not in GRAPH_FORMATS:
            raise CvekgError(
                f"a {outcome.form} answer is a graph: use --format "
                f"{'|'.join(GRAPH_FORMATS)} (or table), not {fmt}"
            )
        if quads is not None:
            if fmt not in _DATASET_FORMATS:
                raise CvekgError(
                    f"sources of a graph answer are named graphs: use --format trig or jsonld, "
                    f"not {fmt}"
                )
            return serialize_rdf(quads, fmt)
        return serialize_rdf(outcome.triples, fmt)
    if fmt not in RESULT_FORMATS:
        raise CvekgError(
            f"a {outcome.form} answer is a table: use --format table|{'|'.join(RESULT_FORMATS)}, "
            f"not {fmt}"
        )
    names, rows = _with_source_columns(outcome, sources)
    return _RESULT_WRITERS[fmt](outcome, names, rows)


def _iris(statement) -> Iterable[str]:
    for term in statement:
        if isinstance(term, ox.NamedNode):
            yield term.value
        elif isinstance(term, ox.Triple):
            yield from _iris(term)


def _prefixes_for(statements: Sequence) -> dict[str, str]:
    """The pre-bound prefixes the statements use, in their usual order, leaving out those
    under which some IRI would need an escaped local name (``claim:doc\\/name``)."""
    used: dict[str, bool] = {}
    for statement in statements:
        for iri in _iris(statement):
            name = compact(iri)
            prefix = name.split(":", 1)[0] if not name.startswith("<") else None
            for candidate, namespace in PREFIXES.items():
                if iri.startswith(namespace) and candidate != prefix:
                    longer = len(namespace) >= len(PREFIXES.get(prefix or "", ""))
                    if prefix is None or longer:
                        used[candidate] = False
            if prefix is not None:
                used.setdefault(prefix, True)
    return {p: iri for p, iri in PREFIXES.items() if used.get(p)}


def _statement_key(statement) -> tuple[str, ...]:
    graph = (str(statement.graph_name),) if isinstance(statement, ox.Quad) else ()
    return (*graph, str(statement.subject), str(statement.predicate), str(statement.object))


def serialize_rdf(statements: Sequence, fmt: str) -> bytes:
    """Triples or quads as ``turtle``, ``trig``, ``jsonld`` or ``nt``, sorted, with the
    pre-bound prefixes they use."""
    # N-Triples has no prefixes; Oxigraph writes JSON-LD expanded (no context to fetch).
    prefixes = None if fmt == "nt" else _prefixes_for(statements)
    # Oxigraph writes in hash order; sorted output reads better and diffs well.
    statements = sorted(statements, key=_statement_key)
    body = ox.serialize(statements, format=_RDF_FORMAT[fmt], prefixes=prefixes)
    return body if body.endswith(b"\n") else body + b"\n"


# --- the terminal table ---------------------------------------------------------------------

_GAP = "  "
_NO_SOURCE = "(no claim or reference data found behind this row)"
_MIN_COLUMN = 12  # a column squeezed to fit the terminal keeps at least this many columns


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns, broken between words (a word
    longer than a line is broken inside); every character is kept."""
    width = max(1, width)
    words = text.split()
    whole = " ".join(words)
    if display_width(whole) <= width:  # most cells: the loop below would give the same
        return [whole]
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if display_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while display_width(word) > width:
            cut = 1
            while cut < len(word) and display_width(word[: cut + 1]) <= width:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current or not lines:
        lines.append(current)
    return lines


def _column_widths(natural: list[int], minimum: list[int], room: int) -> list[int]:
    """Column widths that fit ``room`` columns: the widest columns shrink first, none below
    its ``minimum`` (the table is wider than ``room`` only when even the minimums are)."""
    if sum(natural) <= room:
        return natural
    low, high = 0, max(natural)
    while low < high:  # the largest cap at which the capped widths still fit
        cap = (low + high + 1) // 2
        if sum(min(n, max(cap, m)) for n, m in zip(natural, minimum, strict=True)) <= room:
            low = cap
        else:
            high = cap - 1
    return [min(n, max(low, m)) for n, m in zip(natural, minimum, strict=True)]


def _source_lines(found: list[Source], width: int, max_sources: int) -> list[str]:
    """The lines under a row: each claim's quote in full (markup rendered as plain text),
    wrapped to ``width``, then the reference data and ontology the row rests on."""
    lines: list[str] = []
    claims = [s for s in found if s.kind == "claim"]
    for source in claims[:max_sources]:
        where = source.name + (", guessed from the row's values" if source.guess else "")
        if source.read:
            where += ", read from context" + (f": {source.note}" if source.note else "")
        text = f"\u201c{' '.join(plain(source.quote).split())}\u201d ({where})"
        wrapped = _wrap(text, width - 5)
        lines.append("    " + wrapped[0])
        lines += ["     " + line for line in wrapped[1:]]
    if len(claims) > max_sources:
        lines.append(f"    … and {len(claims) - max_sources} more claims")
    for source in found:
        if source.kind != "claim":
            what = "reference data" if source.kind == "reference" else "the ontology"
            where = source.claim.removeprefix("https://w3id.org/cvekg/")
            text = f"{what}: {plain(source.title) or source.claim} ({where})"
            wrapped = _wrap(text, width - 5)
            lines.append("    " + wrapped[0])
            lines += ["     " + line for line in wrapped[1:]]
    if not found:
        lines += ["    " + line for line in _wrap(_NO_SOURCE, width - 4)]
    return lines


def fold_labels(names: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """Fold each ``?xLabel`` column into its ``?x``: the table shows one column ``x``, with
    the label where the row has one (the query's own, e.g. its French one) and the entity
    otherwise. The shipped queries return both so that results formats and the query page
    can link each label to its entity; on a terminal the pair would read twice.

    >>> fold_labels(["city", "cityLabel", "n"], [("<lyon>", "Lyon", 1), ("<x>", None, 2)])
    (['city', 'n'], [('Lyon', 1), ('<x>', 2)])
    """
    pairs = {names.index(n): names.index(n + "Label") for n in names if n + "Label" in names}
    if not pairs:
        return names, rows
    dropped = set(pairs.values())
    keep = [i for i in range(len(names)) if i not in dropped]
    folded = [
        tuple(row[pairs[i]] if i in pairs and row[pairs[i]] is not None else row[i] for i in keep)
        for row in rows
    ]
    return [names[i] for i in keep], folded


def table(
    outcome: QueryOutcome,
    store: ox.Store | None = None,
    iris: bool = False,
    sources: list[list[Source]] | None = None,
    width: int | None = None,
    max_sources: int = 3,
) -> str:
    """An aligned, labelled table of the answer, with each row's quotes under it.

    Entities read as their English label unless ``iris`` is set (then ``city:lyon``), and a
    ``?xLabel`` column is folded into its ``?x`` (:func:`fold_labels`) unless ``iris``. The
    table fits ``width`` terminal columns (default: the terminal's): a cell too long for its
    column wraps onto more lines, in its column, and quotes wrap under their row; no text is
    ever cut. Source markup (``<u>…</u>``) is shown as plain text.
    """
    if outcome.form == "ASK":
        return "yes\n" if outcome.boolean else "no\n"
    if width is None:
        width = shutil.get_terminal_size().columns
    if outcome.is_graph:
        names = ["subject", "predicate", "object"]
        rows = [tuple(t) for t in outcome.triples]
    else:
        names, rows = outcome.variables, outcome.rows
        if not iris:
            names, rows = fold_labels(names, rows)
    shown = None
    if not iris and store is not None:
        shown = labels(store, (t for row in rows for t in row))
    cells = [[" ".join(plain(term_text(t, shown)).split()) for t in row] for row in rows]
    natural = [
        max([display_width(n), *(display_width(r[i]) for r in cells)]) for i, n in enumerate(names)
    ]
    minimum = [
        min(n, max(display_width(h), _MIN_COLUMN)) for n, h in zip(natural, names, strict=True)
    ]
    widths = _column_widths(natural, minimum, width - len(_GAP) * (len(names) - 1))
    lines = [_GAP.join(_pad(n, w) for n, w in zip(names, widths, strict=True)).rstrip()]
    lines.append(_GAP.join("─" * w for w in widths))
    for index, row in enumerate(cells):
        wrapped = [_wrap(c, w) for c, w in zip(row, widths, strict=True)]
        for k in range(max(len(w) for w in wrapped) if wrapped else 1):
            parts = [w[k] if k < len(w) else "" for w in wrapped]
            lines.append(_GAP.join(_pad(c, w) for c, w in zip(parts, widths, strict=True)).rstrip())
        if sources is not None:
            lines += _source_lines(sources[index], width, max_sources)
    count = len(rows)
    noun = "triple" if outcome.is_graph else "row"
    lines.append(
        f"({count} {noun}{'' if count == 1 else 's'}{', cut' if outcome.truncated else ''})"
    )
    return "\n".join(lines) + "\n"


# --- one call for the CLI -------------------------------------------------------------------


def answer(
    store: ox.Store,
    query: str,
    fmt: str | None = None,
    *,
    iris: bool = False,
    with_sources: bool = False,
    max_rows: int | None = None,
    width: int | None = None,
) -> Answer:
    """Run ``query`` and render it: ``fmt`` defaults to ``table`` (SELECT, ASK) or ``turtle``
    (CONSTRUCT, DESCRIBE; ``trig`` with sources). A table fits ``width`` terminal columns
    (default: the terminal's width)."""
    outcome = execute(store, query, max_rows)
    if fmt is None:
        fmt = ("trig" if with_sources else "turtle") if outcome.is_graph else "table"
    if fmt == "table":
        sources = None
        if with_sources and outcome.form == "SELECT":
            sources = row_sources(store, outcome, query)
        if with_sources and outcome.is_graph:
            sources = triple_sources(store, outcome.triples)
        text = table(outcome, store, iris=iris, sources=sources, width=width)
        return Answer(text.encode("utf-8"), outcome, fmt, "text/plain; charset=utf-8")
    if outcome.is_graph:
        quads = claim_quads(store, outcome.triples) if with_sources else None
        body = serialize(outcome, fmt, quads=quads)
        return Answer(body, outcome, fmt, GRAPH_FORMATS.get(fmt, "text/plain"))
    sources = (
        row_sources(store, outcome, query) if with_sources and outcome.form == "SELECT" else None
    )
    body = serialize(outcome, fmt, sources=sources)
    return Answer(body, outcome, fmt, RESULT_FORMATS.get(fmt, "text/plain"))
