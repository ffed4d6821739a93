"""The graph as a network: a NetworkX projection of the built RDF graph, and its analytics.

The projection has explicit rules, so every view and every analysis reads the same network:

- **Nodes** are the entities: IRIs of the instance namespace (``city:marseille``), each with its
  English and French labels, alternative labels, most specific class (the inferred
  ``FrenchCity`` and ``USCity`` included), colour group, coordinates and country when known.
- **Edges** are the *asserted* object properties between two entities, read from the claim
  graphs and the reference graphs, never from the inferred graph: an inverse property would
  otherwise double every edge. Each edge keeps its predicate (labels in English and French),
  its claim and the claim's quote and sentence.
- **Literals** (dates, counts, labels) and provenance (claims, annotations) are attributes,
  never nodes. Events stay nodes here; a view may fold them into edges
  (:func:`city_pair_graph`).

The analytics are small pure functions of that graph, in the style of NetworkX:
:func:`path`, :func:`brokers`, :func:`communities`, :func:`stats`, :func:`export`.
"""

from __future__ import annotations

import difflib
import itertools
import json
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import CvekgError
from graph.namespaces import (
    CLAIM,
    CVEKG,
    ID,
    ONTOLOGY_GRAPH,
    PROVENANCE_GRAPH,
    REFERENCE_GRAPH,
)

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

__all__ = [
    "open_built",
    "load",
    "GROUPS",
    "Group",
    "EVENT_GROUPS",
    "EXPORT_FORMATS",
    "UnknownEntityError",
    "AmbiguousEntityError",
    "PathStep",
    "project",
    "project_triples",
    "entity_key",
    "normalize",
    "node_label",
    "resolve",
    "path",
    "format_path",
    "undirected",
    "degree_ranking",
    "betweenness_ranking",
    "brokers",
    "communities",
    "stats",
    "format_stats",
    "export",
    "sanitize_for_export",
    "city_pair_graph",
    "timeline_graph",
    "ego_graph",
    "aggregate",
    "format_date",
]

logger = logging.getLogger(__name__)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SKOS_NOTE = "http://www.w3.org/2004/02/skos/core#editorialNote"
GEO_LAT = "http://www.w3.org/2003/01/geo/wgs84_pos#lat"
GEO_LONG = "http://www.w3.org/2003/01/geo/wgs84_pos#long"
DCT_TITLE = "http://purl.org/dc/terms/title"
DCT_DESCRIPTION = "http://purl.org/dc/terms/description"
_NAMES = {RDFS_LABEL, SKOS_ALT}


# --- Colour groups ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A colour group of the legend: the classes it covers, its colour and vis-network shape."""

    key: str
    en: str
    fr: str
    color: str
    shape: str
    classes: tuple[str, ...]


#: The legend, in its order. A node's group is the first one covering its most specific class
#: or, failing that, the nearest superclass that a group covers.
GROUPS: tuple[Group, ...] = (
    Group("french-city", "French city", "Ville française", "#1d4ed8", "dot", ("FrenchCity",)),
    Group("us-city", "US city", "Ville américaine", "#b91c1c", "dot", ("USCity",)),
    Group("city", "Other city", "Autre ville", "#6b7280", "dot", ("City",)),
    Group(
        "country",
        "Country or region",
        "Pays ou région",
        "#0e7490",
        "hexagon",
        ("Country", "Region"),
    ),
    Group(
        "place",
        "District or venue",
        "Quartier ou site",
        "#65a30d",
        "hexagon",
        ("District", "Venue", "Place"),
    ),
    Group("person", "Person", "Personne", "#d97706", "triangle", ("Person",)),
    Group(
        "government",
        "Government body",
        "Organisme public",
        "#047857",
        "square",
        ("GovernmentBody",),
    ),
    Group(
        "academic",
        "University or school",
        "Université ou école",
        "#7c3aed",
        "square",
        ("AcademicInstitution",),
    ),
    Group(
        "terrorist",
        "Terrorist organization",
        "Organisation terroriste",
        "#111827",
        "triangleDown",
        ("TerroristOrganization",),
    ),
    Group(
        "organization",
        "Organization",
        "Organisation",
        "#0d9488",
        "square",
        ("Organization", "Agent"),
    ),
    Group("program", "Program", "Programme", "#c026d3", "hexagon", ("Program",)),
    Group("topic", "Topic", "Thème", "#ca8a04", "dot", ("Topic",)),
    Group(
        "exchange", "Exchange or visit", "Échange ou visite", "#ea580c", "diamond", ("Exchange",)
    ),
    Group("attack", "Attack", "Attentat", "#7f1d1d", "star", ("Attack",)),
    Group("incident", "Other incident", "Autre incident", "#a16207", "star", ("Incident",)),
    Group(
        "event",
        "Meeting, presentation or agreement",
        "Rencontre, présentation ou accord",
        "#db2777",
        "diamond",
        ("Event",),
    ),
    Group(
        "document", "Source document", "Document source", "#334155", "square", ("SourceDocument",)
    ),
    Group("other", "Other", "Autre", "#9ca3af", "dot", ()),
)
_GROUP_OF_CLASS = {c: g.key for g in GROUPS for c in g.classes}
#: Groups whose nodes are events: the timeline's nodes, the city-pair view's folded edges.
EVENT_GROUPS = frozenset({"exchange", "attack", "incident", "event"})


# --- Names -----------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Fold a name for matching: no case, no accents, punctuation as single spaces.

    >>> normalize("Université Paris II Panthéon-Assas")
    'universite paris ii pantheon assas'
    >>> normalize("  La Nouvelle-Orléans ")
    'la nouvelle orleans'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def entity_key(iri: str) -> str:
    """The file-name key of an entity: ``<kind>-<slug>`` of its IRI, safe in any file system.

    >>> entity_key("https://w3id.org/cvekg/id/city/new-orleans")
    'city-new-orleans'
    >>> entity_key("http://example.org/x?y=<z>")
    'http---example.org-x-y-z'
    """
    rest = iri[len(str(ID)) :] if iri.startswith(str(ID)) else iri
    key = re.sub(r"[^A-Za-z0-9._-]+", "-", rest.replace("/", "-")).strip("-.")
    return key[:150] or "entity"


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


