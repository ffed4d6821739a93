"""Name resolution, in a projection and in the store (graph/network/resolution.py)."""

from __future__ import annotations

import pytest

from graph import network as gn
from graph.errors import CvekgError

ID = "https://w3id.org/cvekg/id/"


def test_resolve_in_store_forgives_like_resolve(store):
    assert gn.resolve_in_store(store, "city:boston") == f"{ID}city/boston"
    assert gn.resolve_in_store(store, "pantheon assas") == f"{ID}organization/pantheon-assas"
    assert gn.resolve_in_store(store, "La Nouvelle-Orléans") == f"{ID}city/new-orleans"
    with pytest.raises(gn.UnknownEntityError, match="did you mean Marseille"):
        gn.resolve_in_store(store, "Marseile")


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
