"""Pages of any triples: a CONSTRUCT or DESCRIBE result (``cvekg view``, the server's
"open as graph", :func:`show` in a notebook), drawn with the rules, legend, quotes and
controls of the build's views. A link no claim states says where it comes from (inferred by
the build, the ontology, a provenance record, or the query itself)."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph import network as gn
from graph.views.layout import force_layout
from graph.views.notebook import View
from graph.views.page import Page, nav, page_data, render_page, write_page

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

__all__ = [
    "query_triples",
    "render_graph_page",
    "render_query_view",
    "render_triples_page",
    "show",
    "write_query_view",
]


#: What a query page says when some links have no quote of their own.
_UNQUOTED_LINKS = (
    "Dashed links are stated by no source's sentence: reference data, or triples inferred by "
    "the build, stated by the ontology or made by the query. Click a link to see which.",
    "Les liens en pointillé ne sont énoncés par aucune phrase d'une source : données de "
    "référence, ou triplets déduits par la construction, énoncés par l'ontologie ou produits "
    "par la requête. Cliquez sur un lien pour savoir lequel.",
)


def render_graph_page(
    G: nx.MultiDiGraph, title: str, page_of=None, root: str | None = "", back: str | None = None
) -> str:
    """Any projected graph as a page (force layout), e.g. a synthetic one for benchmarks.
    ``root`` is where the views folder is from the page; ``None`` leaves out the views' menu.
    ``back`` is the address of the query the page draws (the server's query page holding
    it), first in the menu."""
    page = Page("graph", title, title, edge_labels=G.number_of_edges() <= 300)
    if any(d.get("origin") or d.get("reference") for *_, d in G.edges(data=True)):
        page.intro_en, page.intro_fr = _UNQUOTED_LINKS
    menu = nav(root) if root is not None else []
    if back is not None:
        menu.insert(0, {"href": back, "en": "← Query", "fr": "← Requête", "current": False})
    data = page_data(G, _layout(G), page, page_of or (lambda n: None), menu)
    return render_page(data, root=root)


#: Layouts of the last graphs drawn, by their nodes and links: the server redraws the same
#: query result without laying it out again.
_LAYOUTS: OrderedDict[str, dict] = OrderedDict()


def _layout(G: nx.MultiDiGraph) -> dict:
    digest = hashlib.sha256()
    for n in sorted(map(str, G.nodes)):
        digest.update(n.encode() + b"\0")
    for u, v in sorted((str(u), str(v)) for u, v in G.edges()):
        digest.update(f"{u}\0{v}\1".encode())
    key = digest.hexdigest()
    if key in _LAYOUTS:
        _LAYOUTS.move_to_end(key)
        return _LAYOUTS[key]
    pos = force_layout(G)
    _LAYOUTS[key] = pos
    while len(_LAYOUTS) > 32:
        _LAYOUTS.popitem(last=False)
    return pos


def render_triples_page(
    store: ox.Store,
    triples: Iterable,
    title: str,
    link_root: str | None = None,
    entity_link: Callable[[str], str | None] | None = None,
    back: str | None = None,
) -> str:
    """A self-contained page of a CONSTRUCT result (any triples), with the same rules, legend,
    quotes and controls as the other views.

    ``link_root`` is where the views folder is from the page (``""`` when the page is written
    into ``build/views``, ``"/views/"`` when the server has it): the menu links to the views
    and entities to their pages, as a views folder with every entity page has them. ``None``
    (the default, for a page on its own) leaves the links out. ``entity_link`` maps an
    entity's IRI to its link instead, or to ``None`` for no link (the server's ``/entity/``
    pages, which exist for every entity; the pages a large graph's views folder holds).
    ``back`` links the menu back to the query (:func:`render_graph_page`).
    """
    G = gn.project_triples(store, triples)

    def page_of(n: Hashable) -> str | None:
        if not G.nodes[n].get("kind"):
            return None
        if entity_link is not None:
            return entity_link(str(n))
        if link_root is None:
            return None
        return f"{link_root}entity/{G.nodes[n]['key']}.html"

    return render_graph_page(G, title, page_of, root=link_root, back=back)


def query_triples(store: ox.Store, query: str) -> list:
    """The triples ``query`` draws: a CONSTRUCT or DESCRIBE result, or a SELECT of
    ``?s ?p ?o``. Raises ``CvekgError`` for any other query form or an empty result."""
    import pyoxigraph as ox

    from graph.errors import CvekgError
    from graph.query.sparql import run_query

    result = run_query(store, query)
    if isinstance(result, ox.QueryTriples):
        triples = list(result)
    elif isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        if not {"s", "p", "o"} <= set(names):
            raise CvekgError(
                "cvekg view draws triples: give a CONSTRUCT or DESCRIBE query, or a SELECT of "
                f"?s ?p ?o (this SELECT has {', '.join('?' + n for n in names)})"
            )
        triples = []
        for row in result:
            s, p, o = row["s"], row["p"], row["o"]
            if isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode) and o:
                triples.append(ox.Triple(s, p, o))
    else:
        raise CvekgError("cvekg view draws triples: an ASK query has none")
    if not triples:
        raise CvekgError("the query returned no triples: nothing to draw")
    return triples


def render_query_view(store: ox.Store, query: str, title: str, folder: Path | None = None) -> str:
    """The page of ``query``'s triples (:func:`query_triples`). When ``folder`` is a views
    folder (it has ``index.html``), the page is for it: its menu links to the views and its
    entities to the pages the folder holds; otherwise it stands alone, with no link."""
    triples = query_triples(store, query)
    if folder is None or not (Path(folder) / "index.html").exists():
        return render_triples_page(store, triples, title)
    folder = Path(folder)

    def entity_link(iri: str) -> str | None:  # a large graph's folder has only some pages
        page = f"entity/{gn.entity_key(iri)}.html"
        return page if (folder / page).is_file() else None

    return render_triples_page(store, triples, title, "", entity_link)


def show(store_or_build: Any, query: str, title: str = "Query", height: int = 640) -> View:
    """``query``'s triples as a :class:`~graph.views.notebook.View`, which a Jupyter notebook
    displays inline (the page ``cvekg view`` writes, in a sandboxed ``<iframe srcdoc>``) and
    ``.save(path)`` writes to a file.

    ``store_or_build`` is a store (``graph.store.open_store``, a remote one), a build folder
    (``"build"``) or what :func:`graph.pipeline.build` returned. Raises ``CvekgError`` as
    ``cvekg view`` does: no build in the folder, a query that draws no triples.

    >>> from graph.views import show
    >>> view = show("build", "CONSTRUCT WHERE { ?e cvekg:hostCity ?c }")  # doctest: +SKIP
    >>> view  # in a notebook: the interactive page  # doctest: +SKIP
    """
    store = store_or_build
    if isinstance(store_or_build, str | Path) or hasattr(store_or_build, "out"):
        from graph.store import open_store

        built = getattr(store_or_build, "store", None)
        store = built or open_store(Path(getattr(store_or_build, "out", store_or_build)))
    return View(render_query_view(store, query, title), title=title, height=height)


def write_query_view(store: ox.Store, query: str, title: str, out: Path) -> Path:
    """Run ``query`` (a CONSTRUCT or DESCRIBE, or a SELECT of ``?s ?p ?o``) and write its
    result as a page at ``out``; entities link to their pages when ``out`` is in the views
    folder. Raises ``CvekgError`` for any other query form or an empty result."""
    out = Path(out)
    return write_page(out, render_query_view(store, query, title, out.parent))
