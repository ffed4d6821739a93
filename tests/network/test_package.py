"""graph/network/__init__.py: every public name, imported from its module on first use."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import graph.network as gn

ROOT = Path(__file__).resolve().parents[2]


def test_every_public_name_has_its_module() -> None:
    assert sorted(gn._MODULE_OF) == sorted(gn.__all__)


@pytest.mark.parametrize("name", sorted(gn.__all__))
def test_a_public_name_is_its_modules_own(name: str) -> None:
    module = importlib.import_module(f"graph.network.{gn._MODULE_OF[name]}")
    assert getattr(gn, name) is getattr(module, name)
    assert name in dir(gn)


def test_unknown_names_are_refused() -> None:
    with pytest.raises(AttributeError):
        gn.no_such_name  # noqa: B018
    assert gn._local is gn.local_name


def test_the_export_formats_come_without_the_projection() -> None:
    check = (
        "import sys\n"
        "from graph.network import EXPORT_FORMATS\n"
        "assert 'graph.network.projection' not in sys.modules\n"
        "assert 'networkx' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
