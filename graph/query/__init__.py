"""Questions to a built graph: the safe SPARQL entry point, the named queries, their answers.

:mod:`~graph.query.sparql` gates and runs a query on a store; :mod:`~graph.query.named` finds
the shipped competency queries (``ontology/queries``); :mod:`~graph.query.results` formats an
answer (tables, SPARQL results formats, RDF) with the claims and quotes it rests on.
"""
