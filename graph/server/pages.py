"""What a worker renders besides SPARQL results: an entity's page or its triples
(:func:`entity_reply`), a query answer drawn as a graph (:func:`view_reply`), from the Jinja
templates in ``web/``; the server path of an instance IRI (:func:`entity_path`); and the
Content-Security-Policies our pages are served under (:data:`PAGE_CSP`,
:func:`script_hashes_csp`).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import urllib.parse
from pathlib import Path

from graph.namespaces import CVEKG, GRAPH, ID
from graph.server.negotiate import FORMAT_MEDIA
from graph.server.reply import Reply
from graph.text import runs

__all__ = [
    "entity_path",
    "entity_reply",
    "view_reply",
    "script_hashes_csp",
    "PAGE_CSP",
    "WEB",
]

logger = logging.getLogger(__name__)

#: The query page, its assets and the page templates.
WEB = Path(__file__).resolve().parent / "web"
ID_NAMESPACE = str(ID)
_CVEKG = str(CVEKG)
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

#: Pages we write ourselves load scripts and styles from this server only.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

_GRAPH_NS = str(GRAPH)
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"


def entity_path(iri: str) -> str | None:
    """The server path of an instance IRI, or ``None`` for any other IRI.

    >>> entity_path("https://w3id.org/cvekg/id/city/new-orleans")
    '/entity/city/new-orleans'
    """
    if not iri.startswith(ID_NAMESPACE):
        return None
    rest = iri[len(ID_NAMESPACE) :]
    kind, _, slug = rest.partition("/")
    if not kind or not slug or "/" in slug:
        return None
    return f"/entity/{urllib.parse.quote(kind)}/{urllib.parse.quote(slug)}"


def _templates():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(WEB)),
        autoescape=True,  # every value is text, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _cell(term, names: dict[str, str], focus: str | None = None) -> dict:
    """How a term shows in a page: text, a link for instances, the full IRI as a tooltip."""
    import pyoxigraph as ox

    from graph.query.results import compact, term_text

    if isinstance(term, ox.NamedNode):
        return {
            "text": term_text(term, names),
            "href": None if term.value == focus else entity_path(term.value),
            "title": compact(term.value),
            "focus": term.value == focus,
            "note": "",
        }
    note = ""
    if isinstance(term, ox.Literal):
        if term.language:
            note = f"@{term.language}"
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            note = compact(term.datatype.value)
    return {"text": term_text(term, names), "href": None, "title": "", "focus": False, "note": note}


def _sentence_parts(sentence: str, quote: str) -> tuple[str, str, str]:
    """The sentence split around the quote (found whatever the spacing), to mark it."""
    words = quote.split()
    if words:
        pattern = r"\s+".join(re.escape(w) for w in words)
        match = re.search(pattern, sentence)
        if match:
            return sentence[: match.start()], match.group(), sentence[match.end() :]
    return "", sentence, ""


def _entity_quads(store, iri: str) -> list:
    import pyoxigraph as ox

    try:
        node = ox.NamedNode(iri)
    except ValueError:  # a slug no IRI can hold (a space, a '>'...): no such entity
        return []
    quads = list(store.quads_for_pattern(node, None, None, None))
    quads += [q for q in store.quads_for_pattern(None, None, node, None) if q.subject != node]
    return [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]


def entity_reply(store, kind: str, slug: str, fmt: str) -> Reply:
    """An entity's page (``html``) or its triples (an RDF format) with their claims."""
    import difflib

    import pyoxigraph as ox

    from graph.query.results import claim_sources, labels, provenance_quads, serialize_rdf

    iri = f"{ID_NAMESPACE}{kind}/{slug}"
    quads = _entity_quads(store, iri)
    if not quads:
        prefix = f"{ID_NAMESPACE}{kind}/"
        known = sorted(
            {
                q.subject.value[len(prefix) :]
                for q in store.quads_for_pattern(None, ox.NamedNode(_RDF_TYPE), None, None)
                if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(prefix)
            }
        )
        close = difflib.get_close_matches(slug, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(f'{kind}/{c}' for c in close)}?" if close else ""
        return Reply.text(404, f"no entity {kind}/{slug} in the graph{hint}")
    provenance = ox.NamedNode(_GRAPH_NS + "provenance")
    claim_type = ox.NamedNode(_CVEKG + "Claim")
    claim_graphs = {
        q.graph_name.value
        for q in quads
        if isinstance(q.graph_name, ox.NamedNode)
        and ox.Quad(q.graph_name, ox.NamedNode(_RDF_TYPE), claim_type, provenance) in store
    }
    sources = claim_sources(store, claim_graphs)
    if fmt != "html":
        statements: list = []
        if fmt in {"trig", "jsonld"}:
            statements = list(quads) + provenance_quads(sources)
        else:
            statements = list({ox.Triple(q.subject, q.predicate, q.object) for q in quads})
        return Reply(200, FORMAT_MEDIA[fmt], serialize_rdf(statements, fmt))

    node = ox.NamedNode(iri)
    terms = {t for q in quads for t in (q.subject, q.predicate, q.object)}
    names = labels(store, terms)
    page_labels = [
        (q.object.value, q.object.language or "")
        for q in quads
        if q.subject == node and q.predicate.value == _LABEL and isinstance(q.object, ox.Literal)
    ]
    alt = sorted(
        {q.object.value for q in quads if q.subject == node and q.predicate.value == _SKOS_ALT}
    )
    inferred = ox.NamedNode(_GRAPH_NS + "inferred")
    types = sorted(
        {
            (names.get(q.object.value, q.object.value), q.graph_name == inferred)
            for q in quads
            if q.subject == node
            and q.predicate.value == _RDF_TYPE
            and q.object.value.startswith(_CVEKG)
        }
    )
    # A class both stated and inferred is shown once, as stated.
    stated = {name for name, is_inferred in types if not is_inferred}
    types = [(name, flag) for name, flag in types if not (flag and name in stated)]

    def row(q) -> dict:
        return {
            "s": _cell(q.subject, names, iri),
            "p": _cell(q.predicate, names),
            "o": _cell(q.object, names, iri),
        }

    def rows(selected: list) -> list[dict]:
        order = sorted(selected, key=lambda q: (q.subject != node, str(q.predicate), str(q.object)))
        return [row(q) for q in order]

    claims, others = [], {}
    by_graph: dict[str, list] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name.value, []).append(q)
    for graph, selected in by_graph.items():
        if graph in sources:
            source = sources[graph]
            before, marked, after = _sentence_parts(source.sentence or source.quote, source.quote)
            claims.append(
                {
                    "key": (source.document, source.start),
                    "name": source.name,
                    "document": _cell(ox.NamedNode(source.document), names),
                    # The source's markup (<u>…</u>) as styled runs of text, never as HTML.
                    "before": runs(before),
                    "quote": runs(marked),
                    "after": runs(after),
                    "read": source.read,
                    "note": source.note,
                    "rows": rows(selected),
                }
            )
        else:
            others[graph] = rows(selected)
    claims.sort(key=lambda c: c["key"])
    sections = []
    # What is stated (reference data) before what is derived from it or describes it.
    order = ("reference/", "inferred", "provenance", "ontology")

    def rank(graph: str) -> tuple[int, str]:
        tail = graph.removeprefix(_GRAPH_NS)
        return next((i for i, o in enumerate(order) if tail.startswith(o)), len(order)), graph

    for graph, graph_rows in sorted(others.items(), key=lambda item: rank(item[0])):
        if graph == _GRAPH_NS + "inferred":
            heading = (
                "Inferred by the build (from the ontology: types, inverses, transitive places)"
            )
        elif graph == _GRAPH_NS + "provenance":
            heading = "Provenance (claims and annotations that cite it)"
        elif graph == _GRAPH_NS + "ontology":
            heading = "Ontology"
        elif graph.startswith(_GRAPH_NS + "reference/"):
            title = _reference_title(store, graph)
            heading = f"Reference data: {title}"
        else:
            heading = f"Graph {graph}"
        sections.append({"heading": heading, "graph": graph, "rows": graph_rows})
    english = [text for text, lang in page_labels if lang == "en"]
    title = english[0] if english else names.get(iri, f"{kind}/{slug}")
    base = entity_path(iri) or ""
    page = (
        _templates()
        .get_template("entity.html.j2")
        .render(
            title=title,
            iri=iri,
            labels=sorted(page_labels, key=lambda pair: (pair[1] != "en", pair[1])),
            alt=alt,
            types=types,
            claims=claims,
            sections=sections,
            formats=[
                ("Turtle", f"{base}?format=turtle"),
                ("TriG, with quotes", f"{base}?format=trig"),
                ("JSON-LD, with quotes", f"{base}?format=jsonld"),
                ("N-Triples", f"{base}?format=nt"),
            ],
            count=len(quads),
        )
    )
    return Reply(200, FORMAT_MEDIA["html"], page.encode("utf-8"))


