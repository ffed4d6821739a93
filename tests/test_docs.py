"""Every command the README and ``docs/`` show is run, and its output has the shape shown.

A page shows a command in a fenced ``console`` block: a line starting with ``$ `` is the
command (continued on the next lines while a quote is open), the lines after it what it
prints. The commands of one page run in order in one fresh folder, as a reader would type
them from the checkout (``graph/``, ``ontology/`` and ``scripts/`` are linked in), so that
``cvekg build`` writes ``build/`` there and the next command reads it. A block just after a
paragraph ending in a file's name and a colon (`` `my-sources/doc.trig`: ``) is that file: it
is saved there when the reader reaches it, so a template on a page is built as it stands.

What "the shape" means, so that a figure may change but a word may not: numbers compare as
numbers of any value, runs of spaces (table alignment) as one space; a line holding only
``…`` stands for any number of lines, a ``…`` inside a line for any text. The output is
compared with standard output, standard error, or both (errors and progress go to standard
error). A command must exit 0, or with the code of an ``[exit N]`` line closing its output.

Some commands are not run as they stand, and each has its reason here (:data:`NOT_RUN`):
the benchmarks take minutes. ``pip install -e …`` is checked, not run (the extra it names must
exist, and the package must be installed: CI installs it with the README's own command), and
the README's ``pytest`` must be the command ``.ci/run`` runs. ``cvekg serve`` runs in the
background on a free port (the page's port is mapped to it in the commands that follow),
and is stopped with Ctrl+C (SIGINT) when the page ends: it must exit 130 (interrupted, as
every command documents) without a traceback.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sybil import Sybil
from sybil.parsers.markdown import CodeBlockParser

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: Commands shown but not run by this test, by the start of their text, with the reason.
NOT_RUN = {
    "python scripts/bench.py": "runs for 10 to 25 minutes",
    "python scripts/bench_virtuoso.py": "runs for several minutes",
    "python scripts/bench_server.py": "runs for several minutes, with attacks on the server",
    "python -m graph.views.bench": "runs for minutes (views of synthetic graphs in Chromium)",
}

#: How long one command may take before the test gives up on it.
TIMEOUT = 300


@dataclass
class Command:
    """One ``$`` command of a console block, with the output the page shows for it."""

    text: str
    line: int
    expected: list[str]
    exit_code: int = 0


@dataclass
class Session:
    """What the commands of one page share: their folder, ports, and servers left running."""

    folder: Path
    ports: dict[str, str] = field(default_factory=dict)
    background: list[tuple[Command, subprocess.Popen, list[str]]] = field(default_factory=list)


def parse_console(source: str, first_line: int) -> list[Command]:
    """Split a console block into its commands and what each prints."""
    commands: list[Command] = []
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            if commands:
                commands[-1].expected.append(line)
            elif line.strip():
                raise AssertionError(f"line {first_line + i}: output before any command: {line!r}")
            i += 1
            continue
        text, start = line[2:], i
        while not _complete(text) and i + 1 < len(lines):
            i += 1
            text += "\n" + lines[i]
        commands.append(Command(text, first_line + start, []))
        i += 1
    for command in commands:
        if command.expected and (m := re.fullmatch(r"\[exit (\d+)\]", command.expected[-1])):
            command.exit_code = int(m.group(1))
            command.expected.pop()
    return commands


def _complete(text: str) -> bool:
    """Whether a shell command line is whole (no open quote, no trailing backslash)."""
    if text.rstrip().endswith("\\"):
        return False
    try:
        shlex.split(text, comments=True)
    except ValueError:
        return False
    return True


def shape(line: str) -> str:
    """A line as compared: numbers as 0, rules of ─ as one, spaces collapsed."""
    line = re.sub(r"\d+(?:[.,]\d+)*", "0", line)
    line = re.sub(r"─+", "─", line)
    return re.sub(r"\s+", " ", line).strip()


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` has the shape of ``expected`` (``…`` lines match any run of lines)."""
    patterns = [
        None
        if shape(e) in ("…", "...")
        else re.compile(".*".join(re.escape(part) for part in shape(e).split("…")))
        for e in expected
    ]
    actual = [shape(a) for a in actual if a.strip()]
    patterns = [p for p, e in zip(patterns, expected, strict=True) if e.strip()]

    def walk(p: int, a: int) -> bool:
        if p == len(patterns):
            return a == len(actual)
        if patterns[p] is None:
            return any(walk(p + 1, k) for k in range(a, len(actual) + 1))
        return a < len(actual) and bool(patterns[p].fullmatch(actual[a])) and walk(p + 1, a + 1)

    return walk(0, 0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        COLUMNS="80",
        PY=sys.executable,
        HOME=str(folder),
        NO_COLOR="1",
    )
    return env


