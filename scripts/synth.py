"""Generate a synthetic cvekg source corpus of about N asserted triples, for benchmarks.

The corpus is in exactly the format of ``graph/sources``: for each document a verbatim text
``<doc>.txt`` and its claims ``<doc>.trig`` (one named graph per claim, each with a quote that
occurs once in the text, often across a line break), plus a reference file ``places.ttl`` whose
graph declares one value source covering all its (made-up) values. It keeps the shape of the
real graph: about 30% reference data
(cities in France, the United States and other countries, US states, countries) and 70% claims
(City Pair exchanges between French and US cities with their programme, date, stops and what
the delegations learned, attacks with place, site, victims-killed count, date and inspiring group,
organisations, people, topics, programmes, meetings with presentations, agreements, expert
visits, network memberships). It uses only terms the ontology declares, so ``cvekg build``
validates it with 0 violations and 100% provenance coverage.

N counts the asserted triples of the claims and the reference data (the build's ``claims`` and
``reference`` counts); the corpus stops at the first claim that reaches it. The same seed gives
the same files, byte for byte.

Usage::

    python scripts/synth.py --triples 100000 --out build/synth-100k [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Corpus", "generate", "main"]

REFERENCE_SHARE = 0.30
PREFIXES = """@prefix cvekg:  <https://w3id.org/cvekg/ontology#> .
@prefix source:       <https://w3id.org/cvekg/id/source/> .
@prefix person:       <https://w3id.org/cvekg/id/person/> .
@prefix organization: <https://w3id.org/cvekg/id/organization/> .
@prefix program:      <https://w3id.org/cvekg/id/program/> .
@prefix event:        <https://w3id.org/cvekg/id/event/> .
@prefix attack:       <https://w3id.org/cvekg/id/attack/> .
@prefix incident:     <https://w3id.org/cvekg/id/incident/> .
@prefix topic:        <https://w3id.org/cvekg/id/topic/> .
@prefix city:         <https://w3id.org/cvekg/id/city/> .
@prefix country:      <https://w3id.org/cvekg/id/country/> .
@prefix region:       <https://w3id.org/cvekg/id/region/> .
@prefix venue:        <https://w3id.org/cvekg/id/venue/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix time:    <http://www.w3.org/2006/time#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix geo:     <http://www.w3.org/2003/01/geo/wgs84_pos#> .
"""

MONTHS_EN = "January February March April May June July August September October November December"
MONTHS_FR = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
MONTHS = list(zip(MONTHS_EN.split(), MONTHS_FR.split(), strict=True))

# (slug, English, French, latitude, longitude) of real countries; more are made up when needed.
COUNTRIES = [
    ("belgium", "Belgium", "Belgique", 50.6, 4.7),
    ("germany", "Germany", "Allemagne", 51.2, 10.4),
    ("united-kingdom", "United Kingdom", "Royaume-Uni", 54.0, -2.0),
    ("australia", "Australia", "Australie", -25.3, 133.8),
    ("lebanon", "Lebanon", "Liban", 33.9, 35.9),
    ("turkey", "Turkey", "Turquie", 39.0, 35.2),
    ("spain", "Spain", "Espagne", 40.4, -3.7),
    ("italy", "Italy", "Italie", 42.8, 12.8),
    ("canada", "Canada", "Canada", 56.1, -106.3),
    ("morocco", "Morocco", "Maroc", 31.8, -7.1),
    ("tunisia", "Tunisia", "Tunisie", 33.9, 9.5),
    ("kenya", "Kenya", "Kenya", 0.0, 37.9),
    ("nigeria", "Nigeria", "Nigéria", 9.1, 8.7),
    ("india", "India", "Inde", 20.6, 79.0),
    ("japan", "Japan", "Japon", 36.2, 138.3),
    ("brazil", "Brazil", "Brésil", -14.2, -51.9),
    ("mexico", "Mexico", "Mexique", 23.6, -102.6),
    ("netherlands", "Netherlands", "Pays-Bas", 52.1, 5.3),
    ("denmark", "Denmark", "Danemark", 56.3, 9.5),
    ("sweden", "Sweden", "Suède", 60.1, 18.6),
]
US_STATES = (
    "Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia "
    "Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts "
    "Michigan Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon "
    "Pennsylvania Tennessee Texas Utah Vermont Virginia Washington Wisconsin Wyoming"
).split()
FRENCH_REGIONS = [
    ("occitanie", "Occitanie", "Occitanie", 43.9, 2.1),
    ("bretagne", "Brittany", "Bretagne", 48.2, -2.9),
    ("normandie", "Normandy", "Normandie", 49.1, 0.2),
    ("grand-est", "Grand Est", "Grand Est", 48.7, 5.6),
]

# Syllables for made-up names; every name of a kind has the same number of syllables, so no
# name is the beginning of another.
SYLLABLES = {
    "fr": "bel mon sar tou lan vil cha rou bor gre nan ver mar lor bre cour "
    "fon val pey sai aub bru cla dor gan lis mer pra ros tal vau".split(),
    "us": "har mil brook spring ash ox glen cres wood lake fair ston "
    "king red elm bay ridge port dale clif west north grand pine "
    "cedar maple rock sum field shel".split(),
    "xx": "ka lo mi ra zu te no vi sa be du fa go hi ja ke "
    "lu ma ni po qu ri si to ul va we xi yo ze".split(),
    "name": "al ber cor dan el fran gil hen is jul lau mar nor oli pau quen "
    "ros sim tho val wil xa yan zo adr bap cel dom eti fel gus".split(),
}
FIRST_NAMES = (
    "Anne Bruno Claire David Emma Farid Grace Hugo Ines Jamal Karen Louis Maya Nadia Omar "
    "Paula Quentin Rosa Samir Tara Ulysse Vera Walter Yasmine Zoe"
).split()
ORG_KINDS = [
    # (class, share, English pattern, French pattern)
    ("GovernmentBody", 30, "{n} Office of Public Safety", "Bureau de la sécurité publique de {n}"),
    ("AcademicInstitution", 20, "University of {n}", "Université de {n}"),
    ("CivilSocietyOrganization", 35, "{n} Community Alliance", "Alliance communautaire {n}"),
    ("Network", 8, "{n} Cities Network", "Réseau des villes {n}"),
    ("Embassy", 5, "Embassy of {n}", "Ambassade de {n}"),
    ("TerroristOrganization", 2, "{n} Front", "Front {n}"),
]
TOPIC_WORDS = [
    ("community resilience", "résilience des communautés"),
    ("youth mentoring", "mentorat des jeunes"),
    ("prison reintegration", "réinsertion des détenus"),
    ("online recruitment", "recrutement en ligne"),
    ("soft target protection", "protection des cibles vulnérables"),
    ("victim support", "soutien aux victimes"),
    ("school outreach", "actions dans les écoles"),
    ("family counselling", "accompagnement des familles"),
    ("interfaith dialogue", "dialogue interreligieux"),
    ("crisis communication", "communication de crise"),
]
VENUE_KINDS = [
    ("market", "marché"),
    ("train station", "gare"),
    ("concert hall", "salle de concert"),
    ("stadium", "stade"),
    ("cafe", "café"),
    ("museum", "musée"),
]
MEETING_KINDS = [("Workshop", "workshop", "atelier"), ("Conference", "conference", "conférence")]
MEETING_KINDS += [("Summit", "summit", "sommet")]


def _literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^{datatype}'
    return f'"{escaped}"'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Names:
    """Unique made-up names: index i of a kind maps to a fixed-length syllable word."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.counters: dict[str, int] = {}
        self.orders: dict[str, list[str]] = {}

    def next(self, kind: str, syllables: str, size: int = 3) -> str:
        """The next unused name of ``kind`` built from the ``syllables`` set."""
        key = f"{kind}/{syllables}"
        i = self.counters.get(key, 0)
        self.counters[key] = i + 1
        parts = SYLLABLES[syllables]
        base = len(parts)
        if i >= base**size:
            raise ValueError(f"out of {kind} names; use more syllables")
        # A multiplier coprime with base**size spreads consecutive indexes over the space.
        code = (i * 7919 + 13) % (base**size)
        word = ""
        for _ in range(size):
            word += parts[code % base]
            code //= base
        return word.capitalize()


