"""The colour groups of the legend: the classes each covers, its colour and shape."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Group", "GROUPS", "GROUP_OF_CLASS", "EVENT_GROUPS"]


@dataclass(frozen=True)
class Group:
    """A colour group of the legend: the classes it covers, its colour and vis-network shape."""

    key: str
    en: str
    fr: str
    color: str
    shape: str
    classes: tuple[str, ...]


#: The legend, in its order. A node's group is the first one covering its most specific class
#: or, failing that, the nearest superclass that a group covers.
GROUPS: tuple[Group, ...] = (
    Group("french-city", "French city", "Ville française", "#1d4ed8", "dot", ("FrenchCity",)),
    Group("us-city", "US city", "Ville américaine", "#b91c1c", "dot", ("USCity",)),
    Group("city", "Other city", "Autre ville", "#6b7280", "dot", ("City",)),
    Group(
        "country",
        "Country or region",
        "Pays ou région",
        "#0e7490",
        "hexagon",
        ("Country", "Region"),
    ),
    Group(
        "place",
        "District or venue",
        "Quartier ou site",
        "#65a30d",
        "hexagon",
        ("District", "Venue", "Place"),
    ),
    Group("person", "Person", "Personne", "#d97706", "triangle", ("Person",)),
    Group(
        "government",
        "Government body",
        "Organisme public",
        "#047857",
        "square",
        ("GovernmentBody",),
    ),
    Group(
        "academic",
        "University or school",
        "Université ou école",
        "#7c3aed",
        "square",
        ("AcademicInstitution",),
    ),
    Group(
        "terrorist",
        "Terrorist organization",
        "Organisation terroriste",
        "#111827",
        "triangleDown",
        ("TerroristOrganization",),
    ),
    Group(
        "organization",
        "Organization",
        "Organisation",
        "#0d9488",
        "square",
        ("Organization", "Agent"),
    ),
    Group("program", "Program", "Programme", "#c026d3", "hexagon", ("Program",)),
    Group("topic", "Topic", "Thème", "#ca8a04", "dot", ("Topic",)),
    Group(
        "exchange", "Exchange or visit", "Échange ou visite", "#ea580c", "diamond", ("Exchange",)
    ),
    Group("attack", "Attack", "Attentat", "#7f1d1d", "star", ("Attack",)),
    Group("incident", "Other incident", "Autre incident", "#a16207", "star", ("Incident",)),
    Group(
        "event",
        "Meeting, presentation or agreement",
        "Rencontre, présentation ou accord",
        "#db2777",
        "diamond",
        ("Event",),
    ),
    Group(
        "document", "Source document", "Document source", "#334155", "square", ("SourceDocument",)
    ),
    Group("other", "Other", "Autre", "#9ca3af", "dot", ()),
)
#: The group of each class a group covers, by the class's local name.
GROUP_OF_CLASS = {c: g.key for g in GROUPS for c in g.classes}
#: Groups whose nodes are events: the timeline's nodes, the city-pair view's folded edges.
EVENT_GROUPS = frozenset({"exchange", "attack", "incident", "event"})
