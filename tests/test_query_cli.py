"""``cvekg query`` and ``cvekg queries``: names, files, stdin, every format, errors, exit codes."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph

from graph.cli import main
from graph.query.named import UnknownQueryError, find_query, list_queries

DATA = Path(__file__).parent / "data"
NAMED = DATA / "named-queries"


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- the named queries ---------------------------------------------------------------------


def test_shipped_queries_each_state_a_question() -> None:
    queries = list_queries()
    assert len(queries) >= 20
    for query in queries:
        assert query.number.isdigit() and query.slug, query.name
        assert query.question.endswith("?"), f"{query.name}: {query.question!r}"


def test_queries_lists_names_and_questions(capsys) -> None:
    code, out, _ = _run(capsys, "queries", "--queries", str(NAMED))
    assert code == 0
    assert out.splitlines() == [
        "01-french-cities  Which French cities does the graph know?",
        "02-city-pairs     Which US city did each French city pair with, and when?",
        "03-attack-places  Where did each attack happen?",
        "10-city-places    Which cities are there, with their countries?",
    ]


def test_queries_with_a_name_prints_it(capsys) -> None:
    code, out, _ = _run(capsys, "queries", "2", "--queries", str(NAMED))
    assert code == 0 and out == (NAMED / "02-city-pairs.rq").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name", ["02", "2", "02-city-pairs", "city-pairs", "City-Pairs", "city-pai", "02-city-pairs.rq"]
)
def test_names_are_matched_forgivingly(name: str) -> None:
    assert find_query(name, NAMED).name == "02-city-pairs"


def test_number_ten_is_not_one() -> None:
    assert find_query("10", NAMED).name == "10-city-places"
    assert find_query("1", NAMED).name == "01-french-cities"


def test_unknown_name_lists_the_closest(capsys) -> None:
    with pytest.raises(UnknownQueryError, match="closest: 02-city-pairs"):
        find_query("city-pars", NAMED)
    code, out, err = _run(capsys, "query", "atack-places", "--queries", str(NAMED))
    assert code == 2 and out == ""
    assert "no named query 'atack-places'; closest: 03-attack-places" in err


def test_ambiguous_name_names_both() -> None:
    with pytest.raises(UnknownQueryError, match="ambiguous.*02-city-pairs, 10-city-places"):
        find_query("city", NAMED)


# --- answering -----------------------------------------------------------------------------


def test_named_query_as_a_labelled_table(capsys, built_dir: Path) -> None:
    code, out, err = _run(capsys, "query", "2", "--queries", str(NAMED), "--out", str(built_dir))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["french", "us", "date"]
    assert lines[2].split() == ["Marseille", "Orlando", "2016-12"]
    assert lines[-1] == "(6 rows)"


def test_iris_flag(capsys, built_dir: Path) -> None:
    _, out, _ = _run(
        capsys, "query", "2", "--iris", "--queries", str(NAMED), "--out", str(built_dir)
    )
    assert out.splitlines()[2].split() == ["city:marseille", "city:orlando", "2016-12"]


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_formats(capsys, built_dir: Path, store, fmt: str) -> None:
    code, out, _ = _run(
        capsys, "query", "01", "--queries", str(NAMED), "--out", str(built_dir), "--format", fmt
    )
    assert code == 0
    parser = {"json": "JSON", "xml": "XML", "tsv": "TSV"}[fmt]
    rows = list(ox.parse_query_results(out.encode(), getattr(ox.QueryResultsFormat, parser)))
    assert [r["label"].value for r in rows][:3] == ["Bordeaux", "Lyon", "Marseille"]
    assert len(rows) == 9


def test_csv_format(capsys, built_dir: Path) -> None:
    code, out, _ = _run(
        capsys, "query", "01", "--queries", str(NAMED), "--out", str(built_dir), "-f", "csv"
    )
    assert code == 0
    assert out.splitlines()[:2] == [
        "city,label",
        "https://w3id.org/cvekg/id/city/bordeaux,Bordeaux",
    ]


@pytest.mark.parametrize(
    "fmt, parse_as", [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]
)
def test_construct_formats(capsys, built_dir: Path, fmt: str, parse_as: str) -> None:
    code, out, _ = _run(
        capsys, "query", "attack-places", "--queries", str(NAMED), "--out", str(built_dir),
        "--format", fmt,
    )  # fmt: skip
    assert code == 0
    assert len(Graph().parse(data=out, format=parse_as)) == 4


def test_construct_default_is_turtle_and_trig_with_sources(capsys, built_dir: Path) -> None:
    args = ["query", "03", "--queries", str(NAMED), "--out", str(built_dir)]
    _, out, _ = _run(capsys, *args)
    assert "attack:orlando-pulse-nightclub cvekg:place city:orlando ." in out
    _, out, _ = _run(capsys, *args, "--format", "trig")
    assert len(Dataset().parse(data=out, format="trig")) == 4
    _, out, _ = _run(capsys, *args, "--with-sources")
    dataset = Dataset().parse(data=out, format="trig")
    claims = {str(g.identifier) for g in dataset.graphs() if "/claim/" in str(g.identifier)}
    assert (
        "https://w3id.org/cvekg/claim/dipnote-2019-06-06/orlando-pulse-nightclub-attack" in claims
    )


def test_construct_as_table(capsys, built_dir: Path) -> None:
    _, out, _ = _run(capsys, "query", "03", "--queries", str(NAMED), "--out", str(built_dir),
                     "-f", "table")  # fmt: skip
    assert out.splitlines()[0].split() == ["subject", "predicate", "object"]
    assert out.splitlines()[-1] == "(4 triples)"


def test_with_sources_table(capsys, built_dir: Path) -> None:
    _, out, _ = _run(
        capsys, "query", "02", "--with-sources", "--queries", str(NAMED), "--out", str(built_dir)
    )
    assert "    “Toulouse participated in a City Pair with Atlanta in November 2017”" in out


def test_query_file_expression_and_stdin(capsys, built_dir: Path, monkeypatch) -> None:
    out_dir = ["--out", str(built_dir)]
    code, from_file, _ = _run(capsys, "query", str(NAMED / "01-french-cities.rq"), *out_dir)
    assert code == 0
    text = (NAMED / "01-french-cities.rq").read_text(encoding="utf-8")
    _, from_e, _ = _run(capsys, "query", "-e", text, *out_dir)
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    _, from_stdin, _ = _run(capsys, "query", "-", *out_dir)
    assert from_file == from_e == from_stdin
    assert "Strasbourg" in from_file


def test_ask(capsys, built_dir: Path) -> None:
    code, out, _ = _run(capsys, "query", "-e", "ASK { city:lyon a cvekg:FrenchCity }",
                        "--out", str(built_dir))  # fmt: skip
    assert (code, out) == (0, "yes\n")
    code, out, _ = _run(capsys, "query", "-e", "ASK { city:lyon a cvekg:USCity }",
                        "--out", str(built_dir), "--format", "json")  # fmt: skip
    assert code == 0 and json.loads(out)["boolean"] is False


def test_exit_codes(capsys, built_dir: Path) -> None:
    empty = "SELECT ?x WHERE { ?x a cvekg:City ; rdfs:label 'Atlantis' }"
    out_dir = ["--out", str(built_dir)]
    assert _run(capsys, "query", "-e", empty, *out_dir)[0] == 0
    assert _run(capsys, "query", "-e", empty, "--fail-empty", *out_dir)[0] == 1
    no = "ASK { city:lyon a cvekg:USCity }"
    assert _run(capsys, "query", "-e", no, "--fail-empty", *out_dir)[0] == 1
    some = "SELECT ?x WHERE { ?x a cvekg:FrenchCity }"
    assert _run(capsys, "query", "-e", some, "--fail-empty", *out_dir)[0] == 0
    code, out, err = _run(capsys, "query", "-e", "SELECT * { SERVICE <http://127.0.0.1:1/> {} }",
                          *out_dir)  # fmt: skip
    assert code == 2 and out == "" and "SERVICE is refused" in err
    code, _, err = _run(capsys, "query", "missing.rq", *out_dir)
    assert code == 2 and "missing.rq: no such query file" in err
    code, _, err = _run(capsys, "query", "-e", "SELECT ?x WHERE { ?x ?p ?o }", "01", *out_dir)
    assert code == 2 and "not both" in err


def test_syntax_error_names_line_and_column(capsys, built_dir: Path) -> None:
    bad = DATA / "bad-syntax.rq"
    code, out, err = _run(capsys, "query", str(bad), "--out", str(built_dir))
    assert code == 2 and out == ""
    line = bad.read_text(encoding="utf-8").splitlines()[3]
    column = line.index("cvek:") + 1
    assert f"SPARQL syntax error at line 4, column {column}: unknown prefix cvek:" in err
    assert err.splitlines()[1:3] == [f"  {line}", "  " + " " * (column - 1) + "^"]


def test_builds_first_when_the_build_is_missing(capsys, tmp_path: Path, sources_copy) -> None:
    out = tmp_path / "build"
    args = ["query", "-e", "ASK { city:lyon a cvekg:FrenchCity }", "--out", str(out)]
    code, stdout, err = _run(capsys, *args, "--sources", str(sources_copy))
    assert code == 0 and stdout == "yes\n"
    assert "must be built first: no build here" in err
    assert (out / "graph.trig").is_file()
    stamp = (out / "build-info.json").stat().st_mtime_ns
    code, _, err = _run(capsys, *args, "--sources", str(sources_copy))
    assert code == 0 and err == ""
    assert (out / "build-info.json").stat().st_mtime_ns == stamp


# --- end to end, through the installed command ---------------------------------------------


def _cvekg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    command = shutil.which("cvekg")
    assert command, "the cvekg command is installed with the package: pip install -e ."
    return subprocess.run(
        [command, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_command_named_query_end_to_end(built_dir: Path) -> None:
    done = _cvekg("query", "city-pairs", "--queries", str(NAMED), "--out", str(built_dir))
    assert done.returncode == 0, done.stderr
    assert "New Orleans" in done.stdout and done.stdout.rstrip().endswith("(6 rows)")


def test_command_json_end_to_end(built_dir: Path) -> None:
    done = _cvekg("query", "-e", "SELECT ?c WHERE { ?c a cvekg:USCity }", "-f", "json",
                  "--out", str(built_dir))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["results"]["bindings"]) == 10


def test_command_unknown_name_end_to_end(built_dir: Path) -> None:
    done = _cvekg("query", "city-pars", "--queries", str(NAMED), "--out", str(built_dir))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("cvekg: no named query 'city-pars'; closest: 02-city-pairs")


def test_fresh_build_is_only_read(built_dir: Path) -> None:
    """A named query on a fresh build loads no validator, reasoner, browser or view code."""
    heavy = ("pyshacl", "playwright", "pyvis", "networkx", "owlrl", "jinja2")
    code = (
        "import sys; from graph.cli import main; "
        f"code = main(['query', '01', '--queries', {str(NAMED)!r}, '--out', {str(built_dir)!r}]); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})); sys.exit(code)"
    )
    stamp = (built_dir / "build-info.json").stat().st_mtime_ns
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("[]")
    assert (built_dir / "build-info.json").stat().st_mtime_ns == stamp


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_timeout_stops_a_runaway_query(built_dir: Path) -> None:
    started = time.monotonic()
    done = _cvekg("query", "-e", SLOW, "--timeout", "1", "--out", str(built_dir))
    assert done.returncode == 3 and done.stdout == ""
    assert "ran past --timeout 1 s" in done.stderr
    assert time.monotonic() - started < 15
    assert _cvekg("query", "01", "--timeout", "0", "--out", str(built_dir)).returncode == 2


def test_ctrl_c_stops_a_runaway_query(built_dir: Path) -> None:
    """Oxigraph holds a query in native code, where Ctrl+C alone would wait for the end."""
    command = shutil.which("cvekg")
    assert command, "the cvekg command is installed with the package: pip install -e ."
    process = subprocess.Popen(
        [command, "query", "-e", SLOW, "--out", str(built_dir)],
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2)
    assert process.poll() is None, "the query should still be running"
    process.send_signal(signal.SIGINT)
    stopped = time.monotonic()
    err = process.communicate(timeout=10)[1]
    assert process.returncode == 130 and "interrupted" in err
    assert time.monotonic() - stopped < 3


def test_with_sources_never_cites_a_claim_for_a_shared_number(capsys, built_dir: Path) -> None:
    """2 people were killed in Marseille: that is no source for 'Lyon, 2 exchanges'."""
    query = (
        "SELECT ?year (COUNT(*) AS ?n) WHERE { VALUES (?year ?x) { (2017 1) (2017 2) } } "
        "GROUP BY ?year"
    )
    code, out, _ = _run(capsys, "query", "--with-sources", "-e", query, "--out", str(built_dir))
    assert code == 0 and "train station" not in out and "(no claim" in out
    code, out, _ = _run(capsys, "query", "--with-sources", "-e",
                        "SELECT ?x ?n WHERE { VALUES (?x ?n) { (city:lyon 2) } }",
                        "--out", str(built_dir))  # fmt: skip
    assert code == 0 and "delegation from Lyon" in out and "train station" not in out


def test_with_sources_for_a_graph_table_cites_what_states_or_implies_each_triple(
    capsys, built_dir: Path
) -> None:
    code, out, _ = _run(capsys, "query", "--with-sources", "-f", "table", "-e",
                        "DESCRIBE city:lyon", "--out", str(built_dir))  # fmt: skip
    assert code == 0
    rows = out.split("\nLyon ")
    label = next(r for r in rows if r.startswith("    rdfs:label"))
    assert "(no claim" in label  # reference data, stated by no claim
    sent = next(r for r in rows if "sent delegation" in r)  # inferred from delegationFrom
    assert "a delegation from Lyon learned about New Orleans" in sent


def test_stated_only_leaves_out_what_was_read_from_context(capsys, built_dir: Path) -> None:
    """Orlando as the Marseille delegation's host is read from context ("The Marseille
    delegation met Orlando Mayor Buddy Dyer…"): --stated-only does not answer it, nor the
    inverse the ontology infers from it, while what the words state stays."""
    host = "ASK { event:city-pair-marseille-2016 cvekg:hostCity city:orlando }"
    hosted = "ASK { city:orlando cvekg:hostedExchange event:city-pair-marseille-2016 }"
    partner = "ASK { event:city-pair-marseille-2016 cvekg:partnerCity city:orlando }"
    for query, everything, stated in ((host, "yes", "no"), (hosted, "yes", "no"),
                                      (partner, "yes", "yes")):  # fmt: skip
        code, out, _ = _run(capsys, "query", "-e", query, "--out", str(built_dir))
        assert (code, out.strip()) == (0, everything), query
        code, out, _ = _run(capsys, "query", "-e", query, "--out", str(built_dir), "--stated-only")
        assert out.strip() == stated, query
