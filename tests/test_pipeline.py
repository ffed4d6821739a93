"""The build end to end: outputs, report, round trips, atomic writes, the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from graph.build.result import BuildResult
from graph.build.run import OUTPUT_FILES
from graph.errors import BuildError
from graph.namespaces import PROVENANCE_GRAPH
from graph.pipeline import build

TRIG = "dipnote-2019-06-06-french-us-communities-counter-radicalization.trig"
ROOT = Path(__file__).resolve().parent.parent


def test_outputs_and_report(built: BuildResult, built_dir: Path) -> None:
    for name in OUTPUT_FILES:
        assert (built_dir / name).stat().st_size > 0, name
    report = (built_dir / "report.md").read_text(encoding="utf-8")
    assert "**0 violations**" in report
    assert "**100.0%**" in report
    assert "| `cvekg:FrenchCity` | 9 |" in report
    assert "| `cvekg:USCity` | 10 |" in report
    assert "| `cvekg:CityPairExchange` | 5 |" in report
    assert "| `cvekg:Attack` | 4 |" in report
    assert "| `cvekg:AttackSeries` | 9 |" in report
    info = json.loads((built_dir / "build-info.json").read_text(encoding="utf-8"))
    assert info["claims"] == built.claims == 73
    assert info["coverage_percent"] == 100.0


def _union_without_provenance(dataset: Dataset) -> Graph:
    union = Graph()
    for ctx in dataset.graphs():
        if ctx.identifier != PROVENANCE_GRAPH:
            union += ctx
    return union


def test_trig_round_trip(built: BuildResult, built_dir: Path) -> None:
    again = Dataset().parse(built_dir / "graph.trig", format="trig")
    ours = {str(c.identifier): len(c) for c in built.dataset.graphs() if len(c)}
    theirs = {str(c.identifier): len(c) for c in again.graphs() if len(c)}
    assert theirs == ours
    claim = "https://w3id.org/cvekg/claim/dipnote-2019-06-06/city-pair-lyon"
    assert isomorphic(again.graph(claim), built.dataset.graph(claim))


def test_jsonld_round_trip(built: BuildResult, built_dir: Path) -> None:
    document = json.loads((built_dir / "graph.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)  # inline: nothing to fetch
    again = Dataset().parse(built_dir / "graph.jsonld", format="json-ld")
    ours = {str(c.identifier): len(c) for c in built.dataset.graphs() if len(c)}
    theirs = {str(c.identifier): len(c) for c in again.graphs() if len(c)}
    assert theirs == ours


@pytest.mark.parametrize("name, fmt", [("graph.ttl", "turtle"), ("graph.nt", "nt")])
def test_union_formats_round_trip(built: BuildResult, built_dir: Path, name: str, fmt: str) -> None:
    again = Graph().parse(built_dir / name, format=fmt)
    assert isomorphic(again, _union_without_provenance(built.dataset))


def test_every_anchor_points_at_its_quote(built_dir: Path, store) -> None:
    from graph.query.sparql import select
    from graph.resources import sources_dir

    text = (sources_dir() / TRIG.replace(".trig", ".txt")).read_text(encoding="utf-8")
    rows = select(
        store,
        """SELECT ?claim ?quote ?exact ?start ?end WHERE {
             ?claim cvekg:quote ?quote .
             ?annotation oa:hasBody ?claim ; oa:hasTarget/oa:hasSelector ?q, ?p .
             ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end . }""",
    )
    assert len(rows) == 73
    for row in rows:
        start, end = int(row["start"]), int(row["end"])
        assert text[start:end] == row["exact"]
        assert " ".join(row["exact"].split()) == " ".join(row["quote"].split()), row["claim"]


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_offsets_count_the_line_breaks_of_the_file(
    sources_copy: Path, tmp_path: Path, store, newline: str
) -> None:
    """A text saved with Windows (or old Mac) line breaks: every selector's offsets slice the
    file as it is on disk, and the quotes still anchor across line breaks."""
    from graph.query.sparql import select
    from graph.store import open_store

    path = sources_copy / TRIG.replace(".trig", ".txt")
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read().replace("\n", newline)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    out = tmp_path / "out"
    build(sources=sources_copy, out=out, views=False)
    query = """SELECT ?claim ?exact ?start ?end ?sentence WHERE {
             ?claim cvekg:sentence ?sentence .
             ?annotation oa:hasBody ?claim ; oa:hasTarget/oa:hasSelector ?q, ?p .
             ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end . }"""
    rows = select(open_store(out), query)
    assert len(rows) == 73
    assert any(newline in row["exact"] for row in rows)
    for row in rows:
        assert text[int(row["start"]) : int(row["end"])] == row["exact"], row["claim"]
    # Paragraph and bullet breaks end sentences as they do with "\n" line breaks.
    sentences = {row["claim"]: row["sentence"] for row in rows}
    assert sentences == {row["claim"]: row["sentence"] for row in select(store, query)}


def test_failed_build_writes_nothing(sources_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(sources=sources_copy, out=out, views=False)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    path = sources_copy / TRIG
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            '"Toulouse participated in a City Pair with Atlanta in November 2017"',
            '"Toulouse participated in a City Pair with Atlanta in Novembre 2017"',
        ),
        encoding="utf-8",
    )
    with pytest.raises(BuildError) as caught:
        build(sources=sources_copy, out=out, views=False)
    [problem] = caught.value.problems
    assert f"{TRIG}:" in problem and "claim city-pair-toulouse: quote not found" in problem
    assert '(closest: "Toulouse participated in a City Pair with Atlanta in November 2017.")' in (
        problem
    )
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # same files, same bytes, no temporary leftovers


def test_cvekg_build_from_any_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "graph.cli", "build", "--no-views"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "0 violations, 100.0% of facts sourced -> build/" in done.stdout
    assert (tmp_path / "build" / "graph.trig").is_file()


def _cvekg_build(
    sources: Path, out: Path, *options: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """``cvekg build -q --sources … --out …`` in a fresh process, as a user runs it."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "graph.cli",
            "build",
            "-q",
            "--sources",
            str(sources),
            "--out",
            str(out),
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=None if env is None else {**os.environ, **env},
    )