@dataclass
class Entity:
    """A named instance: its prefixed IRI and its labels."""

    iri: str
    en: str
    fr: str
    kind: str = ""


@dataclass
class Claim:
    """A claim: its name, its Turtle statements, its triple count, its sentence and quote."""

    name: str
    body: str
    triples: int
    sentence: str
    quote: str


@dataclass
class Corpus:
    """What was generated, for the caller to check."""

    out: Path
    documents: int = 0
    claims: int = 0
    claim_triples: int = 0
    reference_triples: int = 0

    @property
    def triples(self) -> int:
        """Asserted triples: claims plus reference data."""
        return self.claim_triples + self.reference_triples


class _Statements:
    """Accumulates ``subject predicate object`` statements as Turtle, counting triples."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.count = 0

    def add(self, subject: str, *pairs: tuple[str, str | list[str]]) -> None:
        lines = []
        for predicate, objects in pairs:
            values = objects if isinstance(objects, list) else [objects]
            self.count += len(values)
            lines.append(f"{predicate} {' , '.join(values)}")
        self.blocks.append(f"    {subject} " + " ;\n        ".join(lines) + " .")

    def labelled(self, entity: Entity, cls: str, *pairs: tuple[str, str | list[str]]) -> None:
        self.add(
            entity.iri,
            ("a", cls),
            ("rdfs:label", [_literal(entity.en, "en"), _literal(entity.fr, "fr")]),
            *pairs,
        )


@dataclass
class _World:
    """Every entity generated so far, by kind, so later claims can refer to them."""

    rng: random.Random
    names: Names
    fr_cities: list[Entity] = field(default_factory=list)
    us_cities: list[Entity] = field(default_factory=list)
    other_cities: list[Entity] = field(default_factory=list)
    countries: list[Entity] = field(default_factory=list)
    orgs: dict[str, list[Entity]] = field(default_factory=dict)
    people: list[Entity] = field(default_factory=list)
    topics: list[Entity] = field(default_factory=list)
    programs: list[Entity] = field(default_factory=list)
    exchanges: list[Entity] = field(default_factory=list)
    meetings: list[Entity] = field(default_factory=list)
    attacks: list[Entity] = field(default_factory=list)
    mayors: set[str] = field(default_factory=set)

    def pick(self, items: list[Entity]) -> Entity:
        # Favour recent entities a little, as a text talks about what it just introduced.
        if len(items) > 20 and self.rng.random() < 0.5:
            return items[self.rng.randrange(len(items) - 20, len(items))]
        return items[self.rng.randrange(len(items))]

    def place(self, cities: list[Entity]) -> Entity:
        """A city of the reference data, any of them alike.

        Not :meth:`pick`: every city exists before the first claim, so "recent" would be the
        last 20 of the file, and half of all exchanges and attacks would land in them
        (query 17 then joined 746,409 attack-exchange rows at 1M).
        """
        return cities[self.rng.randrange(len(cities))]

    def city(self) -> Entity:
        roll = self.rng.random()
        pool = (
            self.fr_cities if roll < 0.45 else self.us_cities if roll < 0.9 else self.other_cities
        )
        return self.place(pool or self.fr_cities)

    def org(self, *kinds: str) -> Entity | None:
        pool = [e for k in kinds for e in self.orgs.get(k, [])]
        return self.pick(pool) if pool else None

    def known_org(self, *kinds: str) -> Entity:
        """An organisation of a kind the first document always creates."""
        org = self.org(*kinds)
        if org is None:
            raise AssertionError(f"no organisation of kinds {kinds} yet")
        return org

    def any_org(self) -> Entity:
        # The State Department, a government body, exists from the first claim on.
        return self.known_org("GovernmentBody", "AcademicInstitution", "CivilSocietyOrganization")

    def date(self) -> tuple[str, str, str, str, str]:
        """(xsd literal, precision, English, French, year) of a random event date."""
        year = self.rng.randrange(2001, 2025)
        roll = self.rng.random()
        if roll < 0.15:
            return (
                _literal(str(year), datatype="xsd:gYear"),
                "time:unitYear",
                str(year),
                str(year),
                str(year),
            )
        month = self.rng.randrange(12)
        en, fr = MONTHS[month]
        if roll < 0.85:
            value = _literal(f"{year}-{month + 1:02d}", datatype="xsd:gYearMonth")
            return value, "time:unitMonth", f"{en} {year}", f"{fr} {year}", str(year)
        day = self.rng.randrange(1, 29)
        value = _literal(f"{year}-{month + 1:02d}-{day:02d}", datatype="xsd:date")
        return value, "time:unitDay", f"{en} {day}, {year}", f"{day} {fr} {year}", str(year)


# --- Reference data -------------------------------------------------------------------------


def _reference(world: _World, target: int, out: Path) -> int:
    """Write ``places.ttl`` with about ``target`` triples; return the exact count."""
    rng = world.rng
    lines = [
        "# Synthetic reference data about places (scripts/synth.py): names, coordinates and",
        "# the country or region each lies in.",
        "",
        PREFIXES,
        "<https://w3id.org/cvekg/graph/reference/places> a cvekg:ReferenceDataset ;",
        '    dcterms:title "Synthetic places"@en ;',
        '    dcterms:description "Made-up places for benchmarks, generated by scripts/synth.py."'
        "@en ;",
        "    cvekg:valueSource <https://w3id.org/cvekg/graph/reference/places#synth> .",
        "<https://w3id.org/cvekg/graph/reference/places#synth> a cvekg:ValueSource ;",
        '    dcterms:title "scripts/synth.py"@en ; cvekg:sourceKind "synthetic" ;',
        '    dcterms:description "Every value is made up (no cvekg:forProperty: it covers all)."'
        "@en .",
        "",
    ]
    count = 8  # the dataset's 4 triples and its value source's 4

    def place(kind: str, entity: Entity, lat: float, long: float, parent: str | None) -> None:
        nonlocal count
        lines.append(f"{entity.iri} a cvekg:{kind} ;")
        lines.append(f"    rdfs:label {_literal(entity.en, 'en')} , {_literal(entity.fr, 'fr')} ;")
        lines.append(
            f'    geo:lat "{lat:.2f}"^^xsd:decimal ; geo:long "{long:.2f}"^^xsd:decimal'
            + (f" ;\n    cvekg:locatedIn {parent} ." if parent else " .")
        )
        count += 5 + (1 if parent else 0)

    france = Entity("country:france", "France", "France")
    us = Entity("country:united-states", "United States", "États-Unis")
    place("Country", france, 46.6, 2.2, None)
    place("Country", us, 39.8, -98.6, None)
    world.countries += [france, us]
    # Cities are 6 triples each; countries and regions are few.
    cities = max(30, target // 6)
    others = max(3, cities // 10)
    for slug, en, fr, lat, long in COUNTRIES[: max(6, min(len(COUNTRIES), others // 50))]:
        country = Entity(f"country:{slug}", en, fr)
        place("Country", country, lat, long, None)
        world.countries.append(country)
    states = []
    for name in US_STATES[: max(2, min(len(US_STATES), cities // 60))]:
        state = Entity(f"region:{_slug(name)}-us", name, name)
        place("Region", state, rng.uniform(26, 47), rng.uniform(-122, -70), us.iri)
        states.append(state)
    regions = []
    for slug, en, fr, lat, long in FRENCH_REGIONS[: max(1, min(4, cities // 200))]:
        region = Entity(f"region:{slug}", en, fr)
        place("Region", region, lat, long, france.iri)
        regions.append(region)
    i = -1
    while count < target:
        i += 1
        roll = i % 20
        if roll < 9:  # 45% French
            name = world.names.next("city", "fr")
            city = Entity(f"city:{_slug(name)}", name, name)
            parent = rng.choice(regions).iri if rng.random() < 0.2 else france.iri
            place("City", city, rng.uniform(42.5, 50.9), rng.uniform(-4.5, 7.9), parent)
            world.fr_cities.append(city)
        elif roll < 18:  # 45% American, most of them in a state
            name = world.names.next("city", "us")
            city = Entity(f"city:{_slug(name)}", name, name)
            parent = rng.choice(states).iri if rng.random() < 0.7 else us.iri
            place("City", city, rng.uniform(25.1, 48.9), rng.uniform(-123.9, -67.1), parent)
            world.us_cities.append(city)
        else:
            name = world.names.next("city", "xx")
            city = Entity(f"city:{_slug(name)}", name, name)
            country = rng.choice(world.countries[2:])
            place("City", city, rng.uniform(-45, 65), rng.uniform(-120, 150), country.iri)
            world.other_cities.append(city)
    (out / "places.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return count


# --- Claims ---------------------------------------------------------------------------------

ClaimMaker = Callable[[_World, _Statements], tuple[str, str] | None]


def _new_org(world: _World, st: _Statements, kind: str | None = None) -> tuple[str, str]:
    rng = world.rng
    if kind is None:
        kind = rng.choices([k[0] for k in ORG_KINDS], [k[1] for k in ORG_KINDS])[0]
    _, _, en_pattern, fr_pattern = next(k for k in ORG_KINDS if k[0] == kind)
    name = world.names.next("org", "name", 3)
    org = Entity(
        f"organization:{_slug(name)}-{_slug(kind)}",
        en_pattern.format(n=name),
        fr_pattern.format(n=name),
        kind,
    )
    city = world.city()
    pairs: list[tuple[str, str | list[str]]] = [("cvekg:locatedIn", city.iri)]
    extra = ""
    if kind == "TerroristOrganization":
        pairs = []
        sentence = f"Officials warned that the {org.en} continues to inspire attacks"
    else:
        parents = world.orgs.get(kind, [])
        if kind in ("GovernmentBody", "AcademicInstitution") and parents and rng.random() < 0.2:
            parent = world.pick(parents)
            pairs.append(("cvekg:partOf", parent.iri))
            extra = f", part of the {parent.en}"
        if world.topics and kind != "Embassy" and rng.random() < 0.5:
            topic = world.pick(world.topics)
            pairs.append(("cvekg:topic", topic.iri))
            extra += f", which works on {topic.en}"
        sentence = f"The {org.en}, based in {city.en}{extra}, joined the effort"
    st.labelled(org, f"cvekg:{kind}", *pairs)
    world.orgs.setdefault(kind, []).append(org)
    return sentence, sentence


def _claim_org(world: _World, st: _Statements) -> tuple[str, str] | None:
    return _new_org(world, st)


def _claim_person(world: _World, st: _Statements) -> tuple[str, str] | None:
    rng = world.rng
    first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
    last = world.names.next("person", "name", 4)
    person = Entity(f"person:{_slug(first)}-{_slug(last)}", f"{first} {last}", f"{first} {last}")
    pairs: list[tuple[str, str | list[str]]] = []
    city = world.city()
    if city.iri not in world.mayors and rng.random() < 0.3:
        world.mayors.add(city.iri)
        pairs.append(("cvekg:mayorOf", city.iri))
        sentence = f"{person.en}, the mayor of {city.en}, welcomed the visitors"
    else:
        org = world.any_org()
        pairs.append(("cvekg:affiliation", org.iri))
        pairs.append(("cvekg:role", [_literal("expert", "en"), _literal("experte", "fr")]))
        sentence = f"{person.en}, an expert at the {org.en}, shared lessons learned"
    st.labelled(person, "cvekg:Person", *pairs)
    world.people.append(person)
    return sentence, sentence


def _new_topic(world: _World, st: _Statements) -> Entity:
    en, fr = TOPIC_WORDS[world.rng.randrange(len(TOPIC_WORDS))]
    name = world.names.next("topic", "xx", 4)
    topic = Entity(
        f"topic:{_slug(en)}-{_slug(name)}", f"{en} ({name} model)", f"{fr} (modèle {name})"
    )
    st.labelled(topic, "cvekg:Topic")
    world.topics.append(topic)
    return topic


def _claim_program(world: _World, st: _Statements) -> tuple[str, str] | None:
    name = world.names.next("program", "name", 3)
    program = Entity(
        f"program:{_slug(name)}-prevention",
        f"{name} Prevention Program",
        f"Programme de prévention {name}",
    )
    org = world.any_org()
    topic = world.pick(world.topics)
    st.labelled(program, "cvekg:Program", ("cvekg:operatedBy", org.iri), ("cvekg:topic", topic.iri))
    world.programs.append(program)
    sentence = f"The {program.en}, run by the {org.en}, addresses {topic.en}"
    return sentence, sentence


def _claim_city_pair(world: _World, st: _Statements) -> tuple[str, str] | None:
    rng = world.rng
    french = world.place(world.fr_cities)
    hosts = [world.place(world.us_cities)]
    if rng.random() < 0.3:
        second = world.place(world.us_cities)
        if second.iri != hosts[0].iri:
            hosts.append(second)
    date, precision, when_en, when_fr, year = world.date()
    number = len(world.exchanges) + 1
    host_en = " and ".join(h.en for h in hosts)
    host_fr = " et ".join(h.fr for h in hosts)
    event = Entity(
        f"event:city-pair-{_slug(french.en)}-{year}-{number}",
        f"City Pair {number}: {french.en} to {host_en} ({when_en})",
        f"City Pair {number} : {french.fr} à {host_fr} ({when_fr})",
    )
    st.labelled(
        event,
        "cvekg:CityPairExchange",
        ("cvekg:delegationFrom", french.iri),
        ("cvekg:hostCity", [h.iri for h in hosts]),
        ("cvekg:program", "program:city-pair"),
        ("cvekg:date", date),
        ("cvekg:datePrecision", precision),
    )
    world.exchanges.append(event)
    sentence = (
        f"In {when_en}, {french.en} took part in City Pair exchange number {number} with {host_en}"
    )
    return sentence, sentence[sentence.index(french.en) :]


def _claim_learned(world: _World, st: _Statements) -> tuple[str, str] | None:
    if not world.exchanges:
        return None
    event = world.pick(world.exchanges)
    topic = _new_topic(world, st)
    objects = [topic.iri]
    what = topic.en
    if world.attacks and world.rng.random() < 0.4:
        attack = world.pick(world.attacks)
        objects.append(attack.iri)
        what += f" and the response to the {attack.en}"
    st.add(event.iri, ("cvekg:learnedAbout", objects))
    sentence = f"During {event.en}, the delegates learned about {what}"
    return sentence, sentence


def _claim_met(world: _World, st: _Statements) -> tuple[str, str] | None:
    if not world.exchanges or not world.people:
        return None
    event = world.pick(world.exchanges)
    person, org = world.pick(world.people), world.any_org()
    st.add(event.iri, ("cvekg:metWith", [person.iri, org.iri]))
    sentence = f"During {event.en}, the delegation met {person.en} and the {org.en}"
    return sentence, sentence[sentence.index("the delegation") :]


def _claim_stop(world: _World, st: _Statements) -> tuple[str, str] | None:
    if not world.exchanges:
        return None
    event, city = world.pick(world.exchanges), world.place(world.us_cities)
    st.add(event.iri, ("cvekg:visitStop", city.iri))
    sentence = f"One of the stops of {event.en} was {city.en}"
    return sentence, sentence


def _claim_attack(world: _World, st: _Statements) -> tuple[str, str] | None:
    rng = world.rng
    city = world.city()
    kind_en, kind_fr = VENUE_KINDS[rng.randrange(len(VENUE_KINDS))]
    name = world.names.next("venue", "xx", 4)
    venue = Entity(
        f"venue:{_slug(name)}-{_slug(kind_en)}", f"{name} {kind_en}", f"{kind_fr} {name}"
    )
    attack = Entity(
        f"attack:{_slug(name)}-{_slug(kind_en)}",
        f"{name} {kind_en} attack",
        f"attentat du {kind_fr} {name}",
    )
    group = world.known_org("TerroristOrganization")
    killed = rng.choice([0, 1, 2, 3, 4, 5, 7, 9, 12, 22, 49, 86])
    date, precision, when_en, _, _ = world.date()
    link = "cvekg:inspiredBy" if rng.random() < 0.7 else "cvekg:perpetratorAffiliatedWith"
    st.labelled(
        attack,
        "cvekg:Attack",
        ("cvekg:place", city.iri),
        ("cvekg:site", venue.iri),
        (link, group.iri),
        ("cvekg:victimsKilled", _literal(str(killed), datatype="xsd:nonNegativeInteger")),
        ("cvekg:date", date),
        ("cvekg:datePrecision", precision),
    )
    st.labelled(venue, "cvekg:Venue", ("cvekg:locatedIn", city.iri))
    world.attacks.append(attack)
    how = "inspired by" if link == "cvekg:inspiredBy" else "carried out by an affiliate of"
    sentence = (
        f"In {when_en}, an attack {how} the {group.en} killed {killed} people "
        f"at the {venue.en} in {city.en}"
    )
    return sentence, sentence[sentence.index("an attack") :]


def _claim_in_wake(world: _World, st: _Statements) -> tuple[str, str] | None:
    if not world.exchanges or not world.attacks:
        return None
    event, attack = world.pick(world.exchanges), world.pick(world.attacks)
    st.add(event.iri, ("cvekg:inWakeOf", attack.iri))
    sentence = f"{event.en} took place in the wake of the {attack.en}"
    return sentence, sentence


def _claim_meeting(world: _World, st: _Statements) -> tuple[str, str] | None:
    rng = world.rng
    cls, en_kind, fr_kind = MEETING_KINDS[rng.randrange(len(MEETING_KINDS))]
    name = world.names.next("meeting", "xx", 4)
    organizer = world.known_org("Network", "Embassy", "GovernmentBody")
    topic = world.pick(world.topics)
    countries = rng.sample(world.countries, 2)
    date, precision, when_en, _, _ = world.date()
    meeting = Entity(
        f"event:{_slug(name)}-{en_kind}",
        f"{name} {en_kind} on {topic.en}",
        f"{fr_kind} {name} sur {topic.fr}",
    )
    st.labelled(
        meeting,
        f"cvekg:{cls}",
        ("cvekg:organizer", organizer.iri),
        ("cvekg:topic", topic.iri),
        ("cvekg:participantCountry", [c.iri for c in countries]),
        ("cvekg:date", date),
        ("cvekg:datePrecision", precision),
    )
    world.meetings.append(meeting)
    sentence = (
        f"In {when_en}, the {organizer.en} organized the {meeting.en}, with participants "
        f"from {countries[0].en} and {countries[1].en}"
    )
    return sentence, sentence[sentence.index("the " + organizer.en) :]


def _claim_presentation(world: _World, st: _Statements) -> tuple[str, str] | None:
    if not world.meetings or not world.programs:
        return None
    meeting, program, city = world.pick(world.meetings), world.pick(world.programs), world.city()
    number = world.names.next("presentation", "xx", 4)
    talk = Entity(
        f"event:{_slug(city.en)}-presentation-{_slug(number)}",
        f"{city.en} presents the {program.en} ({number})",
        f"{city.fr} présente le {program.fr} ({number})",
    )
    st.labelled(
        talk,
        "cvekg:Presentation",
        ("cvekg:presenter", city.iri),
        ("cvekg:topic", program.iri),
        ("cvekg:subEventOf", meeting.iri),
    )
    sentence = f"At the {meeting.en}, {city.en} presented the {program.en} (talk {number})"
    return sentence, sentence


def _claim_membership(world: _World, st: _Statements) -> tuple[str, str] | None:
    network = world.known_org("Network")
    members = []
    for _ in range(world.rng.randrange(2, 5)):
        city = world.city()
        if city not in members:
            members.append(city)
    for city in members:
        st.add(city.iri, ("cvekg:memberOf", network.iri))
    names = ", ".join(c.en for c in members[:-1]) + f" and {members[-1].en}"
    sentence = f"The {network.en} includes {names}"
    return sentence, sentence


def _claim_agreement(world: _World, st: _Statements) -> tuple[str, str] | None:
    if not world.programs:
        return None
    first = world.org("AcademicInstitution", "GovernmentBody")
    second = world.org("AcademicInstitution", "CivilSocietyOrganization")
    if first is None or second is None or first.iri == second.iri:
        return None
    program = world.pick(world.programs)
    number = world.names.next("agreement", "xx", 4)
    mou = Entity(
        f"event:mou-{_slug(number)}",
        f"Memorandum of Understanding {number} between the {first.en} and the {second.en}",
        f"Protocole d'accord {number} entre {first.fr} et {second.fr}",
    )
    st.labelled(
        mou,
        "cvekg:MemorandumOfUnderstanding",
        ("cvekg:signatory", [first.iri, second.iri]),
        ("cvekg:agreementFor", program.iri),
    )
    sentence = (
        f"The {first.en} signed Memorandum of Understanding {number} with the {second.en} "
        f"for the {program.en}"
    )
    return sentence, sentence


def _claim_expert_visit(world: _World, st: _Statements) -> tuple[str, str] | None:
    if not world.people:
        return None
    person, topic = world.pick(world.people), world.pick(world.topics)
    country = world.countries[world.rng.randrange(2)]
    number = world.names.next("visit", "xx", 4)
    visit = Entity(
        f"event:visit-{_slug(number)}",
        f"Expert visit {number} of {person.en}",
        f"Visite d'expert {number} de {person.fr}",
    )
    st.labelled(
        visit,
        "cvekg:ExpertVisit",
        ("cvekg:visitor", person.iri),
        ("cvekg:destination", country.iri),
        ("cvekg:topic", topic.iri),
        ("cvekg:dateDescription", _literal("several years ago")),
    )
    sentence = (
        f"Several years ago {person.en} made expert visit {number} to {country.en} to share "
        f"knowledge on {topic.en}"
    )
    return sentence, sentence


def _claim_disaster(world: _World, st: _Statements) -> tuple[str, str] | None:
    name = world.names.next("storm", "xx", 4)
    city = world.city()
    date, precision, when_en, _, _ = world.date()
    storm = Entity(f"incident:hurricane-{_slug(name)}", f"Hurricane {name}", f"Ouragan {name}")
    st.labelled(
        storm,
        "cvekg:NaturalDisaster",
        ("cvekg:place", city.iri),
        ("cvekg:date", date),
        ("cvekg:datePrecision", precision),
    )
    sentence = f"In {when_en}, Hurricane {name} struck {city.en}"
    return sentence, sentence


# (maker, weight): roughly the mix of claim kinds in the real document.
CLAIM_KINDS: list[tuple[ClaimMaker, int]] = [
    (_claim_city_pair, 12),
    (_claim_learned, 9),
    (_claim_met, 6),
    (_claim_stop, 3),
    (_claim_attack, 13),
    (_claim_in_wake, 4),
    (_claim_org, 13),
    (_claim_person, 8),
    (_claim_program, 6),
    (_claim_meeting, 6),
    (_claim_presentation, 6),
    (_claim_membership, 6),
    (_claim_agreement, 3),
    (_claim_expert_visit, 3),
    (_claim_disaster, 2),
]


def _normal(text: str) -> str:
    return " ".join(text.split())


class _Document:
    """One synthetic source document being written: its claims and its text."""

    def __init__(self, world: _World, index: int):
        self.world = world
        self.slug = f"synth-{index:05d}"
        self.claims: list[Claim] = []
        self.sentences: list[str] = []
        self.seen = ""  # the normalised text so far, to keep every quote unique

    def add(self, name: str, statements: _Statements, sentence: str, quote: str) -> bool:
        if quote in self.seen or sentence in self.seen:
            return False
        if any(c.quote in sentence for c in self.claims):
            return False
        self.claims.append(
            Claim(name, "\n".join(statements.blocks), statements.count, sentence, quote)
        )
        self.sentences.append(sentence + ".")
        self.seen += " " + sentence + "."
        return True

    def text(self, header: list[str]) -> str:
        rng = self.world.rng
        paragraphs, i = [], 0
        while i < len(self.sentences):
            size = rng.randrange(2, 6)
            paragraphs.append(" ".join(self.sentences[i : i + size]))
            i += size
        wrapped = [
            textwrap.fill(p, width=rng.randrange(80, 100), break_on_hyphens=False)
            for p in paragraphs
        ]
        return "\n\n".join(header + wrapped) + "\n"

    def trig(self, title_claims: list[Claim]) -> str:
        lines = [
            f"# Synthetic claims about {self.slug}.txt (scripts/synth.py).",
            "",
            PREFIXES.rstrip("\n"),
            f"@prefix claim:   <https://w3id.org/cvekg/claim/{self.slug}/> .",
            "",
            f'source:{self.slug} a cvekg:SourceDocument ;\n    cvekg:text "{self.slug}.txt" .',
            "",
        ]
        for claim in title_claims + self.claims:
            lines.append(f"claim:{claim.name} {{\n{claim.body}\n}}")
            # The synthetic text is written to state each claim's triples in so many words.
            lines.append(
                f"claim:{claim.name} cvekg:quote {_literal(claim.quote)} ; "
                "cvekg:support cvekg:stated ."
            )
            lines.append("")
        return "\n".join(lines)


def _core(world: _World, st: _Statements) -> tuple[str, str]:
    """The claim every corpus needs first: the City Pair programme and its operator."""
    state = Entity(
        "organization:us-state-department",
        "U.S. Department of State",
        "Département d'État des États-Unis",
        "GovernmentBody",
    )
    st.labelled(state, "cvekg:GovernmentBody")
    program = Entity(
        "program:city-pair",
        "City Pair CVE Partnership Program",
        "Programme de partenariat City Pair contre l'extrémisme violent",
    )
    st.labelled(program, "cvekg:Program", ("cvekg:operatedBy", state.iri))
    world.orgs.setdefault("GovernmentBody", []).append(state)
    world.programs.append(program)
    sentence = "The State Department runs the City Pair CVE Partnership Program"
    return sentence, sentence


def generate(triples: int, out: Path, seed: int = 1) -> Corpus:
    """Write a corpus of about ``triples`` asserted triples into ``out`` (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("synth-*.trig"), *out.glob("synth-*.txt")]:
        old.unlink()
    rng = random.Random(seed)
    world = _World(rng, Names(rng))
    corpus = Corpus(out)
    corpus.reference_triples = _reference(world, int(triples * REFERENCE_SHARE), out)
    claim_target = triples - corpus.reference_triples
    makers = [m for m, _ in CLAIM_KINDS]
    weights = [w for _, w in CLAIM_KINDS]
    index = 0
    while corpus.claim_triples < claim_target:
        index += 1
        doc = _Document(world, index)
        header_claims = _document_header(world, doc)
        corpus.claim_triples += sum(c.triples for c in header_claims)
        if index == 1:
            st = _Statements()
            sentence, quote = _core(world, st)
            doc.add("city-pair-program", st, sentence, quote)
            corpus.claim_triples += st.count
            for kind in ("TerroristOrganization", "TerroristOrganization", "Network", "Embassy"):
                st = _Statements()
                sentence, quote = _new_org(world, st, kind)
                doc.add(f"c{len(doc.claims):03d}-organization", st, sentence, quote)
                corpus.claim_triples += st.count
            for _ in range(3):
                st = _Statements()
                topic = _new_topic(world, st)
                sentence = f"Participants agreed that {topic.en} deserves attention"
                doc.add(f"c{len(doc.claims):03d}-topic", st, sentence, sentence)
                corpus.claim_triples += st.count
        size = rng.randrange(30, 80)
        attempts = 0
        while len(doc.claims) < size and corpus.claim_triples < claim_target and attempts < 500:
            attempts += 1
            maker = rng.choices(makers, weights)[0]
            st = _Statements()
            made = maker(world, st)
            if made is None:
                continue
            sentence, quote = made
            kind = maker.__name__.removeprefix("_claim_").replace("_", "-")
            if doc.add(f"c{len(doc.claims):03d}-{kind}", st, sentence, quote):
                corpus.claim_triples += st.count
        header = [
            f"Synthetic report {index}",
            header_claims[1].sentence,
            header_claims[0].sentence,
        ]
        (out / f"{doc.slug}.txt").write_text(doc.text(header), encoding="utf-8")
        (out / f"{doc.slug}.trig").write_text(doc.trig(header_claims), encoding="utf-8")
        corpus.documents += 1
        corpus.claims += len(doc.claims) + len(header_claims)
    return corpus


