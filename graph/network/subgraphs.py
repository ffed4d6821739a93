"""Projections of the projection, for the views: the cities with each exchange folded into
edges between them (:func:`city_pair_graph`), the events (:func:`timeline_graph`), a subgraph
that copies nothing (:func:`induced`), one node per value of an attribute (:func:`aggregate`)
a subgraph with its neighbours folded into one node per kind (:func:`with_neighbour_groups`)
and parallel links folded into one (:func:`fold_parallel`)."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from graph.network.groups import EVENT_GROUPS
from graph.network.names import format_date, node_label
from graph.network.projection import fill

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "city_pair_graph",
    "timeline_graph",
    "induced",
    "aggregate",
    "with_neighbour_groups",
    "fold_parallel",
]


def _short_label(G: nx.MultiDiGraph, node: str, lang: str) -> str:
    names = [node_label(G, node, lang), *G.nodes[node].get("alt_labels", ())]
    return min(names, key=len)


def city_pair_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """French and US cities, with each exchange folded into edges between its cities.

    An exchange with a delegation city and host cities becomes one edge per host, from the
    delegation's city to the host, labelled with its date and programme and carrying the
    exchange's claim and quote; a stop of the visit becomes a dashed edge to the stop; a partner
    city named with no direction (neither delegation nor host) is linked by an undirected edge
    to the delegation's city, or to the other partners when no delegation is named. Every
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
        # A partner the source names with no direction ("a City Pair with Orlando and
        # Tampa") is linked to the delegation's city, or to the other partners, by an
        # undirected edge: never an arrow the words do not draw.
        linked = {f for f, _ in out["delegationFrom"]} | {h for h, _ in out["hostCity"]}
        partners = [(p, e) for p, e in out["partnerCity"] if p not in linked]
        if out["delegationFrom"]:
            for f, _ in out["delegationFrom"]:
                for p, e in partners:
                    folded.append((f, p, {**base, **_claim_of(e), "kind": "partners"}))
        elif not out["hostCity"]:
            for (a, e), (b, _) in itertools.combinations(partners, 2):
                folded.append((a, b, {**base, **_claim_of(e), "kind": "partners"}))
    for u, v, _ in folded:
        cities.update((u, v))
    fill(
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
    fill(
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


def aggregate(
    G: nx.MultiDiGraph,
    key: str | Callable[[Any], str] = "group",
    nodes: Iterable | None = None,
) -> nx.MultiDiGraph:
    """One node per value of a node attribute (``group``, ``country``, ``year``...), sized by
    its count, and one edge per pair of values, weighted by how many edges it stands for and
    labelled with its two commonest predicates.

    ``key`` may also be a function of a node (the timeline's lane and span of years).
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
        of[n] = key(n) if callable(key) else value(G.nodes[n])
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


#: The node that stands for the neighbours of one kind in :func:`with_neighbour_groups`.
GROUP_NODE = "group:{}"


def with_neighbour_groups(
    G: nx.MultiDiGraph,
    members: Iterable,
    key: str | Callable[[Any], str] = "group",
) -> nx.MultiDiGraph:
    """The subgraph of ``members`` with the links among them, and their other neighbours
    folded by ``key``: one node per value (``GROUP_NODE.format(value)``, with ``count`` its
    distinct neighbours, ``members`` those neighbours and ``value`` the value), and one link
    per member and value and direction, with ``count`` the links it stands for and its
    commonest predicate as label.

    ``key`` is a node attribute, or a function of a neighbour (a node of ``G``) giving its
    value.

    A drill-down page draws this: members of one kind seldom link to each other (people link
    to organisations, attacks to cities), so the members alone are dots without links; folded
    neighbours show what each member is linked to, and how much, in a few dozen nodes.
    """
    H = induced(G, members)
    inside = set(H)
    names = G.graph.get("predicates") or {}
    neighbours: dict[str, set] = defaultdict(set)
    folded: Counter[tuple[Any, Any, str]] = Counter()
    kinds: dict[tuple[Any, Any, str], Counter[tuple[str, str]]] = defaultdict(Counter)

    named = {p: tuple(labels) for p, labels in names.items()}

    def label(d: dict[str, Any]) -> tuple[str, str]:
        found = named.get(d.get("predicate"))
        if found is not None:
            return found
        return (d.get("label_en") or "", d.get("label_fr") or d.get("label_en") or "")

    nodes = G.nodes
    for m in H:
        for edges, outward in ((G.succ[m], True), (G.pred[m], False)):
            for other, keyed in edges.items():
                if other in inside:
                    continue
                value = key(other) if callable(key) else str(nodes[other].get(key) or "(none)")
                neighbours[value].add(other)
                node = GROUP_NODE.format(value)
                pair = (m, node, value) if outward else (node, m, value)
                for d in keyed.values():
                    folded[pair] += 1
                    kinds[pair][label(d)] += 1
    for value, found in neighbours.items():
        H.add_node(GROUP_NODE.format(value), count=len(found), value=value, group=value,
                   members=sorted(found, key=str))  # fmt: skip
    for (u, v, value), count in folded.items():
        top, _ = kinds[(u, v, value)].most_common(1)[0]
        more = len(kinds[(u, v, value)]) - 1
        suffix = f" (+{more})" if more else ""
        H.add_edge(u, v, key=f"to:{value}", count=count,
                   label_en=top[0] + suffix, label_fr=top[1] + suffix)  # fmt: skip
    return H


def fold_parallel(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``G`` with the links of one kind between the same two nodes, in the same direction,
    folded into one: ``count`` of them, labelled with what they are and the years they span
    ("exchanges · 2014–2019"; the page adds how many). A link alone between its nodes is kept
    as it is, with its claim and quote; a folded one keeps none (each is on its nodes' pages).

    The city-pairs map of a large graph draws this: between two cities visited five times,
    five bent arrows hide each other's labels, one arrow with a count does not.
    """
    import networkx as nx

    groups: dict[tuple[Any, Any, Any], list[tuple[Any, dict[str, Any]]]] = defaultdict(list)
    for u, v, k, d in G.edges(keys=True, data=True):
        groups[(u, v, d.get("kind"))].append((k, d))
    H = nx.MultiDiGraph(**G.graph)
    fill(H, G.nodes(data=True), ())
    words = {"exchange": ("exchanges", "échanges"), "stop": ("stops", "étapes"),
             "partners": ("partnerships", "partenariats")}  # fmt: skip
    for (u, v, kind), edges in groups.items():
        if len(edges) == 1:
            H.add_edge(u, v, key=edges[0][0], **edges[0][1])
            continue
        years = sorted({(d.get("date") or "")[:4] for _, d in edges} - {""})
        span = f" · {years[0]}–{years[-1]}" if len(years) > 1 else f" · {years[0]}" if years else ""
        en, fr = words.get(kind, ("links", "liens"))
        H.add_edge(u, v, key=f"{kind}:{len(edges)}", kind=kind, count=len(edges),
                   arrows=kind != "partners", label_en=en + span,
                   label_fr=fr + span)  # fmt: skip
    return H
