/* cvekg labels: level of detail for the graph pages.
 *
 * A label is drawn at a readable size or not at all: vis-network hides any label under 11 CSS
 * pixels (drawThreshold 12: it hides below threshold - 1). At each zoom the page picks which
 * labels to draw, most important first (the best connected; on an entity page the entity,
 * then its neighbours), each at NODE_PX screen pixels, and keeps one only where it overlaps no
 * label already kept; the rest appear as the user zooms in, or on hover, or when a node is
 * selected (its neighbours). Link labels follow, at EDGE_PX, where they fit between them.
 */
(function () {
  "use strict";

  var NODE_PX = 13, EDGE_PX = 12, HIDDEN = 0.01, THRESHOLD = 12;
  var CHARS = 22;  // characters per line before vis-network wraps (widthConstraint below)

  window.cvekgLabels = function (network, nodes, edges, options) {
    var priority = options.priority;  // node id -> a number, higher is labelled first
    var labelOf = options.nodeLabel, edgeLabelOf = options.edgeLabel;
    var forced = {};
    var forcedEdges = {};
    var plan = { nodes: {}, edges: {} };
    var timer = null;

    network.setOptions({
      nodes: { scaling: { label: { drawThreshold: THRESHOLD, maxVisible: 40 } } },
      edges: { scaling: { label: { drawThreshold: THRESHOLD, maxVisible: 40 } } },
    });

    // The screen box a label would take, centred at x on top at y (screen pixels).
    function box(text, x, y, px) {
      var n = String(text || "").length;
      var lines = n > CHARS ? Math.ceil(n / CHARS) + 1 : 1;
      var w = Math.min(n, CHARS) * px * 0.58 + 6;
      return { x0: x - w / 2, x1: x + w / 2, y0: y, y1: y + lines * px * 1.2 + 2 };
    }
    function hits(a, list) {
      for (var k = 0; k < list.length; k++) {
        var b = list[k];
        if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) return true;
      }
      return false;
    }
    function font(px, scale, visible) {
      var size = visible ? px / scale : HIDDEN;
      return { size: size, widthConstraint: { maximum: visible ? CHARS * 0.58 * size : 170 } };
    }

    // Decide which labels to draw at the present zoom, and give each its size.
    function update() {
      timer = null;
      var scale = network.getScale();
      var ids = nodes.getIds({ filter: function (n) { return !n.hidden; } });
      var pos = network.getPositions(ids);
      ids.sort(function (a, b) {
        return (forced[b] || 0) - (forced[a] || 0) || priority(b) - priority(a) || a - b;
      });
      var kept = [];
      var next = { nodes: {}, edges: {} };
      function tryNode(id) {
        if (next.nodes[id]) return;
        var radius = (nodes.get(id).size || 14) * scale;
        var b = box(labelOf(id), pos[id].x * scale, pos[id].y * scale + radius + 2, NODE_PX);
        if (forced[id] === 2 || !hits(b, kept)) { kept.push(b); next.nodes[id] = true; }
      }
      function tryEdge(e) {
        if (next.edges[e.id]) return;
        // Where vis-network puts the label: the middle of the drawn curve (its own edge
        // object, in the vendored 10.1.5), else of the straight line.
        var inner = network.body && network.body.edges[e.id];
        var mid = inner && inner.edgeType && inner.edgeType.getPoint ? inner.edgeType.getPoint(0.5)
          : { x: (pos[e.from].x + pos[e.to].x) / 2, y: (pos[e.from].y + pos[e.to].y) / 2 };
        var x = mid.x * scale, y = mid.y * scale;
        var b = box(edgeLabelOf(e.id), x, y - EDGE_PX * 0.6, EDGE_PX);
        if (!hits(b, kept)) { kept.push(b); next.edges[e.id] = true; }
      }
      var order = [];
      if (options.edgeLabels()) {
        var edgeIds = edges.getIds({ filter: function (e) { return !!edgeLabelOf(e.id); } });
        order = edgeIds.map(function (id) {
          var e = edges.get(id);
          var first = forcedEdges[id] || (options.edgeFirst && options.edgeFirst(id));
          return { id: id, from: e.from, to: e.to, first: !!first,
            rank: priority(e.from) + priority(e.to) };
        }).filter(function (e) { return pos[e.from] && pos[e.to]; });
        order.sort(function (a, b) { return b.first - a.first || b.rank - a.rank || a.id - b.id; });
      }
      // The selected node; then the links that say most (those touching it, or a page's
      // chosen ones: the timeline's durations); then nodes, then the other links.
      ids.filter(function (id) { return forced[id] === 2; }).forEach(tryNode);
      order.filter(function (e) { return e.first; }).forEach(tryEdge);
      ids.forEach(tryNode);
      order.forEach(tryEdge);
      nodes.update(nodes.getIds().map(function (id) {
        var f = font(NODE_PX, scale, !!next.nodes[id]);
        var size = { size: f.size };
        return { id: id, font: Object.assign({}, nodes.get(id).font, size), widthConstraint: f.widthConstraint };
      }));
      edges.update(edges.getIds().map(function (id) {
        return { id: id, font: { size: next.edges[id] ? EDGE_PX / scale : HIDDEN } };
      }));
      plan = next;
    }
    function later() { if (!timer) timer = setTimeout(update, 80); }
    network.on("zoom", later);
    network.on("resize", later);  // vis-network rescales the view with the canvas
    network.on("hoverNode", function (p) {
      if (plan.nodes[p.node]) return;
      nodes.update({ id: p.node, font: Object.assign({}, nodes.get(p.node).font, { size: NODE_PX / network.getScale() }) });
    });
    network.on("blurNode", function (p) {
      if (plan.nodes[p.node] || forced[p.node]) return;
      nodes.update({ id: p.node, font: Object.assign({}, nodes.get(p.node).font, { size: HIDDEN }) });
    });
    return {
      update: update,
      // Labels to draw first (a selected node, then its neighbours).
      // The first is drawn whatever else; the others first, where they fit.
      force: function (ids, edgeIds) {
        forced = {};
        forcedEdges = {};
        (ids || []).forEach(function (id, k) { forced[id] = k === 0 ? 2 : 1; });
        (edgeIds || []).forEach(function (id) { forcedEdges[id] = true; });
        update();
      },
      plan: function () { return plan; },
    };
  };
})();
