"""A build leaves an on-disk store that every command opens read-only, without parsing."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.files import read_manifest
from graph.store import STORE_FOLDER, open_store


def test_a_build_is_opened_from_its_on_disk_store_read_only(built_dir: Path) -> None:
    store = open_store(built_dir)
    parsed = ox.Store()
    parsed.bulk_load(path=str(built_dir / "graph.trig"), format=ox.RdfFormat.TRIG)
    assert len(store) == len(parsed) > 0

    def named(quads) -> set[str]:  # blank nodes get new labels at every parse
        return {str(q) for q in quads if "_:" not in str(q)}

    assert named(store) == named(parsed)  # the same graph as graph.trig
    with pytest.raises((OSError, RuntimeError)):  # nothing a query does can change the build
        store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c")))
    outputs = read_manifest(built_dir)["outputs"]
    assert any(name.startswith(f"{STORE_FOLDER}/") for name in outputs)  # published with it


def test_a_build_without_a_store_is_parsed_as_before(built_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "graph.trig").write_bytes((built_dir / "graph.trig").read_bytes())
    assert len(open_store(tmp_path)) == len(open_store(built_dir))
