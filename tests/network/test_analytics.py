"""Paths, rankings and stats on the seed graph (graph/network/analytics.py): the answers
are read from the source."""

from __future__ import annotations

import json

from graph import network as gn
from graph.cli import main

ID = "https://w3id.org/cvekg/id/"


def test_nice_to_boston_runs_through_one_world_strong_each_step_quoted(seed):
    chains = gn.path(seed, "Nice", "Boston")
    assert chains, "the source links Nice to Boston through One World Strong"
    for chain in chains:
        assert chain[0].source == f"{ID}city/nice" and chain[-1].target == f"{ID}city/boston"
        assert all(step.quote for step in chain)
        assert f"{ID}organization/one-world-strong" in {s.target for s in chain}
    first = chains[0][0]
    assert first.forward is False and first.label_en == "place"  # the attack's place is Nice


def test_path_text_shows_direction_and_quote(seed):
    text = gn.format_path(seed, gn.path(seed, "Nice", "Boston"))
    assert "<-- place -- Terrorist attacks in Nice" in text
    assert '"One World Strong has subsequently worked with survivors' in text


def test_city_pair_exchanges_broker_france_us_ties(seed):
    ranked = dict(gn.brokers(seed, k=30))
    for exchange in ("marseille-2016", "toulouse-2017", "lyon-2017", "strasbourg-2018"):
        assert ranked.get(f"{ID}event/city-pair-{exchange}", 0) > 0
    assert next(iter(ranked)) == f"{ID}program/city-pair"


def test_stats_counts_the_cities_the_source_names(seed):
    result = gn.stats(seed)
    assert result["groups"]["french-city"] == 9  # Bordeaux … Nice
    assert result["groups"]["us-city"] == 10  # Orlando … San Bernardino
    assert result["nodes"] == seed.number_of_nodes()
    exchange = "City Pair: Marseille with Orlando and Tampa (December 2016)"
    marseille = next(c for c in result["communities"] if exchange in c["members"])
    assert "Orlando" in marseille["members"]
    json.dumps(result)


def test_stats_count_quoted_relations_only_unless_asked_for_reference(built_dir, seed, capsys):
    quoted = sum(
        1 for *_, d in seed.edges(data=True) if d["label_en"] == "located in" and d["quote"]
    )
    every = sum(1 for *_, d in seed.edges(data=True) if d["label_en"] == "located in")
    assert 0 < quoted < every
    assert main(["stats", "-k", "30", "--out", str(built_dir)]) == 0
    text = capsys.readouterr().out
    assert f"  {quoted:>5}  located in\n" in text
    assert "Most used relations (quoted):" in text
    assert "Most connected (degree, quoted relations):" in text
    assert main(["stats", "-k", "30", "--with-reference", "--out", str(built_dir)]) == 0
    text = capsys.readouterr().out
    assert f"  {every:>5}  located in\n" in text
    assert "Most connected (degree, quoted and reference relations):" in text
    # Reference data (every city located in its country) makes a country the best connected.
    with_reference = gn.stats(seed, k=1, sourced_only=False)["degree"][0]
    assert with_reference["label"] != gn.stats(seed, k=1)["degree"][0]["label"]
    assert with_reference["degree"] == gn.degree_ranking(seed, 1, sourced_only=False)[0][1]
