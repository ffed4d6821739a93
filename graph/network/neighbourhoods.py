"""One entity's neighbourhood, by the same rules whether it is taken from a projection
(:class:`Neighbourhoods`, :func:`ego_graph`) or read from the store alone
(:func:`neighbourhood`)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, NamedTuple

from graph.namespaces import CLAIM, ID, REFERENCE_GRAPH
from graph.network.names import RDF_TYPE, local_name
from graph.network.ontology import read_ontology
from graph.network.projection import Projector, read_documents
from graph.network.triples import project_triples, read_claims

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

__all__ = ["LeftOut", "ego_graph", "Neighbourhoods", "neighbourhood"]

_ID, _CLAIM = str(ID), str(CLAIM)


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
    edges = {(s, local_name(p), o) for s, p, o in links}
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
        extra = Projector(read_ontology(store))
        read_claims(store, extra, missing)
        for claim, entry in extra.claims.items():
            G.graph["claims"][claim] = {**entry, "statements": extra.statements[claim]}
        G.graph["terms"].update(extra.terms())
        known = {doc["iri"] for doc in G.graph["sources"]}
        cited = {c["source"] for c in extra.claims.values() if c.get("source")} - known
        if cited:
            read_documents(store, extra, cited)
            G.graph["sources"].extend(extra.sources)
    G.nodes[center]["claims"] = [c for c in about if c in G.graph["claims"]]
    return G, (kept, distance, hidden)
