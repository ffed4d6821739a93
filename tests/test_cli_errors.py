"""What a new user can get wrong gives a message naming the file, line or option, with exit
code 2 (or the documented one), never a traceback: each case through the installed command."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def _cvekg(*args: str, stdin: bytes | None = None, cwd: Path | None = None):
    command = shutil.which("cvekg")
    assert command, "the cvekg command is installed with the package: pip install -e ."
    return subprocess.run([command, *args], input=stdin, capture_output=True, timeout=300, cwd=cwd)


def _message(done: subprocess.CompletedProcess) -> str:
    err = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    return err


def test_latin1_query_on_standard_input(built_dir: Path) -> None:
    done = _cvekg(
        "query", "-", "--out", str(built_dir), stdin='ASK { ?s ?p "café" }'.encode("latin-1")
    )
    assert done.returncode == 2
    assert "<stdin>:1:17: not UTF-8 text (byte 0xe9): save the query as UTF-8" in _message(done)


def test_one_latin1_file_leaves_the_other_named_queries_working(
    built_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "01-fine.rq").write_text("# Is anything there?\nASK { ?s ?p ?o }\n", "utf-8")
    (folder / "02-latin.rq").write_bytes('# Quoi?\nASK { ?s ?p "é" }\n'.encode("latin-1"))
    listed = _cvekg("queries", "--queries", str(folder))
    assert listed.returncode == 0
    assert listed.stdout.decode().split()[:1] == ["01-fine"]
    assert "02-latin.rq:2:14: not UTF-8 text (byte 0xe9)" in _message(listed)
    done = _cvekg("query", "01", "--queries", str(folder), "--out", str(built_dir))
    assert (done.returncode, done.stdout.decode().strip()) == (0, "yes")


def test_queries_of_an_empty_folder_says_there_are_none(tmp_path: Path) -> None:
    """It printed nothing and exited 0: a wrong --queries folder looked like an empty list."""
    done = _cvekg("queries", "--queries", str(tmp_path))
    assert done.returncode == 2
    assert f"cvekg: {tmp_path}: no named queries here (files NAME.rq)" in _message(done)
    assert done.stdout == b""


@pytest.mark.parametrize(
    "content, expected",
    [(b"\xef\xbb\xbfASK { ?s ?p ?o }", None), (b"", "the query is empty"),
     (b"  \n# Which cities?\n\n", "the query is empty")],
)  # fmt: skip
def test_query_file_with_a_byte_order_mark_or_nothing_in_it(
    built_dir: Path, tmp_path: Path, content: bytes, expected: str | None
) -> None:
    path = tmp_path / "q.rq"
    path.write_bytes(content)
    done = _cvekg("query", str(path), "--out", str(built_dir))
    message = _message(done)
    if content.startswith(b"\xef\xbb\xbf"):
        assert (done.returncode, done.stdout.decode().strip()) == (0, "yes")
    else:
        assert done.returncode == 2 and f"{path}: {expected}" in message


def test_misspelt_class_warns_with_the_closest_names(built_dir: Path) -> None:
    done = _cvekg("query", "-e", "SELECT ?c WHERE { ?c a cvekg:Cty }", "--out", str(built_dir))
    assert done.returncode == 0 and done.stdout.decode().strip().endswith("(0 rows)")
    assert (
        "cvekg: warning: cvekg:Cty is not a term of the ontology, so it matches nothing "
        "(closest: cvekg:City" in _message(done)
    )
    quiet = _cvekg("query", "-e", 'ASK { ?c a cvekg:City ; rdfs:label "cvekg:Cty" }',
                   "--out", str(built_dir))  # fmt: skip
    assert "warning" not in _message(quiet)  # a name in a string is text, not a term


def test_query_help_lists_every_exit_code() -> None:
    text = _cvekg("query", "--help").stdout.decode()
    for code in ("0 answered", "1 no results", "2 bad input", "3 stopped", "75 ", "130 "):
        assert code in " ".join(text.split()), code


def test_every_command_help_ends_with_its_exit_codes() -> None:
    """`cvekg COMMAND --help` reads like one tool: the same words for the same things, and
    the exit codes each command can end with (only `query --help` listed them)."""
    from graph.cli import COMMANDS

    names = [add.__name__.removeprefix("_add_") for add in COMMANDS]
    for name in names:
        text = " ".join(_cvekg(name, "--help").stdout.decode().split())
        codes = text[text.index("Exit codes: ") :]
        assert (
            "; 2 bad input" in codes
            and codes.endswith("130 interrupted (Ctrl+C).")
            or (name == "serve" and codes.endswith("130 stopped by Ctrl+C (how a server ends)."))
        ), (name, codes)
        for vague in ("SOURCES", "QUERIES", "OUTPUT", "MAX_ROWS", "(default 3)", "default graphml"):
            assert vague not in text, (name, vague)


def test_view_of_each_expression_gets_its_own_page(built_dir: Path, tmp_path: Path) -> None:
    build = tmp_path / "build"
    shutil.copytree(built_dir, build)
    query = "CONSTRUCT { ?a cvekg:place ?c } WHERE { ?a a cvekg:Attack ; cvekg:place ?c }"
    pages = set()
    for title in ("Attack places", "Where attacks were"):
        done = _cvekg("view", "-e", query, "--title", title, "--out", str(build))
        assert done.returncode == 0, _message(done)
        pages.add(Path(done.stdout.decode().strip()).name)
    assert pages == {"query-attack-places.html", "query-where-attacks-were.html"}


@pytest.mark.parametrize(
    "args, named",
    [
        (["serve", "--port", "99999"], "--port: '99999' is not a port"),
        (["serve", "--max-rows", "-5"], "--max-rows: '-5' is not a whole number of 1 or more"),
        (["serve", "--workers", "0"], "--workers: '0' is not a whole number of 1 or more"),
        (["serve", "--timeout", "-1"], "--timeout: '-1' is not a positive number of seconds"),
        (["serve", "--max-memory", "64"], "--max-memory: '64' is not 0 (no cap) or at least 128"),
        (["query", "01", "--width", "0"], "--width: '0' is not a whole number of 1 or more"),
        (["path", "Lyon", "Boston", "-k", "0"], "-k: '0' is not a whole number of 1 or more"),
        (["stats", "-k", "ten"], "-k: 'ten' is not a whole number of 1 or more"),
    ],
)
def test_numeric_options_are_checked_and_name_the_option(args: list[str], named: str) -> None:
    done = _cvekg(*args)
    assert done.returncode == 2
    assert named in _message(done)


def test_reading_commands_call_their_folder_the_build(built_dir: Path) -> None:
    """`--build DIR` names the folder a command reads (`--out` stays for `cvekg build`, which
    writes one, and is still understood elsewhere for old scripts)."""
    for command in ("query", "views", "view", "path", "stats", "export", "serve"):
        text = " ".join(_cvekg(command, "--help").stdout.decode().split())
        assert "--build DIR the build folder to read (default: build)" in text, command
        assert "--out " not in text and "--out DIR" not in text, command  # --output stays
    for flag in ("--build", "--out"):
        done = _cvekg("query", "-e", "ASK { city:lyon a cvekg:FrenchCity }", flag, str(built_dir))
        assert (done.returncode, done.stdout.decode().strip()) == (0, "yes"), flag
    assert "--out DIR" in " ".join(_cvekg("build", "--help").stdout.decode().split())


@pytest.mark.parametrize("command", ["query", "view"])
def test_query_text_given_as_a_name_says_to_use_e(built_dir: Path, command: str) -> None:
    """`cvekg view 'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }'` answered "no named query"."""
    text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    done = _cvekg(command, text, "--build", str(built_dir))
    assert done.returncode == 2
    assert _message(done) == (
        f"cvekg: {text[:40]!r}… is not a query's name or file: give the text of a query with "
        f"-e: cvekg {command} -e 'QUERY'\n"
    )


def test_build_whose_sources_moved_is_kept_not_rebuilt_from_the_shipped_ones(
    sources_copy: Path, tmp_path: Path
) -> None:
    """`cvekg query --build X` rebuilt X from the shipped sources once the folder X was built
    from had moved, replacing the user's graph with another corpus."""
    build = tmp_path / "X"
    made = _cvekg("build", "--sources", str(sources_copy), "--out", str(build), "-q")
    assert made.returncode == 0, _message(made)
    record, graph = (build / "build-info.json").read_bytes(), (build / "graph.trig").read_bytes()
    sources_copy.rename(tmp_path / "moved")
    done = _cvekg("query", "-e", "ASK { city:lyon a cvekg:FrenchCity }", "--build", str(build))
    assert (done.returncode, done.stdout.decode().strip()) == (0, "yes")
    assert f"was built from {sources_copy}, which is gone: using the build as it is" in (
        _message(done)
    )
    assert (build / "build-info.json").read_bytes() == record
    assert (build / "graph.trig").read_bytes() == graph
    (build / "graph.ttl").unlink()  # incomplete now: it cannot be used, nor silently remade
    done = _cvekg("stats", "--build", str(build))
    assert done.returncode == 2
    assert f"rebuild it with cvekg build --sources DIR --out {build}" in _message(done)
    assert (build / "graph.trig").read_bytes() == graph


