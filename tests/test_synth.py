"""The synthetic corpus (scripts/synth.py) is a valid source folder: it builds cleanly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TRIPLES = 3000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, script):
    return script("synth").generate(TRIPLES, tmp_path_factory.mktemp("synth"), seed=7)


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth-build") / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "graph.cli",
            "build",
            "--no-views",
            "--sources",
            str(corpus.out),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "0 violations, 100.0% of facts sourced" in done.stdout
    return out


def test_corpus_has_the_size_asked_for(corpus) -> None:
    assert TRIPLES <= corpus.triples < TRIPLES + 30  # it stops at the claim that reaches N
    assert 0.25 < corpus.reference_triples / corpus.triples < 0.35
    assert corpus.documents >= 2


def test_builds_with_every_quote_anchored(corpus, built: Path) -> None:
    info = json.loads((built / "build-info.json").read_text(encoding="utf-8"))
    assert info["claims"] == corpus.claims  # every claim's quote was found in its text
    assert info["coverage_percent"] == 100.0
    assert info["triples"]["claims"] + info["triples"]["reference"] == corpus.triples
    for kind in ("FrenchCity", "USCity", "CityPairExchange", "Attack", "Person", "Topic"):
        assert info["classes"].get(f"cvekg:{kind}", 0) > 0, kind
    report = (built / "report.md").read_text(encoding="utf-8")
    assert "**0 violations**" in report


def test_some_quotes_span_a_line_break(built: Path) -> None:
    from graph.query.sparql import select
    from graph.store import open_store

    rows = select(open_store(built), "SELECT ?exact WHERE { ?q oa:exact ?exact }")
    assert any("\n" in row["exact"] for row in rows)


def test_same_seed_same_files(corpus, tmp_path: Path, script) -> None:
    again = script("synth").generate(TRIPLES, tmp_path, seed=7)
    names = sorted(p.name for p in corpus.out.iterdir())
    assert names == sorted(p.name for p in again.out.iterdir())
    for name in names:
        assert (corpus.out / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_exchanges_and_attacks_are_not_crowded_into_the_last_cities(tmp_path: Path, script) -> None:
    """Cities all exist before the first claim, so favouring "recent" ones put half of the
    exchanges and attacks into the last 20 cities of the reference file (query 17 joined
    746,409 attack-exchange rows at 1M). Hosts and attack places now spread like the real
    graph's, where no city hosts more than one exchange or suffers more than one attack."""
    import collections
    import re

    corpus = script("synth").generate(100_000, tmp_path / "synth", seed=1)
    hosted: collections.Counter[str] = collections.Counter()
    attacked: collections.Counter[str] = collections.Counter()
    for trig in corpus.out.glob("*.trig"):
        text = trig.read_text(encoding="utf-8")
        hosted.update(re.findall(r"cvekg:hostCity (city:[\w-]+)", text))
        attacked.update(re.findall(r"cvekg:place (city:[\w-]+)", text))
    assert sum(hosted.values()) > 1000 and sum(attacked.values()) > 1000
    # 20 cities held 50% of them before; at random among ~2,000 each, about 1%
    for counts in (hosted, attacked):
        top20 = sum(n for _, n in counts.most_common(20))
        assert top20 / sum(counts.values()) < 0.05, counts.most_common(5)
