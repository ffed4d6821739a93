"""Content negotiation: the media types each kind of answer can take, the format the ``Accept``
header prefers among them (:func:`negotiate`), and the ``?format=`` parameter that overrides it
(:func:`format_override`).
"""

from __future__ import annotations

__all__ = [
    "negotiate",
    "format_override",
    "RESULT_MEDIA",
    "GRAPH_MEDIA",
    "ENTITY_MEDIA",
    "FORMAT_MEDIA",
]

#: Media types a SELECT/ASK answer can take, in order of preference, and their format names.
RESULT_MEDIA = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
#: Media types a CONSTRUCT/DESCRIBE answer can take.
GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/trig": "trig",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/x-turtle": "turtle",
    "application/json": "jsonld",
    "text/plain": "nt",
}
#: Media types of an entity: its page, or its triples.
ENTITY_MEDIA = {"text/html": "html", "application/xhtml+xml": "html", **GRAPH_MEDIA}

#: The media type each format is sent as.
FORMAT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "trig": "application/trig; charset=utf-8",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def _accept_items(accept: str) -> list[tuple[str, float]]:
    items = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        items.append((fields[0].lower(), q))
    return items


def negotiate(accept: str | None, offers: dict[str, str]) -> str | None:
    """The format of the offered media type the ``Accept`` header prefers, or ``None`` (406).

    The most specific matching range sets each offer's quality; ties go to the offer listed
    first.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_MEDIA)
    'xml'
    >>> negotiate("*/*", GRAPH_MEDIA), negotiate(None, RESULT_MEDIA)
    ('turtle', 'json')
    >>> negotiate("image/png", RESULT_MEDIA) is None
    True
    """
    if not accept or not accept.strip():
        return next(iter(offers.values()))
    ranges = _accept_items(accept)
    best, best_q = None, 0.0
    for media, fmt in offers.items():
        kind = media.split("/")[0]
        quality, specificity = 0.0, -1
        for pattern, q in ranges:
            rank = 2 if pattern == media else 1 if pattern == f"{kind}/*" else 0
            if pattern in {media, f"{kind}/*", "*/*"} and rank > specificity:
                quality, specificity = q, rank
        if quality > best_q:
            best, best_q = fmt, quality
    return best


#: Names clients use for graph formats (SPARQLWrapper sends ``format=json`` for JSON-LD).
_ALIASES = {
    "json": "jsonld",
    "json-ld": "jsonld",
    "ttl": "turtle",
    "ntriples": "nt",
    "n-triples": "nt",
}


def format_override(value: str, offers: dict[str, str]) -> str | None:
    """A ``format=`` parameter: a format name (``csv``) or a media type."""
    value = value.strip().lower()
    value = _ALIASES.get(value, value) if "jsonld" in offers.values() else value
    if value in offers.values():
        return value
    return offers.get(value)
