"""The graph as a network: a NetworkX projection of the built RDF graph, and its analytics.

One job per module; imports run down this list, never up it:

- :mod:`~graph.network.names`: the RDF terms the network reads, local names, entity keys,
  folded names for matching, node labels, readable dates.
- :mod:`~graph.network.groups`: the colour groups of the legend and the classes each covers.
- :mod:`~graph.network.ontology`: the ontology as the projection reads it (labels,
  superclasses, inverses, defined classes).
- :mod:`~graph.network.projection`: the projection rules and :func:`project` of a whole build,
  :func:`load` of the build in a folder, :func:`claim_statements`.
- :mod:`~graph.network.triples`: :func:`project_triples`, the same rules for any triples.
- :mod:`~graph.network.neighbourhoods`: one entity's neighbourhood, from a projection
  (:class:`Neighbourhoods`, :func:`ego_graph`) or from the store (:func:`neighbourhood`).
- :mod:`~graph.network.resolution`: the entity a name refers to (:func:`resolve`,
  :func:`resolve_in_store`).
- :mod:`~graph.network.analytics`: small pure functions of the graph, in the style of NetworkX:
  :func:`path`, :func:`brokers`, :func:`communities`, :func:`stats`.
- :mod:`~graph.network.exports`: :func:`export` for Gephi and D3.
- :mod:`~graph.network.subgraphs`: what the views draw (:func:`city_pair_graph`,
  :func:`timeline_graph`, :func:`induced`, :func:`aggregate`, :func:`with_neighbour_groups`,
  :func:`fold_parallel`).

Every public name is importable from here: ``from graph.network import load, path, brokers``.
The modules import only the foundation (:mod:`graph.errors`, :mod:`graph.namespaces`,
:mod:`graph.files`, :mod:`graph.store`), never the views, the server or the build.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what a type checker reads; at run time each name is imported on first use
    from graph.network.analytics import (
        PathStep,
        betweenness_ranking,
        brokers,
        communities,
        degree_ranking,
        format_path,
        format_stats,
        path,
        stats,
        undirected,
    )
    from graph.network.exports import EXPORT_FORMATS, export, sanitize_for_export
    from graph.network.groups import EVENT_GROUPS, GROUPS, Group
    from graph.network.names import (
        RDF_TYPE,
        RDFS_LABEL,
        SKOS_ALT,
        entity_key,
        format_date,
        local_name,
        node_label,
        normalize,
    )
    from graph.network.neighbourhoods import LeftOut, Neighbourhoods, ego_graph, neighbourhood
    from graph.network.projection import Fact, claim_statements, collector_paused, load, project
    from graph.network.resolution import (
        AmbiguousEntityError,
        UnknownEntityError,
        resolve,
        resolve_in_store,
    )
    from graph.network.subgraphs import (
        aggregate,
        city_pair_graph,
        fold_parallel,
        induced,
        timeline_graph,
        with_neighbour_groups,
    )
    from graph.network.triples import project_triples

    _local = local_name  # the name graph.views calls ``local_name`` by (``gn._local``)

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
    "with_neighbour_groups",
    "fold_parallel",
    "format_date",
    "local_name",
    "RDF_TYPE",
    "RDFS_LABEL",
    "SKOS_ALT",
]

#: The module of each name: ``from graph.network import EXPORT_FORMATS`` (``cvekg``'s parser)
#: then imports the exports alone, not the projection and its NetworkX helpers.
_MODULES = {
    "analytics": ("PathStep", "betweenness_ranking", "brokers", "communities",
                  "degree_ranking", "format_path", "format_stats", "path", "stats", "undirected"),
    "exports": ("EXPORT_FORMATS", "export", "sanitize_for_export"),
    "groups": ("EVENT_GROUPS", "GROUPS", "Group"),
    "names": ("RDF_TYPE", "RDFS_LABEL", "SKOS_ALT", "entity_key", "format_date", "local_name",
              "node_label", "normalize"),
    "neighbourhoods": ("LeftOut", "Neighbourhoods", "ego_graph", "neighbourhood"),
    "projection": ("Fact", "claim_statements", "collector_paused", "load", "project"),
    "resolution": ("AmbiguousEntityError", "UnknownEntityError", "resolve", "resolve_in_store"),
    "subgraphs": ("aggregate", "city_pair_graph", "fold_parallel", "induced", "timeline_graph",
                  "with_neighbour_groups"),
    "triples": ("project_triples",),
}  # fmt: skip
_MODULE_OF = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> object:
    """A public name, imported from its module on first use and kept here."""
    if name == "_local":  # the name graph.views calls ``local_name`` by (``gn._local``)
        value = __getattr__("local_name")
    elif name in _MODULE_OF:
        value = getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))
