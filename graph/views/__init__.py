"""The HTML views of the graph: ``build/views/``, each page self-contained and offline.

- ``index.html``: what the graph holds, its sources, links to every view, a search box.
- ``overview.html``: the whole graph; above :data:`LARGE` entities, one node per kind of
  entity, each opening a drill-down page (``overview/<kind>.html``, split by year or country
  when still too large). A drill-down page draws the :data:`DRILL_LIMIT` best connected
  members with the links among them, and folds what else they link to into one node per kind
  (:func:`graph.network.with_neighbour_groups`), which opens that kind's page.
- ``city-pairs.html``: French and US cities placed by longitude and latitude, the Atlantic in
  the middle, each exchange folded into a link labelled with its date and programme; above
  :data:`LARGE` cities, one line per pair of cities with how many exchanges, the
  :data:`CITY_PAIRS_LIMIT` busiest pairs.
- ``timeline.html``: attacks, exchanges and meetings along a time axis, with the links between
  them; events dated only in words in lanes labelled with those words. Above :data:`LARGE`
  events, one node per lane and span of years (at most :data:`TIMELINE_COLUMNS` columns),
  each opening ``timeline/<span>.html``, its events one by one.
- ``ontology.html``: every class and property of the ontology, its labels, definition,
  alignments and how much of the graph uses it (:mod:`graph.views.ontology`).
- ``entity/<kind>-<slug>.html``: one address per entity (its two-step neighbourhood and every
  claim about it, with quotes), a two-line page that forwards to ``entity/entities.html#<key>``.
  That one page holds every entity, relation and claim once; it finds the entity's
  neighbourhood and lays out its rings itself. Pages per entity, or bundles of entities each
  with their neighbourhoods, would repeat the same hubs' surroundings: measured on the
  synthetic 100k-triple corpus (15,848 entities), bundles of neighbouring entities wrote
  140 MB, the one page 15 MB. Above :data:`ENTITY_PAGES_LIMIT` entities no entity page is
  written: ``cvekg view --entity NAME`` writes one on demand, reading only that entity's
  neighbourhood from the store.

:func:`write_views` writes them all into the ``views/`` of a staged build folder, which
:mod:`graph.pipeline` publishes whole, so a failed run leaves the previous views as they were
(``cvekg build`` and ``cvekg views`` run it);
:mod:`graph.views.query` turns any CONSTRUCT result into a page (``cvekg view``, the
server's "open as graph"); its functions are importable from here too.
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph import network as gn
from graph.views import geo
from graph.views.index import index_context
from graph.views.layout import LANES, durations, force_layout, timeline_layout
from graph.views.notebook import View
from graph.views.ontology import write_ontology_page
from graph.views.page import (
    VIEWS,
    Claims,
    Page,
    nav,
    page_data,
    render_index,
    render_page,
    render_redirect,
    write_page,
)
from graph.views.query import (
    query_triples,
    render_graph_page,
    render_query_view,
    render_triples_page,
    show,
    write_query_view,
)

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

__all__ = [
    "write_views",
    "is_written_on_demand",
    "write_query_view",
    "query_triples",
    "render_query_view",
    "show",
    "View",
    "write_entity_view",
    "render_triples_page",
    "render_graph_page",
    "render_entity_page",
    "entity_page_data",
    "ViewWriter",
    "LARGE",
    "ENTITY_PAGES_LIMIT",
    "EGO_LIMIT",
    "DRILL_LIMIT",
    "CITY_PAIRS_LIMIT",
    "TIMELINE_COLUMNS",
]

logger = logging.getLogger(__name__)

#: Above this many nodes a page shows an aggregate or the best connected part, not everything.
LARGE = 2000
#: Above this many entities (or five times as many relations), entity pages are written on
#: demand only: the page of all entities would pass 20 MB.
ENTITY_PAGES_LIMIT = 20000
#: Members a drill-down page draws (the best connected), with their other neighbours folded
#: into one node per kind: past a few hundred, a page is dots too small to tell apart.
DRILL_LIMIT = 400
#: Pairs of cities the city-pairs map of a large graph draws: those with the most exchanges.
CITY_PAIRS_LIMIT = 200
#: Columns of a large timeline's axis: past this many years, a column holds several.
TIMELINE_COLUMNS = 8
#: Nodes of an entity's neighbourhood drawn on its page.
EGO_LIMIT = 120
#: Up to this many entities, every graph page can search all of them (those it does not draw
#: open their own page); above, its search offers the index's search, which has them all.
SEARCH_ALL_LIMIT = 5000


def _put(path: Path, text: str) -> Path:
    """Write a page inside the views folder being built (itself renamed into place at the
    end, so each file needs no rename of its own)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


