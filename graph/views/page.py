"""One interactive page: a NetworkX graph and its positions in, a self-contained HTML page out.

PyVis makes the vis-network options (its physics, stabilisation and edge smoothing, which
:func:`_options` completes); the nodes and edges are vis-network's lists, filled directly (PyVis's
``add_node`` is quadratic); the page is our own Jinja template, with vis-network, our script
and our styles inline, so it opens from any folder with no network.

Importing PyVis imports IPython (some 0.2 s of every build), so the options it makes are kept
in ``vendor/pyvis-options.json`` with the PyVis version they came from, and PyVis itself is
asked only when another version is installed. ``tests/views/test_page.py`` checks the file
against PyVis; to write it anew: ``python -c "from graph.views.page import
write_pyvis_options; write_pyvis_options()"``.

Data reaches the page only as JSON inside ``<script type="application/json">`` with ``<``,
``>`` and ``&`` escaped, read with ``JSON.parse`` and put in the page with ``textContent``;
vis-network tooltips are plain strings. The Content-Security-Policy allows only the page's own
scripts (by hash) and forbids every load from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.network import GROUPS, format_date
from graph.text import plain, runs

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "Page",
    "Claims",
    "page_data",
    "render_page",
    "render_index",
    "render_redirect",
    "render_template",
    "json_for_script",
    "csp",
    "VIEWS",
    "nav",
    "write_page",
]

_GROUP = {g.key: g for g in GROUPS}


def json_for_script(value: Any) -> str:
    """JSON that cannot end its ``<script>`` element: ``<``, ``>``, ``&`` and the JavaScript
    line separators are escaped as ``\\uXXXX``.

    >>> json_for_script({"label": "</script><b>"})
    '{"label":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


@cache
def _asset(name: str) -> str:
    return resources.files("graph.views").joinpath(name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def csp(scripts: list[str]) -> str:
    """The Content-Security-Policy of a page whose only scripts are ``scripts``."""
    hashes = " ".join(_sha256(s) for s in scripts) or "'none'"
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
        "img-src data: blob:; base-uri 'none'; form-action 'none'"
    )


