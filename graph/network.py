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
import gc
import itertools
import json
import logging
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from graph.errors import CvekgError
from graph.namespaces import (
    CLAIM,
    CVEKG,
    ID,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    PROVENANCE_GRAPH,
    REFERENCE_GRAPH,
)

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

__all__ = [
    "load",
    "GROUPS",
    "Group",
    "EVENT_GROUPS",
    "EXPORT_FORMATS",
    "UnknownEntityError",
    "AmbiguousEntityError",
    "PathStep",
    "Fact",
    "project",
    "project_triples",
    "collector_paused",
    "claim_statements",
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
    "induced",
    "ego_graph",
    "neighbourhood",
    "resolve_in_store",
    "Neighbourhoods",
    "LeftOut",
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
    rest = iri[len(_ID) :] if iri.startswith(_ID) else iri
    key = rest.replace("/", "-")
    if not _SAFE_KEY.fullmatch(key):
        key = re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-.")
    return key[:150] or "entity"


_SAFE_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(?<![.-])")


@lru_cache(maxsize=4096)
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


class Fact(NamedTuple):
    """A literal about an entity (a date, a count, a title) and the claim that states it.

    A tuple, not a dict: a million-triple graph has hundreds of thousands of them.
    """

    predicate: str
    label_en: str
    label_fr: str
    value: str
    lang: str
    claim: str


@dataclass
class _Ontology:
    labels: dict[str, dict[str, str]]
    supers: dict[str, set[str]]
    inverse: dict[str, str]
    subproperty: dict[str, set[str]]
    #: Classes with a definition (``owl:equivalentClass``): the build infers their members.
    defined: set[str] = field(default_factory=set)
    _depths: dict[str, int] = field(default_factory=dict)
    _groups: dict[str | None, str] = field(default_factory=dict)
    _labels: dict[tuple[str, str], str] = field(default_factory=dict)

    def label(self, iri: str, lang: str) -> str:
        found = self._labels.get((iri, lang))
        if found is None:
            names = self.labels.get(iri, {})
            found = names.get(lang) or names.get("en") or names.get("") or _local(iri)
            self._labels[(iri, lang)] = found
        return found

    def depth(self, cls: str, seen: frozenset[str] = frozenset()) -> int:
        """1 + the longest chain of superclasses above ``cls`` (cached: called per entity)."""
        if not seen and cls in self._depths:
            return self._depths[cls]
        parents = self.supers.get(cls, set()) - seen - {cls}
        found = 1 + max((self.depth(p, seen | {cls}) for p in parents), default=0)
        if not seen:
            self._depths[cls] = found
        return found

    def group(self, cls: str | None) -> str:
        if cls in self._groups:
            return self._groups[cls]
        todo, seen, found = [cls] if cls else [], set(), "other"
        while todo:
            c = todo.pop(0)
            if c in seen:
                continue
            seen.add(c)
            key = _GROUP_OF_CLASS.get(_local(c)) if c.startswith(str(CVEKG)) else None
            if key:
                found = key
                break
            todo.extend(sorted(self.supers.get(c, ())))
        self._groups[cls] = found
        return found


def _rows(store: ox.Store, query: str) -> Iterator[tuple]:
    """Rows of one of our own SELECT queries (prefixes bound, union default graph).

    These queries are fixed text, so they skip the user query gate (which lists every named
    graph on each call: a second at a million triples).
    """
    from graph.namespaces import PREFIXES

    results = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    width = len(results.variables)
    for solution in results:
        yield tuple(solution[i] for i in range(width))


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
    defined = {
        c.value
        for (c,) in _rows(
            store,
            f"SELECT ?c WHERE {{ GRAPH {onto} {{ ?c owl:equivalentClass ?d }} FILTER isIRI(?c) }}",
        )
    }
    return _Ontology(dict(labels), dict(supers), inverse, dict(subproperty), defined)


class _Projector:
    """Collects quads, types and claims, then builds the MultiDiGraph by the projection rules.

    Every IRI is kept once (``self.iri``): a million quads would otherwise hold millions of
    copies of the same few hundred thousand strings.
    """

    def __init__(self, onto: _Ontology, statements: bool = True):
        self.onto = onto
        self.keep_statements = statements
        self.types: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        self.literals: dict[str, list[tuple[str, str, str, str, str]]] = defaultdict(list)
        self.edges: dict[tuple[str, str, str], list[str]] = {}
        self.mentions: dict[str, list[str]] = defaultdict(list)
        self.country: dict[str, str] = {}
        self.claims: dict[str, dict[str, Any]] = {}
        self.statements: dict[str, list[tuple[str, str, str, bool]]] = defaultdict(list)
        self.sources: list[dict[str, str]] = []
        self.references: list[dict[str, str]] = []
        self.nodes: set[str] = set()
        self._strings: dict[str, str] = {}
        self._fact_labels: dict[str, tuple[str, str]] = {}

    def iri(self, text: str) -> str:
        """The one copy of ``text`` this projection keeps."""
        return self._strings.setdefault(text, text)

    def add_quad(self, graph: str, s: str, p: str, o, o_is_iri: bool) -> None:
        """One asserted quad of a claim or reference graph, subject in the instance space.

        Only claim graphs keep their statements (for the claims table of entity pages); a
        reference graph holds thousands of places and no page lists them statement by
        statement.
        """
        self.nodes.add(s)
        self.mentions[s].append(graph)
        claim = self.keep_statements and graph.startswith(_CLAIM)
        if p == RDF_TYPE:
            if o_is_iri:
                self.types[s].add(o)
            if claim:
                self.statements[graph].append((s, p, o, o_is_iri))
            return
        value = o if o_is_iri else o.value
        if claim:
            self.statements[graph].append((s, p, value, o_is_iri))
        if o_is_iri:
            if o.startswith(_ID):
                self.nodes.add(o)
                self.mentions[o].append(graph)
                found = self.edges.get((s, p, o))
                if found is None:
                    self.edges[(s, p, o)] = [graph]
                else:
                    found.append(graph)
            else:  # an IRI value outside our instances (time:unitMonth): an attribute
                label = self.onto.label(o, "en")
                if o.startswith("http://www.w3.org/2006/time#unit"):
                    label = label.removeprefix("unit").lower()
                self.literals[s].append((p, label, "", graph, o))
        elif p in _NAMES:
            self.names[s].append((p, value, o.language or ""))
        else:
            self.literals[s].append((p, value, o.language or "", graph, ""))

    def build(self) -> nx.MultiDiGraph:
        import networkx as nx

        G = nx.MultiDiGraph()
        onto = self.onto
        predicates = {
            p: (_local(p), onto.label(p, "en"), onto.label(p, "fr")) for _, p, _ in self.edges
        }

        def edges() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
            for (s, p, o), graphs in sorted(self.edges.items()):
                if len(graphs) > 1:
                    graphs = sorted(set(graphs), key=lambda g: (not g.startswith(_CLAIM), g))
                first = graphs[0]
                claim = self.claims.get(first, _NO_CLAIM)
                key, label_en, label_fr = predicates[p]
                yield (
                    s,
                    o,
                    key,
                    {
                        "predicate": p,
                        "label_en": label_en,
                        "label_fr": label_fr,
                        "claim": first,
                        "claims": graphs,
                        "quote": claim.get("quote"),
                        "sentence": claim.get("sentence"),
                        "source": claim.get("source"),
                        "reference": not first.startswith(_CLAIM),
                    },
                )

        _fill(G, ((node, self._node(node)) for node in sorted(self.nodes)), edges())
        for iri, claim in self.claims.items():
            claim["statements"] = self.statements.get(iri, ())
        G.graph.update(
            claims=self.claims,
            sources=self.sources,
            references=self.references,
            predicates={p: labels[1:] for p, labels in predicates.items()},
            terms=self._terms(predicates),
            inverse=onto.inverse,
            subproperty={p: sorted(q) for p, q in onto.subproperty.items()},
        )
        return G

    def _terms(self, predicates: Iterable[str] = ()) -> dict[str, tuple[str, str]]:
        """Labels (English, French) of the predicates and classes the claims' statements use.

        Without kept statements (the views read them from the store later) that is every
        predicate and class the projection met: the relations' ``predicates``, the literals',
        the names' and every type.
        """
        onto = self.onto
        terms: dict[str, tuple[str, str]] = {}

        def add(term: str) -> None:
            if term not in terms:
                terms[term] = _FIXED_TERMS.get(term) or (
                    onto.label(term, "en"),
                    onto.label(term, "fr"),
                )

        for statements in self.statements.values():
            for _, p, o, _ in statements:
                add(p)
                if p == RDF_TYPE:
                    add(o)
        if not self.keep_statements:
            for term in (RDF_TYPE, RDFS_LABEL, SKOS_ALT, *predicates):
                add(term)
            for literals in self.literals.values():
                for p, *_ in literals:
                    add(p)
            for classes in self.types.values():
                for cls in classes:
                    add(cls)
        return terms

    def _class(self, node: str) -> str | None:
        ours = [t for t in self.types.get(node, ()) if t.startswith(_CVEKG)]
        if not ours:
            return None
        if len(ours) == 1:
            return ours[0]
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
        rest = node[len(_ID) :] if node.startswith(_ID) else _local(node)
        kind, _, slug = rest.partition("/")
        literals = sorted(self.literals.get(node, ()))
        for p, value, lang, _, _ in literals:
            if p.endswith("/title") or p.endswith("#title"):
                labels.setdefault(lang, value)
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
            "claims": sorted({g for g in self.mentions.get(node, ()) if g.startswith(_CLAIM)}),
        }
        facts = []
        for p, value, lang, graph, iri in literals:
            if p == GEO_LAT:
                data["lat"] = float(value)
            elif p == GEO_LONG:
                data["lon"] = float(value)
            else:
                name = _local(p)
                if name == "date":
                    data["date"] = value
                elif name == "datePrecision":
                    data["date_precision"] = re.sub(r"^unit", "", _local(iri)).lower()
                elif name == "dateDescription":
                    data["date_description"] = value
            names = self._fact_labels.get(p)
            if names is None:
                names = self._fact_labels[p] = (onto.label(p, "en"), onto.label(p, "fr"))
            facts.append(Fact(p, names[0], names[1], value, lang, graph))
        data["facts"] = facts
        if node in self.country:
            data["country"] = self.country[node]
        return data


