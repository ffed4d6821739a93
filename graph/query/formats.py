"""The formats an answer can be written in, by name, with their media types.

Apart from :mod:`graph.query.results`, which writes them, so that ``cvekg``'s argument
parser (built for every command, ``cvekg build`` too) names them without importing the
query engine.
"""

from __future__ import annotations

__all__ = ["RESULT_FORMATS", "GRAPH_FORMATS", "FORMATS"]

#: SELECT/ASK formats and their media types (the W3C SPARQL 1.1 results formats).
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: CONSTRUCT/DESCRIBE formats and their media types.
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}
#: Every ``--format`` the CLI accepts.
FORMATS = ("table", *RESULT_FORMATS, *GRAPH_FORMATS)
