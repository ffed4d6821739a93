"""Name resolution: the entity a name refers to, matched forgivingly, in a projection
(:func:`resolve`) or in the store without projecting it (:func:`resolve_in_store`)."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from graph.errors import CvekgError
from graph.namespaces import CVEKG, ID
from graph.network.names import DCT_TITLE, RDFS_LABEL, SKOS_ALT, entity_key, normalize

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

__all__ = [
    "UnknownEntityError",
    "AmbiguousEntityError",
    "resolve",
    "describe",
    "resolve_in_store",
]

_ID = str(ID)


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


def describe(G: nx.MultiDiGraph, node: str) -> str:
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
            text = describe(G, node)
            if text not in suggestions:
                suggestions.append(text)
    hint = f"; did you mean {' or '.join(suggestions[:4])}?" if suggestions else ""
    raise UnknownEntityError(f"no entity named {name!r}{hint}")


def _ambiguous(G: nx.MultiDiGraph, name: str, nodes: Iterable[str]) -> str:
    listed = sorted(describe(G, n) for n in nodes)
    more = f" and {len(listed) - 8} more" if len(listed) > 8 else ""
    return (
        f"{name!r} names {len(listed)} entities: {'; '.join(listed[:8])}{more}; "
        "give a longer name or the prefixed name (city:paris)"
    )


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
