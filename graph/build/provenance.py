"""The provenance graph, written as the quotes are anchored: who says what, and where.

For each document and claim, :class:`ProvenanceWriter` writes the claim's source, quote,
sentence and notes, and a W3C Web Annotation whose selectors give the exact passage and its
character offsets. It writes Turtle (loaded into the store, and the body of graph.trig's
provenance block) and JSON-LD node objects (appended to graph.jsonld) in one pass, so no
output converts millions of provenance triples afterwards. :class:`ProvenanceInference`
adds what the ontology's rules imply for them, from a template worked out once.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import XSD

from graph.build.anchor import (
    Anchor,
    QuoteAmbiguousError,
    QuoteNotFoundError,
    SourceText,
    anchor_quote,
)
from graph.build.infer import Rules, infer_store
from graph.build.load import Claim, Corpus
from graph.errors import display_path
from graph.namespaces import INFERRED_GRAPH, OA, PREFIXES
from graph.rdf import nt_literal

__all__ = [
    "PROVENANCE_HEADER",
    "ProvenanceWriter",
    "ProvenanceInference",
    "anchor_corpus",
    "json_text",
]


_PROVENANCE_PREFIXES = ("cvekg", "prov", "oa", "xsd", "skos")
#: The prefixes the provenance text is written with (it is Turtle, and TriG inside a block).
PROVENANCE_HEADER = "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in _PROVENANCE_PREFIXES)


def _where(claim) -> str:
    return f"{display_path(claim.path)}:{claim.line}:{claim.column}: claim {claim.name}"


class ProvenanceWriter:
    """Writes the provenance graph twice as anchoring goes: Turtle (loaded into the store,
    and the body of its TriG block) and JSON-LD node objects (appended to graph.jsonld), so
    no output has to convert two million triples afterwards.

    With an ``inference``, also writes to ``inferred`` (N-Triples, for the inferred graph)
    what the rules add to the provenance graph: it joins the store after inference ran.
    """

    def __init__(
        self,
        turtle: io.TextIOBase,
        jsonld: io.TextIOBase,
        inferred: io.TextIOBase | None = None,
        inference: ProvenanceInference | None = None,
    ):
        self.turtle = turtle
        self.jsonld = jsonld
        self.inferred = inferred
        self.inference = inference
        self.nodes = 0
        turtle.write(PROVENANCE_HEADER)

    def _nodes(self, nodes: list[str]) -> None:
        if nodes:
            self.jsonld.write(("," if self.nodes else "") + ",".join(nodes))
            self.nodes += len(nodes)

    def document(self, iri: str, text_name: str) -> None:
        """The document and its text file."""
        self.turtle.write(
            f"<{iri}> a cvekg:SourceDocument ; cvekg:text {nt_literal(text_name)} .\n"
        )
        self._nodes(
            [
                f'{{"@id":{json_text(iri)},"@type":["cvekg:SourceDocument"],'
                f'"cvekg:text":[{{"@value":{json_text(text_name)}}}]}}'
            ]
        )
        if self.inference is not None:
            self.inferred.write(self.inference.document(iri, text_name))

    def claims(self, doc: str, anchored: list[tuple[Claim, Anchor]]) -> None:
        """Claims and the Web Annotation of each quote (selectors by quote and by position)."""
        turtle, nodes = [], []
        d, dj = f"<{doc}>", f'{{"@id":{json_text(doc)}}}'
        for claim, anchor in anchored:
            c = str(claim.iri)
            notes = "".join(f" ; skos:editorialNote {nt_literal(n)}" for n in claim.notes)
            if claim.support:
                notes += f" ; cvekg:support <{claim.support}>"
            context = ""
            if not anchor.unique:
                context = (
                    f" ; oa:prefix {nt_literal(anchor.prefix)} "
                    f"; oa:suffix {nt_literal(anchor.suffix)}"
                )
            turtle.append(
                f"<{c}> a cvekg:Claim ; cvekg:source {d} ; prov:wasDerivedFrom {d} ; "
                f"cvekg:quote {nt_literal(claim.quote or '')} ; "
                f"cvekg:sentence {nt_literal(anchor.sentence)}{notes} .\n"
                f"<{c}#annotation> a oa:Annotation ; oa:motivatedBy oa:describing ; "
                f"oa:hasBody <{c}> ; oa:hasTarget <{c}#target> .\n"
                f"<{c}#target> a oa:SpecificResource ; oa:hasSource {d} ; "
                f"oa:hasSelector <{c}#quote> , <{c}#position> .\n"
                f"<{c}#quote> a oa:TextQuoteSelector ; "
                f"oa:exact {nt_literal(anchor.exact)}{context} .\n"
                f"<{c}#position> a oa:TextPositionSelector ; "
                f'oa:start "{anchor.start}"^^xsd:nonNegativeInteger ; '
                f'oa:end "{anchor.end}"^^xsd:nonNegativeInteger .\n'
            )
            ref = {name: f'{{"@id":{json_text(c + name)}}}' for name in ("", "#target", "#quote")}
            position = f'{{"@id":{json_text(c + "#position")}}}'
            notes_json = ""
            if claim.notes:
                values = ",".join(f'{{"@value":{json_text(n)}}}' for n in claim.notes)
                notes_json = f',"skos:editorialNote":[{values}]'
            if claim.support:
                notes_json += f',"cvekg:support":[{{"@id":{json_text(claim.support)}}}]'
            context_json = ""
            if not anchor.unique:
                context_json = (
                    f',"oa:prefix":[{{"@value":{json_text(anchor.prefix)}}}]'
                    f',"oa:suffix":[{{"@value":{json_text(anchor.suffix)}}}]'
                )
            offset = '{{"@value":"{}","@type":"xsd:nonNegativeInteger"}}'
            nodes += [
                f'{{"@id":{json_text(c)},"@type":["cvekg:Claim"],"cvekg:source":[{dj}],'
                f'"prov:wasDerivedFrom":[{dj}],"cvekg:quote":[{{"@value":{json_text(claim.quote)}}}],'
                f'"cvekg:sentence":[{{"@value":{json_text(anchor.sentence)}}}]{notes_json}}}',
                f'{{"@id":{json_text(c + "#annotation")},"@type":["oa:Annotation"],'
                f'"oa:motivatedBy":[{{"@id":"oa:describing"}}],"oa:hasBody":[{ref[""]}],'
                f'"oa:hasTarget":[{ref["#target"]}]}}',
                f'{{"@id":{json_text(c + "#target")},"@type":["oa:SpecificResource"],'
                f'"oa:hasSource":[{dj}],"oa:hasSelector":[{ref["#quote"]},{position}]}}',
                f'{{"@id":{json_text(c + "#quote")},"@type":["oa:TextQuoteSelector"],'
                f'"oa:exact":[{{"@value":{json_text(anchor.exact)}}}]{context_json}}}',
                f'{{"@id":{json_text(c + "#position")},"@type":["oa:TextPositionSelector"],'
                f'"oa:start":[{offset.format(anchor.start)}],'
                f'"oa:end":[{offset.format(anchor.end)}]}}',
            ]
        self.turtle.write("".join(turtle))
        self._nodes(nodes)
        if self.inference is not None:
            self.inferred.write(
                "".join(self.inference.claim(doc, claim, anchor) for claim, anchor in anchored)
            )


#: Placeholders in the provenance the rules run on: IRIs, and the claim's literal values.
_DOCUMENT, _CLAIM = "urn:x-cvekg:document", "urn:x-cvekg:claim"
_SUPPORT = "urn:x-cvekg:support"
_SLOTS = ("text", "quote", "note", "sentence", "exact", "prefix", "suffix")


class ProvenanceInference:
    """What the rules add to the provenance graph (``Claim ⊑ prov:Entity``, the inverse
    ``claimSupported`` of ``source``…), worked out once from the ontology.

    The writer writes every document and claim in the same shape: the rules run on one of
    each, written with placeholders, and what they add is a template filled in per claim
    (a string replacement or two), where running them on the provenance graph would cost
    a pass over 40% of the triples. No claim's provenance links to another's, so no rule
    could chain across claims.
    """

    def __init__(self, rules: Rules, workdir: Path | None = None):
        slot = {name: f"\ue000{name}\ue000" for name in _SLOTS}
        turtle = io.StringIO()
        writer = ProvenanceWriter(turtle, io.StringIO())
        writer.document(_DOCUMENT, slot["text"])
        claim = Claim(
            URIRef(_CLAIM), 0, slot["quote"], None, [slot["note"]], Path(), support=_SUPPORT
        )
        anchor = Anchor(
            0, 1, slot["exact"], slot["sentence"], slot["prefix"], slot["suffix"], unique=False
        )
        writer.claims(_DOCUMENT, [(claim, anchor)])
        store = ox.Store()
        store.load(turtle.getvalue(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(_CLAIM))
        infer_store(store, rules, str(INFERRED_GRAPH), workdir=workdir)
        inferred = sorted(
            f"{q.triple} .\n"
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(INFERRED_GRAPH)))
        )
        # Each placeholder as it reads in an N-Triples line, and what it stands for.
        tokens = {f"<{_DOCUMENT}>": "document", f"<{_CLAIM}": "claim", f"<{_SUPPORT}>": "support"}
        tokens |= {str(ox.Literal(slot[name])): name for name in _SLOTS}
        for name, predicate in (("start", OA.start), ("end", OA.end)):
            stored = next(store.quads_for_pattern(None, ox.NamedNode(str(predicate)), None))
            tokens[str(stored.object)] = name
        self._document = [(line, [t for t in tokens if t in line]) for line in inferred]
        of_claim = [(line, t) for line, t in self._document if _CLAIM in line or _SUPPORT in line]
        self._document = [(line, t) for line, t in self._document if (line, t) not in of_claim]
        self._claim = of_claim
        self._names = tokens

    def _fill(self, templates: list[tuple[str, list[str]]], values: Callable[[str], list[str]]):
        out: list[str] = []
        for line, tokens in templates:
            filled = [line]
            for token in tokens:
                filled = [f.replace(token, v) for f in filled for v in values(self._names[token])]
            out += filled
        return "".join(out)

    def document(self, iri: str, text_name: str) -> str:
        """The N-Triples lines the rules add to a document's provenance."""
        values = {"document": [f"<{iri}>"], "text": [nt_literal(text_name)]}
        return self._fill(self._document, values.__getitem__)

    def claim(self, document: str, claim: Claim, anchor: Anchor) -> str:
        """The N-Triples lines the rules add to a claim's provenance."""
        return self._fill(self._claim, lambda name: _claim_values(name, document, claim, anchor))


