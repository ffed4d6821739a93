/* cvekg graph pages: one script for every view.
 *
 * The data comes from the JSON block of the page. Every text taken from it reaches the page
 * through textContent (never innerHTML), and vis-network tooltips are plain strings, which it
 * shows as text. Nothing is fetched: the page works from any folder, offline.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("cvekg-data").textContent);
  var meta = data.meta;
  var State = window.cvekgState;
  var lang = State.language();  // the fragment's, else the one chosen on another page
  var UI = {
    en: {
      search: "Search entities…", none: "No match", open: "Open its page",
      facts: "Facts", relations: "Relations", names: "Also called", date: "Date",
      vague: "Date in the source's words", quote: "Quote", sentence: "Whole sentence",
      source: "Source", note: "Editorial note", read: "Read from context, not stated in so many words",
      stated: "Stated by the source", reference: "Reference data, no quote",
      inferred: "Inferred by the build", ontology: "Stated by the ontology, not by a source",
      provenance: "A provenance record of the build, not a source's claim",
      query: "Made by the query: in no graph of the build", close: "Close", claim: "claim", legendTitle: "Legend: show",
      all: "all", and: " and ",
      hiddenNear: [" more neighbour", " more neighbours"],
      hiddenFar: [" more entity two steps away", " more entities two steps away"],
      hiddenOne: [" is not drawn (see its own page).", " is not drawn (see its own page)."],
      hiddenMany: [" are not drawn (see their own pages).", " are not drawn (see their own pages)."],
      exchange: "Open the exchange", entities: "entities", links: "links",
      noquote: "no quote", samequote: "Same quote as above", members: "entities in this group", drill: "Open this group",
      everywhere: "Search every entity on the home page",
    },
    fr: {
      search: "Rechercher une entité…", none: "Aucun résultat", open: "Ouvrir sa page",
      facts: "Faits", relations: "Relations", names: "Autres noms", date: "Date",
      vague: "Date selon la source", quote: "Citation", sentence: "Phrase entière",
      source: "Source", note: "Note éditoriale", read: "Lu dans le contexte, pas dit en toutes lettres",
      stated: "Énoncé par la source", reference: "Données de référence, sans citation",
      inferred: "Déduit par la construction", ontology: "Énoncé par l'ontologie, non par une source",
      provenance: "Une trace de provenance de la construction, non une assertion d'une source",
      query: "Produit par la requête : dans aucun graphe de la construction", close: "Fermer", claim: "assertion",
      legendTitle: "Légende : afficher", all: "tout",
      and: " et ",
      hiddenNear: [" autre voisin", " autres voisins"],
      hiddenFar: [" autre entité à deux pas", " autres entités à deux pas"],
      // [masculine, feminine]: "voisins" agree in the masculine, "entités" alone in the feminine
      hiddenOne: [" n'est pas dessiné (voir sa propre page).", " n'est pas dessinée (voir sa propre page)."],
      hiddenMany: [" ne sont pas dessinés (voir leurs propres pages).",
        " ne sont pas dessinées (voir leurs propres pages)."],
      exchange: "Ouvrir l'échange", entities: "entités", links: "liens",
      noquote: "sans citation", samequote: "Même citation que plus haut", members: "entités dans ce groupe", drill: "Ouvrir ce groupe",
      everywhere: "Chercher parmi toutes les entités (page d'accueil)",
    },
  };
  var DIM_NODE = { background: "#e5e7eb", border: "#d1d5db" };
  var DIM_FONT = "#cbd5e1";
  var FONT = "#0f172a";
  var groupColor = {};
  var groupShape = {};
  data.legend.forEach(function (g) { groupColor[g.key] = g.color; groupShape[g.key] = g.shape; });

  // --- Text helpers -------------------------------------------------------------------------

  function t(key) { return UI[lang][key]; }
  function pick(pair) { return (pair && (lang === "fr" ? pair[1] || pair[0] : pair[0])) || ""; }
  function norm(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function nodeLabel(i) { return pick(meta.nodes[i].label); }
  function edgeLabel(j) {
    var m = meta.edges[j];
    return pick(m.label) + (m.count ? " (" + m.count + ")" : "");
  }
  function claimOf(index) { return index >= 0 ? data.claims[index] : null; }
  function quoteLine(claim) {
    if (!claim) return t("noquote");
    if (claim.reference) return t("reference") + ": " + claim.reference;
    return (claim.read ? "[" + t("read") + "] " : "") + "\u201c" + claim.quote + "\u201d" +
      (claim.source ? "\n\u2014 " + claim.source : "");
  }
  function nodeTitle(i) {
    var m = meta.nodes[i];
    var lines = [nodeLabel(i), pick(m.cls)];
    if (m.date) lines.push(pick(m.date));
    if (m.vague) lines.push("\u201c" + m.vague + "\u201d");
    if (m.count) lines.push(m.count + " " + t("entities"));
    return lines.filter(Boolean).join("\n");
  }
  // Where a link no claim states comes from (inferred, the ontology, provenance, the query).
  function originLine(m) {
    return t(m.origin) + (m.how ? " (" + pick(m.how) + ")" : "");
  }
  function edgeTitle(j) {
    var e = data.edges[j];
    var m = meta.edges[j];
    var head = nodeLabel(e.from) + "  \u2192 " + pick(m.label) + " \u2192  " + nodeLabel(e.to);
    var lines = [head];
    if (m.count) lines.push(m.count + " " + t("links"));
    else lines.push(quoteLine(claimOf(m.claim)));
    if (m.origin) lines.push(originLine(m));
    if (m.also) lines.push(pick(m.also));
    return wrap(lines.join("\n"), 70);
  }
  function wrap(text, width) {
    return text.split("\n").map(function (line) {
      var out = [], current = "";
      line.split(" ").forEach(function (word) {
        if (current && (current + " " + word).length > width) { out.push(current); current = word; }
        else current = current ? current + " " + word : word;
      });
      out.push(current);
      return out.join("\n");
    }).join("\n");
  }

  // --- The network --------------------------------------------------------------------------

  var container = document.getElementById("graph");
  var nodes = new vis.DataSet([]);
  var edges = new vis.DataSet([]);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var showEdgeLabels = !!data.edgeLabels;
  var hiddenGroups = {};
  var positions = {};
  var shown = [];
  var panelTarget = null;
  var highlighted = null;

  // Which labels to draw at each zoom (labels.js): the best connected first; on an entity
  // page the entity, then its neighbours, then the rest.
  var degreeOf = null;
  function priority(i) {
    if (!degreeOf) {
      degreeOf = new Array(data.nodes.length).fill(0);
      data.edges.forEach(function (e) { degreeOf[e.from] += 1; degreeOf[e.to] += 1; });
    }
    var ring = 0;
    if (data.mode === "entity" && currentEntry) {
      ring = i === currentEntry.node ? 2e9 : currentEntry.near.indexOf(i) >= 0 ? 1e9 : 0;
    }
    return ring + degreeOf[i] * 1000 + (data.nodes[i].size || 0);
  }
  var labels = window.cvekgLabels(network, nodes, edges, {
    priority: priority,
    nodeLabel: nodeLabel,
    edgeLabel: function (j) { return showEdgeLabels ? edgeLabel(j) : ""; },
    edgeLabels: function () { return showEdgeLabels; },
    edgeFirst: function (j) { return !!meta.edges[j].after; },
  });

  function visNode(i) {
    var base = data.nodes[i];
    var p = positions[i] || base;
    var color = groupColor[base.group] || "#9ca3af";
    return Object.assign({}, base, {
      x: p.x, y: p.y, label: nodeLabel(i), title: nodeTitle(i),
      hidden: !!hiddenGroups[base.group],
      color: { background: color, border: color,
        highlight: { background: color, border: "#111827" },
        hover: { background: color, border: "#111827" } },
      font: { color: FONT },
    });
  }
  function visEdge(j) {
    return Object.assign({}, data.edges[j], {
      label: showEdgeLabels ? edgeLabel(j) : "", title: edgeTitle(j),
    });
  }
  function drawn(i) { return shown.indexOf(i) >= 0; }
  function load(indexes, pos) {
    positions = pos || {};
    shown = indexes;
    var inside = {};
    indexes.forEach(function (i) { inside[i] = true; });
    nodes.clear();
    edges.clear();
    nodes.add(indexes.map(visNode));
    var list = [];
    for (var j = 0; j < data.edges.length; j++) {
      var e = data.edges[j];
      if (inside[e.from] && inside[e.to]) list.push(visEdge(j));
    }
    edges.add(list);
    highlighted = null;
    buildNodeList();
    fitAll(false);
  }
  // Fit the nodes and the drawings behind them into the part of the canvas the legend leaves.
  function fitAll(animate) {
    var W = container.clientWidth, H = container.clientHeight;
    var legendEl = document.getElementById("legend");
    var side = W > 760 && legendEl && !legendEl.classList.contains("folded") ? legendEl.offsetWidth + 24 : 0;
    var ids = nodes.getIds({ filter: function (n) { return !n.hidden; } });
    var pos = network.getPositions(ids);
    // Texts behind the graph keep a readable size on screen (textSize), so how much room they
    // take depends on the scale: fit twice.
    var scale = 1, box = null;
    for (var pass = 0; pass < 2; pass++) {
      box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
      var take = function (x0, y0, x1, y1) {
        box.x0 = Math.min(box.x0, x0); box.y0 = Math.min(box.y0, y0);
        box.x1 = Math.max(box.x1, x1); box.y1 = Math.max(box.y1, y1);
      };
      var below = 30 + 40 / scale;  // a node's label, at a readable size, hangs under it
      var half = Math.max(70, 75 / scale);  // and half a label's width either side
      ids.forEach(function (id) { var p = pos[id]; take(p.x - half, p.y - 30, p.x + half, p.y + below); });
      (data.mode === "entity" ? [] : data.decorations || []).forEach(function (d) {
        if (d.kind === "band") take(d.x, d.y, d.x + d.w, d.y + d.h);
        else if (d.kind === "line") take(Math.min(d.x1, d.x2), Math.min(d.y1, d.y2), Math.max(d.x1, d.x2), Math.max(d.y1, d.y2));
        else if (d.kind === "text") {
          var size = textSize(d, scale);
          var half = (d.wrap ? d.wrap * size / (d.size || 14) : size * 5);
          var left = d.align === "right" ? d.x - 2 * half : d.align === "left" ? d.x : d.x - half;
          take(left, d.y - size, left + 2 * half, d.y + size);
        }
      });
      if (!isFinite(box.x0)) return;
      scale = Math.min((W - side - 30) / (box.x1 - box.x0), (H - 30) / (box.y1 - box.y0), 1.3);
    }
    var x = (box.x0 + box.x1) / 2 - side / 2 / scale;
    if (W < 760 && String(data.view).indexOf("timeline") === 0 && scale < 0.3) {
      // A phone cannot hold years of events readably: start at the earliest, drag for the rest.
      scale = 0.3;
      var first = Math.min.apply(null, ids.map(function (id) { return pos[id].x; }));
      x = first + (W / 2 - 40) / scale;
    }
    network.moveTo({
      position: { x: x, y: (box.y0 + box.y1) / 2 },
      scale: scale,
      animation: animate ? { duration: 300 } : false,
    });
    if (animate) setTimeout(labels.update, 330); else labels.update();
  }
  function refreshLabels() {
    nodes.update(nodes.getIds().map(function (i) {
      return { id: i, label: nodeLabel(i), title: nodeTitle(i) };
    }));
    edges.update(edges.getIds().map(function (j) {
      return { id: j, label: showEdgeLabels ? edgeLabel(j) : "", title: edgeTitle(j) };
    }));
    labels.update();
  }

  // --- Highlight the neighbours of a node ---------------------------------------------------

  // A node's font in another colour, keeping the size labels.js gave it (vis-network's
  // DataSet replaces a property's object whole).
  function fontWith(n, color) { return Object.assign({}, nodes.get(n).font, { color: color }); }
  function highlight(i) {
    var keep = {};
    keep[i] = true;
    network.getConnectedNodes(i).forEach(function (n) { keep[n] = true; });
    var touching = {};
    network.getConnectedEdges(i).forEach(function (e) { touching[e] = true; });
    nodes.update(nodes.getIds().map(function (n) {
      var v = visNode(n);
      return keep[n] ? { id: n, color: v.color, font: fontWith(n, FONT) }
        : { id: n, color: DIM_NODE, font: fontWith(n, DIM_FONT) };
    }));
    edges.update(edges.getIds().map(function (e) {
      return touching[e] ? { id: e, color: { color: "#334155", opacity: 1 }, width: 2 }
        : { id: e, color: { color: "#e5e7eb", opacity: 0.6 }, width: 1 };
    }));
    highlighted = i;
    labels.force([i].concat(network.getConnectedNodes(i)), network.getConnectedEdges(i));
  }
  function unhighlight() {
    if (highlighted === null) return;
    nodes.update(nodes.getIds().map(function (n) {
      var v = visNode(n);
      return { id: n, color: v.color, font: fontWith(n, FONT) };
    }));
    edges.update(edges.getIds().map(function (e) {
      return { id: e, color: data.options.edges.color, width: data.edges[e].width || 1.2 };
    }));
    highlighted = null;
    labels.force([]);
  }

  // --- The side panel -----------------------------------------------------------------------

  var panel = document.getElementById("panel");

  // A quote or sentence as the source shows it: the page data gives its markup as
  // [text, style] runs (graph/text.py); each run is a text node (textContent), styled by a
  // class per style ("u" -> "m-u"). Without runs, the plain text.
  function styledText(tag, cls, text, runs) {
    if (!runs) return el(tag, cls, text);
    var node = el(tag, cls);
    runs.forEach(function (run) {
      if (!run[1]) { node.appendChild(document.createTextNode(run[0])); return; }
      node.appendChild(el("span", run[1].split(" ").map(function (s) { return "m-" + s; }).join(" "), run[0]));
    });
    return node;
  }
  // ``shown``, when given, holds the claims whose quote the panel already shows: a claim
  // behind several facts or relations is quoted once, then referred to.
  function quoteBlock(claimIndex, shown) {
    var box = el("div", "quote");
    var claim = claimOf(claimIndex);
    if (!claim) { box.appendChild(el("p", "muted", t("noquote"))); return box; }
    if (claim.reference) { box.appendChild(el("p", "muted", t("reference") + ": " + claim.reference)); return box; }
    if (shown) {
      if (shown[claimIndex]) {
        box.className = "quote again";
        box.appendChild(el("p", "muted", t("samequote") + " (" + t("claim") + " " + claim.name + ")"));
        return box;
      }
      shown[claimIndex] = true;
    }
    box.appendChild(el("p", claim.read ? "support read" : "support stated",
      claim.read ? t("read") : t("stated")));
    box.appendChild(styledText("blockquote", null, claim.quote, claim.quoteRuns));
    var cite = el("p", "cite", "\u2014 " + (claim.source || "") + (claim.date ? ", " + claim.date : "") +
      " \u00b7 " + t("claim") + " " + claim.name);
    box.appendChild(cite);
    if (claim.sentence && claim.sentence !== claim.quote) {
      var more = el("details");
      more.appendChild(el("summary", null, t("sentence")));
      more.appendChild(styledText("p", "sentence", claim.sentence, claim.sentenceRuns));
      box.appendChild(more);
    }
    if (claim.note) box.appendChild(el("p", "note", t("note") + ": " + claim.note));
    return box;
  }
  function openPage(i) {
    var m = meta.nodes[i];
    if (onThisPage(m)) { location.hash = m.key; return; }
    if (m.page) location.href = m.page;
  }
  function nodeButton(i) {
    var b = el("button", "link", nodeLabel(i));
    b.type = "button";
    // The panel is rebuilt for the new node: the keyboard's focus moves to it, not to nowhere.
    b.addEventListener("click", function () { focusNode(i); panel.focus(); });
    return b;
  }
  function panelHeader(title, chip, color) {
    panel.textContent = "";
    var close = el("button", "close", "\u00d7");
    close.type = "button";
    close.title = t("close");
    close.addEventListener("click", dismissPanel);
    panel.appendChild(close);
    if (chip) {
      var c = el("p", "chip");
      var sw = el("span", "swatch");
      sw.style.setProperty("--c", color || "#9ca3af");
      c.appendChild(sw);
      c.appendChild(document.createTextNode(chip));
      panel.appendChild(c);
    }
    panel.appendChild(el("h2", null, title));
  }
  function showNode(i) {
    var m = meta.nodes[i];
    panelTarget = { node: i };
    syncNodeList(i);
    saveState();
    panelHeader(nodeLabel(i), pick(m.cls) || "", groupColor[m.group]);
    panel.appendChild(el("p", "iri", m.iri));
    if (m.page || onThisPage(m)) {
      var isHere = data.mode === "entity" && currentKey === m.key;
      if (!isHere) {
        var open = el("button", "primary", m.count ? t("drill") : t("open"));
        open.type = "button";
        open.addEventListener("click", function () { openPage(i); });
        panel.appendChild(open);
      }
    }
    var names = [];
    var other = lang === "fr" ? m.label[0] : m.label[1];
    if (other && other !== nodeLabel(i)) names.push(other);
    (m.alt || []).forEach(function (a) { if (names.indexOf(a) < 0) names.push(a); });
    if (names.length) panel.appendChild(el("p", "names", t("names") + ": " + names.join(" \u00b7 ")));
    if (m.count) panel.appendChild(el("p", "names", m.count + " " + t("members")));
    if (m.date) panel.appendChild(el("p", "names", t("date") + ": " + pick(m.date)));
    if (m.vague) panel.appendChild(el("p", "names", t("vague") + ": \u201c" + m.vague + "\u201d"));
    var shown = {};
    if (m.facts.length) {
      panel.appendChild(el("h3", null, t("facts")));
      var dl = el("dl", "facts");
      m.facts.forEach(function (f) {
        dl.appendChild(el("dt", null, lang === "fr" ? f[1] : f[0]));
        var dd = el("dd", null, f[2]);
        var claim = claimOf(f[3]);
        if (claim && !claim.reference) dd.appendChild(quoteBlock(f[3], shown));
        else if (claim) dd.appendChild(el("small", "muted", " (" + claim.reference + ")"));
        dl.appendChild(dd);
      });
      panel.appendChild(dl);
    }
    var touching = network.getConnectedEdges(i);
    if (touching.length) {
      panel.appendChild(el("h3", null, t("relations") + " (" + touching.length + ")"));
      var ul = el("ul", "relations");
      touching.sort(function (a, b) { return edgeLabel(a).localeCompare(edgeLabel(b)); });
      touching.forEach(function (j) {
        var e = data.edges[j];
        var li = el("li");
        var line = el("p", "rel");
        var outgoing = e.from === i;
        line.appendChild(el("span", "arrow", outgoing ? "\u2192 " + edgeLabel(j) + " \u2192 " : "\u2190 " + edgeLabel(j) + " \u2190 "));
        line.appendChild(nodeButton(outgoing ? e.to : e.from));
        li.appendChild(line);
        li.appendChild(edgeDetails(j, shown));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
    panel.hidden = false;
  }
  function edgeDetails(j, shown) {
    var m = meta.edges[j];
    var box = el("div");
    if (m.count) { box.appendChild(el("p", "muted", m.count + " " + t("links"))); return box; }
    box.appendChild(quoteBlock(m.claim, shown));
    if (m.origin) box.appendChild(el("p", "muted", originLine(m)));
    if (m.also) box.appendChild(el("p", "muted", pick(m.also)));
    if (m.page) {
      var b = el("a", "small", t("exchange"));
      b.href = m.page;
      box.appendChild(b);
    }
    return box;
  }
  function showEdge(j) {
    var e = data.edges[j];
    panelTarget = { edge: j };
    panelHeader(edgeLabel(j), null);
    var line = el("p", "rel");
    line.appendChild(nodeButton(e.from));
    line.appendChild(el("span", "arrow", " \u2192 " + edgeLabel(j) + " \u2192 "));
    line.appendChild(nodeButton(e.to));
    panel.appendChild(line);
    panel.appendChild(edgeDetails(j));
    panel.hidden = false;
  }
  function closePanel() { panel.hidden = true; panelTarget = null; saveState(); }
  // The fragment holds what a reload or a shared link should show again: the entity of an
  // entity page, the selected node (by its key) and the language: #node=city-lyon&lang=fr.
  function saveState() {
    var state = {};
    if (data.mode === "entity" && currentKey) state[""] = currentKey;
    if (panelTarget && "node" in panelTarget) {
      var key = meta.nodes[panelTarget.node].key;
      if (key && !(data.mode === "entity" && key === currentKey)) state.node = key;
    }
    state.lang = lang === "fr" ? "fr" : "";
    State.write(state);
  }
  function refreshPanel() {
    if (!panelTarget) return;
    if ("node" in panelTarget) showNode(panelTarget.node); else showEdge(panelTarget.edge);
  }
  function focusNode(i) {
    if (hiddenGroups[data.nodes[i].group]) toggleGroup(data.nodes[i].group, true);
    network.selectNodes([i]);
    network.focus(i, { scale: Math.max(network.getScale(), 0.9), animation: { duration: 350 } });
    setTimeout(labels.update, 380);
    highlight(i);
    showNode(i);
    setTimeout(function () { keepAboveSheet(i); }, 380);
  }

  // On a phone the panel is a sheet over the lower part of the drawing: bring the node into
  // the part left above it.
  function keepAboveSheet(i) {
    if (container.clientWidth >= 760 || panel.hidden) return;
    var canvas = container.getBoundingClientRect();
    var visible = Math.max(panel.getBoundingClientRect().top - canvas.top, 80);
    var scale = Math.max(network.getScale(), 0.6);
    var p = network.getPosition(i);
    network.moveTo({ position: { x: p.x, y: p.y + (canvas.height / 2 - visible / 2) / scale },
      scale: scale, animation: { duration: 250 } });
    setTimeout(labels.update, 280);
  }
  network.on("click", function (params) {
    if (params.nodes.length) { highlight(params.nodes[0]); showNode(params.nodes[0]); keepAboveSheet(params.nodes[0]); }
    else if (params.edges.length) { unhighlight(); showEdge(params.edges[0]); }
    else { unhighlight(); closePanel(); }
  });
  // Escape closes the panel (the search list, when open, closes first: search.js stops it),
  // and the keyboard's focus goes back to where the panel was opened from.
  function dismissPanel() {
    var back = panel.contains(document.activeElement) ? returnFocus : null;
    closePanel();
    network.unselectAll();
    unhighlight();
    if (back && document.contains(back)) back.focus();
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" || panel.hidden) return;
    dismissPanel();
  });
  network.on("doubleClick", function (params) { if (params.nodes.length) openPage(params.nodes[0]); });

  // --- Legend and class filter --------------------------------------------------------------

  var legend = document.getElementById("legend");
  var legendBoxes = {};
  function counts() {
    var c = {};
    shown.forEach(function (i) { var g = data.nodes[i].group; c[g] = (c[g] || 0) + 1; });
    return c;
  }
  // Folded (its title alone) on a phone, where it would cover the drawing; a click unfolds it.
  var legendFolded = container.clientWidth < 760;
  function buildLegend() {
    legend.textContent = "";
    var toggle = el("button", "legend-title", t("legendTitle"));
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", String(!legendFolded));
    toggle.setAttribute("aria-controls", "legend-body");
    toggle.addEventListener("click", function () {
      legendFolded = !legendFolded;
      legend.classList.toggle("folded", legendFolded);
      toggle.setAttribute("aria-expanded", String(!legendFolded));
    });
    legend.appendChild(toggle);
    legend.classList.toggle("folded", legendFolded);
    var body = el("div", "legend-body");
    body.id = "legend-body";
    legend.appendChild(body);
    var c = counts();
    data.legend.forEach(function (g) {
      if (!c[g.key]) return;
      var row = el("label", "legend-row");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.checked = !hiddenGroups[g.key];
      box.dataset.group = g.key;
      box.addEventListener("change", function () { toggleGroup(g.key, box.checked); });
      legendBoxes[g.key] = box;
      var sw = el("span", "swatch shape-" + g.shape);
      sw.style.setProperty("--c", g.color);
      row.appendChild(box);
      row.appendChild(sw);
      row.appendChild(el("span", null, pick(g.label)));
      row.appendChild(el("span", "count", c[g.key]));
      body.appendChild(row);
    });
  }
  function toggleGroup(key, visible) {
    if (visible) delete hiddenGroups[key]; else hiddenGroups[key] = true;
    if (legendBoxes[key]) legendBoxes[key].checked = visible;
    nodes.update(shown.filter(function (i) { return data.nodes[i].group === key; })
      .map(function (i) { return { id: i, hidden: !visible }; }));
    labels.update();
    buildNodeList();
  }

  // --- The list of drawn nodes: every node within reach of the keyboard and screen readers --
  // A listbox (one Tab stop; arrow keys, Home, End, Page keys, a letter to jump): Enter or a
  // click opens the node's panel, shows it in the drawing and moves the focus into the panel;
  // Escape closes the panel and brings the focus back here.

  var nodeList = document.getElementById("nodes");
  var listed = [];  // node indexes, in the list's order
  var listActive = -1;
  var returnFocus = null;
  function buildNodeList() {
    var keep = listActive >= 0 ? listed[listActive] : null;
    nodeList.textContent = "";
    nodeList.removeAttribute("aria-activedescendant");
    listed = shown.filter(function (i) { return !hiddenGroups[data.nodes[i].group]; });
    listed.sort(function (a, b) { return nodeLabel(a).localeCompare(nodeLabel(b), lang); });
    listActive = -1;
    listed.forEach(function (i, k) {
      var li = el("li");
      li.id = "node-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var sw = el("span", "swatch shape-" + (groupShape[data.nodes[i].group] || "dot"));
      sw.style.setProperty("--c", groupColor[data.nodes[i].group] || "#9ca3af");
      sw.setAttribute("aria-hidden", "true");
      li.appendChild(sw);
      li.appendChild(el("span", "name", nodeLabel(i)));
      var kind = pick(meta.nodes[i].cls);
      if (kind) li.appendChild(el("span", "muted small", "(" + kind + ")"));
      li.addEventListener("click", function () { setListActive(k); chooseListed(); });
      nodeList.appendChild(li);
      if (i === keep) listActive = k;
    });
    document.getElementById("node-count").textContent = String(listed.length);
    if (listActive >= 0) setListActive(listActive);
  }
  function setListActive(k) {
    var old = listActive >= 0 && nodeList.children[listActive];
    if (old) { old.classList.remove("active"); old.setAttribute("aria-selected", "false"); }
    listActive = Math.max(0, Math.min(k, listed.length - 1));
    var li = nodeList.children[listActive];
    if (!li) { listActive = -1; return; }
    li.classList.add("active");
    li.setAttribute("aria-selected", "true");
    nodeList.setAttribute("aria-activedescendant", li.id);
    if (document.activeElement === nodeList) li.scrollIntoView({ block: "nearest" });
  }
  // The list follows the node last opened, wherever it was opened from.
  function syncNodeList(i) {
    var k = listed.indexOf(i);
    if (k >= 0 && k !== listActive) setListActive(k);
  }
  function chooseListed() {
    if (listActive < 0) return;
    returnFocus = nodeList;
    focusNode(listed[listActive]);
    panel.focus();
  }
  // The skip link moves the focus itself: the fragment holds the page's state, not anchors.
  document.querySelector(".skip").addEventListener("click", function (ev) {
    ev.preventDefault();
    nodeList.focus();
  });
  nodeList.addEventListener("focus", function () {
    if (listActive < 0 && listed.length) setListActive(0);
  });
  nodeList.addEventListener("keydown", function (ev) {
    var page = 10, k = listActive;
    if (ev.key === "ArrowDown" || ev.key === "ArrowRight") k += 1;
    else if (ev.key === "ArrowUp" || ev.key === "ArrowLeft") k -= 1;
    else if (ev.key === "Home") k = 0;
    else if (ev.key === "End") k = listed.length - 1;
    else if (ev.key === "PageDown") k += page;
    else if (ev.key === "PageUp") k -= page;
    else if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); chooseListed(); return; }
    else if (ev.key.length === 1 && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      // A letter: the next node whose label starts with it.
      var letter = norm(ev.key);
      for (var step = 1; step <= listed.length; step++) {
        var at = (listActive + step) % listed.length;
        if (letter && norm(nodeLabel(listed[at])).indexOf(letter) === 0) { k = at; break; }
      }
    } else return;
    ev.preventDefault();
    setListActive(k);
  });

  // --- Search: every entity of the page, and every other entity of the graph ---------------

  var search = document.getElementById("search");
  var results = document.getElementById("results");
  var entries = null;
  // Entries for search.js: the page's own nodes (drawn ones are focused, others opened), then
  // the graph's entities this page does not hold (data.more), which open their own page.
  function searchEntries() {
    if (entries) return entries;
    var S = window.cvekgSearch;
    entries = meta.nodes.map(function (m, i) {
      return {
        names: [m.label[0], m.label[1]].concat(m.alt || [], [m.key || ""]).map(S.norm),
        label: function () { return nodeLabel(i); },
        detail: function () { return pick(meta.nodes[i].cls); },
        color: groupColor[data.nodes[i].group], shape: groupShape[data.nodes[i].group],
        available: function () { return data.mode === "entity" || drawn(i) || !!meta.nodes[i].page; },
        choose: function () { if (drawn(i)) focusNode(i); else openPage(i); },
      };
    });
    (data.more || []).forEach(function (e) {
      // [en, fr, alternative names, key, group, page, class en, class fr]
      entries.push({
        names: [e[0], e[1]].concat(e[2], [e[3]]).map(S.norm),
        label: function () { return lang === "fr" ? e[1] : e[0]; },
        detail: function () { return (lang === "fr" ? e[7] : e[6]) + " \u2197"; },
        color: data.moreGroups[e[4]] ? data.moreGroups[e[4]][0] : "#9ca3af",
        shape: data.moreGroups[e[4]] ? data.moreGroups[e[4]][1] : "dot",
        available: function () { return true; },
        choose: function () { location.href = e[5]; },
      });
    });
    return entries;
  }
  var searchBox = window.cvekgSearch.combobox(search, results, function (q) {
    return window.cvekgSearch.rank(searchEntries().filter(function (e) { return e.available(); }), q, 15);
  }, function () { return t("none"); }, function (q) {
    if (!data.home || data.moreAll || data.mode === "entity") return null;
    return {  // the graph is too large for every name on each page: the index has them all
      label: function () { return t("everywhere"); },
      choose: function () { location.href = data.home + "#q=" + encodeURIComponent(q.trim()); },
    };
  });
  function runSearch() { searchBox.run(); }

  // --- Language, labels, physics, fit ------------------------------------------------------

  function applyLanguage(value, initial) {
    lang = value === "fr" ? "fr" : "en";
    document.documentElement.lang = lang;
    document.getElementById("lang").value = lang;
    document.querySelectorAll("[data-en]").forEach(function (node) {
      node.textContent = lang === "fr" ? node.dataset.fr : node.dataset.en;
    });
    search.placeholder = t("search");
    document.getElementById("title").textContent = pick(data.title);
    document.getElementById("intro").textContent = pick(data.intro);
    var note = (missingKey !== null ? missingNote() + " " : "") + pick(data.note) + " " +
      hiddenNote();
    var noteEl = document.getElementById("note");
    noteEl.textContent = note.trim();
    noteEl.hidden = !note.trim();
    if (!initial) refreshLabels();
    buildLegend();
    buildNodeList();
    if (data.mode === "entity") renderClaims();
    refreshPanel();
    if (search.value && !results.hidden) runSearch();
    network.redraw();
  }
  document.getElementById("lang").addEventListener("change", function (ev) {
    applyLanguage(ev.target.value);
    State.saveLanguage(lang);
    saveState();
  });
  var labelBox = document.getElementById("edge-labels");
  labelBox.checked = showEdgeLabels;
  labelBox.addEventListener("change", function () { showEdgeLabels = labelBox.checked; refreshLabels(); });
  document.getElementById("physics").addEventListener("change", function (ev) {
    network.setOptions({ physics: { enabled: ev.target.checked } });
  });
  // With physics on, nodes move: once they settle, the view refits and labels are re-chosen.
  network.on("stabilized", function () { fitAll(true); });
  document.getElementById("fit").addEventListener("click", function () { fitAll(true); });
  // Save PNG: export.js.

  // --- Drawings behind the graph: map panels, the ocean, years, lanes -----------------------

  network.on("beforeDrawing", function (ctx) {
    (data.decorations || []).forEach(function (d) {
      ctx.save();
      if (d.kind === "band") {
        ctx.fillStyle = d.color;
        ctx.fillRect(d.x, d.y, d.w, d.h);
      } else if (d.kind === "line") {
        ctx.strokeStyle = d.color;
        ctx.lineWidth = 2;
        ctx.setLineDash(d.dash || []);
        ctx.beginPath();
        ctx.moveTo(d.x1, d.y1);
        ctx.lineTo(d.x2, d.y2);
        ctx.stroke();
      } else if (d.kind === "text") {
        var size = textSize(d, network.getScale());
        ctx.fillStyle = d.color || "#64748b";
        ctx.font = (d.italic ? "italic " : "") + size + "px system-ui, sans-serif";
        ctx.textAlign = d.align || "center";
        ctx.textBaseline = "middle";
        var text = lang === "fr" ? d.fr : d.en;
        var lines = d.wrap ? wrapCanvas(ctx, text, d.wrap * size / (d.size || 14)) : [text];
        lines.forEach(function (line, k) {
          ctx.fillText(line, d.x, d.y + (k - (lines.length - 1) / 2) * size * 1.25);
        });
      }
      ctx.restore();
    });
  });
  // A text behind the graph: its own size, but never under TEXT_PX on screen.
  var TEXT_PX = 12;
  function textSize(d, scale) { return Math.max(d.size || 14, TEXT_PX / scale); }
  function wrapCanvas(ctx, text, width) {
    var lines = [], current = "";
    String(text).split(" ").forEach(function (word) {
      var next = current ? current + " " + word : word;
      if (current && ctx.measureText(next).width > width) { lines.push(current); current = word; }
      else current = next;
    });
    lines.push(current);
    return lines;
  }

  // --- Entity pages: one bundle page shows any of its entities, named by the URL's hash -----

  var currentKey = null;
  var currentEntry = null;  // the entity page's entity: {node, near, far}
  var leftOut = [0, 0];  // neighbours, and entities two steps away, not drawn
  var missingKey = null;  // a key in the URL that names no entity of this page
  // Keys come from the URL: no inherited property ("constructor", "__proto__") may answer.
  var keyIndex = Object.create(null);
  meta.nodes.forEach(function (m, i) { if (m.key) keyIndex[m.key] = i; });
  function own(object, key) { return !!object && Object.prototype.hasOwnProperty.call(object, key); }
  function entityOf(key) {
    if (data.entities) return own(data.entities, key) ? data.entities[key] : null;
    return key in keyIndex ? neighbourhood(keyIndex[key]) : null;
  }
  function hashKey() { return State.read()[""] || ""; }

  // Who links to whom among the page's nodes (both ways), for the rings.
  var linked = null;
  function linkedTo(i) {
    if (!linked) {
      linked = {};
      data.edges.forEach(function (e) {
        (linked[e.from] = linked[e.from] || {})[e.to] = true;
        (linked[e.to] = linked[e.to] || {})[e.from] = true;
      });
    }
    return linked[i] || {};
  }
  function byText(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  // The neighbourhood as rings: the entity in the middle, its neighbours on a ring, theirs on
  // an outer ring near the neighbour that leads to them, each neighbour's share of the circle
  // growing with its own neighbours; whoever has no such neighbour on an outer circle.
  function rings(center, near, far) {
    var RING = 180;
    var pos = {};
    pos[center] = { x: 0, y: 0 };
    var first = near.slice().sort(function (a, b) {
      return byText(data.nodes[a].group, data.nodes[b].group) ||
        byText(meta.nodes[a].label[0], meta.nodes[b].label[0]);
    });
    var children = {};
    first.forEach(function (m) { children[m] = []; });
    var orphans = [];
    far.slice().sort(function (a, b) { return byText(meta.nodes[a].iri, meta.nodes[b].iri); })
      .forEach(function (n) {
        var links = linkedTo(n);
        for (var k = 0; k < first.length; k++) {
          if (links[first[k]]) { children[first[k]].push(n); return; }
        }
        orphans.push(n);
      });
    var total = 0;
    first.forEach(function (m) { total += 1 + children[m].length; });
    total = total || 1;
    var r1 = Math.max(RING, first.length * 95 / (2 * Math.PI));
    var r2 = r1 + RING;
    var angle = -Math.PI / 2;
    var outer = r2;
    first.forEach(function (m) {
      var share = 2 * Math.PI * (1 + children[m].length) / total;
      var mid = angle + share / 2;
      pos[m] = { x: r1 * Math.cos(mid), y: r1 * Math.sin(mid) };
      var kids = children[m];
      var capacity = Math.max(1, Math.floor(share * r2 / 90));
      kids.forEach(function (kid, i) {
        var level = Math.floor(i / capacity), slot = i % capacity;
        var row = Math.min(capacity, kids.length - level * capacity);
        var a = angle + share * (slot + 0.5) / row;
        var r = r2 + level * 80;
        pos[kid] = { x: r * Math.cos(a), y: r * Math.sin(a) };
        outer = Math.max(outer, r);
      });
      angle += share;
    });
    outer += RING;
    orphans.forEach(function (n, k) {
      var a = 2 * Math.PI * k / Math.max(orphans.length, 1);
      pos[n] = { x: outer * Math.cos(a), y: outer * Math.sin(a) };
    });
    return pos;
  }

  // An entity page holds either every entity (the page finds each one's neighbourhood) or
  // one entity with its neighbourhood worked out in advance (data.entities).
  function onThisPage(m) {
    if (data.mode !== "entity" || !m.key) return false;
    return data.entities ? own(data.entities, m.key) : m.key in keyIndex;
  }
  var hoods = null;
  // The rules of graph.network.Neighbourhoods: every neighbour, then the best connected of
  // those two steps away along quoted links, at most EGO_LIMIT in all.
  function neighbourhood(c) {
    var EGO_LIMIT = 120;
    if (!hoods) {
      hoods = { degree: new Array(data.nodes.length).fill(0), links: {} };
      data.edges.forEach(function (e, j) {
        var claim = claimOf(meta.edges[j].claim);
        var quoted = !!(claim && claim.quote);
        hoods.degree[e.from] += 1;
        hoods.degree[e.to] += 1;
        if (e.from === e.to) return;
        var a = hoods.links[e.from] = hoods.links[e.from] || {};
        var b = hoods.links[e.to] = hoods.links[e.to] || {};
        a[e.to] = a[e.to] || quoted;
        b[e.from] = b[e.from] || quoted;
      });
    }
    function rank(a, b) {
      return hoods.degree[b] - hoods.degree[a] || byText(meta.nodes[a].iri, meta.nodes[b].iri);
    }
    var around = hoods.links[c] || {};
    var first = Object.keys(around).map(Number).sort(rank);
    var seen = {};
    seen[c] = true;
    first.forEach(function (m) { seen[m] = true; });
    var reached = {};
    first.forEach(function (m) {
      if (!around[m]) return;
      var next = hoods.links[m] || {};
      Object.keys(next).forEach(function (j) { if (next[j] && !seen[j]) reached[j] = true; });
    });
    var further = Object.keys(reached).map(Number);
    var room = Math.max(EGO_LIMIT - 1 - first.length, 0);
    var near = first.slice(0, EGO_LIMIT - 1);
    var far = room ? further.sort(rank).slice(0, room) : [];
    return { node: c, near: near, far: far,
      hidden: [first.length - near.length, further.length - far.length] };
  }

  function showEntity(key) {
    var entry = entityOf(key);
    missingKey = key && !entry ? key : null;
    if (!entry) { key = data.first; entry = entityOf(key); }
    currentKey = key;
    currentEntry = entry;
    panelTarget = null;  // the last entity's node may not be drawn around this one
    var pos = rings(entry.node, entry.near, entry.far);
    var indexes = [entry.node].concat(entry.near, entry.far);
    leftOut = entry.hidden || [0, 0];
    data.title = meta.nodes[entry.node].label;
    data.intro = meta.nodes[entry.node].cls;
    load(indexes, pos);
    document.title = nodeLabel(entry.node) + " \u00b7 cvekg";
    applyLanguage(lang, true);
    network.selectNodes([entry.node]);
    // The panel first: it narrows the canvas, which rescales the view. On a phone it would
    // cover the drawing, and the claims under it say the same: it opens on a click.
    if (container.clientWidth >= 760) showNode(entry.node);
    fitAll(false);
  }
  // "11 more neighbours and 260 more entities two steps away are not drawn (…)."
  function hiddenNote() {
    var near = leftOut[0], far = leftOut[1], parts = [];
    if (near) parts.push(near + t("hiddenNear")[near > 1 ? 1 : 0]);
    if (far) parts.push(far + t("hiddenFar")[far > 1 ? 1 : 0]);
    if (!parts.length) return "";
    return parts.join(t("and")) + t(near + far > 1 ? "hiddenMany" : "hiddenOne")[near ? 0 : 1];
  }
  function missingNote() {
    var label = nodeLabel(keyIndex[currentKey]);
    return lang === "fr" ? "Aucune entité \u00ab " + missingKey + " \u00bb ici : voici " + label + "."
      : "No entity \u201c" + missingKey + "\u201d here: showing " + label + " instead.";
  }
  function statementPart(part) {
    if (typeof part === "number") {
      var link = el("a", "entity", nodeLabel(part));
      var m = meta.nodes[part];
      if (onThisPage(m)) link.href = "#" + m.key; else if (m.page) link.href = m.page;
      return link;
    }
    return el("span", "literal", Array.isArray(part) ? pick(part) : part);
  }
  function renderClaims() {
    var body = document.getElementById("claims-body");
    body.textContent = "";
    var about = meta.nodes[keyIndex[currentKey]].claims || [];
    about.forEach(function (ci) {
      var claim = data.claims[ci];
      var tr = el("tr");
      var what = el("td", "statements");
      (claim.st || []).forEach(function (st) {
        var p = el("p");
        p.appendChild(statementPart(st[0]));
        p.appendChild(el("span", "pred", " \u2014 " + (lang === "fr" ? st[2] : st[1]) + " \u2014 "));
        p.appendChild(statementPart(st[3]));
        what.appendChild(p);
      });
      tr.appendChild(what);
      var q = el("td");
      q.appendChild(quoteBlock(ci));
      tr.appendChild(q);
      tr.appendChild(el("td", "muted", (claim.source || "") + (claim.date ? ", " + claim.date : "")));
      body.appendChild(tr);
    });
    document.getElementById("claims").hidden = !about.length;
  }

  // --- Start --------------------------------------------------------------------------------

  if (data.mode === "entity") {
    window.addEventListener("hashchange", function () { showEntity(hashKey()); });
    showEntity(hashKey());
  } else {
    var all = [];
    for (var i = 0; i < data.nodes.length; i++) all.push(i);
    load(all, null);
    applyLanguage(lang, true);
    fitAll(false);
  }
  // A node named in the fragment is selected again (a reload, a shared link).
  var asked = State.read().node;
  if (asked && asked in keyIndex && drawn(keyIndex[asked])) focusNode(keyIndex[asked]);
  window.cvekg = {
    network: network, nodes: nodes, edges: edges, data: data,
    keyIndex: keyIndex, focusNode: focusNode, setLanguage: applyLanguage, fit: fitAll,
  };
  document.body.dataset.ready = "true";
})();