_ID, _CLAIM, _CVEKG = str(ID), str(CLAIM), str(CVEKG)
#: Labels of the RDF and SKOS terms a claim uses, which the ontology does not label.
_FIXED_TERMS = {
    RDF_TYPE: ("is a", "est un·e"),
    RDFS_LABEL: ("label", "libellé"),
    SKOS_ALT: ("also called", "autre nom"),
}


def _fill(
    G: nx.MultiDiGraph,
    nodes: Iterable[tuple[str, dict[str, Any]]],
    edges: Iterable[tuple[str, str, str, dict[str, Any]]],
) -> None:
    """Put nodes and edges into the empty ``G`` with their attribute dicts as they are.

    ``add_nodes_from`` and ``add_edges_from`` copy every attribute dict: at a million
    triples that is half a million dicts made twice, two seconds and a hundred megabytes.
    This fills NetworkX's documented data structure (``G._node``, ``G._succ``, ``G._pred``:
    dicts keyed by node, then neighbour, then edge key) directly, and falls back on the
    public methods if a NetworkX release lays it out otherwise.
    """
    import networkx as nx

    node, succ, pred = (getattr(G, name, None) for name in ("_node", "_succ", "_pred"))
    plain = (
        nx.MultiDiGraph.node_dict_factory is dict and nx.MultiDiGraph.edge_key_dict_factory is dict
    )
    if not (
        plain and isinstance(node, dict) and isinstance(succ, dict) and isinstance(pred, dict)
    ) or len(G):
        G.add_nodes_from(nodes)
        G.add_edges_from(edges)
        return
    for n, data in nodes:
        node[n] = data
        succ[n] = {}
        pred[n] = {}
    for u, v, key, data in edges:
        keyed = succ[u].get(v)
        if keyed is None:
            keyed = succ[u][v] = {}
            pred[v][u] = keyed
        keyed[key] = data
    clear = getattr(nx, "_clear_cache", None)
    if clear:
        clear(G)