def node_label(G: nx.MultiDiGraph, node: str, lang: str = "en") -> str:
    """The label of ``node`` in ``lang`` (``en`` or ``fr``), falling back to the other one."""
    data = G.nodes[node]
    return data.get(f"label_{lang}") or data.get("label_en") or data.get("label_fr") or node


def format_date(lexical: str | None, lang: str = "en") -> str:
    """A readable date of an ``xsd:date``, ``gYearMonth`` or ``gYear`` lexical value.

    >>> format_date("2016-12"), format_date("2016-12", "fr"), format_date("2013")
    ('Dec 2016', 'déc. 2016', '2013')
    >>> format_date("2019-06-06")
    '6 Jun 2019'
    """
    if not lexical:
        return ""
    months = {
        "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
        "fr": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split(),
    }[lang if lang == "fr" else "en"]
    parts = lexical.split("-")
    try:
        if len(parts) == 1:
            return parts[0]
        month = months[int(parts[1]) - 1]
        if len(parts) == 2:
            return f"{month} {parts[0]}"
        return f"{int(parts[2])} {month} {parts[0]}"
    except (ValueError, IndexError):
        return lexical


# --- The projection --------------------------------------------------------------------------


@dataclass
class _Ontology:
    labels: dict[str, dict[str, str]]
    supers: dict[str, set[str]]
    inverse: dict[str, str]
    subproperty: dict[str, set[str]]

    def label(self, iri: str, lang: str) -> str:
        found = self.labels.get(iri, {})
        return found.get(lang) or found.get("en") or found.get("") or _local(iri)

    def depth(self, cls: str, seen: frozenset[str] = frozenset()) -> int:
        parents = self.supers.get(cls, set()) - seen - {cls}
        return 1 + max((self.depth(p, seen | {cls}) for p in parents), default=0)

    def group(self, cls: str | None) -> str:
        todo, seen = [cls] if cls else [], set()
        while todo:
            c = todo.pop(0)
            if c in seen:
                continue
            seen.add(c)
            key = _GROUP_OF_CLASS.get(_local(c)) if c.startswith(str(CVEKG)) else None
            if key:
                return key
            todo.extend(sorted(self.supers.get(c, ())))
        return "other"


def _rows(store: ox.Store, query: str) -> Iterator[tuple]:
    from graph.sparql import run_query

    results = run_query(store, query)
    names = [v.value for v in results.variables]
    for solution in results:
        yield tuple(solution[n] for n in names)


def _ontology(store: ox.Store) -> _Ontology:
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    supers: dict[str, set[str]] = defaultdict(set)
    inverse: dict[str, str] = {}
    subproperty: dict[str, set[str]] = defaultdict(set)
    onto = f"<{ONTOLOGY_GRAPH}>"
    for term, label in _rows(
        store, f"SELECT ?t ?l WHERE {{ GRAPH {onto} {{ ?t rdfs:label ?l }} FILTER isIRI(?t) }}"
    ):
        labels[term.value][label.language or ""] = label.value
    for cls, sup in _rows(
        store,
        f"""SELECT ?c ?s WHERE {{ GRAPH {onto} {{
              {{ ?c rdfs:subClassOf ?s }}
              UNION {{ ?c owl:equivalentClass/owl:intersectionOf/rdf:rest*/rdf:first ?s }}
            }} FILTER(isIRI(?c) && isIRI(?s)) }}""",
    ):
        supers[cls.value].add(sup.value)
    for p, q in _rows(
        store, f"SELECT ?p ?q WHERE {{ GRAPH {onto} {{ ?p owl:inverseOf ?q }} FILTER isIRI(?q) }}"
    ):
        inverse[p.value] = q.value
    for p, q in _rows(
        store, f"SELECT ?p ?q WHERE {{ GRAPH {onto} {{ ?p rdfs:subPropertyOf ?q }} }}"
    ):
        subproperty[p.value].add(q.value)
    return _Ontology(dict(labels), dict(supers), inverse, dict(subproperty))