def _claim_values(name: str, document: str, claim: Claim, anchor: Anchor) -> list[str]:
    """The N-Triples terms a claim gives a placeholder of :class:`ProvenanceInference`."""
    if name == "claim":
        return [f"<{claim.iri}"]  # also the start of <claim#annotation> and the like
    if name == "document":
        return [f"<{document}>"]
    if name == "support":
        return [f"<{claim.support}>"] if claim.support else []
    if name in ("start", "end"):
        return [nt_literal(str(getattr(anchor, name)), str(XSD.nonNegativeInteger))]
    if name == "quote":
        return [nt_literal(claim.quote or "")]
    if name == "note":
        return [nt_literal(note) for note in claim.notes]
    if name in ("prefix", "suffix") and anchor.unique:
        return []  # written only for a quote that occurs more than once
    return [nt_literal(getattr(anchor, name))]


def json_text(text: str | None) -> str:
    return json.dumps(text, ensure_ascii=False)


def anchor_corpus(
    corpus: Corpus, provenance: ProvenanceWriter, advance: Callable[[int, int], None]
) -> tuple[set[URIRef], list[str]]:
    """Anchor every quote and write the provenance graph to ``provenance``.

    Returns the claims anchored and the problems (quotes not found or ambiguous). Character
    offsets are typed ``xsd:nonNegativeInteger``.
    """
    anchored: set[URIRef] = set()
    problems: list[str] = []
    total = sum(len(doc.claims) for doc in corpus.documents)
    done = 0
    for doc in corpus.documents:
        text = SourceText(doc.text)
        text_name = doc.text_path.name
        provenance.document(str(doc.iri), text_name)
        found: list[tuple[Claim, Anchor]] = []
        for claim in doc.claims:
            done += 1
            if claim.quote is None:
                continue  # reported by provenance coverage: its triples are unsourced
            try:
                anchor = anchor_quote(text, claim.quote, claim.prefix)
            except QuoteNotFoundError as exc:
                problems.append(
                    f'{_where(claim)}: quote not found in {text_name}: "{exc.quote}" '
                    f'(closest: "{exc.closest}")'
                )
                continue
            except QuoteAmbiguousError as exc:
                problems.append(f"{_where(claim)}: {exc} in {text_name}")
                continue
            anchored.add(claim.iri)
            found.append((claim, anchor))
        provenance.claims(str(doc.iri), found)
        doc.text = ""  # no longer needed: free it for the store's growth to come
        advance(done, total)
    return anchored, problems
