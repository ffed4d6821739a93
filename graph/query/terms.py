"""Terms of our ontology that a query names but the ontology does not declare.

A misspelt class or property (``cvekg:Cty``) is valid SPARQL that silently matches nothing;
:func:`unknown_terms` finds such names, with the closest declared ones, so that the CLI can
warn as it already does for an unknown prefix. Only our own namespace is checked: other
vocabularies are open-ended.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path

import pyoxigraph as ox

from graph.namespaces import ONTOLOGY_GRAPH_IRI, PREFIXES

__all__ = ["declared_terms", "unknown_terms", "vocabulary"]

_NAMESPACE = PREFIXES["cvekg"]
# Strings, comments and IRIs, blanked before names are looked for (a "cvekg:x" in a string
# is text, not a term).
_SKIPPED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*|<[^<>"{}|^`\\\s]*>'
)
_PREFIXED = re.compile(r"(?<![\w.:-])cvekg:([A-Za-z_][\w-]*(?:\.[\w-]+)*)")
_FULL = re.compile(r"<" + re.escape(_NAMESPACE) + r"([^<>\s]*)>")
_REBOUND = re.compile(r"PREFIX\s+cvekg:\s*<([^>]*)>", re.IGNORECASE)


def declared_terms(store: ox.Store) -> set[str]:
    """The local names of our namespace that the store's ontology graph describes."""
    query = (
        f"SELECT DISTINCT ?t WHERE {{ GRAPH <{ONTOLOGY_GRAPH_IRI}> {{ ?t ?p ?o }} "
        f'FILTER(isIRI(?t) && STRSTARTS(STR(?t), "{_NAMESPACE}")) }}'
    )
    return {row["t"].value.removeprefix(_NAMESPACE) for row in store.query(query)}


def _all_described(store: ox.Store, locals_: dict[str, str]) -> bool:
    """Whether the ontology graph describes every one of these local names: one look-up of
    each, where listing every declared term takes ~10 ms of each ``cvekg query``."""
    try:
        values = " ".join(str(ox.NamedNode(_NAMESPACE + local)) for local in locals_)
    except ValueError:  # no IRI: the full list will say it is not a term
        return False
    query = (
        f"SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ VALUES ?t {{ {values} }} "
        f"GRAPH <{ONTOLOGY_GRAPH_IRI}> {{ ?t ?p ?o }} }}"
    )
    return int(next(iter(store.query(query)))["n"].value) == len(locals_)


def unknown_terms(query: str, store: ox.Store) -> list[str]:
    """One line per term of our namespace that ``query`` names and the ontology does not
    declare, with the closest declared names: ``cvekg:Cty is not a term of the ontology
    (closest: cvekg:City)``. Empty when the query rebinds ``cvekg:`` to another namespace
    for its prefixed names (its full IRIs are still checked)."""
    used: dict[str, str] = {}
    for match in _FULL.finditer(query):
        used.setdefault(match[1], f"<{_NAMESPACE}{match[1]}>")
    rebound = _REBOUND.search(query)
    if rebound is None or rebound[1] == _NAMESPACE:
        for match in _PREFIXED.finditer(_SKIPPED.sub(lambda m: " " * len(m[0]), query)):
            used.setdefault(match[1], f"cvekg:{match[1]}")
    if not used or _all_described(store, used):  # the usual case: no need for the whole list
        return []
    declared = declared_terms(store)
    if not declared:  # a build without the ontology graph: nothing to check against
        return []
    lines = []
    for local, written in used.items():
        if local in declared:
            continue
        close = difflib.get_close_matches(local, sorted(declared), n=3, cutoff=0.6)
        if not close:  # a case slip: cvekg:city for cvekg:City
            close = sorted(d for d in declared if d.lower() == local.lower())
        hint = f" (closest: {', '.join('cvekg:' + c for c in close)})" if close else ""
        lines.append(f"{written} is not a term of the ontology, so it matches nothing{hint}")
    return lines


_KINDS = {
    "http://www.w3.org/2002/07/owl#Class": "class",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "property",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "property",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "property",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property": "property",
}


@functools.lru_cache(maxsize=4)
def vocabulary(ontology: Path | None = None) -> tuple[dict[str, str], ...]:
    """The classes and properties the ontology declares, for an editor to complete: each as
    ``{"name": "cvekg:hostCity", "iri": …, "kind": "property", "label": "host city",
    "definition": …}``, sorted by name.

    Read from the ontology file itself (not a store), so the query page can offer them
    before any query runs; a name uses the longest pre-bound prefix of its IRI.
    """
    from graph.resources import ontology_file

    store = ox.Store()
    store.load(path=str(ontology or ontology_file()), format=ox.RdfFormat.TURTLE)
    kinds = " ".join(f"<{k}>" for k in _KINDS)
    query = f"""
        SELECT ?t (SAMPLE(?k) AS ?kind) (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?definition)
        WHERE {{
          ?t a ?k . FILTER(isIRI(?t))
          OPTIONAL {{ ?t <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = "en") }}
          OPTIONAL {{ ?t <http://www.w3.org/2004/02/skos/core#definition> ?d
                     FILTER(LANG(?d) = "en" || LANG(?d) = "") }}
          VALUES ?k {{ {kinds} }}
        }} GROUP BY ?t
    """
    namespaces = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
    terms = []
    for row in store.query(query):
        iri = row["t"].value
        prefix = next((p for p, ns in namespaces if iri.startswith(ns)), None)
        local = iri[len(PREFIXES[prefix]) :] if prefix else ""
        if prefix is None or not re.fullmatch(r"[A-Za-z_][\w-]*", local):
            continue  # no pre-bound prefix writes it as a name
        terms.append(
            {
                "name": f"{prefix}:{local}",
                "iri": iri,
                "kind": _KINDS[row["kind"].value],
                "label": row["label"].value if row["label"] else "",
                "definition": row["definition"].value if row["definition"] else "",
            }
        )
    return tuple(sorted(terms, key=lambda t: t["name"]))
