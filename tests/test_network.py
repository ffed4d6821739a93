"""The projection rules, the analytics and name resolution (graph/network.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from graph import network as gn
from graph.cli import main
from graph.errors import CvekgError

DATA = Path(__file__).parent / "data"
ID = "https://w3id.org/cvekg/id/"
LYON, NEW_ORLEANS = f"{ID}city/lyon", f"{ID}city/new-orleans"
EXCHANGE, KATRINA = f"{ID}event/city-pair-lyon", f"{ID}incident/katrina"


@pytest.fixture(scope="module")
def small(trig_store) -> nx.MultiDiGraph:
    return gn.project(trig_store("network.trig"))


@pytest.fixture(scope="module")
def seed(store) -> nx.MultiDiGraph:
    return gn.project(store)


# --- Projection rules on the hand-made graph -------------------------------------------------


def test_entities_are_nodes_and_literals_and_provenance_are_not(small):
    assert set(small) == {
        LYON,
        NEW_ORLEANS,
        f"{ID}country/france",
        f"{ID}country/united-states",
        EXCHANGE,
        KATRINA,
        f"{ID}source/test",
    }
    assert not any(n.startswith("https://w3id.org/cvekg/claim/") for n in small)


def test_edges_are_asserted_triples_only_so_inverses_do_not_double(small):
    edges = {(u, k, v) for u, v, k in small.edges(keys=True)}
    assert edges == {
        (EXCHANGE, "delegationFrom", LYON),
        (EXCHANGE, "hostCity", NEW_ORLEANS),
        (EXCHANGE, "learnedAbout", KATRINA),
        (LYON, "locatedIn", f"{ID}country/france"),
        (NEW_ORLEANS, "locatedIn", f"{ID}country/united-states"),
    }


def test_classes_include_the_inferred_french_and_us_city(small):
    assert small.nodes[LYON]["class"] == "FrenchCity"
    assert small.nodes[LYON]["group"] == "french-city"
    assert small.nodes[NEW_ORLEANS]["group"] == "us-city"
    assert small.nodes[EXCHANGE]["class"] == "CityPairExchange"
    assert small.nodes[EXCHANGE]["group"] == "exchange"
    assert small.nodes[KATRINA]["group"] == "incident"


def test_nodes_carry_labels_coordinates_dates_and_country(small):
    new_orleans = small.nodes[NEW_ORLEANS]
    assert (new_orleans["label_en"], new_orleans["label_fr"]) == (
        "New Orleans",
        "La Nouvelle-Orléans",
    )
    assert (new_orleans["lat"], new_orleans["lon"]) == (29.95, -90.07)
    assert new_orleans["country"] == f"{ID}country/united-states"
    exchange = small.nodes[EXCHANGE]
    assert (exchange["date"], exchange["date_precision"]) == ("2017-12", "month")
    assert small.nodes[KATRINA]["date_description"] == "years before"
    assert small.nodes[KATRINA]["alt_labels"] == ["Katrina"]


def test_edges_carry_claim_quote_and_sentence_reference_edges_none(small):
    host = small.edges[EXCHANGE, NEW_ORLEANS, "hostCity"]
    assert host["claim"] == "https://w3id.org/cvekg/claim/test/exchange"
    assert host["quote"] == "a delegation from Lyon visited New Orleans"
    assert host["sentence"].startswith("In December 2017")
    assert (host["label_en"], host["label_fr"]) == ("host city", "ville hôte")
    located = small.edges[LYON, f"{ID}country/france", "locatedIn"]
    assert located["reference"] is True and located["quote"] is None
    note = small.graph["claims"]["https://w3id.org/cvekg/claim/test/learned"]["note"]
    assert note == "A test note."


def test_triples_of_a_construct_borrow_the_quote_of_their_asserted_inverse(trig_store):
    store = trig_store("network.trig")
    triples = list(
        store.query(
            "PREFIX cvekg: <https://w3id.org/cvekg/ontology#> "
            "CONSTRUCT { ?c cvekg:sentDelegation ?e } WHERE { ?c cvekg:sentDelegation ?e }",
            use_default_graph_as_union=True,
        )
    )
    G = gn.project_triples(store, triples)
    edge = G.edges[LYON, EXCHANGE, "sentDelegation"]
    assert edge["quote"] == "a delegation from Lyon visited New Orleans"
    assert edge["inferred"] == "inverse of delegation from"
    assert G.nodes[LYON]["group"] == "french-city"


def test_projection_without_statements_keeps_everything_else(store, seed):
    lean = gn.project(store, statements=False)
    assert set(lean.nodes) == set(seed.nodes)
    assert lean.number_of_edges() == seed.number_of_edges()
    assert all(not c["statements"] for c in lean.graph["claims"].values())
    marseille = f"{ID}city/marseille"
    assert lean.nodes[marseille] == seed.nodes[marseille]
    claim = seed.nodes[marseille]["claims"][0]
    assert sorted(gn.claim_statements(store, claim)) == sorted(
        seed.graph["claims"][claim]["statements"]
    )


def test_source_document_typed_only_in_provenance_is_an_entity(small):
    assert small.nodes[f"{ID}source/test"]["group"] == "document"


# --- Neighbourhoods --------------------------------------------------------------------------


def test_neighbourhood_read_from_the_store_matches_the_projection(store, seed):
    hoods = gn.Neighbourhoods(seed)
    for node in seed:
        for limit in (120, 6):
            G, (kept, distance, hidden) = gn.neighbourhood(store, node, 2, limit)
            assert (kept, distance, hidden) == hoods.ego(node, 2, limit), (node, limit)
            assert set(G) == set(kept)
            assert G.number_of_edges() == seed.subgraph(kept).number_of_edges()
            assert G.nodes[node]["claims"] == seed.nodes[node]["claims"]


def test_neighbourhood_keeps_the_nearest_then_the_best_connected(seed):
    lyon = f"{ID}city/lyon"
    kept, distance, hidden = gn.Neighbourhoods(seed).ego(lyon, 2, limit=8)
    assert kept[0] == lyon and len(kept) == 8
    first = [n for n in kept if distance[n] == 1]
    assert first == sorted(first, key=lambda n: (-seed.degree(n), n))
    assert all(distance[n] <= 2 for n in kept)
    everything = gn.Neighbourhoods(seed).ego(lyon, 2, limit=10_000)
    assert sum(hidden) == len(everything[0]) - 8
    # Reference data (Lyon located in France) is one step, never a way further.
    assert f"{ID}city/paris" not in everything[0]


def test_neighbourhood_counts_left_out_neighbours_apart_from_those_two_steps_away():
    G = nx.MultiDiGraph()
    for i in range(130):
        G.add_edge("hub", f"n{i:03d}", quote="q")
        G.add_edge(f"n{i:03d}", f"far{i:03d}a", quote="q")
        G.add_edge(f"n{i:03d}", f"far{i:03d}b", quote="q")
    hoods = gn.Neighbourhoods(G)
    assert hoods.ego("hub", 2, limit=120)[2] == gn.LeftOut(near=11, far=260)
    assert hoods.ego("hub", 2, limit=200)[2] == gn.LeftOut(near=0, far=260 - 69)
    assert hoods.ego("n000", 2, limit=120)[2] == gn.LeftOut(near=0, far=129 - 116)


def test_resolve_in_store_forgives_like_resolve(store):
    assert gn.resolve_in_store(store, "city:boston") == f"{ID}city/boston"
    assert gn.resolve_in_store(store, "pantheon assas") == f"{ID}organization/pantheon-assas"
    assert gn.resolve_in_store(store, "La Nouvelle-Orléans") == f"{ID}city/new-orleans"
    with pytest.raises(gn.UnknownEntityError, match="did you mean Marseille"):
        gn.resolve_in_store(store, "Marseile")


# --- Names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pantheon", "organization/pantheon-assas"),
        ("Panthéon-Assas", "organization/pantheon-assas"),
        ("la nouvelle orleans", "city/new-orleans"),
        ("NEW ORLEANS", "city/new-orleans"),
        ("city:boston", "city/boston"),
        ("Paris", "city/paris"),
        ("EFUS", "organization/efus"),
        ("Etat islamique (Daech)", "organization/isis"),
        ("marseille-train-station", "attack/marseille-train-station"),
        # Also in the French label of the Lyon exchange, with more words around them.
        ("Nouvelle-Orléans", "city/new-orleans"),
        ("Nouvelle Orléans", "city/new-orleans"),
        ("orleans", "city/new-orleans"),
    ],
)
def test_names_resolve_forgivingly(seed, name, expected):
    assert gn.resolve(seed, name) == ID + expected


def test_unknown_name_suggests_the_closest(seed):
    with pytest.raises(gn.UnknownEntityError, match="did you mean Marseille") as caught:
        gn.resolve(seed, "Marseile")
    assert caught.value.exit_code == 2


def test_ambiguous_name_lists_the_candidates(seed):
    with pytest.raises(gn.AmbiguousEntityError, match="strong-cities-network-events-") as caught:
        gn.resolve(seed, "Strong Cities Network event")
    assert isinstance(caught.value, CvekgError)


# --- Analytics on the seed graph (answers read from the source) ------------------------------


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


def test_city_pairs_fold_each_exchange_into_labelled_edges(seed):
    C = gn.city_pair_graph(seed)
    lyon = C.get_edge_data(f"{ID}city/lyon", f"{ID}city/new-orleans")
    (edge,) = lyon.values()
    assert edge["label_en"] == "Dec 2017 · City Pair"
    assert edge["label_fr"] == "déc. 2017 · City Pair"
    assert edge["quote"].startswith("During a City Pair in December 2017")
    assert C.has_edge(f"{ID}city/marseille", f"{ID}city/orlando")
    # "participated in a City Pair with Orlando and Tampa": no direction, so no arrow to Tampa
    assert not C.has_edge(f"{ID}city/marseille", f"{ID}city/tampa")
    assert {d["group"] for _, d in C.nodes(data=True)} <= {"french-city", "us-city", "city"}


# --- Export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_export_round_trips(seed, tmp_path, fmt):
    out = gn.export(seed, fmt, tmp_path / f"network.{fmt}")
    if fmt == "graphml":
        back = nx.read_graphml(out)
    elif fmt == "gexf":
        back = nx.read_gexf(out)
    else:
        back = nx.node_link_graph(json.loads(out.read_text()), edges="links")
    assert back.number_of_nodes() == seed.number_of_nodes()
    assert back.number_of_edges() == seed.number_of_edges()
    assert [p.name for p in tmp_path.iterdir()] == [f"network.{fmt}"]  # no temporary left


def test_export_for_graphml_has_no_none_and_no_nested_values(seed):
    H = gn.sanitize_for_export(seed)
    for _, d in [*H.nodes(data=True), *((u, d) for u, _, d in H.edges(data=True))]:
        assert all(isinstance(v, str | int | float | bool) for v in d.values())


# --- The commands ----------------------------------------------------------------------------


def test_cli_path_prints_quotes_and_unknown_name_exits_2(built_dir, capsys):
    assert main(["path", "Nice", "Boston", "--out", str(built_dir)]) == 0
    assert "worked with survivors" in capsys.readouterr().out
    assert main(["path", "Nice", "Bostn", "--out", str(built_dir)]) == 2
    assert "did you mean Boston" in capsys.readouterr().err


def test_cli_stats_and_export(built_dir, tmp_path, capsys):
    assert main(["stats", "--out", str(built_dir)]) == 0
    assert "Brokers of France-US ties" in capsys.readouterr().out
    target = tmp_path / "n.gexf"
    assert main(["export", "--format", "gexf", "-o", str(target), "--out", str(built_dir)]) == 0
    assert target.stat().st_size > 0


def test_induced_keeps_the_edges_among_the_members_and_shares_their_data(seed):
    members = [n for n in seed if seed.degree(n) > 2][:10]
    H = gn.induced(seed, [*members, members[0]])
    reference = seed.subgraph(members)
    assert list(H) == members
    assert sorted(H.edges(keys=True)) == sorted(reference.edges(keys=True))
    u, v, k = next(iter(H.edges(keys=True)))
    assert H.edges[u, v, k] is seed.edges[u, v, k]
    assert H.nodes[u] is seed.nodes[u]


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


def test_cli_path_with_no_chain_exits_1_in_text_and_json(built_dir, capsys):
    # al-Qaeda is named in the source, but no quoted relation reaches it.
    assert main(["path", "Nice", "al-Qaeda", "--out", str(built_dir)]) == 1
    assert "no chain of quoted relations" in capsys.readouterr().out
    assert main(["path", "Nice", "al-Qaeda", "--json", "--out", str(built_dir)]) == 1
    assert json.loads(capsys.readouterr().out) == []


def test_cli_stats_into_a_closed_pipe_ends_quietly(built_dir):
    done = subprocess.run(
        f"{sys.executable} -m graph.cli stats --out {built_dir} | head -c 0",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_cli_path_from_an_entity_to_itself_says_so(built_dir, capsys):
    assert main(["path", "Nice", "nice", "--out", str(built_dir)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "'Nice' and 'nice' both name Nice (city:nice, French city)" in captured.err
    assert main(["path", "Nice", "Boston", "-k", "0", "--out", str(built_dir)]) == 2
    assert "the number of chains must be 1 or more, not 0" in capsys.readouterr().err


def test_commands_on_a_missing_build_build_the_graph_but_not_the_views(tmp_path, capsys):
    out = tmp_path / "build"
    assert main(["stats", "-k", "1", "--out", str(out)]) == 0
    assert "Brokers of France-US ties" in capsys.readouterr().out
    assert (out / "graph.trig").is_file()
    assert not (out / "views").exists()


def test_gexf_labels_nodes_by_their_english_label(seed, tmp_path):
    back = nx.read_gexf(gn.export(seed, "gexf", tmp_path / "network.gexf"))
    assert back.nodes[LYON]["label"] == "Lyon"
    assert back.nodes[NEW_ORLEANS]["label"] == "New Orleans"


def test_a_blank_node_value_is_neither_an_entity_nor_a_fact(trig_store):
    store = trig_store("network.trig")
    claim = next(g for g in store.named_graphs() if "/claim/" in g.value)
    note = ox.BlankNode()
    comment = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
    store.add(ox.Quad(ox.NamedNode(LYON), comment, note, claim))
    G = gn.project(store)
    assert note.value not in G and f"_:{note.value}" not in G
    assert all(f.value != note.value for f in G.nodes[LYON]["facts"])