#: Shell functions every command runs under: ``cvekg`` and ``python`` are this checkout's,
#: ``pip install`` is checked by the test beforehand, ``pytest`` is the README's CI command.
_PRELUDE = (
    'cvekg() { "$PY" -m graph.cli "$@"; }\n'
    'python() { "$PY" "$@"; }\n'
    "pip() { :; }\n"
    "pytest() { :; }\n"
)


def _check_pip(command: Command) -> None:
    """``pip install -e .[extra]``: the extra exists and the package is installed."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for match in re.finditer(r"pip install -e '?\.(?:\[(\w+)\])?'?", command.text):
        assert match.group(1) is None or match.group(1) in extras, (
            f"line {command.line}: no extra [{match.group(1)}] in pyproject.toml"
        )
    from importlib.metadata import version

    assert version("cvekg"), "cvekg is not installed"


def _check_pytest(command: Command) -> None:
    """The README's test command is the one ``.ci/run`` runs."""
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == command.text.strip(), f"line {command.line}: .ci/run runs {ci!r}"


def _mapped(text: str, session: Session) -> str:
    for shown, real in session.ports.items():
        text = text.replace(shown, real)
    return text


def _learn_ports(expected: list[str], actual: list[str], session: Session) -> None:
    """Map the ports a page shows to the ones this run got, by the lines' order."""
    shown = [m for line in expected for m in re.findall(r"127\.0\.0\.1:\d+", line)]
    real = [m for line in actual for m in re.findall(r"127\.0\.0\.1:\d+", line)]
    for s, r in zip(shown, real, strict=False):
        session.ports.setdefault(s, r)


def _compare(command: Command, out: str, err: str, code: int, session: Session) -> None:
    where = f"line {command.line}: $ {command.text}"
    assert "Traceback" not in err, f"{where}\nprinted a traceback:\n{err}"
    assert code == command.exit_code, (
        f"{where}\nexited {code}, the page shows {command.exit_code}\n{out}\n{err}"
    )
    if not command.expected:
        return
    o, e = out.splitlines(), err.splitlines()
    for actual in (o, e, e + o, o + e):
        if matches(command.expected, actual):
            _learn_ports(command.expected, actual, session)
            return
    pytest.fail(
        f"{where}\nthe page shows:\n"
        + "\n".join(command.expected)
        + f"\n\nstandard output:\n{out}\nstandard error:\n{err}"
    )


def _start_server(command: Command, text: str, session: Session) -> None:
    """Start ``cvekg serve`` on a free port and wait for the lines the page shows."""
    port = str(_free_port())
    if m := re.search(r"--port (\d+)", text):
        session.ports[f"127.0.0.1:{m.group(1)}"] = f"127.0.0.1:{port}"
        text = text.replace(m.group(0), f"--port {port}")
    else:
        session.ports["127.0.0.1:8000"] = f"127.0.0.1:{port}"
        text += f" --port {port}"
    process = subprocess.Popen(
        # exec runs a program, not a shell function: this checkout's cvekg, by its module
        ["bash", "-c", _PRELUDE + "exec " + re.sub(r"^cvekg\b", '"$PY" -m graph.cli', text)],
        cwd=session.folder,
        env=_environment(session.folder),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    said = threading.Thread(target=_drain, args=(process.stderr, lines), daemon=True)
    said.start()
    session.background.append((command, process, lines))
    deadline = time.monotonic() + TIMEOUT
    while not matches(command.expected, lines) and said.is_alive():
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)  # until it has said what the page shows, or stopped
    assert matches(command.expected, lines), (
        f"line {command.line}: $ {command.text}\nthe page shows:\n"
        + "\n".join(command.expected)
        + "\n\nit printed:\n"
        + "\n".join(lines)
    )
    for _ in range(100):  # answering once it says so; give the socket a moment
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", int(port))) == 0:
                return
        time.sleep(0.1)


def _drain(stream, lines: list[str]) -> None:
    """Keep reading a server's standard error, so that it never blocks on a full pipe."""
    for line in stream:
        lines.append(line.rstrip("\n"))


def _stop_servers(session: Session) -> None:
    """Ctrl+C each server the page started: it must exit 130 and print no traceback."""
    for command, process, lines in session.background:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            pytest.fail(f"line {command.line}: $ {command.text}: did not stop on Ctrl+C")
        time.sleep(0.2)  # the last lines
        err = "\n".join(lines)
        assert "Traceback" not in err, f"line {command.line}: Ctrl+C printed:\n{err}"
        assert process.returncode == 130, (
            f"line {command.line}: exited {process.returncode} on Ctrl+C\n{err}"
        )


