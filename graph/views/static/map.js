/* cvekg map: what the city-pairs page draws behind its cities.
 *
 * graph/views/geo.py projects everything (Natural Earth's land, coastlines and borders, each
 * panel's frame and scale bar, the lines from moved cities to their true places) into the
 * graph's coordinates; this file only draws it, on vis-network's canvas before the links and
 * nodes, and adds the key to links and projection under the legend. Texts reach the page
 * through textContent only. Runs after cvekg.js, on pages whose data has a map.
 */
(function () {
  "use strict";

  var page = window.cvekg;
  if (!page || !page.data.map) return;
  var network = page.network;
  var map = page.data.map;
  var LAND = "#fbfaf5", COAST = "#7f98b4", BORDER = "#cfc8b6", FRAME = "#b6c6d8";
  var INK = "#334155", LEADER = "#475569";
  var TEXT_PX = 12;

  // A delta-encoded line [x0, y0, dx1, dy1, ...] as a path.
  function trace(ctx, line, close) {
    var x = line[0], y = line[1];
    ctx.moveTo(x, y);
    for (var i = 2; i < line.length; i += 2) {
      x += line[i];
      y += line[i + 1];
      ctx.lineTo(x, y);
    }
    if (close) ctx.closePath();
  }

  function drawPanel(ctx, p, scale) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(p.x, p.y, p.w, p.h);
    ctx.clip();
    ctx.beginPath();
    p.land.forEach(function (ring) { trace(ctx, ring, true); });
    ctx.fillStyle = LAND;
    ctx.fill("evenodd");
    ctx.lineJoin = "round";
    ctx.beginPath();
    p.borders.forEach(function (line) { trace(ctx, line, false); });
    ctx.strokeStyle = BORDER;
    ctx.lineWidth = 1 / scale;
    ctx.stroke();
    ctx.beginPath();
    p.coast.forEach(function (line) { trace(ctx, line, false); });
    ctx.strokeStyle = COAST;
    ctx.lineWidth = 1.3 / scale;
    ctx.stroke();
    ctx.restore();
    ctx.save();
    ctx.strokeStyle = FRAME;
    ctx.lineWidth = 1 / scale;
    ctx.strokeRect(p.x, p.y, p.w, p.h);
    // The scale bar, under the panel's left corner (clear of its cities): a round distance,
    // its length to this panel's scale.
    var size = TEXT_PX / scale;
    var x = p.x, y = p.y + p.h + 12 / scale;
    ctx.strokeStyle = INK;
    ctx.lineWidth = 2 / scale;
    ctx.beginPath();
    ctx.moveTo(x, y - 4 / scale);
    ctx.lineTo(x, y + 4 / scale);
    ctx.moveTo(x, y);
    ctx.lineTo(x + p.bar[1], y);
    ctx.moveTo(x + p.bar[1], y - 4 / scale);
    ctx.lineTo(x + p.bar[1], y + 4 / scale);
    ctx.stroke();
    ctx.fillStyle = INK;
    ctx.font = size + "px system-ui, sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(p.bar[0].toLocaleString(document.documentElement.lang) + " km",
      x + p.bar[1] + 6 / scale, y);
    ctx.restore();
  }

  // On a narrow screen Europe goes above the Americas (geo.py worked out the places and bends
  // of that arrangement too), so each panel takes the screen's whole width.
  function stack() {
    var tall = map.tall, dx = map.shift[0], dy = map.shift[1];
    var second = map.panels[1];
    second.x += dx;
    second.y += dy;
    [second.land, second.coast, second.borders].forEach(function (lines) {
      lines.forEach(function (line) { line[0] += dx; line[1] += dy; });
    });
    second.leaders.forEach(function (l) { l[0] += dx; l[1] += dy; l[2] += dx; l[3] += dy; });
    page.data.decorations.forEach(function (d) {
      if (d.panel === second.key) { d.x += dx; d.y += dy; }
    });
    page.data.nodes.forEach(function (n, i) { n.x = tall.pos[i][0]; n.y = tall.pos[i][1]; });
    page.data.edges.forEach(function (e, j) { e.smooth = tall.smooth[j]; });
    page.nodes.update(page.nodes.getIds().map(function (i) {
      return { id: i, x: tall.pos[i][0], y: tall.pos[i][1] };
    }));
    page.edges.update(page.edges.getIds().map(function (j) { return { id: j, smooth: tall.smooth[j] }; }));
    map.stacked = true;
  }
  if (map.tall && document.getElementById("graph").clientWidth < 760) stack();

  network.on("beforeDrawing", function (ctx) {
    var scale = network.getScale();
    map.panels.forEach(function (p) { drawPanel(ctx, p, scale); });
    // From each moved city to its true place: a thin line and a dot.
    ctx.save();
    ctx.strokeStyle = LEADER;
    ctx.fillStyle = LEADER;
    ctx.lineWidth = 1 / scale;
    map.panels.forEach(function (p) { p.leaders.forEach(function (l) {
      ctx.beginPath();
      ctx.moveTo(l[0], l[1]);
      ctx.lineTo(l[2], l[3]);
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(l[2], l[3], 2.5 / scale, 0, 2 * Math.PI);
      ctx.fill();
    }); });
    ctx.restore();
  });

  // --- The key under the legend -----------------------------------------------------------

  // A swatch for a kind of key row, in a w × h box at (x, y): also used by export.js.
  function swatch(ctx, kind, x, y, w, h) {
    var mid = y + h / 2;
    ctx.save();
    ctx.strokeStyle = "#64748b";
    ctx.fillStyle = "#64748b";
    ctx.lineWidth = 1.6;
    if (kind === "projection") {
      ctx.strokeStyle = FRAME;
      ctx.fillStyle = LAND;
      ctx.fillRect(x + 2, y + 1, w - 4, h - 2);
      ctx.strokeRect(x + 2, y + 1, w - 4, h - 2);
      ctx.strokeStyle = INK;
      ctx.beginPath();
      ctx.moveTo(x + 5, mid - 1);
      ctx.lineTo(x + 5, mid + 2);
      ctx.lineTo(x + w - 5, mid + 2);
      ctx.lineTo(x + w - 5, mid - 1);
      ctx.stroke();
    } else if (kind === "leader") {
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x + 6, mid);
      ctx.lineTo(x + w - 3, mid);
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(x + w - 3, mid, 2.2, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = "#9ca3af";
      ctx.beginPath();
      ctx.arc(x + 5, mid, 4.5, 0, 2 * Math.PI);
      ctx.fill();
    } else {
      ctx.setLineDash(kind === "dashed" ? [4, 3] : []);
      ctx.beginPath();
      ctx.moveTo(x + 1, mid);
      ctx.lineTo(x + w - (kind === "plain" ? 1 : 7), mid);
      ctx.stroke();
      ctx.setLineDash([]);
      if (kind !== "plain") {
        ctx.beginPath();
        ctx.moveTo(x + w, mid);
        ctx.lineTo(x + w - 8, mid - 4);
        ctx.lineTo(x + w - 8, mid + 4);
        ctx.closePath();
        ctx.fill();
      }
    }
    ctx.restore();
  }
  window.cvekgMapSwatch = swatch;

  var legend = document.getElementById("legend");
  function addKey() {
    var body = legend.querySelector(".legend-body");
    if (!body || body.querySelector(".map-key")) return;
    var fr = document.documentElement.lang === "fr";
    var box = document.createElement("div");
    box.className = "map-key";
    box.style.maxWidth = "15.5rem";
    box.style.marginTop = ".35rem";
    box.style.paddingTop = ".3rem";
    box.style.borderTop = "1px solid #e2e8f0";
    map.key.forEach(function (row) {
      var line = document.createElement("div");
      line.className = "legend-row key-row";
      line.dataset.swatch = row[0];
      line.style.cursor = "default";
      line.style.alignItems = "flex-start";
      var c = document.createElement("canvas");
      var ratio = window.devicePixelRatio || 1;
      c.width = 26 * ratio;
      c.height = 12 * ratio;
      c.style.width = "26px";
      c.style.height = "12px";
      c.style.flex = "none";
      c.style.marginTop = ".2rem";
      c.setAttribute("aria-hidden", "true");
      var ctx = c.getContext("2d");
      ctx.scale(ratio, ratio);
      swatch(ctx, row[0], 0, 0, 26, 12);
      var text = document.createElement("span");
      text.textContent = fr ? row[2] : row[1];
      line.appendChild(c);
      line.appendChild(text);
      box.appendChild(line);
    });
    body.appendChild(box);
  }
  // cvekg.js builds the legend anew on every change of language: add the key each time.
  new MutationObserver(addKey).observe(legend, { childList: true });
  addKey();
  if (page.fit) page.fit(false);  // the key widened the legend: the map fits beside it again
})();