# --- a build folder no one may write ----------------------------------------------------------


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """``folder`` and everything in it read-only, for root too (the immutable attribute)."""
    if os.geteuid() == 0:
        if not shutil.which("chattr"):
            pytest.fail("chattr (e2fsprogs) is needed to make a folder read-only for root")
        lock, unlock = ["chattr", "-R", "+i", str(folder)], ["chattr", "-R", "-i", str(folder)]
    else:
        lock, unlock = ["chmod", "-R", "a-w", str(folder)], ["chmod", "-R", "u+w", str(folder)]
    subprocess.run(lock, check=True)
    try:
        yield
    finally:
        subprocess.run(unlock, check=True)


@pytest.mark.parametrize(
    "args, named",
    [
        (["build", "-q", "--out"], "ro: cannot replace the build there"),
        (["views", "--build"], "ro: cannot replace the build there"),
        (["export", "--build"], "ro/network.graphml: cannot write it"),
        (["view", "-e", "CONSTRUCT WHERE { city:lyon cvekg:locatedIn ?c }", "--build"],
         "ro/views/query-e.html: cannot write it"),
        (["view", "--entity", "Lyon", "--build"],
         "ro/views/entity/city-lyon.html: cannot write it"),
    ],
)  # fmt: skip
def test_read_only_build_folder(built_dir: Path, tmp_path: Path, args: list[str], named: str):
    """Each of these wrote its output to a temporary file or folder first, and a read-only
    build folder gave a traceback (exit 1) naming that temporary name, or none at all."""
    folder = tmp_path / "ro"
    shutil.copytree(built_dir, folder)
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    with _read_only(folder):
        done = _cvekg(*args, "ro", cwd=tmp_path)
    assert done.returncode == 2, _message(done)
    assert f"cvekg: {named}:" in _message(done)
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["ro"]  # nothing staged left beside it