def run(command: Command, session: Session, skipped: list[str]) -> None:
    """Run one command in the page's folder and compare what it prints with the page."""
    text = _mapped(command.text, session)
    if reason := next((r for p, r in NOT_RUN.items() if text.startswith(p)), None):
        skipped.append(f"{command.text.splitlines()[0]}: {reason}")
        return
    if "pip install" in text:
        _check_pip(command)
    if re.search(r"(^|&& )pytest\b", text):
        _check_pytest(command)
    if re.match(r"cvekg serve\b", text):
        _start_server(command, text, session)
        return
    done = subprocess.run(
        ["bash", "-c", _PRELUDE + text],
        cwd=session.folder,
        env=_environment(session.folder),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    _compare(command, done.stdout, done.stderr, done.returncode, session)


def _folder(tmp_path: Path) -> Path:
    for name in ("graph", "ontology", "scripts", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


#: A paragraph ending in a file's name and a colon, just before a block (of any language but
#: ``console``): the block is the file.
_FILE_BEFORE_BLOCK = re.compile(r"`([\w.-]+(?:/[\w.-]+)+)`:\s*$")


def page_files(page: Path) -> list[tuple[int, str, str]]:
    """The files a page asks the reader to write: (line, path, text), in page order."""
    lines = page.read_text().splitlines(keepends=True)
    files, i = [], 0
    while i < len(lines):
        name = _FILE_BEFORE_BLOCK.search(lines[i])
        nxt = next((k for k in range(i + 1, len(lines)) if lines[k].strip()), None)
        if name and nxt is not None and re.match(r"```(?!console)\w", lines[nxt]):
            end = next(k for k in range(nxt + 1, len(lines)) if lines[k].startswith("```"))
            files.append((nxt + 1, name.group(1), "".join(lines[nxt + 1 : end])))
            i = end
        i += 1
    return files


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_the_page_shows_prints_what_it_shows(page: Path, tmp_path: Path) -> None:
    session = Session(_folder(tmp_path))
    skipped: list[str] = []
    steps: list[tuple[int, Command | tuple[str, str]]] = []

    def collect(example) -> None:
        for command in parse_console(example.parsed, example.line + 1):
            steps.append((command.line, command))

    document = Sybil([CodeBlockParser("console", collect)]).parse(page)
    for example in document:
        example.evaluate()
    steps += [(line, (path, text)) for line, path, text in page_files(page)]
    try:
        for _, step in sorted(steps, key=lambda s: s[0]):
            if isinstance(step, Command):
                run(step, session, skipped)
            else:  # the reader saves a file the page shows
                path, text = step
                (session.folder / path).parent.mkdir(parents=True, exist_ok=True)
                (session.folder / path).write_text(text)
    finally:
        _stop_servers(session)
    for reason in skipped:
        print(f"{page.name}: not run: {reason}")


def test_no_page_shows_a_command_outside_a_console_block() -> None:
    """A ``$`` line in an indented or other block would escape the test above."""
    for page in PAGES:
        fenced = None
        for number, line in enumerate(page.read_text().splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("```"):
                fenced = None if fenced is not None else stripped[3:]
                continue
            if stripped.startswith("$ ") and fenced != "console":
                pytest.fail(f"{page.name}:{number}: a command outside a console block: {line}")


def test_every_not_run_command_is_still_shown() -> None:
    """The table of commands not run names only commands some page shows."""
    text = "\n".join(page.read_text() for page in PAGES)
    for prefix in NOT_RUN:
        assert f"$ {prefix}" in text, f"NOT_RUN lists {prefix!r}, which no page shows"


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a page's headings (lower case, spaces as hyphens)."""
    return {
        re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in page.read_text().splitlines()
        if line.startswith("#")
    }


def test_every_link_between_pages_leads_somewhere() -> None:
    """Relative links and images of the README and docs name files (and headings) that exist."""
    for page in PAGES:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            name, _, anchor = target.partition("#")
            path = (page.parent / name).resolve() if name else page
            where = f"{page.relative_to(ROOT)} links to {target}"
            assert path.exists(), f"{where}, which is missing"
            if anchor and path.suffix == ".md":
                assert anchor in _anchors(path), f"{where}: no such heading"


@pytest.mark.parametrize(
    ("expected", "actual", "same"),
    [
        (["built 5209 triples in 0.60 s"], ["built 17 triples in 12.5 s"], True),
        (["built 5209 triples"], ["made 5209 triples"], False),
        (["a", "…", "z"], ["a", "b", "c", "z"], True),
        (["a", "…", "z"], ["a", "z"], True),
        (["a", "…", "z"], ["a", "b"], False),
        (["year  n", "────  ─"], ["year    n", "──────  ─"], True),
        (["open …/index.html"], ["open build/views/index.html"], True),
        (["one"], ["one", "two"], False),
    ],
)
def test_shapes_compare_figures_loosely_and_words_strictly(expected, actual, same) -> None:
    assert matches(expected, actual) is same