_NO_CLAIM: dict[str, Any] = {}


def project(store: ox.Store, statements: bool = True) -> nx.MultiDiGraph:
    """Project the built graph in ``store`` onto a NetworkX ``MultiDiGraph``.

    Nodes are keyed by IRI; edges by the predicate's local name (``hostCity``). Graph-level
    attributes hold the claims (``G.graph["claims"][iri]``: quote, sentence, source, note,
    statements), the source documents, the reference datasets and the ontology's inverses.
    Without ``statements`` each claim's statements are left out (an empty list): the views
    read the few they show from the store (:func:`claim_statements`), which saves a tenth of
    the memory at a million triples.

    The quads are read graph by graph from Oxigraph's indexes rather than through SPARQL (three
    times faster), and Python's cycle collector is paused meanwhile: the projection makes
    millions of small objects and none of them is garbage. Time and memory grow linearly with
    the asserted triples.

    Examples
    --------
    >>> from graph.store import open_store  # doctest: +SKIP
    >>> G = project(open_store(Path("build")))  # doctest: +SKIP
    >>> G.nodes["https://w3id.org/cvekg/id/city/lyon"]["group"]  # doctest: +SKIP
    'french-city'
    """
    with collector_paused():
        return _project(store, statements)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a block that builds many lasting objects.

    Each full collection walks every object alive: with a projected million-triple graph in
    memory that is a second each, and allocating millions of objects starts dozens of them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _project(store: ox.Store, statements: bool) -> nx.MultiDiGraph:
    import pyoxigraph as ox

    started = time.perf_counter()
    onto = _ontology(store)
    projector = _Projector(onto, statements)
    strings = projector._strings
    named = ox.NamedNode
    reference = str(REFERENCE_GRAPH)
    add, literal = projector.add_quad, ox.Literal
    # The commonest quad, an edge between two entities, is handled here rather than in
    # add_quad: a million calls fewer.
    nodes, mentions, edges = projector.nodes, projector.mentions, projector.edges
    for graph in store.named_graphs():
        g = graph.value if isinstance(graph, named) else ""
        if not (g.startswith(_CLAIM) or g.startswith(reference)):
            continue
        g = strings.setdefault(g, g)
        quick = not (statements and g.startswith(_CLAIM))
        for s, p, o, _ in store.quads_for_pattern(None, None, None, graph):
            subject = s.value
            if not subject.startswith(_ID) or type(s) is not named:
                continue
            subject = strings.setdefault(subject, subject)
            predicate = strings.setdefault(p.value, p.value)
            if type(o) is named:
                value = strings.setdefault(o.value, o.value)
                if quick and predicate != RDF_TYPE and value.startswith(_ID):
                    nodes.add(subject)
                    nodes.add(value)
                    mentions[subject].append(g)
                    mentions[value].append(g)
                    found = edges.get((subject, predicate, value))
                    if found is None:
                        edges[(subject, predicate, value)] = [g]
                    else:
                        found.append(g)
                else:
                    add(g, subject, predicate, value, True)
            elif type(o) is literal:  # a blank node (a structured note) is neither
                add(g, subject, predicate, o, False)
    read = time.perf_counter()
    _read_types(store, projector)
    _read_provenance(store, projector)
    for node in list(projector.nodes):
        if _is_provenance(node):
            projector.nodes.discard(node)
    annotated = time.perf_counter()
    G = projector.build()
    logger.info(
        "projected %d nodes, %d edges: quads %.2f s, types and claims %.2f s, graph %.2f s",
        len(projector.nodes),
        len(projector.edges),
        read - started,
        annotated - read,
        time.perf_counter() - annotated,
    )
    return G