def test_cvekg_build_reports_problems_with_exit_1(sources_copy: Path, tmp_path: Path) -> None:
    path = sources_copy / "places.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace('"Lyon"@fr', '"Lyon"@de'), "utf-8")
    done = _cvekg_build(sources_copy, tmp_path / "out")
    assert done.returncode == 1
    assert "Lyon (city:lyon) rdfs:label: needs a French label" in done.stderr
    assert not (tmp_path / "out").exists()


def test_cvekg_build_syntax_error_exit_2(sources_copy: Path, tmp_path: Path) -> None:
    path = sources_copy / TRIG
    path.write_text(path.read_text(encoding="utf-8") + "\nclaim:broken {\n", "utf-8")
    done = _cvekg_build(sources_copy, tmp_path / "out")
    assert done.returncode == 2
    assert f"{TRIG}:" in done.stderr and "TRIG syntax error" in done.stderr
    assert "Traceback" not in done.stderr


def test_non_editable_install_runs_from_any_folder(tmp_path: Path) -> None:
    """A wheel install ships the ontology, shapes, queries and sources as package data."""
    target = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr
    assert not (target / "graph" / "ontology" / "__init__.py").exists()
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    locate = subprocess.run(
        [sys.executable, "-c", "import graph.resources as r; print(r.ontology_dir())"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert locate.stdout.strip() == str(target / "graph" / "ontology"), locate.stderr
    done = subprocess.run(
        [sys.executable, "-m", "graph.cli", "build", "-q", "--no-views"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert (work / "build" / "report.md").is_file()


def _label_of_lyon(out: Path) -> set[str]:
    from graph.query.sparql import select
    from graph.store import open_store

    rows = select(
        open_store(out), 'SELECT ?l WHERE { city:lyon rdfs:label ?l FILTER(lang(?l) = "en") }'
    )
    return {row["l"] for row in rows}


def test_build_from_other_sources_is_rebuilt_from_them(sources_copy: Path, tmp_path: Path) -> None:
    """`cvekg query --out OUT` on a build of another folder keeps to that folder: it sees
    that folder's edits, and a rebuild never switches to the shipped sources."""
    from graph.pipeline import ensure_built, is_stale
    from graph.resources import sources_dir

    places = sources_copy / "places.ttl"
    lyon = '"Lyon"@en , "Lyon"@fr'
    places.write_text(places.read_text("utf-8").replace(lyon, '"Lugdunum"@en , "Lyon"@fr'), "utf-8")
    out = tmp_path / "out"
    build(sources=sources_copy, out=out, views=False)
    assert not is_stale(out)
    assert is_stale(out, sources_dir())  # built from elsewhere: not a build of these

    # Every input now looks newer than the build: it is rebuilt, from the folder it came from.
    os.utime(out / "build-info.json", (1, 1))
    ensure_built(out)
    assert _label_of_lyon(out) == {"Lugdunum"}

    # An edit of that folder is seen.
    places.write_text(
        places.read_text("utf-8").replace('"Lugdunum"@en', '"Lugdunum Nova"@en'), "utf-8"
    )
    later = (out / "build-info.json").stat().st_mtime + 10
    os.utime(places, (later, later))
    assert is_stale(out)
    ensure_built(out)
    assert _label_of_lyon(out) == {"Lugdunum Nova"}


def test_out_that_is_a_file_is_refused(sources_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.trig"
    out.write_text("mine\n", encoding="utf-8")
    done = _cvekg_build(sources_copy, out)
    assert done.returncode == 2
    assert f"cvekg: {out}: cannot write the build here: it is a file, not a folder" in done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("inside", ["", "build"])
def test_out_in_the_sources_folder_is_refused(sources_copy: Path, inside: str) -> None:
    before = sorted(p.name for p in sources_copy.iterdir())
    done = _cvekg_build(sources_copy, sources_copy / inside)
    assert done.returncode == 2
    assert "cannot write the build here: it is inside the sources folder" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in sources_copy.iterdir()) == before


def test_cvekg_build_latin1_text_exit_2(sources_copy: Path, tmp_path: Path) -> None:
    path = sources_copy / TRIG.replace(".trig", ".txt")
    path.write_bytes(path.read_bytes().replace(b"Toulouse", "Tülouse".encode("latin-1")))
    done = _cvekg_build(sources_copy, tmp_path / "out")
    assert done.returncode == 2
    assert f"{path.name}:29:2: not valid UTF-8 (byte 0xfc" in done.stderr
    assert "Traceback" not in done.stderr


def test_wrong_quote_prefix_fails_the_build_at_the_claim(
    sources_copy: Path, tmp_path: Path
) -> None:
    path = sources_copy / TRIG
    quote = 'claim:city-pair-toulouse cvekg:quote "Toulouse participated'
    text = path.read_text(encoding="utf-8")
    line = text[: text.index(quote)].count("\n") + 1
    path.write_text(
        text.replace(quote, 'claim:city-pair-toulouse cvekg:quotePrefix "In Lyon," .\n' + quote),
        encoding="utf-8",
    )
    with pytest.raises(BuildError) as caught:
        build(sources=sources_copy, out=tmp_path / "out", views=False)
    [problem] = caught.value.problems
    assert f"{TRIG}:{line + 1}:1: claim city-pair-toulouse: quote not found" in problem
    assert '"In Lyon, Toulouse participated in a City Pair' in problem


def test_two_builds_write_the_same_bytes(sources_copy: Path, tmp_path: Path) -> None:
    """Same sources, same graph files, byte for byte, blank nodes included (the parsers
    label them at random; Python orders sets differently in each process)."""
    trig = sources_copy / TRIG
    attack = "attack:orlando-pulse-nightclub a cvekg:Attack ;"
    text = trig.read_text(encoding="utf-8")
    assert attack in text
    trig.write_text(
        text.replace(attack, f'{attack}\n        rdfs:comment [ rdfs:label "a note"@en ] ;'),
        "utf-8",
    )
    places = sources_copy / "places.ttl"
    places.write_text(
        places.read_text(encoding="utf-8")
        + '\ncity:lyon rdfs:comment [ rdfs:label "x"@en ] .\n'
        # Reference triples need a value source: one for the comment (its label has one).
        + "<https://w3id.org/cvekg/graph/reference/places> cvekg:valueSource vs:test .\n"
        + "vs:test a cvekg:ValueSource ; cvekg:forProperty rdfs:comment ;\n"
        + '    dcterms:description "a test"@en .\n',
        "utf-8",
    )
    for seed in ("1", "2"):
        done = _cvekg_build(
            sources_copy, tmp_path / seed, "--no-views", env={"PYTHONHASHSEED": seed}
        )
        assert done.returncode == 0, done.stderr
    for name in ("graph.trig", "graph.ttl", "graph.nt", "graph.jsonld"):
        first = (tmp_path / "1" / name).read_bytes()
        assert b"_:" in first, name
        assert first == (tmp_path / "2" / name).read_bytes(), name


def test_failed_build_removes_the_folders_it_made(sources_copy: Path, tmp_path: Path) -> None:
    places = sources_copy / "places.ttl"
    places.write_text(places.read_text("utf-8").replace('"Lyon"@fr', '"Lyon"@de'), "utf-8")
    outs = tmp_path / "outs"
    (outs / "kept").mkdir(parents=True)
    for out in (outs / "new" / "a" / "b", outs / "kept" / "a" / "b"):
        with pytest.raises(BuildError):
            build(sources=sources_copy, out=out, views=False)
    assert sorted(p.name for p in outs.iterdir()) == ["kept"]
    assert not any((outs / "kept").iterdir())


def test_build_leaves_the_umask_alone(
    sources_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Setting the umask, even for a moment, would let another thread create files
    world-writable; the outputs still get the mode the umask gives new files."""
    calls = []
    umask = os.umask

    def recorded(mask: int) -> int:
        calls.append(mask)
        return umask(mask)

    previous = umask(0o027)
    try:
        monkeypatch.setattr(os, "umask", recorded)
        build(sources=sources_copy, out=tmp_path / "out", views=False)
    finally:
        umask(previous)
    assert calls == []
    for name in OUTPUT_FILES:
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == 0o640, name


def test_build_info_hashes_every_input(built_dir: Path) -> None:
    """build-info.json tells which ontology, shapes and sources made the build."""
    import hashlib

    from graph.resources import ontology_file, shapes_file, sources_dir

    info = json.loads((built_dir / "build-info.json").read_text(encoding="utf-8"))
    hashes = {Path(name).name: digest for name, digest in info["inputs"].items()}
    inputs = [ontology_file(), shapes_file(), *sorted(sources_dir().glob("*.t*"))]
    assert hashes == {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in inputs}


# --- A build publishes as one unit -------------------------------------------------------------


def _complete_build_of(out: Path) -> str:
    """The sources folder of the complete build in ``out``; fails on any mix or gap."""
    from graph.files import manifest_problems, read_manifest

    assert manifest_problems(out, deep=True) == []
    record = read_manifest(out)
    outputs = set(record["outputs"])
    assert {*OUTPUT_FILES, "views/index.html"} <= outputs
    # Every file the folder holds is one the record lists (nothing of another build).
    held = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert held - outputs == {"build-info.json"}
    return record["sources"]


def _leftovers(out: Path) -> list[str]:
    beside = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    inside = [p.name for p in out.rglob(".*")]
    return sorted(beside + inside)


def _other_sources(sources_copy: Path, tmp_path: Path) -> Path:
    """A second sources folder, whose build differs from the first in a label."""
    import shutil

    other = tmp_path / "other-sources"
    shutil.copytree(sources_copy, other)
    places = other / "places.ttl"
    places.write_text(
        places.read_text("utf-8").replace('"Lyon"@en', '"Lugdunum"@en'), encoding="utf-8"
    )
    return other


def _start_build(sources: Path, out: Path, tmp: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "graph.cli", "build", "-q", "--sources", str(sources),
         "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=None if tmp is None else {**os.environ, "TMPDIR": str(tmp)},
    )  # fmt: skip


def test_build_killed_at_any_point_leaves_the_old_build_or_the_new(
    sources_copy: Path, tmp_path: Path
) -> None:
    """SIGKILL a build at random moments: the folder always holds one complete build (the
    previous or the new, views included, as its build-info.json records), never a mix; the
    next build removes what the killed ones left."""
    import random
    import signal
    import time

    first, second = sources_copy.resolve(), _other_sources(sources_copy, tmp_path).resolve()
    out = tmp_path / "out"
    system_tmp = tmp_path / "tmp"  # the builds' system temporary folder: nothing may stay there
    system_tmp.mkdir()
    started = time.perf_counter()
    done = _cvekg_build(first, out, env={"TMPDIR": str(system_tmp)})
    assert done.returncode == 0, done.stderr
    duration = time.perf_counter() - started
    assert _complete_build_of(out) == str(first)

    rng = random.Random(20261201)
    seen = {str(first)}
    current = str(first)
    for _ in range(12):
        target = second if current == str(first) else first
        process = _start_build(target, out, system_tmp)
        time.sleep(rng.uniform(0.05, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        current = _complete_build_of(out)
        assert current in {str(first), str(second)}
        seen.add(current)

    done = _cvekg_build(second, out, env={"TMPDIR": str(system_tmp)})
    assert done.returncode == 0, done.stderr
    assert _complete_build_of(out) == str(second)
    assert _leftovers(out) == []  # no staged folder, no lock file, no temporary file
    assert list(system_tmp.iterdir()) == []  # every temporary file lived in the staged folder


def test_second_build_into_a_busy_folder_fails_at_once(sources_copy: Path, tmp_path: Path) -> None:
    import time

    out = tmp_path / "out"
    first = _start_build(sources_copy, out)
    lock = tmp_path / ".out.lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if lock.is_file() and lock.read_text().startswith("pid"):
            break
        time.sleep(0.01)
    else:
        pytest.fail("the first build never took the lock")
    started = time.perf_counter()
    second = _cvekg_build(sources_copy, out)
    waited = time.perf_counter() - started
    assert first.wait(timeout=300) == 0, first.stderr.read()
    assert second.returncode == 75
    assert f"another cvekg process (pid {first.pid}) is writing this build folder" in (
        second.stderr
    )
    assert "Traceback" not in second.stderr
    assert waited < 10  # it did not wait for the first build to end
    assert _complete_build_of(out) == str(sources_copy.resolve())


def test_builds_of_two_sources_into_one_folder_leave_only_the_last(
    sources_copy: Path, tmp_path: Path
) -> None:
    other = _other_sources(sources_copy, tmp_path)
    out = tmp_path / "out"
    build(sources=sources_copy, out=out, views=True)
    (out / "views" / "query-mine.html").write_text("<p>a page cvekg view wrote</p>")
    (out / "notes.txt").write_text("a file of the user's")
    build(sources=other, out=out, views=False)
    assert not (out / "views" / "index.html").exists()  # the first build's views went with it
    assert (out / "views" / "query-mine.html").is_file()  # pages of cvekg view stay
    assert (out / "notes.txt").is_file()
    assert _label_of_lyon(out) == {"Lugdunum"}


def test_incomplete_build_is_rebuilt(sources_copy: Path, tmp_path: Path) -> None:
    from graph.pipeline import ensure_built, stale_reason

    out = tmp_path / "out"
    build(sources=sources_copy, out=out, views=False)
    assert stale_reason(out) is None
    (out / "graph.nt").write_text("truncated")
    assert stale_reason(out).startswith("the build is incomplete (graph.nt has 9 bytes")
    ensure_built(out, views=False)
    assert stale_reason(out) is None
    (out / "build-info.json").unlink()
    assert stale_reason(out) == "no build here"


def test_failed_views_run_leaves_the_previous_build_whole(built_dir, tmp_path, monkeypatch):
    import shutil

    from graph.files import read_manifest
    from graph.pipeline import write_views

    out = tmp_path / "build"
    shutil.copytree(built_dir, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    (out / "views" / "query-mine.html").write_text("<p>a page cvekg view wrote</p>")

    def broken(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr("graph.views.ViewWriter._timeline", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_views(out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == sorted(
        [*before, Path("views/query-mine.html")]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # nothing left beside it
    monkeypatch.undo()
    trig = (out / "graph.trig").stat()
    write_views(out)
    assert (out / "views" / "query-mine.html").is_file()  # pages of cvekg view are carried over
    assert os.path.samestat(trig, (out / "graph.trig").stat())  # linked, not copied or rebuilt
    assert read_manifest(out)["views"] is True
    _complete_build_of_with_extras(out, {"views/query-mine.html"})


def _complete_build_of_with_extras(out: Path, extras: set[str]) -> None:
    from graph.files import manifest_problems, read_manifest

    assert manifest_problems(out, deep=True) == []
    held = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert held - set(read_manifest(out)["outputs"]) == {"build-info.json", *extras}


def test_views_run_keeps_entity_pages_written_on_demand(built_dir, tmp_path, monkeypatch):
    import shutil

    from graph.pipeline import write_views
    from graph.store import open_store
    from graph.views import write_entity_view

    out = tmp_path / "build"
    shutil.copytree(built_dir, out)
    views = out / "views"
    monkeypatch.setattr("graph.views.ENTITY_PAGES_LIMIT", 10)  # entity pages on demand only
    write_views(out)
    page = write_entity_view(open_store(out), "Lyon", views)
    text = page.read_text()
    write_views(out)
    assert page.read_text() == text
    assert [p.name for p in (views / "entity").iterdir()] == ["city-lyon.html"]
    monkeypatch.undo()  # a small graph again: every entity has its page, the new one wins
    write_views(out)
    assert "entities.html#city-lyon" in page.read_text()
    monkeypatch.setattr("graph.views.ENTITY_PAGES_LIMIT", 10)
    write_views(out)  # the forwarding pages of the last run are not carried over
    assert not (views / "entity").exists()


def test_next_build_removes_what_interrupted_ones_left(sources_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(sources=sources_copy, out=out, views=False)
    (tmp_path / ".out.new-99999-abcdef").mkdir()
    (tmp_path / ".out.new-99999-abcdef" / "graph.trig").write_text("half")
    (out / ".graph.trig.1234abcd.tmp").write_text("half")  # as earlier versions staged
    (out / ".views-new-xyz").mkdir()
    build(sources=sources_copy, out=out, views=False)
    assert _leftovers(out) == []


def test_build_from_a_folder_that_is_gone_is_never_rebuilt_from_the_shipped_sources(
    sources_copy: Path, tmp_path: Path
) -> None:
    import shutil

    from graph.errors import CvekgError
    from graph.pipeline import ensure_built

    out = tmp_path / "out"
    build(sources=sources_copy, out=out, views=False)
    stamp = (out / "build-info.json").stat().st_mtime_ns
    shutil.rmtree(sources_copy)
    said: list[str] = []
    assert ensure_built(out, progress=said.append, views=False) == out
    assert "which is gone: using the build as it is" in said[0]
    assert (out / "build-info.json").stat().st_mtime_ns == stamp  # not rebuilt
    (out / "graph.nt").write_text("truncated")
    with pytest.raises(CvekgError, match="are gone: rebuild it with cvekg build --sources DIR"):
        ensure_built(out, views=False)


def test_read_only_build_folder_gives_a_message_not_a_traceback(
    sources_copy: Path, tmp_path: Path
) -> None:
    """A folder no one may write into (as root too: the immutable attribute, chattr +i)."""
    import shutil

    parent = tmp_path / "ro"
    parent.mkdir()
    if os.geteuid() == 0:
        if not shutil.which("chattr"):
            pytest.fail("chattr (e2fsprogs) is needed to make a folder read-only for root")
        subprocess.run(["chattr", "+i", str(parent)], check=True)
        unlock = ["chattr", "-i", str(parent)]
    else:
        parent.chmod(0o555)
        unlock = ["chmod", "755", str(parent)]
    try:
        done = _cvekg_build(sources_copy, parent / "build")
    finally:
        subprocess.run(unlock, check=True)
    assert done.returncode == 2, done.stderr
    assert "ro/build: cannot" in done.stderr and "Traceback" not in done.stderr
    assert list(parent.iterdir()) == []


def test_unwritable_build_folder_gives_a_message_not_a_traceback(
    sources_copy: Path, tmp_path: Path
) -> None:
    """Even root cannot make a folder inside a file: the build names the place, exit 2."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = _cvekg_build(sources_copy, blocker / "build")
    assert done.returncode == 2, done.stderr
    assert "cannot write the build here" in done.stderr and "Traceback" not in done.stderr


def test_literal_over_16_mb_gives_its_place_and_publishes_nothing(
    sources_copy: Path, tmp_path: Path
) -> None:
    path = sources_copy / TRIG
    text = path.read_text(encoding="utf-8")
    long_name = '"' + "x" * 17_000_000 + '"@en , "Michael Duffin"@fr'
    path.write_text(
        text.replace('"Michael Duffin"@en , "Michael Duffin"@fr', long_name, 1), "utf-8"
    )
    line = text[: text.index('"Michael Duffin"@en , "Michael Duffin"@fr')].count("\n") + 1
    done = _cvekg_build(sources_copy, tmp_path / "out")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{TRIG}:{line}:1: a literal or IRI here is too long to read" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_library_call_that_builds_says_so(tmp_path: Path, caplog) -> None:
    """Issue 12: ``graph.pipeline.load()`` built into the current folder with no word."""
    import logging

    from graph.pipeline import ensure_built

    with caplog.at_level(logging.WARNING, logger="graph.pipeline"):
        ensure_built(tmp_path / "b", views=False)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("must be built first: no build here" in line for line in said), said
