"""graph/namespaces.py: the IRIs as strings, and the rdflib namespaces made from them on first
use, which must name the same IRIs as before (and as rdflib's own vocabularies)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

from graph import namespaces

ROOT = Path(__file__).resolve().parent.parent


def test_the_prefixes_name_rdflibs_vocabularies() -> None:
    for prefix, vocabulary in {"rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS,
                               "dcterms": DCTERMS, "prov": PROV, "time": TIME}.items():  # fmt: skip
        assert namespaces.PREFIXES[prefix] == str(vocabulary), prefix


def test_the_rdflib_terms_are_the_string_iris() -> None:
    assert isinstance(namespaces.CVEKG, Namespace) and namespaces.CVEKG.City == URIRef(
        "https://w3id.org/cvekg/ontology#City"
    )
    assert str(namespaces.CVEKG) == namespaces.PREFIXES["cvekg"]
    assert str(namespaces.ID) == namespaces.PREFIXES["id"]
    assert str(namespaces.CLAIM) == namespaces.PREFIXES["claim"]
    assert str(namespaces.GRAPH) == namespaces.GRAPH_NS == "https://w3id.org/cvekg/graph/"
    for name in ("ONTOLOGY_GRAPH", "PROVENANCE_GRAPH", "INFERRED_GRAPH"):
        term = getattr(namespaces, name)
        assert type(term) is URIRef and term == URIRef(getattr(namespaces, name + "_IRI"))
    assert namespaces.ONTOLOGY_GRAPH == namespaces.GRAPH["ontology"]
    assert isinstance(namespaces.REFERENCE_GRAPH, Namespace)
    assert str(namespaces.REFERENCE_GRAPH) == namespaces.REFERENCE_GRAPH_IRI
    assert namespaces.OA is namespaces.OA  # made once, then kept
    for name in namespaces.__all__:
        getattr(namespaces, name)


def test_the_strings_need_no_rdflib() -> None:
    check = (
        "import sys\n"
        "from graph.namespaces import PREFIXES, GRAPH_NS, ONTOLOGY_GRAPH_IRI, compact\n"
        "compact(PREFIXES['city'] + 'lyon')\n"
        "assert 'rdflib' not in sys.modules\n"
        "from graph.namespaces import CVEKG\n"
        "assert 'rdflib' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