class _Projector:
    """Collects quads, types and claims, then builds the MultiDiGraph by the projection rules."""

    def __init__(self, onto: _Ontology):
        self.onto = onto
        self.types: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        self.literals: dict[str, list[tuple[str, str, str, str, str]]] = defaultdict(list)
        self.edges: dict[tuple[str, str, str], list[str]] = {}
        self.mentions: dict[str, set[str]] = defaultdict(set)
        self.country: dict[str, str] = {}
        self.claims: dict[str, dict[str, Any]] = {}
        self.statements: dict[str, list[tuple[str, str, str, bool]]] = defaultdict(list)
        self.sources: list[dict[str, str]] = []
        self.references: list[dict[str, str]] = []
        self.nodes: set[str] = set()

    def add_quad(self, graph: str, s: str, p: str, o, o_is_iri: bool) -> None:
        """One asserted quad of a claim or reference graph, subject in the instance space."""
        self.nodes.add(s)
        self.mentions[s].add(graph)
        if p == RDF_TYPE:
            if o_is_iri:
                self.types[s].add(o)
            self.statements[graph].append((s, p, o, o_is_iri))
            return
        self.statements[graph].append((s, p, o if o_is_iri else o.value, o_is_iri))
        if o_is_iri:
            if o.startswith(str(ID)):
                self.nodes.add(o)
                self.mentions[o].add(graph)
                self.edges.setdefault((s, p, o), []).append(graph)
            else:  # an IRI value outside our instances (time:unitMonth): an attribute
                value = self.onto.label(o, "en")
                if o.startswith("http://www.w3.org/2006/time#unit"):
                    value = value.removeprefix("unit").lower()
                self.literals[s].append((p, value, "", graph, o))
        elif p in _NAMES:
            self.names[s].append((p, o.value, o.language or ""))
        else:
            self.literals[s].append((p, o.value, o.language or "", graph, ""))

    def build(self) -> nx.MultiDiGraph:
        import networkx as nx

        G = nx.MultiDiGraph()
        onto = self.onto
        for node in sorted(self.nodes):
            G.add_node(node, **self._node(node))
        for (s, p, o), graphs in sorted(self.edges.items()):
            graphs = sorted(set(graphs), key=lambda g: (not g.startswith(str(CLAIM)), g))
            claim = self.claims.get(graphs[0], {})
            G.add_edge(
                s,
                o,
                key=_local(p),
                predicate=p,
                label_en=onto.label(p, "en"),
                label_fr=onto.label(p, "fr"),
                claim=graphs[0],
                claims=graphs,
                quote=claim.get("quote"),
                sentence=claim.get("sentence"),
                source=claim.get("source"),
                reference=not graphs[0].startswith(str(CLAIM)),
            )
        G.graph.update(
            claims={
                iri: {**c, "statements": self.statements.get(iri, [])}
                for iri, c in self.claims.items()
            },
            sources=self.sources,
            references=self.references,
            predicates={
                p: (onto.label(p, "en"), onto.label(p, "fr")) for p in {k[1] for k in self.edges}
            },
            terms=self._terms(),
            inverse=onto.inverse,
            subproperty={p: sorted(q) for p, q in onto.subproperty.items()},
        )
        return G

    def _terms(self) -> dict[str, tuple[str, str]]:
        """Labels of the predicates and classes the claims' statements use."""
        fixed = {
            RDF_TYPE: ("is a", "est un·e"),
            RDFS_LABEL: ("label", "libellé"),
            SKOS_ALT: ("also called", "autre nom"),
        }
        terms: dict[str, tuple[str, str]] = {}
        for statements in self.statements.values():
            for _, p, o, _ in statements:
                for term in (p, o) if p == RDF_TYPE else (p,):
                    if term not in terms:
                        terms[term] = fixed.get(term) or (
                            self.onto.label(term, "en"),
                            self.onto.label(term, "fr"),
                        )
        return terms

    def _class(self, node: str) -> str | None:
        ours = [t for t in self.types.get(node, ()) if t.startswith(str(CVEKG))]
        if not ours:
            return None
        return max(ours, key=lambda t: (self.onto.depth(t), t))

    def _node(self, node: str) -> dict[str, Any]:
        onto = self.onto
        cls = self._class(node)
        labels: dict[str, str] = {}
        alt: list[str] = []
        for p, value, lang in sorted(self.names.get(node, ())):
            if p == RDFS_LABEL:
                labels.setdefault(lang, value)
            elif value not in alt:
                alt.append(value)
        rest = node[len(str(ID)) :] if node.startswith(str(ID)) else _local(node)
        kind, _, slug = rest.partition("/")
        titles = {
            lang: v for p, v, lang, _, _ in self.literals.get(node, ()) if _local(p) == "title"
        }
        for lang, title in titles.items():
            labels.setdefault(lang, title)
        fallback = labels.get("") or slug.replace("-", " ") or rest
        data: dict[str, Any] = {
            "iri": node,
            "key": entity_key(node),
            "kind": kind if slug else "",
            "label_en": labels.get("en") or labels.get("fr") or fallback,
            "label_fr": labels.get("fr") or labels.get("en") or fallback,
            "alt_labels": alt,
            "class": _local(cls) if cls else "",
            "class_en": onto.label(cls, "en") if cls else "",
            "class_fr": onto.label(cls, "fr") if cls else "",
            "group": onto.group(cls),
            "claims": sorted(g for g in self.mentions.get(node, ()) if g.startswith(str(CLAIM))),
        }
        facts = []
        for p, value, lang, graph, iri in sorted(self.literals.get(node, ())):
            name = _local(p)
            if p == GEO_LAT:
                data["lat"] = float(value)
            elif p == GEO_LONG:
                data["lon"] = float(value)
            elif name == "date":
                data["date"] = value
            elif name == "datePrecision":
                data["date_precision"] = re.sub(r"^unit", "", _local(iri)).lower()
            elif name == "dateDescription":
                data["date_description"] = value
            facts.append(
                {
                    "predicate": p,
                    "label_en": onto.label(p, "en"),
                    "label_fr": onto.label(p, "fr"),
                    "value": value,
                    "lang": lang,
                    "claim": graph,
                }
            )
        data["facts"] = facts
        if node in self.country:
            data["country"] = self.country[node]
        return data


_ASSERTED_GRAPH = f'(STRSTARTS(STR(?g), "{CLAIM}") || STRSTARTS(STR(?g), "{REFERENCE_GRAPH}"))'


def project(store: ox.Store) -> nx.MultiDiGraph:
    """Project the built graph in ``store`` onto a NetworkX ``MultiDiGraph``.

    Nodes are keyed by IRI; edges by the predicate's local name (``hostCity``). Graph-level
    attributes hold the claims (``G.graph["claims"][iri]``: quote, sentence, source, note,
    statements), the source documents, the reference datasets and the ontology's inverses.

    Examples
    --------
    >>> from graph.sparql import open_store  # doctest: +SKIP
    >>> G = project(open_store(Path("build")))  # doctest: +SKIP
    >>> G.nodes["https://w3id.org/cvekg/id/city/lyon"]["group"]  # doctest: +SKIP
    'french-city'
    """
    onto = _ontology(store)
    projector = _Projector(onto)
    for g, s, p, o in _rows(
        store,
        f"""SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
              FILTER({_ASSERTED_GRAPH} && STRSTARTS(STR(?s), "{ID}")) }}""",
    ):
        projector.add_quad(g.value, s.value, p.value, _value(o), _is_iri(o))
    # Types come from the union, so the inferred FrenchCity and USCity count.
    for s, t in _rows(
        store,
        f"""SELECT ?s ?t WHERE {{ ?s a ?t
              FILTER(STRSTARTS(STR(?s), "{ID}") && STRSTARTS(STR(?t), "{CVEKG}")) }}""",
    ):
        projector.nodes.add(s.value)
        projector.types[s.value].add(t.value)
    for s, c in _rows(
        store,
        f"""SELECT ?s ?c WHERE {{ ?s cvekg:locatedIn ?c . ?c a cvekg:Country
              FILTER(STRSTARTS(STR(?s), "{ID}")) }}""",
    ):
        projector.country.setdefault(s.value, c.value)
    _read_provenance(store, projector)
    for node in list(projector.nodes):
        if _is_provenance(node):
            projector.nodes.discard(node)
    G = projector.build()
    logger.info("projected %d nodes, %d edges", G.number_of_nodes(), G.number_of_edges())
    return G


def _is_iri(term) -> bool:
    import pyoxigraph as ox

    return isinstance(term, ox.NamedNode)


def _value(term):
    return term.value if _is_iri(term) else term


