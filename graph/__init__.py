"""cvekg: a sourced knowledge graph of French-US city partnerships that counter violent extremism.

The package builds the graph from ``ontology/`` and ``graph/sources/`` (``graph.build.run``),
answers SPARQL over it (``graph.query.sparql``) and is driven by the ``cvekg`` command
(``graph.cli``).
"""

__version__ = "0.1.0"
