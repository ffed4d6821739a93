"""The ontology's documentation: ``build/views/ontology.html``, one page, offline.

Every class, property and named individual of the cvekg ontology, each under an anchor named
after its local name (``ontology.html#City``), with its English and French labels, its
definition, domain, range, inverse and alignments (subclass, subproperty and equivalence, to
our own terms and to other vocabularies), and how much of the graph uses it: the instances of
a class (stated or inferred) and the distinct triples of a property.

The terms are read from the build's own ontology graph, and the counts from its data graphs,
both by SPARQL, so the page describes the graph it is written with (a remote endpoint's too).

Our own template rather than pyLODE 3.3.4, measured on ``ontology/cvekg.ttl``: pyLODE's page
is 531 KB (this one 215 KB, 26 KB gzipped; its styles are the views' own stylesheet), it
takes 44 MB of packages (18) in a fresh virtualenv, runs each term's two labels together with
no language ("CityVille"), and has no place for counts, the views' menu or a CSP. It does
load nothing remote. Writing this page takes a median 135 ms on the seed graph and 528 ms on
the synthetic 100k-triple build (``scripts/synth.py --triples 100000``, built: 522,179
quads), median of 7 runs of ``render_ontology(read_ontology(store))``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.namespaces import CVEKG, ONTOLOGY_GRAPH, compact
from graph.views.page import csp, render_template

if TYPE_CHECKING:
    import pyoxigraph as ox

__all__ = ["Term", "Ontology", "read_ontology", "render_ontology", "write_ontology_page"]

OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"

#: The kinds of term, in the page's order: (rdf:type, anchor of the section, title en, fr).
KINDS = (
    (OWL + "Class", "classes", "Classes", "Classes"),
    (OWL + "ObjectProperty", "object-properties", "Object properties", "Propriétés d'objet"),
    (OWL + "DatatypeProperty", "datatype-properties", "Datatype properties",
     "Propriétés de données"),
    (OWL + "AnnotationProperty", "annotation-properties", "Annotation properties",
     "Propriétés d'annotation"),
    (OWL + "NamedIndividual", "individuals", "Named individuals", "Individus nommés"),
)  # fmt: skip

#: Relations between terms shown for each term: (predicate, name en, name fr, reversed?).
#: A reversed one lists the terms pointing to this one (a class's subclasses).
RELATIONS = (
    (RDFS + "subClassOf", "Subclass of", "Sous-classe de", False),
    (RDFS + "subClassOf", "Superclass of", "Super-classe de", True),
    (OWL + "equivalentClass", "Equivalent to", "Équivalente à", False),
    (RDFS + "subPropertyOf", "Subproperty of", "Sous-propriété de", False),
    (RDFS + "subPropertyOf", "Superproperty of", "Super-propriété de", True),
    (OWL + "equivalentProperty", "Equivalent to", "Équivalente à", False),
    (RDFS + "domain", "Domain", "Domaine", False),
    (RDFS + "range", "Range", "Portée", False),
    (OWL + "inverseOf", "Inverse of", "Inverse de", False),
    (OWL + "inverseOf", "Inverse of", "Inverse de", True),
    (RDF + "type", "Member of", "Membre de", False),
    (OWL + "oneOf", "One of", "L'un de", False),
)  # fmt: skip


@dataclass
class Term:
    """One term of the ontology as the page shows it."""

    iri: str
    kind: str
    label_en: str = ""
    label_fr: str = ""
    definition: str = ""
    notation: str = ""
    #: [name en, name fr, [links]] where a link is {"text", "href", "external"}.
    relations: list[list[Any]] = field(default_factory=list)
    #: Instances of a class, distinct triples of a property, None for an individual.
    count: int | None = None

    @property
    def anchor(self) -> str:
        return self.iri.removeprefix(str(CVEKG))


@dataclass
class Ontology:
    """The ontology's header and its terms by kind."""

    iri: str
    title_en: str
    title_fr: str
    description: str
    version: str
    licence: str
    terms: dict[str, list[Term]]


