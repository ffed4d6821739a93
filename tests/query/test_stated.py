"""--stated-only: answers from stated claims alone, inferences included."""

from __future__ import annotations

import pyoxigraph as ox

from graph.namespaces import CVEKG, INFERRED_GRAPH, PROVENANCE_GRAPH
from graph.query.stated import READ_FROM_CONTEXT, read_from_context, stated_only

INVERSE = f"""
PREFIX cvekg: <https://w3id.org/cvekg/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?claim ?s ?p ?o ?q WHERE {{
  GRAPH ?claim {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?claim), "https://w3id.org/cvekg/claim/"))
  GRAPH <{PROVENANCE_GRAPH}> {{ ?claim cvekg:support cvekg:stated }}
  GRAPH <https://w3id.org/cvekg/graph/ontology> {{ ?p owl:inverseOf ?q }}
  GRAPH <{INFERRED_GRAPH}> {{ ?o ?q ?s }}
  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != ?claim) }}
}} LIMIT 1
"""


def _marked_read(store: ox.Store, claim: str) -> ox.Store:
    copy = ox.Store()
    copy.bulk_extend(store)
    support = ox.NamedNode(str(CVEKG.support))
    graph = ox.NamedNode(str(PROVENANCE_GRAPH))
    for quad in list(copy.quads_for_pattern(ox.NamedNode(claim), support, None, graph)):
        copy.remove(quad)
    copy.add(ox.Quad(ox.NamedNode(claim), support, ox.NamedNode(READ_FROM_CONTEXT), graph))
    return copy


def test_a_claim_read_from_context_leaves_with_what_was_inferred_from_it(store) -> None:
    row = next(iter(store.query(INVERSE)))
    claim, s, p, o, q = (row[name] for name in ("claim", "s", "p", "o", "q"))
    marked = _marked_read(store, claim.value)
    assert claim.value in read_from_context(marked)
    before = len(marked)
    stated = stated_only(marked)
    assert not stated.contains_named_graph(claim)
    assert not list(stated.quads_for_pattern(s, p, o))
    assert not list(stated.quads_for_pattern(o, q, s))  # its inverse went with it
    assert not list(stated.quads_for_pattern(ox.NamedNode(claim.value), None, None))
    # Nothing else leaves: only its graph, its provenance, and inferences.
    gone = set(map(str, stated_only(store))) - set(map(str, stated))
    left_out = {str(q) for q in store.quads_for_pattern(None, None, None, claim)}
    left_out |= {str(q) for q in store if str(q.subject).startswith(f"<{claim.value}")}
    left_out |= {str(q) for q in store if q.object == claim}  # the document's link to it
    inferred = f"<{INFERRED_GRAPH}>"
    assert gone and all(q in left_out or q.endswith(f"{inferred} .") or q.endswith(inferred)
                        for q in gone)  # fmt: skip
    assert list(store.quads_for_pattern(None, None, None, ox.NamedNode(str(INFERRED_GRAPH))))
    assert len(marked) == before  # the store asked is not changed


def test_stated_only_of_a_build_of_stated_claims_is_that_build(store) -> None:
    """With every claim stated, nothing leaves, and inference worked out again gives back
    exactly the build's inferred graph (the provenance's inferences included)."""
    every = ox.Store()
    every.bulk_extend(store)
    stated_mark = ox.NamedNode(str(CVEKG.stated))
    for quad in list(every.quads_for_pattern(None, None, ox.NamedNode(READ_FROM_CONTEXT))):
        every.remove(quad)
        every.add(ox.Quad(quad.subject, quad.predicate, stated_mark, quad.graph_name))
    assert read_from_context(every) == set()
    assert sorted(map(str, stated_only(every))) == sorted(map(str, every))
