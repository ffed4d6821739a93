"""The shapes require only what every source of a kind states: a claim that says no more than
its one sentence builds with no violation (what a source usually adds is a warning)."""

from __future__ import annotations

import shutil
from pathlib import Path

from graph.pipeline import build
from graph.resources import sources_dir

#: One sentence per kind of thing users ask for, and what that sentence alone states: its
#: kind, its name (labels in English and French: the name, written for the views' language
#: switch) and, for a City Pair, the city it names and the programme its name says. No date,
#: place, host, organiser, presenter, signatory or count: no such sentence needs to give one.
SENTENCES = {
    "Attack": ("There was an attack.", "attack:an-attack", "An attack"),
    "AttackSeries": ("Attacks happened.", "attack:some-attacks", "Some attacks"),
    "CityPairExchange": (
        "Lyon took part in a City Pair.",
        "event:a-city-pair",
        "A City Pair",
    ),
    "ExpertVisit": ("An expert visited.", "event:a-visit", "A visit"),
    "Meeting": ("A meeting was held.", "event:a-meeting", "A meeting"),
    "Summit": ("A summit took place.", "event:a-summit", "A summit"),
    "Workshop": ("A workshop took place.", "event:a-workshop", "A workshop"),
    "Presentation": ("Someone presented.", "event:a-presentation", "A presentation"),
    "MemorandumOfUnderstanding": (
        "An agreement was signed.",
        "event:an-agreement",
        "An agreement",
    ),
    "Organization": ("An organisation helped.", "organization:an-org", "An organisation"),
    "Person": ("A person spoke.", "person:a-person", "A person"),
    "Program": ("The City Pair programme ran.", "program:city-pair", "City Pair"),
    "Topic": ("Resilience was discussed.", "topic:a-topic", "Resilience"),
}


def _minimal_sources(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(sources_dir() / "places.ttl", folder / "places.ttl")  # Lyon's coordinates
    text = " ".join(sentence for sentence, _, _ in SENTENCES.values())
    (folder / "minimal.txt").write_text(text + "\n", encoding="utf-8")
    trig = [
        "@prefix cvekg: <https://w3id.org/cvekg/ontology#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix claim: <https://w3id.org/cvekg/claim/minimal/> .",
        *(
            f"@prefix {p}: <https://w3id.org/cvekg/id/{p}/> ."
            for p in (
                "source",
                "attack",
                "event",
                "organization",
                "person",
                "program",
                "topic",
                "city",
            )
        ),  # fmt: skip
        'source:minimal a cvekg:SourceDocument ; cvekg:text "minimal.txt" .',
    ]
    for kind, (sentence, iri, label) in SENTENCES.items():
        name = iri.split(":")[1]
        extra = ""
        if kind == "CityPairExchange":  # "Lyon took part in a City Pair"
            extra = " ; cvekg:partnerCity city:lyon ; cvekg:program program:city-pair"
        trig += [
            f"claim:{name} {{ {iri} a cvekg:{kind} ; "
            f'rdfs:label "{label}"@en , "{label}"@fr{extra} . }}',
            f'claim:{name} cvekg:quote "{sentence}" ; cvekg:support cvekg:stated .',
        ]
    (folder / "minimal.trig").write_text("\n".join(trig) + "\n", encoding="utf-8")
    return folder


def test_a_claim_stating_only_its_sentence_is_never_a_violation(tmp_path: Path) -> None:
    result = build(sources=_minimal_sources(tmp_path / "sources"), out=tmp_path / "out",
                   views=False)  # fmt: skip
    assert result.shacl == [] and result.lint == []
    # What such sources usually give, and these do not, is reported, never required.
    warned = "\n".join(result.warnings)
    for missing in ("which city sent the delegation", "place"):
        assert missing in warned, missing
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert f"- {len(result.warnings)} warnings" in report
    assert f"{len(SENTENCES)} stated (the words say it), 0 read from context" in report
