"""Competency questions: every query in ontology/queries/ gives the answer the source states.

Expected answers were written by reading the source document, not by running the queries.
"""

from __future__ import annotations

import re

import pytest

from graph.query.sparql import select
from graph.resources import queries_dir, sources_dir

TEXT = (
    sources_dir() / "dipnote-2019-06-06-french-us-communities-counter-radicalization.txt"
).read_text(encoding="utf-8")
NORMAL_TEXT = " ".join(TEXT.split())
CITY_PAIR = "City Pair CVE Partnership Program"
SCN = "Strong Cities Network"

EXPECTED: dict[str, tuple[tuple[str, ...], set[tuple]]] = {
    "01-french-cities": (
        ("cityLabel",),
        {
            ("Bordeaux",),
            ("Lyon",),
            ("Marseille",),
            ("Montreuil",),
            ("Nice",),
            ("Paris",),
            ("Sarcelles",),
            ("Strasbourg",),
            ("Toulouse",),
        },
    ),
    "02-us-cities": (
        ("cityLabel", "regionLabel"),
        {
            ("Atlanta", None),
            ("Boston", None),
            ("Chicago", None),
            ("Clarkston", "Georgia"),
            ("Los Angeles", None),
            ("New Orleans", None),
            ("New York", None),
            ("Orlando", None),
            ("San Bernardino", None),
            ("Tampa", None),
        },
    ),
    "03-city-pairs": (
        ("frenchCityLabel", "usCityLabel", "date", "programLabel", "hosted"),
        {
            # "participated in a City Pair with Orlando and Tampa": only Orlando is met there.
            ("Marseille", "Orlando", "2016-12", CITY_PAIR, "true"),
            ("Marseille", "Tampa", "2016-12", CITY_PAIR, "false"),
            ("Toulouse", "Atlanta", "2017-11", CITY_PAIR, "true"),
            ("Lyon", "New Orleans", "2017-12", CITY_PAIR, "true"),
            ("Strasbourg", "Boston", "2018-05", CITY_PAIR, "true"),
            ("Paris", "Chicago", "2019-03", CITY_PAIR, "true"),
            ("Paris", "Los Angeles", "2019-03", CITY_PAIR, "true"),
        },
    ),
    "04-strong-cities-network": (
        ("cityLabel", "founderLabel"),
        {
            (city, "U.S. Department of State")
            for city in ("Bordeaux", "Montreuil", "Paris", "Sarcelles")
        },
    ),
    "05-attacks-before-exchanges": (
        ("attackLabel", "attackDate", "interval", "yearsLater"),
        {
            # "six months after the Orlando Pulse nightclub attack": the text's words, no date.
            ("Orlando Pulse nightclub attack", None, "six months", None),
            ("Boston Marathon bombings", "2013", None, "5"),
        },
    ),
    "06-agreements": (
        ("signatoryLabel", "programLabel", "causeLabel"),
        {
            (
                signatory,
                "Countering Violent Extremism (CVE) Studies degree program",
                "Subsequent visits of Erroll Southers to France",
            )
            for signatory in (
                "USC Price School of Public Policy",
                "Université Paris II Panthéon-Assas",
            )
        },
    ),
    "07-survivors": (
        ("organizationLabel", "relation", "placeLabel"),
        {
            ("One World Strong", "founded by survivors of", "Boston"),
            ("One World Strong", "worked with survivors of", "Nice"),
            ("One World Strong", "worked with survivors of", "Paris"),
        },
    ),
    "08-learned-about": (
        ("delegationLabel", "subjectLabel"),
        {
            ("Marseille", "Orlando Pulse nightclub attack"),
            ("Marseille", "Response to a terrorist attack"),
            ("Toulouse", "Resilience of new communities"),
            ("Toulouse", "Local government work with civil society against radicalization"),
            ("Lyon", "Community resilience"),
            ("Lyon", "Hurricane Katrina"),
            ("Lyon", "After-school programs"),
            ("Lyon", "Protection of soft targets"),
            ("Lyon", "French Quarter"),
            ("Lyon", "New Orleans' efforts to promote resilience"),
            ("Strasbourg", "Response to a terrorist attack"),
            ("Strasbourg", "Boston Marathon bombings"),
            ("Strasbourg", "One World Strong"),
            ("Strasbourg", "Gang violence"),
            ("Strasbourg", "Youth delinquency"),
            ("Paris", "Illinois Targeted Violence Prevention Program"),
        },
    ),
    "09-met-with": (
        ("delegationLabel", "metLabel"),
        {
            ("Marseille", "Buddy Dyer"),
            ("Marseille", "Community leaders met by the Marseille delegation"),
            ("Marseille", "Orlando Police Department"),
            ("Paris", "Gang Reduction and Youth Development (GRYD) program"),
            ("Paris", "Homeboy Industries"),
        },
    ),
    "10-attacks": (
        (
            "placeLabel",
            "date",
            "dateFrom",
            "attackTypeLabel",
            "targetTypeLabel",
            "killed",
            "perpetrator",
            "groupLabel",
            "inspiredByLabel",
        ),
        {
            # Dated only "six months" before December 2016: the month is derived, and said so.
            # Inspired by ISIS is not carried out by ISIS: no perpetrator group.
            (
                "Orlando",
                "2016-06",
                "derived from the text",
                None,
                "Business",
                "49",
                "an ISIS-inspired terrorist",
                None,
                "ISIS",
            ),
            (
                "Marseille",
                "2017-10",
                "stated",
                None,
                "Private citizens and property",
                "2",
                "an ISIS-inspired man",
                None,
                "ISIS",
            ),
            (
                "Manchester",
                "2017-06",
                "stated",
                None,
                None,
                "22",
                "an ISIS affiliate",
                "ISIS",
                None,
            ),
            ("Boston", "2013", "stated", "Bombing/Explosion", None, None, None, None, None),
        },
    ),
    "11-attacks-by-group": (
        ("groupLabel", "link", "attackLabel"),
        {
            ("ISIS", "inspired by", "Orlando Pulse nightclub attack"),
            ("ISIS", "inspired by", "Marseille train station attack"),
            ("ISIS", "perpetrator affiliated with", "Manchester attack"),
        },
    ),
    "12-presentations": (
        ("presenterLabel", "topicLabel", "placeLabel"),
        {
            ("Bordeaux", "Center for Prevention of Radicalization (CAPRI)", "Australia"),
            ("Bordeaux", "Center for Prevention of Radicalization (CAPRI)", "Lebanon"),
            ("Bordeaux", "Center for Prevention of Radicalization (CAPRI)", "Turkey"),
            (
                "Member of Manchester City Council (unnamed)",
                "Exchange between Manchester and Boston",
                None,
            ),
            (
                "Member of Manchester City Council (unnamed)",
                "One-year remembrance of the Manchester attack",
                None,
            ),
        },
    ),
    "13-outcomes": (
        ("causeLabel", "resultLabel", "status"),
        {
            (
                "Subsequent visits of Erroll Southers to France",
                "Memorandum of Understanding between USC's Price School and Panthéon-Assas",
                None,
            ),
            (
                "City Pair: Lyon to New Orleans (December 2017)",
                "Programs to engage vulnerable youth in Lyon",
                "in development",
            ),
            (
                "City Pair: Strasbourg to Boston (May 2018)",
                "Strasbourg international conference on community resilience",
                "planned",
            ),
        },
    ),
    "14-programs": (
        ("programLabel", "partnerLabel"),
        {
            (CITY_PAIR, "DHS Office for Civil Rights and Civil Liberties"),
            ("International Visitor Leadership Program", None),
            ("State Department speaker programs", None),
        },
    ),
    "15-workshop": (
        ("date", "organizers", "countryLabel"),
        {
            ("2019-04", "European Forum for Urban Security and U.S. Embassy Paris", country)
            for country in ("Belgium", "France", "Germany", "United Kingdom", "United States")
        },
    ),
    "16-exchanges-per-year": (
        ("year", "exchanges", "cities"),
        {
            ("2016", "1", "Marseille"),
            ("2018", "1", "Strasbourg"),
            ("2019", "1", "Paris"),
            ("2017", "2", "Lyon, Toulouse"),
        },
    ),
    "17-attacked-host-cities": (
        ("cityLabel", "attackLabel", "visitingLabel"),
        {
            ("Orlando", "Orlando Pulse nightclub attack", "Marseille"),
            ("Boston", "Boston Marathon bombings", "Strasbourg"),
        },
    ),
    "18-attacked-french-cities": (
        ("cityLabel", "attackLabel", "exchanges"),
        {
            ("Marseille", "Marseille train station attack", "1"),
            ("Marseille", "Attacks in Marseille over the past four years", "1"),
            ("Nice", "Terrorist attacks in Nice", "0"),
            ("Nice", "Attacks in Nice over the past four years", "0"),
            ("Paris", "Terrorist attacks in Paris", "1"),
            ("Paris", "Attacks in Paris over the past four years", "1"),
            ("Strasbourg", "Attacks in Strasbourg over the past four years", "1"),
        },
    ),
    "19-people": (
        ("personLabel", "role", "mayorOfLabel", "affiliationLabel"),
        {
            (
                "Erroll Southers",
                "homeland security expert",
                None,
                "University of Southern California",
            ),
            ("Buddy Dyer", None, "Orlando", None),
            ("Michael Duffin", None, None, None),
        },
    ),
    "20-summit": (
        ("summitLabel", "date", "hostLabel", "countryLabel"),
        {
            ("Global Summit on Homegrown Violent Extremism", "2017-11", host, "France")
            for host in ("USC Price School of Public Policy", "Safe Communities Institute")
        },
    ),
    "21-university-structure": (
        ("unitLabel", "parentLabel", "activityLabel"),
        {
            (
                "USC Price School of Public Policy",
                "University of Southern California",
                "Global Summit on Homegrown Violent Extremism",
            ),
            (
                "USC Price School of Public Policy",
                "University of Southern California",
                "Memorandum of Understanding between USC's Price School and Panthéon-Assas",
            ),
            (
                "Safe Communities Institute",
                "USC Price School of Public Policy",
                "Global Summit on Homegrown Violent Extremism",
            ),
        },
    ),
    "22-vague-dates": (
        ("eventLabel", "dateDescription", "relation", "relativeToLabel"),
        {
            ("First visit of Erroll Southers to France", "several years ago", None, None),
            (
                "Strasbourg international conference on community resilience",
                "this fall",
                None,
                None,
            ),
            ("One-year remembrance of the Manchester attack", "one-year", None, None),
            (
                "Orlando Pulse nightclub attack",
                "six months",
                "before",
                "City Pair: Marseille with Orlando and Tampa (December 2016)",
            ),
            *(
                (
                    f"Attacks in {city} over the past four years",
                    "over the past four years",
                    None,
                    None,
                )
                for city in (
                    "Marseille",
                    "New York",
                    "Nice",
                    "Orlando",
                    "Paris",
                    "San Bernardino",
                    "Strasbourg",
                )
            ),
        },
    ),
    "23-editorial-notes": (
        ("claim",),
        {
            (f"https://w3id.org/cvekg/claim/dipnote-2019-06-06/{name}",)
            for name in (
                # OCR slips and corrected labels
                "ivlp",
                "marseille-train-station-attack",
                "manchester-attack",
                "boston-marathon-bombings",
                "strasbourg-conference",
                # read from context
                "document-cpd-blog",
                "key-engagements-state-department",
                "speaker-programs",
                "city-pair-program-state-department",
                "bordeaux-presentation-australia",
                "bordeaux-presentation-lebanon",
                "bordeaux-presentation-turkey",
                "city-pair-marseille-host",
                "orlando-pulse-nightclub-date",
                "orlando-pulse-nightclub-target-type",
                "marseille-saint-charles",
                "marseille-train-station-target-type",
                "city-pair-toulouse",
                "city-pair-toulouse-clarkston-learned",
                "city-pair-lyon",
                "french-quarter",
                "manchester-remembrance-organizer",
                "manchester-attack-place",
            )
        },
    ),
    "24-claims-about": (
        ("claim",),
        {
            (f"https://w3id.org/cvekg/claim/dipnote-2019-06-06/{name}",)
            for name in (
                "city-pair-marseille",
                "city-pair-marseille-delegation",
                "marseille-train-station-attack",
                "marseille-saint-charles",
                "recent-attacks",
            )
        },
    ),
    # "Local government and community leaders from Paris visited Chicago and Los Angeles
    # through the City Pair in March 2019"; the coordinates are the reference data's.
    "25-paris-visits": (
        ("cityLabel", "lat", "long", "date"),
        {("Chicago", "41.85", "-87.65", "2019-03"), ("Los Angeles", "34.05", "-118.24", "2019-03")},
    ),
}

