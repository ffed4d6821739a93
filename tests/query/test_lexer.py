"""The lexer's two repertoires of name characters: an ASCII-only query is read with classes
cut to their ASCII members (cheap to compile at a process's start), and must be read exactly
as the full classes read it. The gate's behaviour itself is tested in ``test_gate.py``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from graph.query import lexer
from graph.resources import queries_dir

ROOT = Path(__file__).resolve().parents[2]

#: ASCII queries with the names, escapes and dots a tokeniser gets wrong.
TRICKY = [
    "PREFIX ex: <http://e/> ASK { BIND(ex:a\\#b AS ?h) }",
    "ASK { FILTER(?z<1)SERVICE z:x#>\n{} }",
    "SELECT * { ?s ex:a.b.c ?o . _:b1.x ex:p :q . ex:%41-b\\~ ?p $v }",
    "SELECT (COUNT(*) AS ?n) { ?s a.b:c ?o FILTER(?o>1.5e3) } GROUP BY ?s",
    'ASK { ?s ?p \'un\'\'closed "x""" . } # SERVICE <x>',
    "ASK { SERVICE\tSILENT ex:e { } } service ?x silent:y",
]


def test_ascii_classes_are_the_full_classes_cut_to_ascii() -> None:
    for name, full in lexer._NAMES.classes.items():
        ascii_only = lexer._ASCII_NAMES.classes[name]
        for code in range(128):
            char = chr(code)
            assert bool(re.fullmatch(f"[{full}]", char)) == bool(
                re.fullmatch(f"[{ascii_only}]", char)
            ), (name, char)


def _queries() -> list[str]:
    shipped = [p.read_text(encoding="utf-8") for p in sorted(queries_dir().glob("*.rq"))]
    return [q for q in shipped + TRICKY if q.isascii()]


@pytest.mark.parametrize("query", _queries())
def test_an_ascii_query_reads_the_same_with_either_repertoire(
    query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert lexer._names_for(query) is lexer._ASCII_NAMES
    cheap = (lexer.lex(query, keep_comments=True), lexer.service_anywhere(query))
    monkeypatch.setattr(lexer, "_ASCII_NAMES", lexer._NAMES)
    assert (lexer.lex(query, keep_comments=True), lexer.service_anywhere(query)) == cheap


def test_a_query_beyond_ascii_is_read_with_the_full_classes() -> None:
    tokens = lexer.lex("SELECT ?café { ?s été:x\u00b7y ?o }")
    assert [(t.kind, t.text) for t in tokens][1:6] == [
        ("var", "?café"),
        ("other", "{"),
        ("var", "?s"),
        ("pname", "été:x\u00b7y"),
        ("var", "?o"),
    ]


def test_lexing_an_ascii_query_compiles_no_full_class() -> None:
    """The full classes cost tens of milliseconds to compile: a process that lexes only
    ASCII queries (every shipped one but one) never builds them."""
    check = (
        "from graph.query import lexer\n"
        "lexer.lex(" + repr(TRICKY[2]) + ")\n"
        "lexer.service_anywhere(" + repr(TRICKY[5]) + ")\n"
        "assert not set(vars(lexer._NAMES)) - {'classes', '_prefix', '_local'}, vars(lexer._NAMES)"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
