"""Reading sources: syntax errors give file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import SourceError
from graph.load import load_corpus
from graph.resources import ontology_file

TRIG = "dipnote-2019-06-06-french-us-communities-counter-radicalization.trig"


def test_malformed_trig_gives_line_and_column(sources_copy: Path) -> None:
    path = sources_copy / TRIG
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if "cvekg:hostCity city:atlanta" in line)
    lines[target] = lines[target].replace("city:atlanta ;", "city:atlanta")  # drop the ';'
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_corpus(ontology_file(), sources_copy)
    error = caught.value
    assert error.path == path
    # The parser stumbles on the next line's first token, where a ';' or '.' was due.
    assert error.line == target + 2
    assert error.column == lines[target + 1].index("cvekg:program") + 1
    assert str(error).startswith(f"{path}:{error.line}:{error.column}: TRIG syntax error")


def test_error_position_after_accented_text(tmp_path: Path) -> None:
    from graph.load import parse_rdf_file

    path = tmp_path / "accents.ttl"
    path.write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:label "Panthéon-Assas, Orléans" .\n'
        "ex:b ex:label ex:c\n  ex:d ex:e .\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        parse_rdf_file(path, "turtle")
    assert (caught.value.line, caught.value.column) == (4, 3)


def test_malformed_turtle_reference_file(sources_copy: Path) -> None:
    path = sources_copy / "places.ttl"
    path.write_text(path.read_text(encoding="utf-8") + '\ncity:x geo:lat "1 .\n', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_corpus(ontology_file(), sources_copy)
    assert caught.value.path == path
    assert caught.value.line == len(path.read_text(encoding="utf-8").splitlines())


def test_missing_text_file_is_named(sources_copy: Path) -> None:
    (sources_copy / TRIG.replace(".trig", ".txt")).unlink()
    with pytest.raises(SourceError, match="text file not found"):
        load_corpus(ontology_file(), sources_copy)


def test_claims_keep_their_quote_and_location(sources_copy: Path) -> None:
    corpus = load_corpus(ontology_file(), sources_copy)
    claims = {c.name: c for c in corpus.documents[0].claims}
    lyon = claims["city-pair-lyon"]
    assert lyon.quote.startswith("During a City Pair in December 2017")
    text = (sources_copy / TRIG).read_text(encoding="utf-8").splitlines()
    assert text[lyon.line - 1].startswith("claim:city-pair-lyon cvekg:quote")