class ViewWriter:
    """Writes every view of one projected graph, one private method per page.

    ``statements_of`` gives a claim's statements for the claims tables of entity pages (by
    default the projection's own; :func:`write_views` reads them from the store instead).
    """

    def __init__(
        self,
        G: nx.MultiDiGraph,
        out: Path,
        sizes: dict[str, int] | None = None,
        statements_of: Callable[[str], list] | None = None,
    ):
        self.G = G
        self.out = Path(out)
        self.seconds: dict[str, float] = {}
        self.edge_count = G.number_of_edges()
        self.entity_pages = (
            G.number_of_nodes() <= ENTITY_PAGES_LIMIT and self.edge_count <= 5 * ENTITY_PAGES_LIMIT
        )
        self.sizes = sizes or {}
        self.statements_of = statements_of
        self._pairs: nx.MultiDiGraph | None = None
        self._degree: dict[Hashable, int] | None = None
        #: Whether the folder gets ``ontology.html`` (:func:`write_views` writes it), for the
        #: index to link to it.
        self.ontology = False

    def page_of(self, root: str) -> Callable[[Hashable], str | None]:
        """Where an entity's page is, from a page at ``root`` (``""`` or ``"../"``)."""
        G = self.G

        def page(n: Hashable) -> str | None:
            if not self.entity_pages or n not in G or not G.nodes[n].get("kind"):
                return None
            return f"{root}entity/{G.nodes[n]['key']}.html"

        return page

    def write(self) -> list[Path]:
        written: list[Path] = []
        for name, step in (
            ("overview", self._overview),
            ("city-pairs", self._city_pairs),
            ("timeline", self._timeline),
            ("entities", self._entities),
            ("index", self._index),
        ):
            started = time.perf_counter()
            written += step()
            self.seconds[name] = time.perf_counter() - started
        logger.info("views: %s", ", ".join(f"{k} {v:.2f} s" for k, v in self.seconds.items()))
        return written

    def search_extra(self, drawn: Iterable[Hashable], root: str) -> dict[str, Any]:
        """What a page's search needs beyond its own nodes: every entity of the graph that it
        does not draw and that has a page, as ``[en, fr, alt names, key, group, page, class
        en, class fr]`` (``more``), with the colour and shape of each group (``moreGroups``);
        ``moreAll`` says whether that is every entity (else the search offers the index's)."""
        G = self.G
        page_of = self.page_of(root)
        entities = sum(1 for _, d in G.nodes(data=True) if d.get("kind"))
        if entities > SEARCH_ALL_LIMIT or not self.entity_pages:
            return {"more": [], "moreAll": False}
        inside = set(drawn)
        more = []
        for n, d in G.nodes(data=True):
            page = page_of(n) if n not in inside else None
            if page:
                more.append([d["label_en"], d["label_fr"], list(d.get("alt_labels", ())),
                             d["key"], d.get("group", "other"), page,
                             d.get("class_en", ""), d.get("class_fr", "")])  # fmt: skip
        groups = {g.key: [g.color, g.shape] for g in gn.GROUPS}
        return {"more": more, "moreAll": True, "moreGroups": groups}

    def degree(self) -> dict[Hashable, int]:
        """Every node's degree (computed once: drill-down pages rank by it)."""
        if self._degree is None:
            self._degree = dict(self.G.degree)
        return self._degree

    def city_pairs(self) -> nx.MultiDiGraph:
        """The city-pair graph (computed once: the index lists its exchanges too)."""
        if self._pairs is None:
            self._pairs = gn.city_pair_graph(self.G)
        return self._pairs

    # --- overview ------------------------------------------------------------------------

    def _overview(self) -> list[Path]:
        G = self.G
        if G.number_of_nodes() <= LARGE:
            page = Page(
                "overview",
                "Overview: every entity and sourced relation",
                "Vue d'ensemble : toutes les entités et relations sourcées",
                "Colour and shape give the kind of entity; dashed links are reference data.",
                "Couleur et forme donnent le type d'entité ; les liens en pointillé sont des "
                "données de référence.",
                edge_labels=False,
            )
            data = page_data(G, force_layout(G), page, self.page_of(""), nav("", "overview.html"),
                             extra=self.search_extra(G, ""))  # fmt: skip
            return [_put(self.out / "overview.html", render_page(data))]
        return self._aggregated("overview.html", "", list(G.nodes), "group")

    def _aggregated(self, filename: str, root: str, members: list, key: str) -> list[Path]:
        """An aggregate page of ``members`` by ``key``, and a drill-down page per value."""
        G = self.G
        A = gn.aggregate(G, key, members)
        names = {g.key: (g.en, g.fr) for g in gn.GROUPS}
        links: dict[str, str] = {}
        written: list[Path] = []
        folder = "overview/"
        for value, d in A.nodes(data=True):
            en, fr = names.get(value, (value, value)) if key == "group" else (value, value)
            if key == "country" and value in G:
                en, fr = G.nodes[value]["label_en"], G.nodes[value]["label_fr"]
            group = value if key == "group" else _commonest(G, d["members"])
            d.update(label_en=f"{en} ({d['count']:,})", label_fr=f"{fr} ({d['count']:,})",
                     group=group, class_en=en, class_fr=fr)  # fmt: skip
            slug = gn.entity_key(f"{filename.removesuffix('.html')}-{value}")
            links[value] = f"{slug}.html"
            written += self._drill(self.out / folder / f"{slug}.html", d["members"], en, fr)
        page = Page(
            filename.removesuffix(".html"),
            f"Overview of {G.number_of_nodes():,} entities, by kind",
            f"Vue d'ensemble de {G.number_of_nodes():,} entités, par type",
            "Too many entities for one picture: each node is a kind of entity; click one, "
            "then “Open this group” to see its members.",
            "Trop d'entités pour une seule image : chaque nœud est un type d'entité ; "
            "cliquez-en un puis « Ouvrir ce groupe ».",
        )
        for n in A.nodes:
            A.nodes[n].pop("members", None)
        data = page_data(
            A,
            force_layout(A, spacing=260),
            page,
            lambda v: folder + links[v] if v in links else None,
            nav(root, filename),
            extra=self.search_extra((), root),
        )
        return [_put(self.out / filename, render_page(data)), *written]

    def _drill(self, path: Path, members: list, en: str, fr: str) -> list[Path]:
        G = self.G
        if len(members) > LARGE:
            events = sum(1 for n in members if G.nodes[n].get("group") in gn.EVENT_GROUPS)
            key = "year" if events > len(members) / 2 else "country"
            if len({_value(G, n, key) for n in members}) > 1:
                return self._aggregated_drill(path, members, key, en, fr)
        kept = _best_connected(G, members, DRILL_LIMIT, degree=self.degree())
        sub = gn.with_neighbour_groups(G, kept)
        names = {g.key: (g.en, g.fr) for g in gn.GROUPS}
        entity_page = self.page_of("../")
        groups: dict[Hashable, str] = {}
        for n, d in sub.nodes(data=True):
            if n in G:
                continue
            g_en, g_fr = names.get(d["value"], (d["value"], d["value"]))
            d.update(label_en=f"{g_en} ({d['count']:,})", label_fr=f"{g_fr} ({d['count']:,})",
                     class_en=g_en, class_fr=g_fr)  # fmt: skip
            groups[n] = f"{gn.entity_key('overview-' + d['value'])}.html"
        shown_en = f"the {len(kept):,} best connected of {len(members):,}"
        shown_fr = f"les {len(kept):,} mieux connectées sur {len(members):,}"
        if len(kept) == len(members):
            shown_en, shown_fr = f"all {len(kept):,}", f"les {len(kept):,}"
        note_en = (
            f"Showing {shown_en}, with the links among them; what else they link to is "
            "one node per kind (with how many), which opens that kind. The index's table "
            "lists every entity."
        )
        note_fr = (f"Sont montrées {shown_fr}, avec leurs liens ; ce à quoi elles sont liées "
                   "par ailleurs forme un nœud par type (avec leur nombre), qui ouvre ce type. "
                   "Le tableau de l'index liste toutes les entités.")  # fmt: skip
        page = Page(path.stem, en, fr, note_en=note_en, note_fr=note_fr, edge_labels=False)
        data = page_data(sub, force_layout(sub), page,
                         lambda n: groups.get(n) or entity_page(n), nav("../"))  # fmt: skip
        return [_put(path, render_page(data, root="../"))]

    def _aggregated_drill(self, path: Path, members: list, key: str, en: str, fr: str):
        G = self.G
        by: dict[str, list] = defaultdict(list)
        for n in members:
            by[_value(G, n, key)].append(n)
        A = gn.aggregate(G, key, members)
        written: list[Path] = []
        links = {}
        for value, d in A.nodes(data=True):
            label = G.nodes[value]["label_en"] if value in G else value
            d.update(label_en=f"{en}: {label} ({d['count']:,})",
                     label_fr=f"{fr} : {label} ({d['count']:,})",
                     group=_commonest(G, d.pop("members")))  # fmt: skip
            sub_path = path.with_name(f"{path.stem}-{gn.entity_key(value)}.html")
            links[value] = sub_path.name
            written += self._drill(sub_path, by[value], f"{en}: {label}", f"{fr} : {label}")
        page = Page(path.stem, f"{en}, by {key}", f"{fr}, par {key}")
        data = page_data(A, force_layout(A, spacing=220), page, links.get, nav("../"))
        return [_put(path, render_page(data, root="../")), *written]

    # --- city pairs ------------------------------------------------------------------------

    def _city_pairs(self) -> list[Path]:
        C = self.city_pairs()
        note = ("", "")
        if C.number_of_nodes() > LARGE:
            C, note = _busiest_city_pairs(C)
        pos, drawing = geo.map_layout(C)
        exchanges = sum(d.get("count", 1) for *_, d in C.edges(data=True)
                        if d.get("kind") == "exchange")  # fmt: skip
        page = Page(
            "city-pairs",
            "City pairs: French and US cities and their exchanges",
            "Paires de villes : villes françaises et américaines et leurs échanges",
            f"{exchanges} city-to-city visits. Each link is one exchange (date · programme), "
            "from the delegation's city to its host; click a city for what the source says.",
            f"{exchanges} visites de ville à ville. Chaque lien est un échange (date · "
            "programme), de la ville de la délégation à la ville hôte ; cliquez une ville pour "
            "ce que dit la source.",
            decorations=drawing.decorations,
            note_en=note[0],
            note_fr=note[1],
        )
        data = page_data(C, pos, page, self.page_of(""), nav("", "city-pairs.html"),
                         extra={**self.search_extra(C, ""), "map": drawing.data})  # fmt: skip
        geo.dress_links(data, C, pos, drawing)
        return [_put(self.out / "city-pairs.html", render_page(data))]

    # --- timeline --------------------------------------------------------------------------

    def _timeline(self) -> list[Path]:
        T = gn.timeline_graph(self.G)
        if T.number_of_nodes() > LARGE:
            return self._timeline_by_year(T)
        return [self._timeline_page(T, self.out / "timeline.html", "", Page(
            "timeline",
            "Timeline: attacks, exchanges and meetings",
            "Chronologie : attentats, échanges et rencontres",
            "Left to right in time, one lane per kind of event; links show what followed what "
            "(an exchange in the wake of an attack, what it led to).",
            "De gauche à droite dans le temps, une ligne par type d'événement ; les liens "
            "montrent ce qui a suivi quoi.",
        ))]  # fmt: skip

    def _timeline_page(self, T: nx.MultiDiGraph, path: Path, root: str, page: Page) -> Path:
        pos, page.decorations = timeline_layout(T)
        page.edge_notes = durations(T)
        data = page_data(T, pos, page, self.page_of(root), nav(root, "timeline.html"),
                         extra=self.search_extra(T, root))  # fmt: skip
        return _put(path, render_page(data, root=root))

    def _timeline_by_year(self, T: nx.MultiDiGraph) -> list[Path]:
        """Too many events for one axis: ``timeline.html`` draws one node per lane and span
        of years (a year, or as many as keep the axis to :data:`TIMELINE_COLUMNS` columns),
        sized by how many events it holds, and one link per pair of them (how many times one
        led to another); each opens its span's page (``timeline/<span>.html``), which draws
        the span's events one by one, with durations, and folds the events of other years
        they link to into "earlier" and "later" nodes."""
        lane_of = {g: i for i, (_, _, _, groups) in enumerate(LANES) for g in groups}
        dated = sorted({int(y) for y in (d.get("date", "")[:4] for d in T.nodes.values()) if y})
        first, last = (dated[0], dated[-1]) if dated else (0, 0)
        width = max(1, -(-(last - first + 1) // TIMELINE_COLUMNS))  # years a column
        spans: dict[str, tuple[int, int]] = {}

        def span_of(n: Hashable) -> str:
            year = (T.nodes[n].get("date") or "")[:4]
            if not year:
                return "undated"
            start = first + (int(year) - first) // width * width
            name = str(start) if width == 1 else f"{start}-{min(last, start + width - 1)}"
            spans.setdefault(name, (start, min(last, start + width - 1)))
            return name

        span = {n: span_of(n) for n in T}
        lane = {n: lane_of.get(T.nodes[n].get("group"), len(LANES) - 1) for n in T}
        by_span: dict[str, list] = defaultdict(list)
        for n in T:
            by_span[span[n]].append(n)
        order = sorted(by_span, key=lambda s: (s == "undated", s))
        A = gn.aggregate(T, lambda n: f"{lane[n]}:{span[n]}")
        A.remove_edges_from([(u, v, k) for u, v, k in A.edges(keys=True) if u == v])
        pages, column = {}, {}
        for value, d in A.nodes(data=True):
            li, name = value.split(":", 1)
            # The axis names the span and the lane the kind: the label is how many.
            d.update(label_en=f"{d['count']:,} events", label_fr=f"{d['count']:,} événements",
                     group=_commonest(T, d.pop("members")), class_en=LANES[int(li)][1],
                     class_fr=LANES[int(li)][2])  # fmt: skip
            if name != "undated":  # where the layout puts it (the node itself has no date)
                column[value] = str(first + (spans[name][0] - first) // width)
            d["iri"] = f"timeline:{name}:{LANES[int(li)][0]}"
            pages[value] = f"timeline/{name}.html"
        written = [self._timeline_span(T, name, by_span[name], span, lane, order) for name in order]
        page = Page(
            "timeline",
            f"Timeline of {T.number_of_nodes():,} events, by year",
            f"Chronologie de {T.number_of_nodes():,} événements, par année",
            "Too many events for one axis: each node is one kind of event over "
            + ("one year" if width == 1 else f"{width} years")
            + " (how many), each link how many times one led to another; click a node, then "
            "“Open this group” for the events themselves and how long after each other they came.",
            "Trop d'événements pour un seul axe : chaque nœud est un type d'événement sur "
            + ("une année" if width == 1 else f"{width} ans")
            + " (combien), chaque lien combien de fois l'un a mené à l'autre ; cliquez un "
            "nœud puis « Ouvrir ce groupe » pour les événements eux-mêmes.",
            edge_labels=False,
        )
        # A column a step: no stretch is cut, a lane's columns sit 360 px apart, and lanes are
        # far enough apart for the picture to have a screen's shape.
        spread = {n: {**d, "date": column.get(n)} for n, d in A.nodes(data=True)}
        pos, page.decorations = timeline_layout(_with_nodes(A, spread), 30.0, 400.0, 13)
        # The axis's "years" are columns: each is named by its span, its line half way to
        # the column before (the layout puts a year's line at its January).
        columns = sorted({pos[n][0] for n in column})
        texts = [d for d in page.decorations if d["kind"] == "text" and d["en"].isdigit()]
        lines = [d for d in page.decorations if d["kind"] == "line" and d.get("dash")]
        for x, text, line in zip(columns, texts, lines, strict=False):
            start = first + (int(text["en"]) - first) * width
            name = next(s for s, (a, _) in spans.items() if a == start)
            text["en"] = text["fr"] = re.sub(r"-\d\d(\d\d)$", r"–\1", name)  # 2001–02
            text["x"] = x - 174
            line["x1"] = line["x2"] = x - 180
        data = page_data(A, pos, page, pages.get, nav("", "timeline.html"),
                         extra=self.search_extra((), ""))  # fmt: skip
        return [_put(self.out / "timeline.html", render_page(data)), *written]

    def _timeline_span(self, T, name: str, members: list, span: dict, lane: dict, order: list):
        """One span's page of a large timeline: its events (the best connected when still
        too many), and the events of other spans they link to folded into one node per lane
        and side ("12 earlier", "3 later", "5 with no date"), which opens that side's page."""
        kept = _best_connected(T, members, LARGE, degree=dict(T.degree(members)))
        at = order.index(name)

        def side(n: Hashable) -> str:
            if span[n] == "undated" or name == "undated":
                return f"{lane[n]}:undated"
            return f"{lane[n]}:{'earlier' if order.index(span[n]) < at else 'later'}"

        Y = gn.with_neighbour_groups(T, kept, side)
        pos, decorations = timeline_layout(gn.induced(T, kept))
        xs = [x for x, _ in pos.values()] or [0.0]
        neighbour = {"earlier": order[at - 1] if at else None,
                     "later": order[at + 1] if at + 1 < len(order) else None}  # fmt: skip
        pages: dict[Hashable, str] = {}
        for n, d in Y.nodes(data=True):
            if n in T:
                continue
            li, where = d["value"].split(":")
            words = {"earlier": ("earlier", "plus tôt"), "later": ("later", "plus tard"),
                     "undated": ("with no date", "sans date")}[where]  # fmt: skip
            if name == "undated":
                words = ("dated elsewhere", "datés ailleurs")
            d.update(label_en=f"{d['count']:,} {words[0]}", label_fr=f"{d['count']:,} {words[1]}",
                     group=_commonest(T, d["members"]), class_en=LANES[int(li)][1],
                     class_fr=LANES[int(li)][2])  # fmt: skip
            x = min(xs) - 500 if where == "earlier" else max(xs) + 500
            pos[n] = (x + (300 if where == "undated" else 0), int(li) * 200.0)
            target = neighbour.get(where)
            pages[n] = f"{target}.html" if target else "../timeline.html"
        page_of = self.page_of("../")
        when = _span_words(name)
        page = Page(
            f"timeline-{name}",
            f"Timeline: {when[0]}",
            f"Chronologie : {when[1]}",
            "Left to right in time, one lane per kind of event; links show what followed what, "
            "and how long after. Events of other years are folded into “earlier” and “later”.",
            "De gauche à droite dans le temps, une ligne par type d'événement ; les liens "
            "montrent ce qui a suivi quoi, et combien de temps après. Les événements d'autres "
            "années sont regroupés en « plus tôt » et « plus tard ».",
            decorations=decorations,
            note_en=f"{len(kept):,} of the {len(members):,} events {when[0]}."
            if len(kept) < len(members) else "",
            note_fr=f"{len(kept):,} des {len(members):,} événements {when[1]}."
            if len(kept) < len(members) else "",
            edge_notes=durations(Y),
        )  # fmt: skip
        data = page_data(Y, pos, page, lambda n: pages.get(n) or page_of(n),
                         nav("../", "timeline.html"),
                         extra=self.search_extra(kept, "../"))  # fmt: skip
        return _put(self.out / "timeline" / f"{name}.html", render_page(data, root="../"))

    # --- entities --------------------------------------------------------------------------

    def _entities(self) -> list[Path]:
        G = self.G
        folder = self.out / "entity"
        entities = [n for n, d in G.nodes(data=True) if d.get("kind")]
        if not self.entity_pages:
            logger.info("%d entities: entity pages are written on demand", len(entities))
            return []
        data = entity_page_data(G, self.page_of("../"), nav("../"), self.statements_of)
        written = [_put(folder / "entities.html", render_page(data, root="../"))]
        for n in entities:
            key = G.nodes[n]["key"]
            page = render_redirect(f"entities.html#{key}", G.nodes[n]["label_en"])
            written.append(_put(folder / f"{key}.html", page))
        return written

    # --- index -----------------------------------------------------------------------------

    def _index(self) -> list[Path]:
        context = index_context(
            self.G, self.page_of(""), self.city_pairs(), VIEWS, self.entity_pages,
            self.edge_count, self.degree(),
        )  # fmt: skip
        context["ontology"] = self.ontology  # write_views writes ontology.html beside it
        return [_put(self.out / "index.html", render_index(context))]


def entity_page_data(
    G: nx.MultiDiGraph,
    page_of,
    nav,
    statements_of: Callable[[str], Iterable] | None = None,
    egos: dict[Hashable, tuple[list, dict, gn.LeftOut]] | None = None,
) -> dict[str, Any]:
    """The data of an entity page: every node, relation and claim of ``G`` once, each node
    with the claims about it, each claim with its statements for the claims table.

    The page finds an entity's neighbourhood itself (the rules of
    :meth:`graph.network.Neighbourhoods.ego`) and draws it as rings. ``egos`` gives
    neighbourhoods already known instead (``(kept nodes, distances, gn.LeftOut)``), for a page
    of one entity whose graph holds only its neighbourhood.
    """
    terms = G.graph.get("terms", {})
    claims = G.graph.get("claims", {})
    if statements_of is None:

        def statements_of(c: str) -> Iterable:
            return claims.get(c, {}).get("statements", ())

    index = {n: i for i, n in enumerate(G.nodes)}
    table = Claims(G)
    about = {
        n: [r for r in map(table.ref, d.get("claims", ())) if r >= 0] for n, d in G.nodes(data=True)
    }
    for iri, row in zip(table.index, table.rows, strict=True):
        if iri in claims:
            row["st"] = _statements(statements_of(iri), index, terms, G)
    extra: dict[str, Any] = {"first": G.nodes[next(iter(G.nodes))].get("key", "") if len(G) else ""}
    if egos:
        extra["entities"] = {
            G.nodes[n]["key"]: {
                "node": index[n],
                "near": [index[m] for m in kept if distance[m] == 1],
                "far": [index[m] for m in kept if distance[m] == 2],
                "hidden": [hidden.near, hidden.far],
            }
            for n, (kept, distance, hidden) in egos.items()
        }
        extra["first"] = G.nodes[next(iter(egos))]["key"]
    page = Page("entity", "", "", mode="entity")
    return page_data(G, {}, page, page_of, nav, extra=extra, claims=table, about=about)


def _statements(statements, index, terms, G) -> list[list[Any]]:
    """A claim's statements for its table: node indexes where the page has the node, else
    text; names (labels) only when the claim says nothing else."""
    rows = []
    names = []
    for s, p, o, is_iri in statements:
        if p.endswith("#datePrecision"):  # the date's own form says it
            continue
        label = terms.get(p, (gn._local(p), gn._local(p)))
        subject = index.get(s, G.nodes[s]["label_en"] if s in G else s)
        if is_iri:
            obj = index[o] if o in index else list(terms.get(o, (gn._local(o),) * 2))
        else:
            obj = o
        row = [subject, label[0], label[1], obj]
        (names if p in (gn.RDFS_LABEL, gn.SKOS_ALT) else rows).append(row)
    return rows or names


def _busiest_city_pairs(C: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, tuple[str, str]]:
    """A city-pairs graph too large to draw: one link per pair of cities and kind
    (:func:`graph.network.fold_parallel`: how many, which years), the
    :data:`CITY_PAIRS_LIMIT` pairs with the most exchanges (then those of the busiest cities),
    and their cities; and the note that says so."""
    degree = dict(C.degree)
    F = gn.fold_parallel(C)
    ranked = sorted(
        F.edges(keys=True, data=True),
        key=lambda e: (-e[3].get("count", 1), -(degree[e[0]] + degree[e[1]]), str(e[:3])),
    )[:CITY_PAIRS_LIMIT]
    cities = list(dict.fromkeys(n for u, v, *_ in ranked for n in (u, v)))
    H = gn.induced(F, cities)
    H.remove_edges_from([(u, v, k) for u, v, k in list(H.edges(keys=True))
                         if (u, v, k) not in {e[:3] for e in ranked}])  # fmt: skip
    drawn = sum(d.get("count", 1) for *_, d in H.edges(data=True))
    linked = sum(1 for n in C if degree[n])
    return H, (
        f"{C.number_of_edges():,} links between {linked:,} of {C.number_of_nodes():,} cities; "
        f"drawn: the {H.number_of_edges():,} pairs of cities with the most ({drawn:,} links), "
        "one line per pair with how many. A city's page has all of its own; the search finds "
        "every city.",
        f"{C.number_of_edges():,} liens entre {linked:,} des {C.number_of_nodes():,} villes : "
        f"sont tracées les {H.number_of_edges():,} paires de villes qui en ont le plus "
        f"({drawn:,} liens), un trait par paire avec leur nombre. La page d'une ville a tous "
        "les siens ; la recherche trouve toutes les villes.",
    )


def _span_words(name: str) -> tuple[str, str]:
    """A span of a large timeline in words: "in 2016", "in 2016–2017", "with no date"."""
    if name == "undated":
        return "with no date", "sans date"
    return f"in {name.replace('-', '–')}", f"en {name.replace('-', '–')}"


def _with_nodes(G: nx.MultiDiGraph, data: dict[Hashable, dict]) -> nx.MultiDiGraph:
    """``G``'s nodes with other attributes (``data``), and no links: what a layout reads."""
    import networkx as nx

    H = nx.MultiDiGraph()
    H.add_nodes_from(data.items())
    return H


def _value(G: nx.MultiDiGraph, n: Hashable, key: str) -> str:
    d = G.nodes[n]
    if key == "year":
        return (d.get("date") or "")[:4] or "(none)"
    return str(d.get(key) or "(none)")


def _commonest(G: nx.MultiDiGraph, members: Iterable) -> str:
    counts: dict[str, int] = defaultdict(int)
    for n in members:
        counts[G.nodes[n].get("group", "other")] += 1
    return max(counts, key=lambda g: (counts[g], g)) if counts else "other"


def _best_connected(G, members: list, limit: int, keep=lambda n: False, degree=None) -> list:
    """The ``limit`` members to draw: those ``keep`` wants, then the best connected."""
    if len(members) <= limit:
        return list(members)
    degree = degree or dict(G.degree(members))
    ranked = sorted(members, key=lambda n: (not keep(n), -degree[n], str(n)))
    return ranked[:limit]


def write_views(store: ox.Store, folder: Path) -> list[Path]:
    """Project the graph in ``store`` and write every view into ``folder``; return the files.

    ``folder`` is new: the ``views/`` of a build folder that :mod:`graph.pipeline` staged, and
    publishes whole once every page is written (so a failed run leaves the previous views as
    they were). The pages ``cvekg view`` wrote into the previous views are carried over by the
    pipeline (:func:`is_written_on_demand`) unless the new views hold a page of that name.
    """
    started = time.perf_counter()
    folder = Path(folder)
    with gn.collector_paused():
        G = gn.project(store, statements=False)
        projected = time.perf_counter() - started
        writer = ViewWriter(G, folder, statements_of=lambda c: gn.claim_statements(store, c))
        writer.ontology = True
        files = writer.write()
        files.append(write_ontology_page(store, folder, nav("")))
    logger.info("projection %.2f s; %d view files", projected, len(files))
    return files


def is_written_on_demand(page: Path) -> bool:
    """True for a page ``cvekg view`` wrote into a views folder: ``query-*.html``, and an
    entity page ``cvekg view --entity`` wrote (not the page of all entities, nor the one-line
    pages forwarding to it), which a new build keeps."""
    if page.suffix != ".html" or page.name.startswith("."):
        return False
    if page.parent.name != "entity":
        return page.name.startswith("query-")
    if page.name == "entities.html":
        return False
    with open(page, encoding="utf-8", errors="replace") as handle:
        return 'http-equiv="refresh"' not in handle.read(1000)


def render_entity_page(
    G: nx.MultiDiGraph,
    node: Hashable,
    root: str = "",
    ego: tuple[list, dict, gn.LeftOut] | None = None,
    page_of: Callable[[Hashable], str | None] | None = None,
) -> str:
    """One entity's page on its own (for graphs too large to write them all). ``ego`` is its
    neighbourhood when already known (:func:`graph.network.neighbourhood`); ``page_of`` says
    where the other entities' pages are (by default, as the views folder would have them)."""
    egos = {node: ego or gn.Neighbourhoods(G).ego(node, 2, EGO_LIMIT)}
    page_of = page_of or ViewWriter(G, Path(".")).page_of(root)
    data = entity_page_data(G, page_of, nav(root), egos=egos)
    return render_page(data, root=root)


def write_entity_view(store: ox.Store, name: str, out_dir: Path) -> Path:
    """Write one entity's page (its neighbourhood and claims) into ``out_dir/entity/``: the
    on-demand page for graphs too large to write them all.

    Only the entity's neighbourhood is read from the store (:func:`graph.network.
    neighbourhood`), never the whole graph, so it takes about the same time at any size.
    """
    node = gn.resolve_in_store(store, name)
    G, ego = gn.neighbourhood(store, node, 2, EGO_LIMIT)
    folder = Path(out_dir) / "entity"

    def page_of(n: Hashable) -> str | None:  # the pages written so far, and this one
        key = G.nodes[n].get("key")
        if key and (n == node or (folder / f"{key}.html").exists()):
            return f"{key}.html"
        return None

    path = folder / f"{G.nodes[node]['key']}.html"
    return write_page(path, render_entity_page(G, node, root="../", ego=ego, page_of=page_of))