def _is_provenance(iri: str) -> bool:
    return iri.startswith(str(CLAIM))


def _read_provenance(store: ox.Store, projector: _Projector) -> None:
    for claim, quote, sentence, source, note in _rows(
        store,
        f"""SELECT ?c ?quote ?sentence ?source ?note WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
              ?c a cvekg:Claim ; cvekg:quote ?quote .
              OPTIONAL {{ ?c cvekg:sentence ?sentence }}
              OPTIONAL {{ ?c cvekg:source ?source }}
              OPTIONAL {{ ?c skos:editorialNote ?note }} }} }}""",
    ):
        projector.claims.setdefault(
            claim.value,
            {
                "name": _local(claim.value),
                "quote": quote.value,
                "sentence": sentence.value if sentence else None,
                "source": source.value if source else None,
                "note": note.value if note else None,
            },
        )
    for doc, title, text, published, author in _rows(
        store,
        """SELECT ?d (SAMPLE(?t) AS ?title) (SAMPLE(?x) AS ?text) (SAMPLE(?p) AS ?published)
                  (SAMPLE(?al) AS ?author) WHERE {
              ?d a cvekg:SourceDocument .
              OPTIONAL { ?d cvekg:title ?t } OPTIONAL { ?d cvekg:text ?x }
              OPTIONAL { ?d cvekg:published ?p }
              OPTIONAL { ?d cvekg:author/rdfs:label ?al }
            } GROUP BY ?d ORDER BY ?d""",
    ):
        projector.sources.append(
            {
                "iri": doc.value,
                "title": title.value if title else _local(doc.value),
                "text": text.value if text else "",
                "published": published.value if published else "",
                "author": author.value if author else "",
            }
        )
    for ref, title, description in _rows(
        store,
        """SELECT ?r (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?description) WHERE {
              GRAPH ?r { ?r a cvekg:ReferenceDataset
                OPTIONAL { ?r dcterms:title ?t } OPTIONAL { ?r dcterms:description ?d } }
            } GROUP BY ?r ORDER BY ?r""",
    ):
        projector.references.append(
            {
                "iri": ref.value,
                "title": title.value if title else _local(ref.value),
                "description": description.value if description else "",
            }
        )


def project_triples(store: ox.Store, triples: Iterable) -> nx.MultiDiGraph:
    """Project the result of a CONSTRUCT (any triples) with the same rules as :func:`project`.

    Work is proportional to the result, not to the store: each IRI's names, types and
    coordinates, and each triple's claims, are looked up by index. Any IRI is a node here (a
    query may return classes or outside IRIs); literals are attributes of their subject. A
    triple that no claim asserts (an inverse or super-property the build inferred) borrows the
    quote of the asserted triple it was inferred from and is marked ``inferred``.
    """
    import pyoxigraph as ox

    onto = _ontology(store)
    projector = _Projector(onto)
    wanted: list[tuple[str, str, str]] = []
    literals: list[tuple[str, str, Any]] = []
    for triple in triples:
        s, p, o = triple.subject, triple.predicate, triple.object
        if not isinstance(s, ox.NamedNode):
            continue
        projector.nodes.add(s.value)
        if isinstance(o, ox.NamedNode) and p.value != RDF_TYPE:
            projector.nodes.add(o.value)
            wanted.append((s.value, p.value, o.value))
        elif isinstance(o, ox.Literal):
            literals.append((s.value, p.value, o))
        elif p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
            projector.types[s.value].add(o.value)
    located, rdf_type = ox.NamedNode(str(CVEKG.locatedIn)), ox.NamedNode(RDF_TYPE)
    country = ox.NamedNode(str(CVEKG.Country))
    for node in projector.nodes:
        subject = ox.NamedNode(node)
        for quad in store.quads_for_pattern(subject, None, None):
            p, o = quad.predicate.value, quad.object
            if p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value.startswith(str(CVEKG)):
                projector.types[node].add(o.value)
            elif p in _NAMES and isinstance(o, ox.Literal):
                projector.names[node].append((p, o.value, o.language or ""))
            elif p in (GEO_LAT, GEO_LONG) and isinstance(o, ox.Literal):
                projector.literals[node].append((p, o.value, "", _name(quad.graph_name), ""))
        for quad in store.quads_for_pattern(subject, located, None):
            if any(store.quads_for_pattern(quad.object, rdf_type, country)):
                projector.country.setdefault(node, quad.object.value)
    claims: set[str] = set()
    for s, p, lit in literals:
        graphs = _asserted_in(store, ox.NamedNode(s), ox.NamedNode(p), lit)
        claims.update(graphs)
        projector.mentions[s].update(graphs)
        if p not in _NAMES and p not in (GEO_LAT, GEO_LONG):
            graph = graphs[0] if graphs else ""
            projector.literals[s].append((p, lit.value, lit.language or "", graph, ""))
    marks: dict[tuple[str, str, str], str] = {}
    for s, p, o in wanted:
        graphs = _asserted_in(store, ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o))
        if not graphs:
            graphs, how = _borrowed(store, onto, s, p, o)
            marks[(s, p, o)] = how or "inferred by the build"
        projector.edges[(s, p, o)] = graphs or [""]
        claims.update(graphs)
        projector.mentions[s].update(graphs)
        projector.mentions[o].update(graphs)
    _read_claims(store, projector, claims)
    G = projector.build()
    for (s, p, o), how in marks.items():
        edge = G.edges[s, o, _local(p)]
        edge["inferred"] = how
        if edge["claim"] == "":
            edge.update(claim=None, claims=[], reference=False)
    return G


def _name(term) -> str:
    return getattr(term, "value", "") or ""


def _asserted_in(store: ox.Store, s, p, o) -> list[str]:
    """The claim and reference graphs asserting a triple."""
    graphs = {_name(q.graph_name) for q in store.quads_for_pattern(s, p, o)}
    return sorted(
        g for g in graphs if g.startswith(str(CLAIM)) or g.startswith(str(REFERENCE_GRAPH))
    )


