"""Answers from stated claims alone: ``cvekg query --stated-only``.

Each claim says how it stands to its quote (``cvekg:support``): ``cvekg:stated`` when the
words say it, ``cvekg:readFromContext`` when the curator read it from the context (with a note
saying what and why). A researcher who cites only what the source says asks the graph without
the second kind: :func:`stated_only` gives a store of the same build without those claims,
their provenance, and everything the ontology inferred from them (the inferences are worked
out again from what is left, as the build does), so a question cannot reach them even through
an inferred class or an inverse property.
"""

from __future__ import annotations

import pyoxigraph as ox

from graph.build.infer import Rules, infer_store
from graph.namespaces import CVEKG, INFERRED_GRAPH, ONTOLOGY_GRAPH, PROVENANCE_GRAPH
from graph.rdf import rdflib_graph

__all__ = ["READ_FROM_CONTEXT", "STATED", "read_from_context", "stated_only"]

STATED = str(CVEKG.stated)
READ_FROM_CONTEXT = str(CVEKG.readFromContext)


def read_from_context(store: ox.Store) -> set[str]:
    """The IRIs of the claims the provenance graph marks as read from context."""
    return {
        q.subject.value
        for q in store.quads_for_pattern(
            None,
            ox.NamedNode(str(CVEKG.support)),
            ox.NamedNode(READ_FROM_CONTEXT),
            ox.NamedNode(str(PROVENANCE_GRAPH)),
        )
        if isinstance(q.subject, ox.NamedNode)
    }


def _claim_of(term: object) -> str | None:
    """The claim a provenance node belongs to (``<claim>``, ``<claim#quote>``…)."""
    if isinstance(term, ox.NamedNode):
        return term.value.split("#", 1)[0]
    return None


def stated_only(store: ox.Store) -> ox.Store:
    """A new store holding the build in ``store`` without the claims read from context.

    Left out: each such claim's graph, its provenance (the claim, its annotation and
    selectors, the document's link to it), and the inferred graph, which is worked out again
    from the claims and reference data that stay (and, apart, from the provenance that stays,
    as the build does). The ontology graph is kept as it is. ``store`` is not changed.
    """
    read = read_from_context(store)
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    provenance = ox.NamedNode(str(PROVENANCE_GRAPH))
    skip = {ox.NamedNode(str(INFERRED_GRAPH)), ontology, provenance}
    skip |= {ox.NamedNode(iri) for iri in read}

    facts = ox.Store()
    facts.bulk_extend(q for q in store if q.graph_name not in skip)
    rules = Rules(rdflib_graph(store, str(ONTOLOGY_GRAPH)))
    infer_store(facts, rules, str(INFERRED_GRAPH))

    kept = ox.Store()  # the provenance of stated claims, and what the rules add to it
    kept.bulk_extend(
        q
        for q in store.quads_for_pattern(None, None, None, provenance)
        if _claim_of(q.subject) not in read and _claim_of(q.object) not in read
    )
    infer_store(kept, rules, str(INFERRED_GRAPH))
    facts.bulk_extend(kept)
    facts.bulk_extend(store.quads_for_pattern(None, None, None, ontology))
    return facts
