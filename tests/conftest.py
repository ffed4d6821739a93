"""Shared fixtures: one build of the seed graph per test session, its store, a browser."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from graph.build.result import BuildResult
from graph.pipeline import build
from graph.resources import sources_dir

DATA = Path(__file__).parent / "data"
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The seed graph, built once into a temporary folder."""
    return build(out=tmp_path_factory.mktemp("build"), views=True)


@pytest.fixture(scope="session")
def built_dir(built: BuildResult) -> Path:
    """The output folder of the session's build."""
    return built.out


@pytest.fixture(scope="session")
def store(built_dir: Path):
    """An Oxigraph store loaded with the built graph."""
    from graph.store import open_store

    return open_store(built_dir)


@pytest.fixture(scope="module")
def seed(store):
    """The projection of the seed graph (graph.network.project), one per test module."""
    from graph.network import project

    return project(store)


@pytest.fixture(scope="session")
def trig_store():
    """Load a hand-made TriG from ``tests/data`` into a store as a build leaves it: the
    ontology in its graph, the TriG's graphs beside it."""
    import pyoxigraph as ox

    from graph.namespaces import ONTOLOGY_GRAPH
    from graph.resources import ontology_file

    def load(name: str) -> ox.Store:
        store = ox.Store()
        store.load(
            path=str(ontology_file()),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(str(ONTOLOGY_GRAPH)),
        )
        store.load(path=str(DATA / name), format=ox.RdfFormat.TRIG)
        return store

    return load


@pytest.fixture
def sources_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped sources, for tests that plant errors."""
    target = tmp_path / "sources"
    skip = shutil.ignore_patterns("__init__.py", "__pycache__")
    shutil.copytree(sources_dir(), target, ignore=skip)
    return target


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright.

    Outside CI a machine without Chromium skips the browser tests; in CI (``CI`` set) a
    missing browser is a failure, never a skip.
    """
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    if not Path(executable).exists():
        _missing("Chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield instance
        instance.close()


def _missing(why: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests save screenshots for a person to look at (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def canary() -> Iterator[tuple[int, list]]:
    """A loopback listener that records, for every connection made to it from any process,
    what the connection sent (``b""`` for nothing): where SERVICE must never reach."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    seen: list = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(1)
            try:
                seen.append(conn.recv(4096))
            except OSError:
                seen.append(b"")
            conn.close()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    yield listener.getsockname()[1], seen
    stop.set()
    thread.join(2)
    listener.close()


@pytest.fixture(scope="module")
def served(built_dir: Path) -> Iterator[str]:
    """The seed graph served on a free port (``http://127.0.0.1:PORT/``), for browser tests."""
    from graph.server import SparqlServer

    server = SparqlServer(built_dir, port=0, timeout=10, workers=2).start()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    thread.join(5)
    server.close()


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def script() -> Callable[[str], ModuleType]:
    """``script("synth")``: a developer script of ``scripts/`` imported as a module, once."""

    def load(name: str) -> ModuleType:
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while defined
        spec.loader.exec_module(module)
        return module

    return load