def _borrowed(store: ox.Store, onto: _Ontology, s: str, p: str, o: str) -> tuple[list[str], str]:
    """For an inferred triple, the graphs of the asserted one it follows from: its inverse,
    or a sub-property of it, between the same two entities."""
    import pyoxigraph as ox

    S, O = ox.NamedNode(s), ox.NamedNode(o)  # noqa: E741 - subject and object
    inverse = onto.inverse.get(p)
    if inverse:
        graphs = _asserted_in(store, O, ox.NamedNode(inverse), S)
        if graphs:
            return graphs, f"inverse of {onto.label(inverse, 'en')}"
    for q in sorted(q for q, sups in onto.subproperty.items() if p in sups):
        graphs = _asserted_in(store, S, ox.NamedNode(q), O)
        if graphs:
            return graphs, f"implied by {onto.label(q, 'en')}"
    return [], ""


def _read_claims(store, projector: _Projector, claims: set[str]) -> None:
    import pyoxigraph as ox

    wanted = sorted(c for c in claims if c.startswith(str(CLAIM)))
    prov = ox.NamedNode(str(PROVENANCE_GRAPH))
    fields = {
        str(CVEKG.quote): "quote",
        str(CVEKG.sentence): "sentence",
        str(CVEKG.source): "source",
        SKOS_NOTE: "note",
    }
    for claim in wanted:
        entry: dict[str, Any] = {"name": _local(claim)}
        for quad in store.quads_for_pattern(ox.NamedNode(claim), None, None, prov):
            field = fields.get(quad.predicate.value)
            if field:
                entry.setdefault(field, quad.object.value)
        if "quote" in entry:
            for field in fields.values():
                entry.setdefault(field, None)
            projector.claims[claim] = entry
            for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(claim)):
                o = quad.object
                is_iri = isinstance(o, ox.NamedNode)
                projector.statements[claim].append(
                    (quad.subject.value, quad.predicate.value, o.value, is_iri)
                )


def open_built(out: Path, sources: Path | None = None) -> ox.Store:
    """The Oxigraph store of the build in ``out``, building first when a source is newer."""
    from graph.build import build, is_stale
    from graph.sparql import open_store

    if is_stale(Path(out), sources):
        logger.info("%s is missing or older than its sources: building", out)
        build(sources=sources, out=Path(out), views=True)
    return open_store(Path(out))


def load(out: Path = Path("build"), sources: Path | None = None) -> nx.MultiDiGraph:
    """The projection of the build in ``out`` (built first when stale)."""
    return project(open_built(out, sources))


# --- Name resolution -------------------------------------------------------------------------


class UnknownEntityError(CvekgError):
    """No entity has that name; the message suggests the closest names."""


class AmbiguousEntityError(CvekgError):
    """Several entities have that name; the message lists them with their IRIs."""


def _names_of(G: nx.MultiDiGraph, node: str) -> Iterator[tuple[int, str]]:
    """(tier, name) pairs: 0 for labels, 1 for alternative labels, 2 for slugs and keys."""
    data = G.nodes[node]
    for lang in ("en", "fr"):
        if data.get(f"label_{lang}"):
            yield 0, data[f"label_{lang}"]
    for alt in data.get("alt_labels", ()):
        yield 1, alt
    yield 2, data.get("key", "")
    if data.get("kind"):
        yield 2, data["key"].removeprefix(data["kind"] + "-")


def _describe(G: nx.MultiDiGraph, node: str) -> str:
    data = G.nodes[node]
    prefixed = f"{data['kind']}:{data['key'].removeprefix(data['kind'] + '-')}"
    what = data.get("class_en") or data.get("group")
    return f"{data.get('label_en', node)} ({prefixed if data.get('kind') else node}, {what})"


def resolve(G: nx.MultiDiGraph, name: str) -> str:
    """The node ``name`` refers to, matched forgivingly; else a "did you mean" error.

    Tried in order: the IRI; a prefixed name (``city:new-orleans``); a label in English or
    French, an alternative label, or a slug, ignoring case, accents and punctuation (labels
    win over alternative labels, which win over slugs); then a unique entity whose name
    contains every word given, or else whose name starts with them.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("https://w3id.org/cvekg/id/organization/pantheon-assas", kind="organization",
    ...     key="organization-pantheon-assas", label_en="Université Paris II Panthéon-Assas",
    ...     label_fr="Université Paris II Panthéon-Assas", alt_labels=["Paris II"])
    >>> resolve(G, "pantheon assas")
    'https://w3id.org/cvekg/id/organization/pantheon-assas'
    >>> resolve(G, "Pantheon")
    'https://w3id.org/cvekg/id/organization/pantheon-assas'
    """
    wanted = name.strip()
    if wanted in G:
        return wanted
    prefix, colon, local = wanted.partition(":")
    if colon and f"{ID}{prefix}/{local}" in G:
        return f"{ID}{prefix}/{local}"
    query = normalize(wanted)
    if not query:
        raise UnknownEntityError("no entity name given")
    tiers: dict[int, set[str]] = defaultdict(set)
    index: dict[str, set[str]] = defaultdict(set)
    for node in G:
        for tier, text in _names_of(G, node):
            folded = normalize(text)
            index[folded].add(node)
            if folded == query:
                tiers[tier].add(node)
    for tier in sorted(tiers):
        found = tiers[tier]
        if len(found) == 1:
            return next(iter(found))
        raise AmbiguousEntityError(_ambiguous(G, name, found))
    words = query.split()
    containing = {
        node
        for folded, nodes in index.items()
        if all(re.search(rf"\b{re.escape(w)}", folded) for w in words)
        for node in nodes
    }
    starting = {n for folded, nodes in index.items() if folded.startswith(query) for n in nodes}
    for found in (containing, starting & containing):
        if len(found) == 1:
            return next(iter(found))
    if containing:
        raise AmbiguousEntityError(_ambiguous(G, name, containing))
    close = difflib.get_close_matches(query, list(index), n=5, cutoff=0.6)
    suggestions: list[str] = []
    for folded in close:
        for node in sorted(index[folded]):
            text = _describe(G, node)
            if text not in suggestions:
                suggestions.append(text)
    hint = f"; did you mean {' or '.join(suggestions[:4])}?" if suggestions else ""
    raise UnknownEntityError(f"no entity named {name!r}{hint}")


def _ambiguous(G: nx.MultiDiGraph, name: str, nodes: Iterable[str]) -> str:
    listed = sorted(_describe(G, n) for n in nodes)
    more = f" and {len(listed) - 8} more" if len(listed) > 8 else ""
    return (
        f"{name!r} names {len(listed)} entities: {'; '.join(listed[:8])}{more}; "
        "give a longer name or the prefixed name (city:paris)"
    )