QUERIES = sorted(queries_dir().glob("*.rq"))


def _canonical(value: str | None) -> str | None:
    """GROUP_CONCAT lists come in no guaranteed order; compare them sorted."""
    if value is None or ", " not in value:
        return value
    return ", ".join(sorted(value.split(", ")))


def test_there_are_enough_competency_queries() -> None:
    assert len(QUERIES) >= 20
    assert {q.stem for q in QUERIES} == set(EXPECTED)


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_starts_with_its_question(path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert re.match(r"# [A-Z].*\?$", first), first


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_competency_query_answer(store, name: str) -> None:
    columns, expected = EXPECTED[name]
    rows = select(store, (queries_dir() / f"{name}.rq").read_text(encoding="utf-8"))
    got = [tuple(_canonical(row[c]) for c in columns) for row in rows]
    assert len(got) == len(set(got)), "duplicate rows"
    assert set(got) == expected


@pytest.mark.parametrize(
    "name",
    sorted(
        n
        for n in EXPECTED
        if n not in {"01-french-cities", "02-us-cities", "16-exchanges-per-year"}
    ),
)
def test_answers_carry_quotes_from_the_text(store, name: str) -> None:
    rows = select(store, (queries_dir() / f"{name}.rq").read_text(encoding="utf-8"))
    assert rows
    for row in rows:
        assert row["quote"] and " ".join(row["quote"].split()) in NORMAL_TEXT, row


def _required_after_optional(text: str) -> list[str]:
    """Top-level triple or GRAPH patterns that follow a top-level OPTIONAL of the WHERE group
    (none when a BIND follows the OPTIONAL: a BIND reads what is bound before it)."""
    depth, seen, found, binds = 0, False, [], False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            continue
        if depth == 1 and s.startswith("OPTIONAL"):
            seen = True
        elif depth == 1 and seen and s.startswith("BIND"):
            binds = True
        elif depth == 1 and seen and re.match(r"(\?|GRAPH\b|<|[a-z]+:)", s):
            found.append(s)
        depth += line.count("{") - line.count("}")
    return [] if binds else found


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_optionals_come_after_the_required_patterns(path) -> None:
    """Queries 08 and 12 ran for minutes at 100k asserted triples: Oxigraph joins the
    required patterns after an OPTIONAL on their own first (every label with every label)."""
    assert _required_after_optional(path.read_text(encoding="utf-8")) == []


def _joined_after_union(text: str) -> list[str]:
    """Top-level triple or GRAPH patterns that follow a top-level UNION of the WHERE group."""
    depth, seen, found = 0, False, []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            continue
        if depth == 2 and re.match(r"\}\s*UNION\b", s):
            seen = True
        elif depth == 1 and seen and re.match(r"(\?|GRAPH\b|<|[a-z]+:)", s):
            found.append(s)
        depth += line.count("{") - line.count("}")
    return found


def test_union_rule_sees_a_pattern_after_the_union() -> None:
    text = (
        "SELECT * WHERE {\n  {\n    ?a ?b ?c .\n  } UNION {\n    ?a ?d ?c .\n  }\n"
        "  ?a rdfs:label ?l .\n}\n"
    )
    assert _joined_after_union(text) == ["?a rdfs:label ?l ."]


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_nothing_is_joined_after_a_union(path) -> None:
    """Query 22 took 22 s at 1M asserted triples: Oxigraph read the label joined after its
    UNION first, every label of the graph; each branch now reads its own label and quote."""
    assert _joined_after_union(path.read_text(encoding="utf-8")) == []