# --- Ctrl+C on cvekg serve --------------------------------------------------------------------


def _workers_of(build: Path) -> list[int]:
    """The query workers serving ``build`` (their command line names its graph.trig)."""
    trig = str(build / "graph.trig").encode()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"_worker_entry" in command and trig in command.split(b"\0"):
            found.append(int(proc.name))
    return found


def _serve(build: Path) -> tuple[subprocess.Popen, list[str]]:
    """``cvekg serve`` of ``build`` on a free port, in a session of its own as a terminal's
    job is (Ctrl+C signals its whole process group), its standard error read as it comes."""
    command = shutil.which("cvekg")
    assert command
    server = subprocess.Popen(
        [command, "serve", "--build", str(build), "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    lines: list[str] = []

    def read() -> None:
        for line in server.stderr:
            lines.append(line.decode("utf-8", "replace"))

    threading.Thread(target=read, daemon=True).start()
    return server, lines


def _ctrl_c(server: subprocess.Popen, lines: list[str]) -> str:
    os.killpg(server.pid, signal.SIGINT)
    server.wait(30)
    time.sleep(0.2)  # the reader thread takes the last lines
    return "".join(lines)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the workers through /proc")
def test_ctrl_c_on_serve_stops_it_and_its_workers_without_a_traceback(
    built_dir: Path, tmp_path: Path
) -> None:
    build = tmp_path / "build"
    shutil.copytree(built_dir, build)
    server, lines = _serve(build)
    deadline = time.monotonic() + 120
    url = None
    while url is None and time.monotonic() < deadline and server.poll() is None:
        found = [re.search(r"query page: (\S+)", line) for line in lines]
        url = next((m.group(1) for m in found if m), None)
        time.sleep(0.1)
    assert url, "".join(lines)
    ask = urllib.parse.quote("ASK { city:lyon a cvekg:FrenchCity }")
    with urllib.request.urlopen(f"{url}sparql?query={ask}", timeout=30) as answer:
        assert json.load(answer)["boolean"] is True
    assert len(_workers_of(build)) >= 2
    err = _ctrl_c(server, lines)
    assert server.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.rstrip().endswith("cvekg: stopped"), err
    assert _workers_of(build) == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the workers through /proc")
def test_ctrl_c_while_serve_starts_its_workers(built_dir: Path, tmp_path: Path) -> None:
    """The workers loading the graph when Ctrl+C came each printed a traceback (of the
    interrupt, or of the pipe their server had closed), and outlived it."""
    build = tmp_path / "build"
    shutil.copytree(built_dir, build)
    server, lines = _serve(build)
    deadline = time.monotonic() + 120
    while not _workers_of(build) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _workers_of(build), "".join(lines)
    err = _ctrl_c(server, lines)
    assert server.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    time.sleep(1.5)  # a worker still loading finds its server gone, and stops
    assert "Traceback" not in "".join(lines)
    assert _workers_of(build) == []