# --- Paths -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathStep:
    """One step of a chain: from ``source`` to ``target`` along an edge read either way.

    ``forward`` is True when the triple reads ``source predicate target``, False when it reads
    ``target predicate source`` (the chain walked the edge backwards).
    """

    source: str
    target: str
    predicate: str
    label_en: str
    label_fr: str
    forward: bool
    claim: str | None
    quote: str | None
    sentence: str | None


def undirected(G: nx.MultiDiGraph, sourced_only: bool = True) -> nx.Graph:
    """A simple undirected view for analytics: one link per related pair of entities.

    With ``sourced_only`` (the default) only edges that a quote supports count, so reference
    data (a city located in its country) does not make every city one step from every other.
    """
    import networkx as nx

    H = nx.Graph()
    H.add_nodes_from(G.nodes)
    H.add_edges_from(
        (u, v) for u, v, d in G.edges(data=True) if u != v and (d.get("quote") or not sourced_only)
    )
    return H


def path(
    G: nx.MultiDiGraph, a: str, b: str, *, k: int = 3, sourced_only: bool = True
) -> list[list[PathStep]]:
    """The shortest chains linking entities ``a`` and ``b`` (names or IRIs), up to ``k`` of them.

    Edges are walked in either direction, and each step says which way its triple reads. Only
    quoted edges are used unless ``sourced_only`` is False. Returns ``[]`` when no chain exists.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for n, label in [("a", "Nice"), ("b", "Attack"), ("c", "Boston")]:
    ...     G.add_node(n, label_en=label, label_fr=label, key=n)
    >>> G.add_edge("b", "a", key="place", label_en="place", label_fr="lieu", quote="q1")
    'place'
    >>> G.add_edge("b", "c", key="target", label_en="near", label_fr="près", quote="q2")
    'target'
    >>> [(s.label_en, s.forward) for s in path(G, "Nice", "Boston")[0]]
    [('place', False), ('near', True)]
    """
    import networkx as nx

    source, target = resolve(G, a), resolve(G, b)
    if source == target:
        return [[]]
    H = undirected(G, sourced_only)
    try:
        chains = list(itertools.islice(nx.all_shortest_paths(H, source, target), k))
    except nx.NetworkXNoPath:
        return []
    return [[_step(G, u, v, sourced_only) for u, v in itertools.pairwise(c)] for c in chains]


def _step(G: nx.MultiDiGraph, u: str, v: str, sourced_only: bool) -> PathStep:
    candidates = [(True, key, d) for key, d in G.get_edge_data(u, v, default={}).items()]
    candidates += [(False, key, d) for key, d in G.get_edge_data(v, u, default={}).items()]
    if sourced_only:
        candidates = [c for c in candidates if c[2].get("quote")]
    forward, _, d = min(candidates, key=lambda c: (not c[2].get("quote"), not c[0], c[1]))
    return PathStep(
        source=u,
        target=v,
        predicate=d.get("predicate", ""),
        label_en=d.get("label_en", ""),
        label_fr=d.get("label_fr", ""),
        forward=forward,
        claim=d.get("claim"),
        quote=d.get("quote"),
        sentence=d.get("sentence"),
    )


def format_path(G: nx.MultiDiGraph, chains: list[list[PathStep]], lang: str = "en") -> str:
    """Chains as the text ``cvekg path`` prints: each step, its direction and its quote."""
    lines = []
    for i, chain in enumerate(chains, 1):
        if not chain:
            continue
        start, end = node_label(G, chain[0].source, lang), node_label(G, chain[-1].target, lang)
        steps = "step" if len(chain) == 1 else "steps"
        lines.append(f"chain {i} of {len(chains)} ({len(chain)} {steps}): {start} to {end}")
        lines.append(f"  {start}")
        for step in chain:
            label = step.label_fr if lang == "fr" else step.label_en
            arrow = f"-- {label} -->" if step.forward else f"<-- {label} --"
            lines.append(f"  {arrow} {node_label(G, step.target, lang)}")
            if step.quote:
                lines.append(f'        "{step.quote}"')
            else:
                lines.append("        (reference data, no quote)")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- Rankings and communities ----------------------------------------------------------------


def degree_ranking(G: nx.MultiDiGraph, k: int = 10, sourced_only: bool = True):
    """The ``k`` entities related to the most others: ``[(node, degree), ...]``."""
    H = undirected(G, sourced_only)
    return sorted(H.degree, key=lambda item: (-item[1], item[0]))[:k]


def betweenness_ranking(G: nx.MultiDiGraph, k: int = 10, sourced_only: bool = True):
    """The ``k`` entities on the most shortest paths between any two entities.

    Exact below 2,000 nodes; sampled (500 pivots, fixed seed) above, as NetworkX allows.
    """
    import networkx as nx

    H = undirected(G, sourced_only)
    sample = 500 if H.number_of_nodes() > 2000 else None
    scores = nx.betweenness_centrality(H, k=sample, seed=1 if sample else None)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [(n, s) for n, s in ranked[:k] if s > 0]


def brokers(
    G: nx.MultiDiGraph,
    k: int = 10,
    between: tuple[str, str] = ("france", "united-states"),
    sourced_only: bool = True,
):
    """Who brokers ties between two countries: betweenness on paths from one to the other.

    The sources are every entity located in the first country (the country included), the
    targets every entity located in the second. A broker scores for each shortest path from a
    source to a target that runs through it (NetworkX ``betweenness_centrality_subset``).
    Returns ``[(node, score), ...]``, best first, scores above zero only.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("fr", country="x/france"); G.add_node("us", country="x/united-states")
    >>> G.add_node("exchange")
    >>> G.add_edge("exchange", "fr", quote="q"); G.add_edge("exchange", "us", quote="q")
    0
    0
    >>> brokers(G)  # NetworkX counts a path of an undirected graph as half from each end
    [('exchange', 0.5)]
    """
    import networkx as nx

    H = undirected(G, sourced_only)

    def located(country: str) -> set[str]:
        return {
            n
            for n, d in G.nodes(data=True)
            if (d.get("country") or "").endswith("/" + country) or n.endswith("/country/" + country)
        }

    first, second = located(between[0]), located(between[1])
    if not first or not second:
        return []
    scores = nx.betweenness_centrality_subset(H, sources=first, targets=second, normalized=False)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [(n, s) for n, s in ranked if s > 0][:k]