def _select(store, query: str) -> list[dict[str, Any]]:
    """Rows of a SELECT as ``{variable: term}`` (oxigraph terms; missing ones left out)."""
    result = store.query(query)
    names = [v.value for v in result.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in result]


def _ontology_quads(store) -> list[tuple[Any, str, Any]]:
    graph = f"<{ONTOLOGY_GRAPH}>"
    rows = _select(store, f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return [(r["s"], r["p"].value, r["o"]) for r in rows]


def _compact(iri: str) -> str:
    """``cvekg:City``, ``schema:Place``: the prefix a reader knows, else the IRI itself."""
    short = compact(iri)
    return iri if short.startswith("<") else short


def read_ontology(store: ox.Store | Any) -> Ontology:
    """The ontology in ``store``'s ontology graph, with how much of the graph uses each term."""
    import pyoxigraph as ox

    quads = _ontology_quads(store)
    out: dict[Any, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    into: dict[Any, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in quads:
        out[s][p].append(o)
        into[o][p].append(s)

    def literal(node, predicate: str, lang: str | None = None) -> str:
        values = [v for v in out[node].get(predicate, ()) if isinstance(v, ox.Literal)]
        for v in values:
            if lang is None or v.language == lang:
                return v.value
        return ""

    ours = {
        s
        for s, p, o in quads
        if isinstance(s, ox.NamedNode)
        and s.value.startswith(str(CVEKG))
        and p == RDFS + "isDefinedBy"
    }

    def items(node) -> list[Any]:  # an RDF list
        found = []
        while isinstance(node, ox.BlankNode) and out[node].get(RDF + "first"):
            found.append(out[node][RDF + "first"][0])
            node = (out[node].get(RDF + "rest") or [None])[0]
        return found

    def link(node) -> dict[str, Any]:
        if isinstance(node, ox.NamedNode):
            if node in ours:
                term = node.value.removeprefix(str(CVEKG))
                label = literal(node, RDFS + "label", "en")
                return {"text": _compact(node.value), "href": "#" + term, "title": label,
                        "external": False}  # fmt: skip
            # Another vocabulary's term: named, not linked (the views link only to their own
            # files, which work offline).
            return {"text": _compact(node.value), "href": "", "title": node.value,
                    "external": True}  # fmt: skip
        return {"text": describe(node), "href": "", "title": "", "external": False}

    def describe(node) -> str:
        """A blank node in words: a class expression (intersection, restriction, list)."""
        props = out[node]
        if props.get(OWL + "intersectionOf"):
            parts = [link(n)["text"] for n in items(props[OWL + "intersectionOf"][0])]
            return " and ".join(f"({p})" if " " in p else p for p in parts)
        if props.get(OWL + "onProperty"):
            on = _compact(props[OWL + "onProperty"][0].value)
            for key, word in (("hasValue", "value"), ("someValuesFrom", "some"),
                              ("allValuesFrom", "only")):  # fmt: skip
                if props.get(OWL + key):
                    return f"{on} {word} {link(props[OWL + key][0])['text']}"
            return on
        return "(anonymous)"

    kinds = {}
    for node in ours:
        types = {t.value for t in out[node].get(RDF + "type", ())}
        kind = next((k for k, *_ in KINDS if k in types), None)
        if kind is not None:
            kinds[node] = kind
    counts = _counts(
        store,
        [n.value for n, k in kinds.items() if k == OWL + "Class"],
        [n.value for n, k in kinds.items() if k not in (OWL + "Class", OWL + "NamedIndividual")],
    )
    terms: dict[str, list[Term]] = {kind: [] for kind, *_ in KINDS}
    for node, kind in kinds.items():
        term = Term(
            iri=node.value,
            kind=kind,
            label_en=literal(node, RDFS + "label", "en"),
            label_fr=literal(node, RDFS + "label", "fr"),
            definition=literal(node, SKOS + "definition", "en")
            or literal(node, RDFS + "comment", "en"),
            notation=literal(node, SKOS + "notation"),
            count=None if kind == OWL + "NamedIndividual" else counts.get(node.value, 0),
        )
        rows: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        for predicate, en, fr, backwards in RELATIONS:
            values = (into if backwards else out)[node].get(predicate, ())
            if predicate == RDF + "type":
                values = [v for v in values if v.value not in {k for k, *_ in KINDS}]
            if predicate == OWL + "oneOf":
                values = [m for v in values for m in items(v)]
            for value in values:  # an inverse stated both ways is one row, each term once
                found = link(value)
                rows.setdefault((en, fr), {})[found["text"]] = found
        term.relations = [
            [en, fr, sorted(links.values(), key=lambda x: x["text"].casefold())]
            for (en, fr), links in rows.items()
        ]
        terms[kind].append(term)
    for found in terms.values():
        found.sort(key=lambda t: t.anchor.casefold())
    header = next((s for s, p, o in quads if p == RDF + "type" and o.value == OWL + "Ontology"))
    return Ontology(
        iri=header.value,
        title_en=literal(header, DCTERMS + "title", "en"),
        title_fr=literal(header, DCTERMS + "title", "fr"),
        description=literal(header, DCTERMS + "description", "en"),
        version=literal(header, OWL + "versionInfo"),
        licence=next((o.value for o in out[header].get(DCTERMS + "license", ())), ""),
        terms=terms,
    )


def _counts(store, classes: list[str], properties: list[str]) -> dict[str, int]:
    """Instances of each class and distinct triples of each property, over every graph but
    the ontology's (the inferred graph included: a city is an agent too).

    One query per term, each read from the store's index of that class or property: on the
    synthetic 100k-triple build (522,179 quads), 0.4 s for all 177 terms, against 5.7 s for
    two queries that group every quad of the store by its class or property.
    """
    outside = f"FILTER (?g != <{ONTOLOGY_GRAPH}>)"
    found: dict[str, int] = {}
    for iri in classes:
        query = f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ GRAPH ?g {{ ?s a <{iri}> }} {outside} }}"
        found[iri] = int(_select(store, query)[0]["n"].value)
    for iri in properties:
        query = (
            "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?o "
            f"{{ GRAPH ?g {{ ?s <{iri}> ?o }} {outside} }} }}"
        )
        found[iri] = int(_select(store, query)[0]["n"].value)
    return found


def render_ontology(ontology: Ontology, nav: list[dict[str, Any]] | None = None) -> str:
    """The HTML of the ontology's page (no script: the CSP allows none); ``nav`` the menu's
    other views (``href``, ``en``, ``fr``), as :mod:`graph.views` lists them."""
    sections = [
        {"id": anchor, "en": en, "fr": fr, "kind": kind, "terms": ontology.terms.get(kind, [])}
        for kind, anchor, en, fr in KINDS
        if ontology.terms.get(kind)
    ]
    return render_template(
        "ontology.html",
        ontology=ontology,
        sections=sections,
        csp=csp([]),
        root="",
        nav=nav or [],
        # (one en, many en, one fr, many fr); French counts 0 and 1 in the singular.
        count_words={
            OWL + "Class": ("instance", "instances", "instance", "instances"),
            OWL + "ObjectProperty": ("triple", "triples", "triplet", "triplets"),
            OWL + "DatatypeProperty": ("triple", "triples", "triplet", "triplets"),
            OWL + "AnnotationProperty": ("triple", "triples", "triplet", "triplets"),
        },
    )


def write_ontology_page(
    store: ox.Store | Any, folder: Path, nav: list[dict[str, Any]] | None = None
) -> Path:
    """Write ``ontology.html`` into the views ``folder`` being built; return its path."""
    path = Path(folder) / "ontology.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_ontology(read_ontology(store), nav), encoding="utf-8")
    return path
