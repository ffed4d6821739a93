"""The build's Oxigraph store: what it rewrites (canonical literals) never reaches the outputs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph.build.result import BuildResult
from graph.namespaces import CVEKG, OA, PROVENANCE_GRAPH
from graph.progress import BarProgress, LineProgress, progress_for
from graph.rdf import XSD as XSD_NS
from graph.rdf import bulk_load_in_parts, protect_literals, restore_protected

ATTACK = URIRef("https://w3id.org/cvekg/id/attack/manchester")


def _killed(dataset: Dataset) -> set:
    return {o for _, _, o, _ in dataset.quads((ATTACK, CVEKG.victimsKilled, None, None))}


def test_nonnegative_integer_keeps_its_datatype_in_every_output(built_dir: Path) -> None:
    """Oxigraph stores "22"^^xsd:nonNegativeInteger as "22"^^xsd:integer (oxigraph#526)."""
    trig = Dataset().parse(built_dir / "graph.trig", format="trig")
    assert _killed(trig) == {Literal("22", datatype=XSD.nonNegativeInteger)}
    for name, fmt in (("graph.ttl", "turtle"), ("graph.nt", "nt")):
        union = Graph().parse(built_dir / name, format=fmt)
        assert set(union.objects(ATTACK, CVEKG.victimsKilled)) == _killed(trig)
    assert _killed(Dataset().parse(built_dir / "graph.jsonld", format="json-ld")) == _killed(trig)
    offsets = list(trig.graph(PROVENANCE_GRAPH).objects(None, OA.start))
    assert offsets and {o.datatype for o in offsets} == {XSD.nonNegativeInteger}


def test_decimal_keeps_its_lexical_form(built_dir: Path) -> None:
    """Oxigraph stores "49.00"^^xsd:decimal as "49"; places.ttl writes Sarcelles at 49.00."""
    trig = Dataset().parse(built_dir / "graph.trig", format="trig")
    sarcelles = URIRef("https://w3id.org/cvekg/id/city/sarcelles")
    assert {str(o) for _, _, o, _ in trig.quads((sarcelles, None, None, None))} >= {"49.00"}


def test_protected_literals_are_stored_canonically_and_kept_as_written() -> None:
    text = '<http://a> <http://p> "+7"^^xsd:int , "1.50"^^xsd:decimal , "2"^^xsd:integer .'
    marked_text, marked = protect_literals(
        "@prefix xsd: <" + XSD_NS + "> .\n" + text, {"xsd": XSD_NS}
    )
    assert marked == {("+7", "int"), ("1.50", "decimal")}  # "2" is stored as written
    store = ox.Store()
    store.load(marked_text, ox.RdfFormat.TURTLE)
    typed = restore_protected(store, marked)
    values = sorted(q.object.value for q in store)
    assert values == ["1.5", "2", "7"]  # what queries see
    assert sorted(typed) == [
        f'<http://a> <http://p> "+7"^^<{XSD_NS}int> .\n',
        f'<http://a> <http://p> "1.50"^^<{XSD_NS}decimal> .\n',
    ]


def test_build_result_dataset_has_the_written_literals(built: BuildResult) -> None:
    assert _killed(built.dataset) == {Literal("22", datatype=XSD.nonNegativeInteger)}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere() -> None:
    assert isinstance(progress_for(_Terminal()), BarProgress)
    plain = io.StringIO()
    progress = progress_for(plain, "cvekg: ")
    assert isinstance(progress, LineProgress)
    progress.start("load")
    progress.advance(1, 2)
    progress.finish("load", 1.5)
    assert plain.getvalue() == "cvekg: load…\ncvekg: load done in 1.50 s\n"
    terminal = _Terminal()
    bar = progress_for(terminal)
    bar.start("anchor")
    bar.advance(2, 2)
    bar.finish("anchor", 0.25)
    assert "█" * BarProgress.WIDTH in terminal.getvalue()
    assert terminal.getvalue().endswith("anchor    done in 0.25 s\n")


def test_typed_literal_quoted_inside_a_string_is_left_alone() -> None:
    """A note quoting Turtle (`"43.30"^^xsd:decimal`) keeps its words: only terms are marked."""
    note = 'Turtle for it: "43.30"^^xsd:decimal, or "43.3"^^xsd:decimal'
    text = (
        f"@prefix xsd: <{XSD_NS}> .\n"
        f'# a comment: "9.0"^^xsd:decimal\n'
        f'<http://a> <http://note> """{note}""" , \'says "7.0"^^xsd:decimal\' ;\n'
        f'    <http://lat> "43.30"^^xsd:decimal .\n'
    )
    marked_text, marked = protect_literals(text, {"xsd": XSD_NS})
    assert marked == {("43.30", "decimal")}
    store = ox.Store()
    store.load(marked_text, ox.RdfFormat.TURTLE)
    typed = restore_protected(store, marked)
    notes = {q.object.value for q in store if q.predicate.value == "http://note"}
    assert notes == {note, 'says "7.0"^^xsd:decimal'}
    assert typed == [f'<http://a> <http://lat> "43.30"^^<{XSD_NS}decimal> .\n']


def test_a_value_written_with_two_datatypes_keeps_both(sources_copy: Path, tmp_path: Path) -> None:
    """The store keeps `"49"^^xsd:nonNegativeInteger , "49"^^xsd:integer` as one integer; every
    output still says both (here with shapes that allow them)."""
    from graph.pipeline import build
    from graph.resources import shapes_file

    trig = sources_copy / "dipnote-2019-06-06-french-us-communities-counter-radicalization.trig"
    text = trig.read_text(encoding="utf-8")
    old = 'cvekg:victimsKilled "49"^^xsd:nonNegativeInteger .'
    assert old in text
    trig.write_text(text.replace(old, old[:-1] + ', "49"^^xsd:integer .'), encoding="utf-8")
    shapes = tmp_path / "shapes.ttl"
    constraint = (
        "sh:path cvekg:victimsKilled ; sh:maxCount 1 ; sh:datatype xsd:nonNegativeInteger ;"
    )
    rules = shapes_file().read_text(encoding="utf-8")
    assert constraint in rules
    shapes.write_text(rules.replace(constraint, "sh:path cvekg:victimsKilled ;"), encoding="utf-8")
    out = tmp_path / "out"
    result = build(sources=sources_copy, out=out, shapes=shapes, views=False)

    orlando = URIRef("https://w3id.org/cvekg/id/attack/orlando-pulse-nightclub")
    both = {Literal("49", datatype=XSD.nonNegativeInteger), Literal("49", datatype=XSD.integer)}
    for name, fmt in (("graph.trig", "trig"), ("graph.jsonld", "json-ld")):
        dataset = Dataset().parse(out / name, format=fmt)
        assert {
            o for _, _, o, _ in dataset.quads((orlando, CVEKG.victimsKilled, None, None))
        } == both
    for name, fmt in (("graph.ttl", "turtle"), ("graph.nt", "nt")):
        union = Graph().parse(out / name, format=fmt)
        assert set(union.objects(orlando, CVEKG.victimsKilled)) == both, name
    assert {
        o for _, _, o, _ in result.dataset.quads((orlando, CVEKG.victimsKilled, None, None))
    } == both


def test_bulk_load_in_parts_makes_the_same_store_as_one_load(tmp_path: Path) -> None:
    """Parts end at line breaks, so no statement is cut, and a blank node named in two parts
    stays one node."""
    lines = [
        f'<https://e.org/s{i}> <https://e.org/p> "line {i}\\nnext \\u00e9"@fr'
        f" <https://e.org/g{i % 3}> .\n"
        for i in range(300)
    ]
    lines += [
        f"_:shared <https://e.org/p> <https://e.org/o{i}> <https://e.org/g> .\n" for i in range(50)
    ]
    path = tmp_path / "graph.nq"
    path.write_text("".join(lines), encoding="utf-8")
    whole = ox.Store()
    whole.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    parts = ox.Store(str(tmp_path / "store"))
    count = bulk_load_in_parts(parts, str(path), ox.RdfFormat.N_QUADS, part_bytes=700)
    assert count > 20

    def quads(store: ox.Store) -> list[str]:  # each load names blank nodes afresh
        return sorted(re.sub(r"_:\w+", "_:b", str(q)) for q in store)

    assert quads(parts) == quads(whole)
    assert len({q.subject for q in parts if isinstance(q.subject, ox.BlankNode)}) == 1