def _read_types(store: ox.Store, projector: _Projector) -> None:
    """The types and countries the asserted graphs do not give: members of the defined classes
    (the inferred ``FrenchCity``, ``USCity``), the types of entities that only the inferred
    graph types, and countries through the transitive ``locatedIn``.

    Only the most specific class matters, and the other inferred types are superclasses of
    asserted ones, so the (large) inferred graph is read by index, class by class.
    """
    import pyoxigraph as ox

    iri = projector.iri
    rdf_type = ox.NamedNode(RDF_TYPE)
    types = projector.types
    # Entities typed outside the asserted and inferred graphs (a source document described
    # only in the provenance graph) are entities too. Oxigraph filters those graphs' types
    # (hundreds of thousands of claims and annotations) without handing each to Python.
    skip = (_CLAIM, str(REFERENCE_GRAPH), str(INFERRED_GRAPH), str(ONTOLOGY_GRAPH))
    for graph in store.named_graphs():
        if getattr(graph, "value", "").startswith(skip):
            continue
        for s, t in _rows(
            store,
            f"""SELECT ?s ?t WHERE {{ GRAPH <{graph.value}> {{ ?s a ?t }}
                  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{_ID}")
                         && STRSTARTS(STR(?t), "{_CVEKG}")) }}""",
        ):
            node = iri(s.value)
            projector.nodes.add(node)
            types[node].add(iri(t.value))
    for s, _, t, _ in store.quads_for_pattern(None, rdf_type, None, ox.DefaultGraph()):
        if s.value.startswith(_ID) and t.value.startswith(_CVEKG) and type(s) is ox.NamedNode:
            projector.nodes.add(iri(s.value))
            types[iri(s.value)].add(iri(t.value))
    for cls in sorted(projector.onto.defined):
        for s, _, _, _ in store.quads_for_pattern(None, rdf_type, ox.NamedNode(cls)):
            if s.value.startswith(_ID) and type(s) is ox.NamedNode:
                node = iri(s.value)
                projector.nodes.add(node)
                types[node].add(iri(cls))
    for node in projector.nodes:
        if not any(t.startswith(_CVEKG) for t in types.get(node, ())):
            for _, _, t, _ in store.quads_for_pattern(ox.NamedNode(node), rdf_type, None):
                if t.value.startswith(_CVEKG):
                    types[node].add(iri(t.value))
    country = str(CVEKG.Country)
    located = ox.NamedNode(str(CVEKG.locatedIn))
    for c in sorted(n for n, found in types.items() if country in found):
        for s, _, _, _ in store.quads_for_pattern(None, located, ox.NamedNode(c)):
            if s.value.startswith(_ID):
                projector.country.setdefault(iri(s.value), c)


def _is_provenance(iri: str) -> bool:
    return iri.startswith(_CLAIM)


def _read_provenance(store: ox.Store, projector: _Projector) -> None:
    import pyoxigraph as ox

    prov = ox.NamedNode(str(PROVENANCE_GRAPH))
    fields = {
        str(CVEKG.quote): "quote",
        str(CVEKG.sentence): "sentence",
        str(CVEKG.source): "source",
        SKOS_NOTE: "note",
    }
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    for predicate, field_name in fields.items():
        intern = projector.iri if field_name == "source" else str
        for s, _, o, _ in store.quads_for_pattern(None, ox.NamedNode(predicate), None, prov):
            found[s.value].setdefault(field_name, intern(o.value))
    for claim in sorted(found):
        entry = found[claim]
        if "quote" not in entry:
            continue
        projector.claims[projector.iri(claim)] = {
            "name": _local(claim),
            "quote": entry["quote"],
            "sentence": entry.get("sentence"),
            "source": entry.get("source"),
            "note": entry.get("note"),
        }
    _read_documents(store, projector)


