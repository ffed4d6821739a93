"""Reading sources: syntax errors give file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.build.load import load_corpus
from graph.errors import SourceError
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
    from graph.build.load import parse_rdf_file

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


@pytest.mark.parametrize("name", [TRIG, "places.ttl", TRIG.replace(".trig", ".txt")])
def test_non_utf8_byte_gives_line_and_column(sources_copy: Path, name: str) -> None:
    """A file saved as Latin-1 ("Orléans" as one byte 0xe9) names the place of that byte."""
    path = sources_copy / name
    lines = path.read_bytes().split(b"\n")
    target = next(i for i, line in enumerate(lines) if i > 0 and len(line) > 10)
    lines[target] = lines[target][:4] + "Orléans".encode("latin-1") + lines[target][4:]
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(SourceError) as caught:
        load_corpus(ontology_file(), sources_copy)
    error = caught.value
    assert (error.path, error.line, error.column) == (path, target + 1, 8)
    assert "not valid UTF-8 (byte 0xe9" in error.message


@pytest.mark.parametrize("name", [TRIG, "places.ttl"])
def test_byte_order_mark_is_accepted(sources_copy: Path, name: str) -> None:
    """Windows editors save UTF-8 with a byte order mark; errors still point at the right
    column of the first line."""
    path = sources_copy / name
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    corpus = load_corpus(ontology_file(), sources_copy)
    assert sum(c.size for d in corpus.documents for c in d.claims) > 0
    path.write_bytes(b"\xef\xbb\xbf@prefix nope <http://example.org/> .\n")
    with pytest.raises(SourceError) as caught:
        load_corpus(ontology_file(), sources_copy)
    assert (caught.value.line, caught.value.column) == (1, 9)


def test_reference_file_name_not_valid_in_an_iri(sources_copy: Path) -> None:
    """`my places.ttl` loads: its graph IRI percent-encodes the space."""
    text = (sources_copy / "places.ttl").read_text(encoding="utf-8")
    (sources_copy / "places.ttl").unlink()
    (sources_copy / "my places.ttl").write_text(
        text.replace("/graph/reference/places>", "/graph/reference/my%20places>"), "utf-8"
    )
    corpus = load_corpus(ontology_file(), sources_copy)
    [reference] = corpus.references
    assert str(reference.iri) == "https://w3id.org/cvekg/graph/reference/my%20places"
    assert reference.facts > 0 and reference.has_source


def test_syntax_error_message_does_not_repeat_its_position(sources_copy: Path) -> None:
    """Oxigraph's "Parser error at line N column M: …" gives file:line:column, said once."""
    path = sources_copy / "places.ttl"
    text = path.read_text(encoding="utf-8") + '\ncity:x rdfs:label "x"@en , ; .\n'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_corpus(ontology_file(), sources_copy)
    assert (caught.value.line, caught.value.column) == (len(text.splitlines()), 28)
    assert caught.value.message == "TURTLE syntax error: ; is not a valid RDF object"


# --- a source names only files inside its folder --------------------------------------------


def _name_text(sources: Path, name: str) -> Path:
    """Make the document's ``cvekg:text`` name ``name``; the ``.trig`` file."""
    path = sources / TRIG
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f'"{TRIG.replace(".trig", ".txt")}"', f'"{name}"'), "utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../../../../../../etc/passwd", "steps out of the sources folder (..)"),
        ("/etc/passwd", "is an absolute path"),
        ("sub/../../outside.txt", "steps out of the sources folder (..)"),
    ],
)
def test_text_outside_the_sources_folder_is_refused(
    sources_copy: Path, name: str, why: str
) -> None:
    (sources_copy.parent / "outside.txt").write_text("secret", encoding="utf-8")
    path = _name_text(sources_copy, name)
    with pytest.raises(SourceError) as caught:
        load_corpus(ontology_file(), sources_copy)
    error = caught.value
    line = next(i for i, t in enumerate(path.read_text("utf-8").splitlines(), 1) if name in t)
    assert (error.path, error.line) == (path, line)
    assert why in error.message and repr(name) in error.message


def test_symlinked_text_leading_out_is_refused(sources_copy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    text = sources_copy / TRIG.replace(".trig", ".txt")
    text.unlink()
    text.symlink_to(secret)
    with pytest.raises(SourceError, match="leads out of the sources folder"):
        load_corpus(ontology_file(), sources_copy)


def test_symlinked_text_inside_the_folder_is_read(sources_copy: Path) -> None:
    text = sources_copy / TRIG.replace(".trig", ".txt")
    moved = sources_copy / "texts" / text.name
    moved.parent.mkdir()
    text.rename(moved)
    text.symlink_to(moved)
    corpus = load_corpus(ontology_file(), sources_copy)
    assert corpus.documents[0].text == moved.read_text(encoding="utf-8")


def test_cvekg_build_refuses_a_traversal_and_publishes_nothing(
    sources_copy: Path, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    trig = _name_text(sources_copy, "../../../../../../etc/passwd")
    line = next(i for i, t in enumerate(trig.read_text("utf-8").splitlines(), 1) if "passwd" in t)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "graph.cli", "build", "--sources", str(sources_copy)]
        + ["--out", str(out), "--no-views", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert done.returncode == 2, done.stderr
    assert f"{TRIG}:{line}:" in done.stderr and "steps out of the sources folder" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (out / "graph.trig").exists()
