"""How the network names things: the RDF terms it reads, local names, file keys, folded
names for matching, node labels and readable dates."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from graph.namespaces import CVEKG, ID

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "CLAIM_FIELDS",
    "RDF_TYPE",
    "RDFS_LABEL",
    "SKOS_ALT",
    "SKOS_NOTE",
    "GEO_LAT",
    "GEO_LONG",
    "DCT_TITLE",
    "NAME_PREDICATES",
    "local_name",
    "normalize",
    "entity_key",
    "node_label",
    "format_date",
]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SKOS_NOTE = "http://www.w3.org/2004/02/skos/core#editorialNote"
#: What the provenance graph says of a claim, by predicate: the field of the projection's
#: claim entry it fills (both ways of reading claims, all or some, read these).
CLAIM_FIELDS = {
    str(CVEKG.quote): "quote",
    str(CVEKG.sentence): "sentence",
    str(CVEKG.source): "source",
    str(CVEKG.support): "support",
    SKOS_NOTE: "note",
}
GEO_LAT = "http://www.w3.org/2003/01/geo/wgs84_pos#lat"
GEO_LONG = "http://www.w3.org/2003/01/geo/wgs84_pos#long"
DCT_TITLE = "http://purl.org/dc/terms/title"
#: The predicates of an entity's names: labels and alternative labels.
NAME_PREDICATES = {RDFS_LABEL, SKOS_ALT}
_ID = str(ID)


def normalize(text: str) -> str:
    """Fold a name for matching: no case, no accents, punctuation as single spaces.

    >>> normalize("Université Paris II Panthéon-Assas")
    'universite paris ii pantheon assas'
    >>> normalize("  La Nouvelle-Orléans ")
    'la nouvelle orleans'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def entity_key(iri: str) -> str:
    """The file-name key of an entity: ``<kind>-<slug>`` of its IRI, safe in any file system.

    >>> entity_key("https://w3id.org/cvekg/id/city/new-orleans")
    'city-new-orleans'
    >>> entity_key("http://example.org/x?y=<z>")
    'http---example.org-x-y-z'
    """
    rest = iri[len(_ID) :] if iri.startswith(_ID) else iri
    key = rest.replace("/", "-")
    if not _SAFE_KEY.fullmatch(key):
        key = re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-.")
    return key[:150] or "entity"


_SAFE_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(?<![.-])")


@lru_cache(maxsize=4096)
def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


def node_label(G: nx.MultiDiGraph, node: str, lang: str = "en") -> str:
    """The label of ``node`` in ``lang`` (``en`` or ``fr``), falling back to the other one."""
    data = G.nodes[node]
    return data.get(f"label_{lang}") or data.get("label_en") or data.get("label_fr") or node


def format_date(lexical: str | None, lang: str = "en") -> str:
    """A readable date of an ``xsd:date``, ``gYearMonth`` or ``gYear`` lexical value.

    >>> format_date("2016-12"), format_date("2016-12", "fr"), format_date("2013")
    ('Dec 2016', 'déc. 2016', '2013')
    >>> format_date("2019-06-06")
    '6 Jun 2019'
    """
    if not lexical:
        return ""
    months = {
        "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
        "fr": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split(),
    }[lang if lang == "fr" else "en"]
    parts = lexical.split("-")
    try:
        if len(parts) == 1:
            return parts[0]
        month = months[int(parts[1]) - 1]
        if len(parts) == 2:
            return f"{month} {parts[0]}"
        return f"{int(parts[2])} {month} {parts[0]}"
    except (ValueError, IndexError):
        return lexical