def _reference_title(store, graph: str) -> str:
    import pyoxigraph as ox

    for q in store.quads_for_pattern(
        ox.NamedNode(graph),
        ox.NamedNode("http://purl.org/dc/terms/title"),
        None,
        ox.NamedNode(graph),
    ):
        return q.object.value
    return graph


def view_reply(store, query: str, title: str, max_rows: int, views: bool = False) -> Reply:
    """A CONSTRUCT/DESCRIBE answer, or the ``?s ?p ?o`` rows of a SELECT, drawn as a graph by
    ``graph.views.render_triples_page``; a table of the triples if drawing fails.

    Entities link to their ``/entity/`` pages; the menu links to the built views at
    ``/views/`` when ``views`` says the build has them."""
    import pyoxigraph as ox

    from graph.query.results import labels
    from graph.query.sparql import QueryRefusedError, QuerySyntaxError, execute

    try:
        outcome = execute(store, query, max_rows)
    except QuerySyntaxError as exc:
        return Reply.text(400, str(exc))
    except QueryRefusedError as exc:
        return Reply.text(403, str(exc))
    if outcome.is_graph:
        triples = outcome.triples
    elif outcome.form == "SELECT" and {"s", "p", "o"} <= set(outcome.variables):
        s, p, o = (outcome.variables.index(v) for v in ("s", "p", "o"))
        triples = [
            ox.Triple(row[s], row[p], row[o])
            for row in outcome.rows
            if isinstance(row[s], ox.NamedNode | ox.BlankNode)
            and isinstance(row[p], ox.NamedNode)
            and row[o] is not None
        ]
    else:
        return Reply.text(
            400, "a graph view needs a CONSTRUCT or DESCRIBE query, or a SELECT of ?s ?p ?o"
        )
    title = title or "Query result"
    from graph.views import render_triples_page

    try:
        back = "/#" + urllib.parse.urlencode({"query": query}, quote_via=urllib.parse.quote)
        page = render_triples_page(
            store, triples, title, "/views/" if views else None, entity_path, back=back
        )
    except Exception as exc:  # the table still answers the question
        logger.exception("graph view failed")
        note = f"The graph view failed ({type(exc).__name__}: {exc}): the triples as a table."
    else:
        return Reply(
            200,
            FORMAT_MEDIA["html"],
            page.encode("utf-8"),
            {"Content-Security-Policy": script_hashes_csp(page)},
        )
    names = labels(store, (t for triple in triples for t in triple))
    rows = [
        {"s": _cell(t.subject, names), "p": _cell(t.predicate, names), "o": _cell(t.object, names)}
        for t in triples
    ]
    page = (
        _templates()
        .get_template("triples.html.j2")
        .render(title=title, rows=rows, truncated=outcome.truncated, max_rows=max_rows, note=note)
    )
    return Reply(200, FORMAT_MEDIA["html"], page.encode("utf-8"))


def script_hashes_csp(page: str) -> str:
    """A CSP for a self-contained page: its own inline scripts (by hash) and nothing remote."""
    hashes = []
    for body in re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S | re.I):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    scripts = " ".join(hashes) or "'none'"
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
