"""What ``index.html`` shows: counts, sources, the views, the exchanges, and every entity.

Every entity reaches the page once, as a compact JSON table (:func:`entity_table`): one
row of plain values per entity, its kind and class as numbers into two small lists, its page
derived from its key. The page's search box and its entity table (``static/entity-table.js``:
paged, sorted, filtered, one page of rows in the document at a time) both read it. Measured on
the synthetic 100k-triple corpus (15,814 entities), the list of one object per entity, each
repeating its colour, shape, class names and link, made ``index.html`` 4.9 MB; the table makes
it 1.8 MB, and the seed graph's index goes from 103 kB to 63 kB (``python scripts/synth.py
--triples 100000 --out /tmp/syn100k && cvekg build --sources /tmp/syn100k --out /tmp/b100k``,
then ``ls -l /tmp/b100k/views/index.html``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any

from graph import network as gn
from graph.text import runs

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["index_context", "entity_table", "ENTITY_HREF"]

#: Where an entity's page is from the index: this, its key, ``.html``.
ENTITY_HREF = "entity/"


def entity_table(
    G: nx.MultiDiGraph,
    page_of: Callable[[Hashable], str | None],
    degree: dict[Hashable, int] | None = None,
) -> dict[str, Any]:
    """Every entity with a page, for the index's search and table, as compact JSON.

    ``groups`` lists the kinds present (``[key, en, fr, colour, shape]``), ``classes`` the
    classes (``[en, fr]``); each of ``rows`` is ``[en, fr, key, group, class, links, alt
    names]``: ``fr`` is ``""`` when the same as ``en``, ``group`` and ``class`` index those
    lists, ``links`` counts the entity's relations (the table sorts by it), and the list of
    alternative names is left out when empty. Rows come in the order of the kinds, then by
    name. An entity's page is ``ENTITY_HREF + key + ".html"``.
    """
    degree = degree if degree is not None else dict(G.degree)
    order = {g.key: i for i, g in enumerate(gn.GROUPS)}
    members: dict[str, list[Hashable]] = defaultdict(list)
    for n, d in G.nodes(data=True):
        if page_of(n):
            members[d.get("group", "other")].append(n)
    groups = sorted(members, key=lambda g: order.get(g, len(order)))
    by_key = {g.key: g for g in gn.GROUPS}
    classes: dict[tuple[str, str], int] = {}
    rows = []
    for gi, group in enumerate(groups):
        for n in sorted(members[group], key=lambda n: G.nodes[n]["label_en"].casefold()):
            d = G.nodes[n]
            en, fr = d["label_en"], d["label_fr"]
            cls = classes.setdefault((d.get("class_en", ""), d.get("class_fr", "")), len(classes))
            row: list[Any] = [en, "" if fr == en else fr, d["key"], gi, cls, degree.get(n, 0)]
            alt = [a for a in d.get("alt_labels", ()) if a not in (en, fr)]
            if alt:
                row.append(alt)
            rows.append(row)
    return {
        "groups": [
            [g, by_key[g].en, by_key[g].fr, by_key[g].color, by_key[g].shape]
            if g in by_key
            else [g, g, g, "#9ca3af", "dot"]
            for g in groups
        ],
        "classes": [list(c) for c in classes],
        "rows": rows,
        "href": ENTITY_HREF,
    }


def index_context(
    G: nx.MultiDiGraph,
    page_of: Callable[[Hashable], str | None],
    city_pairs: nx.MultiDiGraph,
    views: Iterable[tuple[str, str, str, str, str]],
    entity_pages: bool,
    edge_count: int,
    degree: dict[Hashable, int] | None = None,
) -> dict[str, Any]:
    """What ``index.html`` shows: counts, sources, the views, every entity for the search and
    the table. ``page_of`` says where an entity's page is (``None``: it has none)."""
    counts: dict[str, int] = defaultdict(int)
    for _, d in G.nodes(data=True):
        counts[d.get("group", "other")] += 1
    claims_by_source: dict[str, int] = defaultdict(int)
    for c in G.graph.get("claims", {}).values():
        claims_by_source[c.get("source") or ""] += 1
    sources = [
        {
            **s,
            "claims": claims_by_source.get(s["iri"], 0),
            "published": gn.format_date(s["published"]),
        }
        for s in G.graph.get("sources", [])
    ]
    quoted = sum(1 for *_, d in G.edges(data=True) if d.get("quote"))
    note = ("", "")
    if not entity_pages:
        note = (
            f"{G.number_of_nodes():,} entities: entity pages are written on demand "
            "(cvekg view --entity NAME).",
            f"{G.number_of_nodes():,} entités : les pages d'entité sont écrites à la demande "
            "(cvekg view --entity NOM).",
        )
    table = entity_table(G, page_of, degree)
    return {
        "exchanges": _exchange_rows(G, city_pairs, page_of),
        "views": [
            {"href": href, "en": en, "fr": fr, "about_en": a_en, "about_fr": a_fr}
            for href, en, fr, a_en, a_fr in views
        ],
        "groups": [
            {"en": g.en, "fr": g.fr, "color": g.color, "shape": g.shape, "count": counts[g.key]}
            for g in gn.GROUPS
            if counts.get(g.key)
        ],
        "summary_en": f"{G.number_of_nodes():,} entities, {edge_count:,} relations "
        f"({quoted:,} of them quoted from a source), {len(G.graph.get('claims', {})):,} claims.",
        "summary_fr": f"{G.number_of_nodes():,} entités, {edge_count:,} relations "
        f"(dont {quoted:,} citées d'une source), {len(G.graph.get('claims', {})):,} assertions.",
        "sources": sources,
        "references": G.graph.get("references", []),
        "entity_kinds": [
            {"index": i, "en": g[1], "fr": g[2]} for i, g in enumerate(table["groups"])
        ],
        "entity_count": len(table["rows"]),
        "table": table,
        "note_en": note[0],
        "note_fr": note[1],
    }


def _exchange_rows(
    G: nx.MultiDiGraph, C: nx.MultiDiGraph, page_of, limit: int = 300
) -> list[dict[str, Any]]:
    """City-to-city exchanges for the index: who went where, when, and the source's words."""
    rows: dict[str, dict[str, Any]] = {}
    for u, v, d in C.edges(data=True):
        if d.get("kind") != "exchange":
            continue
        ex = d["exchange"]
        row = rows.setdefault(
            ex,
            {
                "sort": (d.get("date") or "9999", G.nodes[u]["label_en"]),
                "from": {"en": G.nodes[u]["label_en"], "fr": G.nodes[u]["label_fr"],
                         "href": page_of(u)},
                "to": [],
                "when_en": gn.format_date(d.get("date")),
                "when_fr": gn.format_date(d.get("date"), "fr"),
                "href": page_of(ex),
                "quote": runs(d.get("quote") or ""),  # [(text, style)]: no raw tags shown
            },
        )  # fmt: skip
        row["to"].append({"en": G.nodes[v]["label_en"], "fr": G.nodes[v]["label_fr"],
                          "href": page_of(v)})  # fmt: skip
    return sorted(rows.values(), key=lambda r: r["sort"])[:limit]