def communities(G: nx.MultiDiGraph, sourced_only: bool = True, seed: int = 1) -> list[set[str]]:
    """Communities of the undirected network (Louvain, fixed seed), largest first.

    Isolated entities are left out: each would be a community of one.
    """
    import networkx as nx

    H = undirected(G, sourced_only)
    H.remove_nodes_from([n for n, d in H.degree if d == 0])
    if H.number_of_edges() == 0:
        return []
    found = nx.community.louvain_communities(H, seed=seed)
    return sorted(found, key=lambda c: (-len(c), min(c)))


def stats(G: nx.MultiDiGraph, k: int = 10, sourced_only: bool = True) -> dict[str, Any]:
    """Counts, rankings and communities of the network, as plain data (JSON-ready)."""
    import networkx as nx

    H = undirected(G, sourced_only)
    label = {n: node_label(G, n) for n in G}
    groups = Counter(d.get("group", "other") for _, d in G.nodes(data=True))
    predicates = Counter(d.get("label_en", k) for _, _, k, d in G.edges(keys=True, data=True))
    found = communities(G, sourced_only)
    degree = dict(H.degree)
    return {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "sourced_edges": sum(1 for *_, d in G.edges(data=True) if d.get("quote")),
        "claims": len(G.graph.get("claims", {})),
        "components": nx.number_connected_components(H) if len(H) else 0,
        "groups": {g.key: groups[g.key] for g in GROUPS if groups[g.key]},
        "predicates": dict(predicates.most_common(k)),
        "degree": [{"node": n, "label": label[n], "degree": d} for n, d in degree_ranking(G, k)],
        "betweenness": [
            {"node": n, "label": label[n], "score": round(s, 4)}
            for n, s in betweenness_ranking(G, k, sourced_only)
        ],
        "brokers": [
            {"node": n, "label": label[n], "score": round(s, 2)}
            for n, s in brokers(G, k, sourced_only=sourced_only)
        ],
        "communities": [
            {
                "size": len(c),
                "members": [
                    label[n] for n in sorted(c, key=lambda n: (-degree.get(n, 0), label[n]))[:6]
                ],
            }
            for c in found
        ],
    }


def format_stats(result: dict[str, Any]) -> str:
    """The text ``cvekg stats`` prints."""
    group_names = {g.key: g.en for g in GROUPS}
    lines = [
        f"{result['nodes']} entities, {result['edges']} relations "
        f"({result['sourced_edges']} quoted), {result['claims']} claims, "
        f"{result['components']} connected parts",
        "",
        "Entities by kind:",
        *(f"  {n:>5}  {group_names.get(g, g)}" for g, n in result["groups"].items()),
        "",
        "Most used relations:",
        *(f"  {n:>5}  {p}" for p, n in result["predicates"].items()),
        "",
        "Most connected (degree, quoted relations):",
        *(f"  {r['degree']:>5}  {r['label']}" for r in result["degree"]),
        "",
        "On the most shortest paths (betweenness):",
        *(f"  {r['score']:>7.3f}  {r['label']}" for r in result["betweenness"]),
        "",
        "Brokers of France-US ties (paths from an entity in France to one in the US):",
        *(f"  {r['score']:>7.1f}  {r['label']}" for r in result["brokers"]),
        "",
        "Communities (Louvain):",
        *(
            f"  {i:>2}. {c['size']} entities: {', '.join(c['members'])}"
            + (", ..." if c["size"] > len(c["members"]) else "")
            for i, c in enumerate(result["communities"], 1)
        ),
    ]
    return "\n".join(lines) + "\n"


# --- Export ----------------------------------------------------------------------------------

#: ``cvekg export --format`` choices and their file suffix.
EXPORT_FORMATS = {"graphml": ".graphml", "gexf": ".gexf", "json": ".json"}


def _flat(value: Any) -> Any:
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def sanitize_for_export(G: nx.MultiDiGraph, flat: bool = True) -> nx.MultiDiGraph:
    """A copy fit for GraphML and GEXF: no ``None``, no nested values (``flat``).

    Lists of strings become ``"a; b"``, other nested values JSON text. Graph-level data (the
    claims) is dropped, since each edge carries its own claim and quote. Without ``flat``
    (JSON export), only ``None`` values are dropped.
    """
    import networkx as nx

    H = nx.MultiDiGraph()
    H.graph["name"] = "cvekg"
    for n, d in G.nodes(data=True):
        H.add_node(n, **{k: _flat(v) if flat else v for k, v in d.items() if v is not None})
    for u, v, key, d in G.edges(keys=True, data=True):
        H.add_edge(
            u, v, key=key, **{a: _flat(x) if flat else x for a, x in d.items() if x is not None}
        )
    return H


def _gexf_viz(H: nx.MultiDiGraph) -> None:
    colors = {g.key: g.color for g in GROUPS}
    for _, d in H.nodes(data=True):
        color = colors.get(d.get("group", "other"), "#9ca3af")
        d["viz"] = {
            "color": {"r": int(color[1:3], 16), "g": int(color[3:5], 16), "b": int(color[5:7], 16)}
        }


def export(G: nx.MultiDiGraph, fmt: str, out: Path) -> Path:
    """Write the network for Gephi (``graphml``, ``gexf``) or D3 (``json``, node-link).

    The file is written to a temporary name and renamed, so a failed export leaves no file.
    """
    import networkx as nx

    from graph.build import atomic_writer

    if fmt not in EXPORT_FORMATS:
        raise CvekgError(f"unknown export format {fmt!r}; choose {', '.join(EXPORT_FORMATS)}")
    out = Path(out)
    if fmt == "json":
        H = sanitize_for_export(G, flat=False)
        data = nx.node_link_data(H, edges="links")
        with atomic_writer(out) as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1, default=str)
        return out
    H = sanitize_for_export(G)
    with atomic_writer(out, "wb") as handle:
        if fmt == "graphml":
            nx.write_graphml(H, handle, named_key_ids=True)
        else:
            _gexf_viz(H)
            nx.write_gexf(H, handle)
    return out


# --- Projections for the views ---------------------------------------------------------------