def _read_documents(
    store: ox.Store, projector: _Projector, only: Iterable[str] | None = None
) -> None:
    """The source documents and reference datasets the claims and edges cite (titles, dates):
    every one of them, or ``only`` those IRIs (a query result cites a few)."""
    values = ""
    if only is not None:
        values = "VALUES ?d { " + " ".join(f"<{iri}>" for iri in sorted(set(only))) + " }"
    for doc, title, text, published, author in _rows(
        store,
        f"""SELECT ?d (SAMPLE(?t) AS ?title) (SAMPLE(?x) AS ?text) (SAMPLE(?p) AS ?published)
                  (SAMPLE(?al) AS ?author) WHERE {{ {values}
              ?d a cvekg:SourceDocument .
              OPTIONAL {{ ?d cvekg:title ?t }} OPTIONAL {{ ?d cvekg:text ?x }}
              OPTIONAL {{ ?d cvekg:published ?p }}
              OPTIONAL {{ ?d cvekg:author/rdfs:label ?al }}
            }} GROUP BY ?d ORDER BY ?d""",
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
        f"""SELECT ?d (SAMPLE(?t) AS ?title) (SAMPLE(?x) AS ?description) WHERE {{ {values}
              GRAPH ?d {{ ?d a cvekg:ReferenceDataset
                OPTIONAL {{ ?d dcterms:title ?t }} OPTIONAL {{ ?d dcterms:description ?x }} }}
            }} GROUP BY ?d ORDER BY ?d""",
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
        projector.mentions[s].extend(graphs)
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
        projector.mentions[s].extend(graphs)
        projector.mentions[o].extend(graphs)
    _read_claims(store, projector, claims)
    cited = {c["source"] for c in projector.claims.values() if c.get("source")}
    _read_documents(store, projector, cited | {g for g in claims if not g.startswith(_CLAIM)})
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


def claim_statements(store: ox.Store, claim: str) -> list[tuple[str, str, str, bool]]:
    """The statements of one claim graph: ``(subject, predicate, object, object is an IRI)``,
    objects as text (the lexical form of a literal)."""
    import pyoxigraph as ox

    return [
        (s.value, p.value, o.value, isinstance(o, ox.NamedNode))
        for s, p, o, _ in store.quads_for_pattern(None, None, None, ox.NamedNode(claim))
    ]


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
            projector.statements[claim] = claim_statements(store, claim)


# --- One entity's neighbourhood, read from the store ------------------------------------------


def _links_of(store: ox.Store, node: str) -> tuple[dict[tuple[str, str, str], bool], set[str]]:
    """The asserted edges touching ``node`` (``(s, p, o)``: whether a claim asserts it) and
    the claim graphs that mention it, read by index."""
    import pyoxigraph as ox

    N = ox.NamedNode(node)
    named, reference = ox.NamedNode, str(REFERENCE_GRAPH)
    links: dict[tuple[str, str, str], bool] = {}
    claims: set[str] = set()
    for pattern in ((N, None, None), (None, None, N)):
        for s, p, o, g in store.quads_for_pattern(*pattern):
            if type(g) is not named:
                continue
            graph = g.value
            claim = graph.startswith(_CLAIM)
            if not claim and not graph.startswith(reference):
                continue
            if claim:
                claims.add(graph)
            if type(o) is not named or type(s) is not named or p.value == RDF_TYPE:
                continue
            sv, ov = s.value, o.value
            if sv.startswith(_ID) and ov.startswith(_ID):
                triple = (sv, p.value, ov)
                links[triple] = links.get(triple, False) or claim
    return links, claims


def _degree(links: dict[tuple[str, str, str], bool]) -> int:
    """A node's degree as the projection counts it (parallel edges apart, a loop twice)."""
    edges = {(s, _local(p), o) for s, p, o in links}
    return len(edges) + sum(1 for s, _, o in edges if s == o)


def neighbourhood(
    store: ox.Store, center: str, radius: int = 2, limit: int = 150
) -> tuple[nx.MultiDiGraph, tuple[list[str], dict[str, int], LeftOut]]:
    """One entity's neighbourhood projected from the store alone, without the whole graph.

    The same rules as :func:`ego_graph` on :func:`project` (nearest first, then the best
    connected, quoted edges only for the second step), reading only the quads of the entity,
    its neighbours and the candidates two steps away, so ``cvekg view --entity`` answers in
    a fraction of a second on a graph of any size. Returns the projection of the kept nodes
    (their edges, names, facts, and every claim about ``center``) and ``(kept, distances,
    how many were left out one and two steps away)``.
    """
    import pyoxigraph as ox

    cache: dict[str, tuple[dict, set[str]]] = {}

    def links(node: str) -> dict[tuple[str, str, str], bool]:
        if node not in cache:
            cache[node] = _links_of(store, node)
        return cache[node][0]

    def others(node: str, quoted_only: bool) -> dict[str, bool]:
        found: dict[str, bool] = {}
        for (s, _, o), quoted in links(node).items():
            other = o if s == node else s
            if other != node and (quoted or not quoted_only):
                found[other] = found.get(other, False) or quoted
        return found

    def rank(node: str) -> tuple[int, str]:
        return (-_degree(links(node)), node)

    near = others(center, False)
    first = sorted(near, key=rank)
    seen = {center, *first}
    reached: set[str] = set()
    if radius > 1:
        for m in first:
            if near[m]:
                reached.update(o for o in others(m, True) if o not in seen)
    room = max(limit - 1 - len(first), 0)
    second = sorted(reached, key=rank)[:room] if room else []
    kept = [center, *first[: max(limit - 1, 0)], *second]
    distance = {center: 0, **{n: 1 for n in kept[1 : len(kept) - len(second)]}}
    distance.update({n: 2 for n in second})
    hidden = LeftOut(len(first) - min(len(first), max(limit - 1, 0)), len(reached) - len(second))
    inside = set(kept)
    triples = set()
    for node in kept:
        for s, p, o in links(node):
            if s in inside and o in inside:
                triples.add((s, p, o))
    rdf = ox.NamedNode
    facts = [
        ox.Triple(q.subject, q.predicate, q.object)
        for node in kept
        for q in store.quads_for_pattern(rdf(node), None, None)
        if isinstance(q.object, ox.Literal)
        and isinstance(q.graph_name, ox.NamedNode)
        and q.graph_name.value.startswith(_CLAIM)
    ]
    G = project_triples(
        store, [ox.Triple(rdf(s), rdf(p), rdf(o)) for s, p, o in sorted(triples)] + facts
    )
    G.add_node(center)
    about = sorted(cache[center][1])
    missing = {c for c in about if c not in G.graph["claims"]}
    if missing:
        extra = _Projector(_ontology(store))
        _read_claims(store, extra, missing)
        for claim, entry in extra.claims.items():
            G.graph["claims"][claim] = {**entry, "statements": extra.statements[claim]}
        G.graph["terms"].update(extra._terms())
        known = {doc["iri"] for doc in G.graph["sources"]}
        cited = {c["source"] for c in extra.claims.values() if c.get("source")} - known
        if cited:
            _read_documents(store, extra, cited)
            G.graph["sources"].extend(extra.sources)
    G.nodes[center]["claims"] = [c for c in about if c in G.graph["claims"]]
    return G, (kept, distance, hidden)


def _names_graph(store: ox.Store) -> nx.MultiDiGraph:
    """Every entity with its names only (labels, alternative labels, titles): enough to
    resolve a name without projecting the graph."""
    import networkx as nx
    import pyoxigraph as ox

    labels: dict[str, dict[str, str]] = defaultdict(dict)
    alt: dict[str, list[str]] = defaultdict(list)
    for predicate in (RDFS_LABEL, DCT_TITLE, str(CVEKG.title), SKOS_ALT):
        for s, _, o, _ in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
            iri = s.value
            if not iri.startswith(_ID) or not isinstance(o, ox.Literal):
                continue
            if predicate == SKOS_ALT:
                if o.value not in alt[iri]:
                    alt[iri].append(o.value)
            else:
                labels[iri].setdefault(o.language or "", o.value)
    G = nx.MultiDiGraph()
    for iri in sorted(set(labels) | set(alt)):
        names = labels.get(iri, {})
        kind, _, slug = iri[len(_ID) :].partition("/")
        fallback = names.get("") or slug.replace("-", " ")
        G.add_node(
            iri,
            key=entity_key(iri),
            kind=kind if slug else "",
            label_en=names.get("en") or names.get("fr") or fallback,
            label_fr=names.get("fr") or names.get("en") or fallback,
            alt_labels=alt.get(iri, []),
            class_en=kind,
        )
    return G


def resolve_in_store(store: ox.Store, name: str) -> str:
    """:func:`resolve` against the store: an IRI or prefixed name is checked by index, any
    other name against every entity's names (no projection of the graph)."""
    import pyoxigraph as ox

    wanted = name.strip()
    prefix, colon, local = wanted.partition(":")
    for iri in (wanted, f"{ID}{prefix}/{local}" if colon else ""):
        if iri.startswith(_ID) and any(store.quads_for_pattern(ox.NamedNode(iri), None, None)):
            return iri
    return resolve(_names_graph(store), name)


def load(out: Path = Path("build")) -> nx.MultiDiGraph:
    """The projection of the build in folder ``out``, as it is (nothing is rebuilt here:
    :func:`graph.pipeline.load` rebuilds a stale build first)."""
    from graph.store import open_store

    return project(open_store(Path(out)))


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
    win over alternative labels, which win over slugs); then the entity whose name contains
    every word given, preferring a name that starts with them, then the name with the fewest
    other words (as the index page's search ranks them): ``Nouvelle Orléans`` is New Orleans
    ("La Nouvelle-Orléans"), not the exchange "City Pair : Lyon à La Nouvelle-Orléans
    (décembre 2017)". Entities that rank the same are ambiguous.

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
    >>> G.add_node("https://w3id.org/cvekg/id/event/pantheon-assas-workshop", kind="event",
    ...     key="event-pantheon-assas-workshop", label_en="Workshop at Panthéon-Assas")
    >>> resolve(G, "assas")  # "Panthéon-Assas" has the fewest other words
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
    best: dict[str, tuple[bool, int]] = {}  # (does not start with them, other words)
    for folded, nodes in index.items():
        if all(re.search(rf"\b{re.escape(w)}", folded) for w in words):
            rank = (not folded.startswith(query), len(folded.split()) - len(words))
            for node in nodes:
                if rank < best.get(node, (True, len(folded))):
                    best[node] = rank
    if best:
        top = min(best.values())
        found = {node for node, rank in best.items() if rank == top}
        if len(found) == 1:
            return next(iter(found))
        raise AmbiguousEntityError(_ambiguous(G, name, found))
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
    quoted edges are used unless ``sourced_only`` is False. Returns ``[]`` when no chain exists;
    raises :class:`CvekgError` when both names are the same entity or ``k`` is below 1.

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

    if k < 1:
        raise CvekgError(f"the number of chains must be 1 or more, not {k}")
    source, target = resolve(G, a), resolve(G, b)
    if source == target:
        raise CvekgError(
            f"{a!r} and {b!r} both name {_describe(G, source)}: give two different entities"
        )
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
    """Counts, rankings and communities of the network, as plain data (JSON-ready).

    With ``sourced_only`` (the default) the relations counted, the rankings and the
    communities use quoted relations only; the first line's totals count every relation.
    """
    import networkx as nx

    H = undirected(G, sourced_only)
    label = {n: node_label(G, n) for n in G}
    groups = Counter(d.get("group", "other") for _, d in G.nodes(data=True))
    predicates = Counter(
        d.get("label_en", k)
        for _, _, k, d in G.edges(keys=True, data=True)
        if d.get("quote") or not sourced_only
    )
    found = communities(G, sourced_only)
    degree = dict(H.degree)
    # degree_ranking's order, from the degrees counted above.
    ranked = sorted(degree.items(), key=lambda item: (-item[1], item[0]))[:k]
    return {
        "sourced_only": sourced_only,
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "sourced_edges": sum(1 for *_, d in G.edges(data=True) if d.get("quote")),
        "claims": len(G.graph.get("claims", {})),
        "components": nx.number_connected_components(H) if len(H) else 0,
        "groups": {g.key: groups[g.key] for g in GROUPS if groups[g.key]},
        "predicates": dict(predicates.most_common(k)),
        "degree": [{"node": n, "label": label[n], "degree": d} for n, d in ranked],
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
    counted = "quoted" if result.get("sourced_only", True) else "quoted and reference"
    lines = [
        f"{result['nodes']} entities, {result['edges']} relations "
        f"({result['sourced_edges']} quoted), {result['claims']} claims, "
        f"{result['components']} connected parts",
        "",
        "Entities by kind:",
        *(f"  {n:>5}  {group_names.get(g, g)}" for g, n in result["groups"].items()),
        "",
        f"Most used relations ({counted}):",
        *(f"  {n:>5}  {p}" for p, n in result["predicates"].items()),
        "",
        f"Most connected (degree, {counted} relations):",
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
    """Gephi's colour and label of each node: its group's colour, its English label (GEXF
    labels a node without one by its id, the IRI)."""
    colors = {g.key: g.color for g in GROUPS}
    for n, d in H.nodes(data=True):
        d["label"] = d.get("label_en") or str(n)
        color = colors.get(d.get("group", "other"), "#9ca3af")
        d["viz"] = {
            "color": {"r": int(color[1:3], 16), "g": int(color[3:5], 16), "b": int(color[5:7], 16)}
        }


def export(G: nx.MultiDiGraph, fmt: str, out: Path) -> Path:
    """Write the network for Gephi (``graphml``, ``gexf``) or D3 (``json``, node-link).

    The file is written to a temporary name and renamed, so a failed export leaves no file.
    """
    import networkx as nx

    from graph.files import atomic_writer

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
    _fill(
        C,
        ((n, G.nodes[n]) for n in sorted(cities)),
        ((u, v, f"{data['kind']}:{data['exchange']}", data) for u, v, data in folded),
    )
    return C


def _claim_of(edge: dict[str, Any]) -> dict[str, Any]:
    return {k: edge.get(k) for k in ("claim", "quote", "sentence", "source")}


def timeline_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The events (attacks, incidents, exchanges, meetings, agreements) and the edges among
    them: what followed what (``inWakeOf``, ``ledTo``, ``learnedAbout`` an attack...)."""
    events = [n for n, d in G.nodes(data=True) if d.get("group") in EVENT_GROUPS]
    return induced(G, events)


def induced(G: nx.MultiDiGraph, nodes: Iterable) -> nx.MultiDiGraph:
    """The subgraph of ``nodes`` as a graph of its own that shares ``G``'s attribute dicts
    (for reading: a change to one shows in the other).

    NetworkX's subgraph view filters every edge of every hub on each pass, and ``copy()``
    copies every attribute dict; this reads each node's out-edges once and copies nothing.
    """
    import networkx as nx

    members = list(dict.fromkeys(nodes))
    inside = set(members)
    H = nx.MultiDiGraph(**G.graph)
    _fill(
        H,
        ((n, G.nodes[n]) for n in members),
        (
            (u, v, k, d)
            for u in members
            for v, keyed in G.adj[u].items()
            if v in inside
            for k, d in keyed.items()
        ),
    )
    return H


class LeftOut(NamedTuple):
    """How many entities a neighbourhood left out: neighbours (one step away) and entities
    two steps away. Past ``limit`` neighbours, every entity two steps away is left out."""

    near: int
    far: int


def ego_graph(
    G: nx.MultiDiGraph, center: str, radius: int = 2, limit: int = 150
) -> tuple[nx.MultiDiGraph, dict[str, int], LeftOut]:
    """The neighbourhood of ``center`` up to ``radius`` (1 or 2) steps, edges read both ways;
    an edge without a quote (reference data) counts for the first step only.

    At most ``limit`` nodes are kept, nearest first and, at the same distance, the best
    connected first, so a hub does not drown the page. Returns the subgraph (a view), each
    node's distance and how many nodes were left out (:class:`LeftOut`). For many centres of
    one graph, build one :class:`Neighbourhoods` and ask it for each.
    """
    kept, distance, hidden = Neighbourhoods(G).ego(center, radius, limit)
    return G.subgraph(kept), distance, hidden


class Neighbourhoods:
    """The neighbourhoods of the entities of one graph, from one index of it.

    Each node's neighbours are listed once, best connected first (degree, then IRI), with
    whether a quoted edge links them. A neighbourhood then costs about ``limit`` steps per
    neighbour of the centre, whatever the size of the hubs two steps away: an entity page
    needs only the best connected of them, and Python sets count the rest.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edges_from([("a", "hub", {"quote": "q"}), ("hub", "b", {"quote": "q"}),
    ...                   ("hub", "c", {"quote": "q"}), ("c", "d", {"quote": "q"})])
    [0, 0, 0, 0]
    >>> kept, distance, hidden = Neighbourhoods(G).ego("a", 2, limit=3)
    >>> kept, distance["c"], hidden
    (['a', 'hub', 'c'], 2, LeftOut(near=0, far=1))
    """

    def __init__(self, G: nx.MultiDiGraph):
        self.G = G
        self.nodes = list(G.nodes)
        index = {n: i for i, n in enumerate(self.nodes)}
        self.index = index
        n = len(self.nodes)
        self.degree = [0] * n
        links: list[dict[int, bool]] = [{} for _ in range(n)]
        for u, v, d in G.edges(data=True):
            i, j = index[u], index[v]
            self.degree[i] += 1
            self.degree[j] += 1
            if i == j:
                continue
            quoted = bool(d.get("quote"))
            links[i][j] = links[i].get(j, False) or quoted
            links[j][i] = links[j].get(i, False) or quoted
        # Rank: best connected first, then in the order of the IRIs.
        order = sorted(range(n), key=lambda i: (-self.degree[i], str(self.nodes[i])))
        self.rank = [0] * n
        for r, i in enumerate(order):
            self.rank[i] = r
        rank = self.rank
        self.neighbours: list[list[int]] = [sorted(found, key=rank.__getitem__) for found in links]
        self.quoted: list[frozenset[int]] = [
            frozenset(j for j, q in found.items() if q) for found in links
        ]

    def ego(
        self, center: Hashable, radius: int = 2, limit: int = 150
    ) -> tuple[list, dict, LeftOut]:
        """``(kept nodes, their distances, how many were left out)`` around ``center``."""
        c = self.index[center]
        rank, quoted = self.rank, self.quoted
        first = [j for j in self.neighbours[c]]
        seen = {c, *first}
        expand = [j for j in first if j in quoted[c]] if radius > 1 else []
        room = limit - 1 - len(first)
        second: list[int] = []
        beyond = 0
        if expand:
            reached: set[int] = set()
            for m in expand:
                reached.update(quoted[m])
            reached -= seen
            beyond = len(reached)
            if room > 0 and reached:
                picked: set[int] = set()
                for m in expand:
                    taken = 0
                    for j in self.neighbours[m]:
                        if taken >= room:
                            break
                        if j in reached:
                            picked.add(j)
                            taken += 1
                second = sorted(picked, key=rank.__getitem__)[:room]
        shown = [c, *first[: max(limit - 1, 0)], *second]
        distance = {self.nodes[c]: 0}
        for j in first[: max(limit - 1, 0)]:
            distance[self.nodes[j]] = 1
        for j in second:
            distance[self.nodes[j]] = 2
        hidden = LeftOut(len(first) - min(len(first), max(limit - 1, 0)), beyond - len(second))
        return [self.nodes[i] for i in shown], distance, hidden


def aggregate(
    G: nx.MultiDiGraph, key: str = "group", nodes: Iterable | None = None
) -> nx.MultiDiGraph:
    """One node per value of a node attribute (``group``, ``country``, ``year``...), sized by
    its count, and one edge per pair of values, weighted by how many edges it stands for and
    labelled with its two commonest predicates.

    ``nodes`` limits it to those nodes and the edges among them (default: the whole graph).
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
    for n in G.nodes if nodes is None else nodes:
        of[n] = value(G.nodes[n])
        members[of[n]].append(n)
    for v, found in members.items():
        A.add_node(v, count=len(found), members=found)
    weights: Counter[tuple[str, str]] = Counter()
    kinds: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    nbunch = None if nodes is None else list(of)
    names = G.graph.get("predicates")
    if names:  # a projection: its table labels each predicate once
        for u, w, p in G.edges(nbunch, data="predicate"):
            if w in of:
                pair = (of[u], of[w])
                weights[pair] += 1
                kinds[pair][names.get(p) or (p, p)] += 1
    else:
        for u, w, d in G.edges(nbunch, data=True):
            if w in of:
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
