"""The analytics: small pure functions of a projection, in the style of NetworkX. The chains
linking two entities (:func:`path`), rankings (degree, betweenness, brokers between two
countries), communities and :func:`stats`, with the text the commands print."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graph.errors import CvekgError
from graph.network.groups import GROUPS
from graph.network.names import node_label
from graph.network.resolution import describe, resolve

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "PathStep",
    "undirected",
    "path",
    "format_path",
    "degree_ranking",
    "betweenness_ranking",
    "brokers",
    "communities",
    "stats",
    "format_stats",
]


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
            f"{a!r} and {b!r} both name {describe(G, source)}: give two different entities"
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