def _short_label(G: nx.MultiDiGraph, node: str, lang: str) -> str:
    names = [node_label(G, node, lang), *G.nodes[node].get("alt_labels", ())]
    return min(names, key=len)


def city_pair_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """French and US cities, with each exchange folded into edges between its cities.

    An exchange with a delegation city and host cities becomes one edge per host, from the
    delegation's city to the host, labelled with its date and programme and carrying the
    exchange's claim and quote; a stop of the visit becomes a dashed edge to the stop; an
    exchange with partner cities only (neither side named as host) links the partners. Every
    French and US city is a node, plus any other city an exchange links.
    """
    import networkx as nx

    C = nx.MultiDiGraph(**G.graph)
    cities = {n for n, d in G.nodes(data=True) if d.get("group") in ("french-city", "us-city")}
    folded: list[tuple[str, str, dict[str, Any]]] = []
    for ex, d in G.nodes(data=True):
        if d.get("group") != "exchange":
            continue
        out = {key: [] for key in ("delegationFrom", "hostCity", "partnerCity", "visitStop")}
        programs = []
        for _, o, key, e in G.out_edges(ex, keys=True, data=True):
            if key in out and G.nodes[o].get("class_en") and "City" in G.nodes[o]["class"]:
                out[key].append((o, e))
            elif key == "program":
                programs.append(o)
        base = {
            "exchange": ex,
            "date": d.get("date"),
            "program": programs[0] if programs else None,
        }
        for lang in ("en", "fr"):
            parts = [format_date(d.get("date"), lang) or d.get("date_description", "")]
            parts += [_short_label(G, p, lang) for p in programs[:1]]
            base[f"label_{lang}"] = " · ".join(p for p in parts if p) or (
                "exchange" if lang == "en" else "échange"
            )
        for f, _ in out["delegationFrom"]:
            for h, e in out["hostCity"]:
                folded.append((f, h, {**base, **_claim_of(e), "kind": "exchange"}))
            for stop, e in out["visitStop"]:
                label = {lang: f"{'stop' if lang == 'en' else 'étape'}" for lang in ("en", "fr")}
                folded.append(
                    (
                        f,
                        stop,
                        {
                            **base,
                            **_claim_of(e),
                            "kind": "stop",
                            "label_en": f"{label['en']} · {base['label_en']}",
                            "label_fr": f"{label['fr']} · {base['label_fr']}",
                        },
                    )
                )
        if not out["delegationFrom"] and not out["hostCity"]:
            partners = out["partnerCity"]
            for (a, e), (b, _) in itertools.combinations(partners, 2):
                folded.append((a, b, {**base, **_claim_of(e), "kind": "partners"}))
    for u, v, _ in folded:
        cities.update((u, v))
    for n in sorted(cities):
        C.add_node(n, **G.nodes[n])
    for u, v, data in folded:
        C.add_edge(u, v, key=f"{data['kind']}:{data['exchange']}", **data)
    return C


def _claim_of(edge: dict[str, Any]) -> dict[str, Any]:
    return {k: edge.get(k) for k in ("claim", "quote", "sentence", "source")}


def timeline_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The events (attacks, incidents, exchanges, meetings, agreements) and the edges among
    them: what followed what (``inWakeOf``, ``ledTo``, ``learnedAbout`` an attack...)."""
    events = [n for n, d in G.nodes(data=True) if d.get("group") in EVENT_GROUPS]
    return G.subgraph(events).copy()


def ego_graph(
    G: nx.MultiDiGraph, center: str, radius: int = 2, limit: int = 150
) -> tuple[nx.MultiDiGraph, dict[str, int], int]:
    """The neighbourhood of ``center`` up to ``radius`` steps (edges read both ways); an edge
    without a quote (reference data) counts for the first step only.

    At most ``limit`` nodes are kept, nearest first and, at the same distance, the best
    connected first, so a hub does not drown the page. Returns the subgraph (a view), each
    node's distance and how many nodes were left out.
    """
    distance = {center: 0}
    frontier = [center]
    for step in range(1, radius + 1):
        found = []
        for node in frontier:
            for u, v, d in itertools.chain(
                G.out_edges(node, data=True), G.in_edges(node, data=True)
            ):
                other = v if u == node else u
                # Reference data (a city in its country) is one step, never a way further:
                # otherwise every city would be two steps from every other.
                if other in distance or (step > 1 and not d.get("quote")):
                    continue
                if step < radius and not d.get("quote"):
                    distance[other] = step
                    continue
                distance[other] = step
                found.append(other)
        frontier = found
    ranked = sorted(distance, key=lambda n: (distance[n], -G.degree(n), n))
    kept = ranked[:limit]
    return G.subgraph(kept), {n: distance[n] for n in kept}, len(ranked) - len(kept)


def aggregate(G: nx.MultiDiGraph, key: str = "group") -> nx.MultiDiGraph:
    """One node per value of a node attribute (``group``, ``country``, ``year``...), sized by
    its count, and one edge per pair of values, weighted by how many edges it stands for and
    labelled with its two commonest predicates.

    Nodes lacking the attribute fall under ``"(none)"``. The overview of a large graph draws
    this instead of every entity.
    """
    import networkx as nx

    def value(d: dict[str, Any]) -> str:
        if key == "year":
            return (d.get("date") or "")[:4] or "(none)"
        return str(d.get(key) or "(none)")

    A = nx.MultiDiGraph()
    members: dict[str, list[str]] = defaultdict(list)
    of = {}
    for n, d in G.nodes(data=True):
        of[n] = value(d)
        members[of[n]].append(n)
    for v, nodes in members.items():
        A.add_node(v, count=len(nodes), members=nodes)
    weights: Counter[tuple[str, str]] = Counter()
    kinds: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    for u, w, d in G.edges(data=True):
        pair = (of[u], of[w])
        weights[pair] += 1
        kinds[pair][(d.get("label_en", ""), d.get("label_fr", ""))] += 1
    for (a, b), count in weights.items():
        top = [k for k, _ in kinds[(a, b)].most_common(2)]
        more = len(kinds[(a, b)]) - len(top)
        suffix = f" (+{more})" if more else ""
        A.add_edge(
            a,
            b,
            count=count,
            label_en=", ".join(k[0] for k in top) + suffix,
            label_fr=", ".join(k[1] for k in top) + suffix,
        )
    return A