def _document_header(world: _World, doc: _Document) -> list[Claim]:
    """The title and author claims of a document (their sentences head the text)."""
    rng = world.rng
    number = int(doc.slug.rsplit("-", 1)[1])
    title = f"How cities work together against violent extremism, report {number}"
    st = _Statements()
    st.add(f"source:{doc.slug}", ("cvekg:title", _literal(title, "en")))
    title_claim = Claim("document-title", "\n".join(st.blocks), st.count, title, title)
    first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
    last = world.names.next("person", "name", 4)
    author = Entity(f"person:{_slug(first)}-{_slug(last)}", f"{first} {last}", f"{first} {last}")
    year, month, day = rng.randrange(2015, 2025), rng.randrange(12), rng.randrange(1, 29)
    byline = f"{MONTHS[month][0][:3]} {day:02d}, {year} by {author.en}"
    st = _Statements()
    st.add(
        f"source:{doc.slug}",
        ("cvekg:author", author.iri),
        ("cvekg:published", _literal(f"{year}-{month + 1:02d}-{day:02d}", datatype="xsd:date")),
    )
    st.labelled(author, "cvekg:Person")
    world.people.append(author)
    author_claim = Claim("document-author", "\n".join(st.blocks), st.count, byline, byline)
    return [title_claim, author_claim]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``synth.py --triples N --out DIR [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, required=True, help="asserted triples wanted")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the corpus to")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.triples < 500:
        parser.error("--triples must be at least 500")
    corpus = generate(args.triples, args.out, args.seed)
    print(
        f"wrote {corpus.documents} documents, {corpus.claims} claims: {corpus.triples} triples "
        f"({corpus.claim_triples} in claims, {corpus.reference_triples} reference) -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