@cache
def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("graph.views", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class Page:
    """What one view shows: its graph, positions and the drawings behind it."""

    name: str
    title_en: str
    title_fr: str
    intro_en: str = ""
    intro_fr: str = ""
    decorations: list[dict[str, Any]] = field(default_factory=list)
    edge_labels: bool = True
    mode: str = "graph"
    note_en: str = ""
    note_fr: str = ""
    #: Words added to some links' labels, by ``(u, v, key)``: "6 months after" on the timeline.
    edge_notes: dict[Any, tuple[str, str]] = field(default_factory=dict)


class Claims:
    """Claims numbered in order of first use, so edges and facts refer to them by index."""

    def __init__(self, G: nx.MultiDiGraph):
        self.source = G.graph.get("claims", {})
        titles = {s["iri"]: s for s in G.graph.get("sources", [])}
        refs = {r["iri"]: r for r in G.graph.get("references", [])}
        self.titles, self.refs = titles, refs
        self.index: dict[str, int] = {}
        self.rows: list[dict[str, Any]] = []
        self._sources: dict[str, tuple[str, str]] = {}

    def _source(self, iri: str) -> tuple[str, str]:
        """A source document's title and date (once per document: claims share them)."""
        if iri not in self._sources:
            doc = self.titles.get(iri, {})
            self._sources[iri] = (doc.get("title", ""), format_date(doc.get("published")))
        return self._sources[iri]

    def ref(self, iri: str | None) -> int:
        if not iri:
            return -1
        if iri in self.index:
            return self.index[iri]
        claim = self.source.get(iri)
        if claim:
            title, date = self._source(claim.get("source") or "")
            row = {
                "name": claim.get("name", ""),
                "iri": iri,
                **_source_text("quote", claim.get("quote") or ""),
                **_source_text("sentence", claim.get("sentence") or ""),
                "note": claim.get("note") or "",
                "read": bool(claim.get("read")),
                "source": title,
                "date": date,
            }
        elif iri in self.refs:
            ref = self.refs[iri]
            row = {"name": ref["title"], "iri": iri, "reference": ref["title"]}
        else:
            return -1
        self.index[iri] = len(self.rows)
        self.rows.append(row)
        return self.index[iri]


def _source_text(key: str, text: str) -> dict[str, Any]:
    """A quote or sentence for the page: ``key`` as plain text (tooltips, comparisons) and,
    when the source has markup, ``<key>Runs``, its ``[text, style]`` runs for the script to
    build as text nodes (never HTML)."""
    rendered: dict[str, Any] = {key: plain(text)}
    styled = runs(text)
    if any(style for _, style in styled):
        rendered[key + "Runs"] = [[chunk, style] for chunk, style in styled]
    return rendered


#: PyVis's options for our pages, and the version of PyVis that made them.
PYVIS_OPTIONS = "vendor/pyvis-options.json"


def _network(directed: bool = True):
    """A PyVis network carrying our vis-network options."""
    from pyvis.network import Network

    net = Network(directed=directed, height="100%", width="100%", cdn_resources="in_line")
    net.barnes_hut(gravity=-6000, central_gravity=0.15, spring_length=140, damping=0.4, overlap=0.2)
    net.toggle_physics(False)
    net.toggle_stabilization(False)
    net.set_edge_smooth("continuous")
    return net


def installed_pyvis() -> str | None:
    """The version of PyVis installed (read from its metadata: PyVis is not imported)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pyvis")
    except PackageNotFoundError:
        return None


def pyvis_options() -> dict[str, Any]:
    """What ``vendor/pyvis-options.json`` holds, made by the installed PyVis itself."""
    return {"pyvis": installed_pyvis(), "options": json.loads(_network().options.to_json())}


def write_pyvis_options() -> None:
    """Write ``vendor/pyvis-options.json`` from the installed PyVis (after an upgrade)."""
    path = Path(__file__).parent / PYVIS_OPTIONS
    path.write_text(json.dumps(pyvis_options(), indent=1) + "\n", encoding="utf-8")


@cache
def _base_options() -> str:
    """The JSON of PyVis's options for our pages: the kept ones when the installed PyVis is
    the version they came from, else those it makes (importing it)."""
    kept = json.loads(_asset(PYVIS_OPTIONS))
    if kept["pyvis"] == installed_pyvis():
        return json.dumps(kept["options"])
    return _network().options.to_json()


def _options(large: bool) -> dict[str, Any]:
    options = json.loads(_base_options())
    options["physics"]["barnesHut"].pop("self", None)
    if large:
        options["edges"]["smooth"] = {"enabled": False}
        options["interaction"]["hideEdgesOnDrag"] = True
    options["edges"].update(
        {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#94a3b8", "highlight": "#1e3a8a", "hover": "#475569"},
            "font": {"size": 11, "color": "#475569", "strokeWidth": 4, "strokeColor": "#ffffff"},
            "width": 1.2,
            "selectionWidth": 2,
            "hoverWidth": 1.5,
        }
    )
    options["edges"]["color"]["inherit"] = False
    options["nodes"] = {
        "font": {"size": 14, "color": "#0f172a", "strokeWidth": 4, "strokeColor": "#ffffff"},
        "widthConstraint": {"maximum": 170},
        "borderWidth": 1,
        "borderWidthSelected": 3,
    }
    options["groups"] = {
        g.key: {"color": {"background": g.color, "border": g.color}, "shape": g.shape, "size": 14}
        for g in GROUPS
    }
    options["interaction"].update(
        {"hover": True, "tooltipDelay": 150, "multiselect": False, "navigationButtons": False}
    )
    options["layout"] = {"improvedLayout": False}
    return options


def _node_meta(G: nx.MultiDiGraph, n: Hashable, claims: Claims, page_of) -> dict[str, Any]:
    d = G.nodes[n]
    facts = [
        [f.label_en, f.label_fr, f.value, claims.ref(f.claim)]
        for f in d.get("facts", ())
        if not f.predicate.endswith("#datePrecision")
    ]
    meta = {
        "iri": d.get("iri", str(n)),
        "key": d.get("key", ""),
        "label": [d.get("label_en") or str(n), d.get("label_fr") or d.get("label_en") or str(n)],
        "alt": d.get("alt_labels", []),
        "cls": [d.get("class_en", ""), d.get("class_fr", "")],
        "group": d.get("group", "other"),
        "facts": facts,
        "page": page_of(n) or "",
    }
    if d.get("date"):
        meta["date"] = [format_date(d["date"]), format_date(d["date"], "fr")]
    if d.get("date_description"):
        meta["vague"] = d["date_description"]
    if d.get("count"):
        meta["count"] = d["count"]
    return meta


def _also(folded: list[dict[str, Any]], lang: str) -> str:
    """The relations folded into a link (:func:`graph.network.triples.fold_implied`) as one
    sentence: those it implies the same way, then those it implies the other way."""
    same = ", ".join(f[f"label_{lang}"] for f in folded if not f["inverse"])
    other = ", ".join(f[f"label_{lang}"] for f in folded if f["inverse"])
    if lang == "fr":
        if not same:
            return f"Implique aussi, dans l'autre sens : {other}"
        return f"Implique aussi : {same}" + (f" ; dans l'autre sens : {other}" if other else "")
    if not same:
        return f"Also implies, the other way: {other}"
    return f"Also implies: {same}" + (f"; the other way: {other}" if other else "")


def page_data(
    G: nx.MultiDiGraph,
    pos: dict[Hashable, tuple[float, float]],
    page: Page,
    page_of=lambda n: None,
    nav: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
    claims: Claims | None = None,
    about: dict[Hashable, list[int]] | None = None,
) -> dict[str, Any]:
    """The JSON a page reads: vis-network nodes and edges, their details, the claims they
    cite, the legend and the options (PyVis's, completed). Linear in the graph's size.

    ``about`` gives each node the claims about it (indexes into ``claims``), for the claims
    table of entity pages."""
    claims = claims or Claims(G)
    ids = {n: i for i, n in enumerate(G.nodes)}
    sizes = _sizes(G)
    nodes = [
        {
            "id": ids[n],
            "group": d.get("group", "other"),
            "x": round(pos[n][0], 1) if n in pos else 0,
            "y": round(pos[n][1], 1) if n in pos else 0,
            "size": sizes[n],
        }
        for n, d in G.nodes(data=True)
    ]
    node_meta = [_node_meta(G, n, claims, page_of) for n in G.nodes]
    if about is not None:
        for n, m in zip(G.nodes, node_meta, strict=True):
            m["claims"] = about.get(n, [])
    edges: list[dict[str, Any]] = []
    edge_meta = []
    parallel: dict[frozenset, int] = {}
    for i, (u, v, key, d) in enumerate(G.edges(keys=True, data=True)):
        edge = {"id": i, "from": ids[u], "to": ids[v]}
        # Links between the same two nodes bend apart, so none hides under another.
        nth = parallel[frozenset((u, v))] = parallel.get(frozenset((u, v)), -1) + 1
        if nth:
            side = "curvedCW" if nth % 2 else "curvedCCW"
            edge["smooth"] = {"enabled": True, "type": side, "roundness": 0.22 * ((nth + 1) // 2)}
        if d.get("reference") or d.get("origin"):
            edge["dashes"] = True
        if d.get("kind") == "stop":
            edge["dashes"] = [4, 6]
        if d.get("kind") == "partners" or d.get("arrows") is False:
            edge["arrows"] = {"to": {"enabled": False}}
        if d.get("count"):
            edge["width"] = 1 + min(8, d["count"] ** 0.5)
        edges.append(edge)
        label = [d.get("label_en") or str(key), d.get("label_fr") or d.get("label_en") or ""]
        if (u, v, key) in page.edge_notes:
            note = page.edge_notes[(u, v, key)]
            label = [f"{label[0]} · {note[0]}", f"{label[1]} · {note[1]}"]
        meta = {"label": label, "claim": claims.ref(d.get("claim"))}
        if (u, v, key) in page.edge_notes:
            meta["after"] = page.edge_notes[(u, v, key)]
        if d.get("origin"):  # no claim states it: where it comes from, and how
            meta["origin"] = d["origin"]
            if d.get("inferred"):
                meta["how"] = [d["inferred"], d.get("inferred_fr") or d["inferred"]]
        if d.get("also"):
            meta["also"] = [_also(d["also"], "en"), _also(d["also"], "fr")]
        if d.get("exchange") and page_of(d["exchange"]):
            meta["page"] = page_of(d["exchange"])
        if d.get("count"):
            meta["count"] = d["count"]
        edge_meta.append(meta)
    groups_present = {d.get("group", "other") for _, d in G.nodes(data=True)}
    large = G.number_of_nodes() > 1500
    data = {
        "view": page.name,
        "mode": page.mode,
        "title": [page.title_en, page.title_fr],
        "intro": [page.intro_en, page.intro_fr],
        "note": [page.note_en, page.note_fr],
        "nodes": nodes,
        "edges": edges,
        "meta": {"nodes": node_meta, "edges": edge_meta},
        "claims": claims.rows,
        "legend": [
            {"key": g.key, "label": [g.en, g.fr], "color": g.color, "shape": g.shape}
            for g in GROUPS
            if g.key in groups_present
        ],
        "options": _options(large),
        "decorations": page.decorations,
        "edgeLabels": page.edge_labels and not large,
        "nav": nav or [],
    }
    if extra:
        data.update(extra)
    return data


def _sizes(G: nx.MultiDiGraph) -> dict[Hashable, float]:
    sizes = {}
    for n, d in G.nodes(data=True):
        if d.get("count"):
            sizes[n] = 10 + min(40, 4 * d["count"] ** 0.5)
        else:
            sizes[n] = 9 + min(12, 2.2 * G.degree(n) ** 0.5) if d.get("group") != "topic" else 8
    return sizes


def render_page(data: dict[str, Any], root: str | None = "") -> str:
    """The HTML of a graph page: template, vis-network, our script and styles, the data.
    ``root`` is where the views folder is from the page (``None``: the page stands alone)."""
    scripts = [
        _asset("vendor/vis-network.min.js"),
        _asset("static/search.js"),
        _asset("static/labels.js"),
        _asset("static/cvekg.js"),
        *([_asset("static/map.js")] if data.get("map") else []),  # the city-pairs map
        _asset("static/export.js"),
    ]
    template = _environment().get_template("page.html")
    data = {**data, "home": None if root is None else f"{root}index.html"}
    return template.render(
        title=data["title"][0],
        data_json=json_for_script(data),
        scripts=scripts,
        style=_asset("static/cvekg.css"),
        csp=csp(scripts),
        root=root,
        nav=data.get("nav", []),
        note=data.get("note", ["", ""])[0],
        intro=data.get("intro", ["", ""])[0],
        mode=data.get("mode", "graph"),
    )


def render_index(context: dict[str, Any]) -> str:
    """The HTML of ``index.html``: what the graph holds, links to every view, a search box."""
    scripts = [
        _asset("static/search.js"),
        _asset("static/entity-table.js"),
        _asset("static/index.js"),
    ]
    template = _environment().get_template("index.html")
    return template.render(
        **context,
        data_json=json_for_script(context["table"]),
        table_style=_asset("static/entity-table.css"),
        scripts=scripts,
        style=_asset("static/cvekg.css"),
        csp=csp(scripts),
    )


def render_template(name: str, **context: Any) -> str:
    """Any other page of the views (``ontology.html``): ``templates/<name>`` with the views'
    stylesheet inline as ``style``."""
    template = _environment().get_template(name)
    return template.render(**context, style=_asset("static/cvekg.css"))


def render_redirect(target: str, title: str) -> str:
    """A tiny page that sends the browser to ``target`` (an entity inside the entities page).

    The template is rendered once with markers that the escaped values then replace: a
    views folder holds one such page per entity, and rendering each with Jinja would take
    longer than writing them.
    """
    from markupsafe import escape

    return _redirect_template().replace(_TITLE, escape(title)).replace(_TARGET, escape(target))


#: Markers that no escaped text contains.
_TARGET, _TITLE = "\x00target\x00", "\x00title\x00"


@cache
def _redirect_template() -> str:
    return (
        _environment()
        .get_template("redirect.html")
        .render(target=_TARGET, title=_TITLE, csp=csp([]))
    )


#: The views every page's menu links to: file, title and line (English, French).
VIEWS = (
    ("overview.html", "Overview", "Vue d'ensemble",
     "Every entity and every sourced relation.", "Toutes les entités et relations sourcées."),
    ("city-pairs.html", "City pairs", "Paires de villes",
     "French and US cities on a map, linked by their exchanges.",
     "Villes françaises et américaines sur une carte, reliées par leurs échanges."),
    ("timeline.html", "Timeline", "Chronologie",
     "Attacks, exchanges and meetings in time, and what followed what.",
     "Attentats, échanges et rencontres dans le temps, et ce qui a suivi quoi."),
)  # fmt: skip


def nav(root: str, current: str = "") -> list[dict[str, Any]]:
    """The menu of the views, as seen from ``root`` (where the views folder is from the page)."""
    return [
        {"href": root + href, "en": en, "fr": fr, "current": href == current}
        for href, en, fr, _, _ in VIEWS
    ]


def write_page(path: Path, text: str) -> Path:
    """Write a page on its own (``cvekg view``): to a temporary name, then renamed."""
    from graph.files import atomic_writer

    with atomic_writer(path) as handle:
        handle.write(text)
    return path
