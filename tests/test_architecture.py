"""The package's layout: imports run one way, down the pipeline, and no module does too much.

Imports are read with ``ast`` (``import a.b``, ``from a.b import c``, relative ones, and
imports inside functions, which tie modules all the same), as ``shared/tools/import-cycles``
reads them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "graph"

#: Each stage, lowest first, by the module names it holds (a name covers its submodules).
#: A module may import its own stage and the stages below it, never one above.
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("graph", "graph.errors", "graph.namespaces", "graph.resources",
                    "graph.progress", "graph.files", "graph.rdf", "graph.sources")),
    ("build", ("graph.build",)),
    ("store", ("graph.store",)),
    ("query", ("graph.query",)),
    ("network", ("graph.network",)),
    ("views", ("graph.views",)),
    ("server", ("graph.server",)),
    ("publish", ("graph.publish",)),
    ("pipeline", ("graph.pipeline",)),
    ("cli", ("graph.cli",)),
]  # fmt: skip

MAX_LINES = 900


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "vendor" not in p.parts}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that module ``name`` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        for imported in names:
            while imported and imported not in known:
                imported = imported.rpartition(".")[0]
            # A module's own package is imported with it: not a tie of its own.
            if imported and imported != name and not name.startswith(imported + "."):
                found.add(imported)
    return found


def _stage(module: str) -> int:
    best, level = -1, -1
    for i, (_, prefixes) in enumerate(STAGES):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, level = len(prefix), i
    return level


@pytest.fixture(scope="module")
def imports() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def test_every_module_has_a_stage(imports: dict[str, set[str]]) -> None:
    assert [m for m in imports if _stage(m) < 0] == []


def test_imports_run_one_way_down_the_pipeline(imports: dict[str, set[str]]) -> None:
    upward = [
        f"{module} ({STAGES[_stage(module)][0]}) imports {target} ({STAGES[_stage(target)][0]})"
        for module, targets in sorted(imports.items())
        for target in sorted(targets)
        if _stage(target) > _stage(module)
    ]
    assert upward == []


def test_build_stages_import_nothing_of_what_reads_a_build(
    imports: dict[str, set[str]],
) -> None:
    readers = ("graph.store", "graph.query", "graph.network", "graph.views", "graph.server")
    found = [
        f"{module} imports {target}"
        for module, targets in sorted(imports.items())
        if module.startswith("graph.build")
        for target in sorted(targets)
        if target.startswith(readers) or target in ("graph.pipeline", "graph.cli")
    ]
    assert found == []


def test_no_import_cycle(imports: dict[str, set[str]]) -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in imports[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                cycles.append(sorted(part))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    assert cycles == []


def test_only_the_pipeline_starts_a_build(imports: dict[str, set[str]]) -> None:
    """The build runs from graph.pipeline alone (the CLI asks the pipeline, too)."""
    runners = sorted(m for m, targets in imports.items() if "graph.build.run" in targets)
    assert runners == ["graph.pipeline"]


def test_no_module_too_long() -> None:
    long = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
