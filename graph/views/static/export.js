/* cvekg export: "Save PNG" on every graph page.
 *
 * The image is the drawing at SCALE times its CSS size (vis-network redraws once at that pixel
 * ratio, so lines and labels are sharp, not enlarged), with the page's title above it, the
 * legend as the page shows it (every row, folded or not), and the source credit under it, all
 * drawn on an offscreen canvas. Texts are drawn with fillText: nothing is read as HTML.
 * Runs after cvekg.js (and map.js, whose swatches it borrows for the map's key).
 */
(function () {
  "use strict";

  var page = window.cvekg;
  var button = document.getElementById("png");
  if (!page || !button) return;
  var SCALE = 2;
  var FONT = "system-ui, sans-serif";
  var INK = "#0f172a", MUTED = "#475569", LINE = "#e2e8f0";

  // The network drawn at SCALE device pixels per CSS pixel, then drawn again as it was.
  function drawing() {
    var network = page.network, canvas = network.canvas, el = canvas.frame.canvas;
    var ratio = canvas.pixelRatio, w = el.clientWidth, h = el.clientHeight;
    var copy = document.createElement("canvas");
    try {
      canvas.pixelRatio = SCALE;
      el.width = w * SCALE;
      el.height = h * SCALE;
      network.renderer._redraw();
      copy.width = el.width;
      copy.height = el.height;
      copy.getContext("2d").drawImage(el, 0, 0);
    } finally {
      canvas.pixelRatio = ratio;
      el.width = w * ratio;
      el.height = h * ratio;
      network.renderer._redraw();
    }
    return { image: copy, w: w, h: h };
  }

  function wrap(ctx, text, width) {
    var lines = [], current = "";
    String(text || "").split(/\s+/).forEach(function (word) {
      if (!word) return;
      var next = current ? current + " " + word : word;
      if (current && ctx.measureText(next).width > width) { lines.push(current); current = word; }
      else current = next;
    });
    if (current) lines.push(current);
    return lines;
  }

  // The legend's rows as the page shows them: [kind, colour or swatch, shape, text, count, off].
  function legendRows() {
    var rows = [];
    var title = document.querySelector("#legend .legend-title");
    document.querySelectorAll("#legend .legend-row").forEach(function (row) {
      var texts = row.querySelectorAll("span:not(.swatch):not(.count)");
      var text = Array.prototype.map.call(texts, function (s) { return s.textContent; }).join(" ");
      if (row.dataset.swatch) { rows.push({ key: row.dataset.swatch, text: text }); return; }
      var sw = row.querySelector(".swatch");
      var shape = (sw && (sw.className.match(/shape-(\w+)/) || [])[1]) || "dot";
      var count = row.querySelector(".count");
      var box = row.querySelector("input");
      rows.push({ color: sw ? sw.style.getPropertyValue("--c") : "#9ca3af", shape: shape,
        text: text, count: count ? count.textContent : "", off: !!(box && !box.checked) });
    });
    return { title: title ? title.textContent.replace(/[:：].*$/, "") : "", rows: rows };
  }

  function shapePath(ctx, shape, x, y, r) {
    ctx.beginPath();
    if (shape === "square") ctx.rect(x - r, y - r, 2 * r, 2 * r);
    else if (shape === "diamond") { ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); }
    else if (shape === "triangle") { ctx.moveTo(x, y - r); ctx.lineTo(x + r, y + r); ctx.lineTo(x - r, y + r); }
    else if (shape === "triangleDown") { ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y - r); ctx.lineTo(x, y + r); }
    else if (shape === "hexagon" || shape === "star") {
      var n = shape === "star" ? 10 : 6;
      for (var k = 0; k < n; k++) {
        var a = -Math.PI / 2 + 2 * Math.PI * k / n, rr = shape === "star" && k % 2 ? r * 0.45 : r;
        ctx[k ? "lineTo" : "moveTo"](x + rr * Math.cos(a), y + rr * Math.sin(a));
      }
    } else ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.closePath();
  }

  // The legend box's size; with draw, also draws it at (x, y).
  var ROW = 18, TEXT = 240;
  function legendBox(ctx, legend, x, y, draw) {
    ctx.font = "13px " + FONT;
    var lines = legend.rows.map(function (r) { return wrap(ctx, r.text, r.key ? TEXT : TEXT - 40); });
    var w = 0;
    lines.forEach(function (l, i) {
      l.forEach(function (t) { w = Math.max(w, ctx.measureText(t).width + (legend.rows[i].key ? 34 : 60)); });
    });
    w += 20;
    var h = 30 + lines.reduce(function (n, l) { return n + l.length * ROW + 2; }, 0);
    if (!draw) return { w: w, h: h };
    ctx.fillStyle = "rgba(255,255,255,0.95)";
    ctx.strokeStyle = LINE;
    ctx.lineWidth = 1;
    ctx.fillRect(x, y, w, h);
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
    ctx.fillStyle = MUTED;
    ctx.font = "600 11px " + FONT;
    ctx.textBaseline = "middle";
    ctx.fillText(legend.title.toUpperCase(), x + 10, y + 14);
    var cy = y + 28;
    legend.rows.forEach(function (r, i) {
      var mid = cy + ROW / 2;
      if (r.key) {
        if (window.cvekgMapSwatch) window.cvekgMapSwatch(ctx, r.key, x + 10, mid - 6, 26, 12);
      } else {
        ctx.fillStyle = r.off ? "#d1d5db" : r.color;
        shapePath(ctx, r.shape, x + 17, mid, 5.5);
        ctx.fill();
      }
      ctx.fillStyle = r.off ? "#94a3b8" : INK;
      ctx.font = "13px " + FONT;
      lines[i].forEach(function (t, k) { ctx.fillText(t, x + (r.key ? 44 : 30), mid + k * ROW); });
      if (r.count) {
        ctx.fillStyle = MUTED;
        ctx.textAlign = "right";
        ctx.fillText(r.count, x + w - 10, mid);
        ctx.textAlign = "left";
      }
      cy += lines[i].length * ROW + 2;
    });
    return { w: w, h: h };
  }

  // Who the drawing comes from: the page's sources, the map's outlines, the library.
  function credit() {
    var fr = document.documentElement.lang === "fr";
    var seen = {}, titles = [];
    page.data.claims.forEach(function (c) {
      if (c.source && !seen[c.source]) { seen[c.source] = true; titles.push(c.source); }
    });
    var more = titles.length > 3 ? titles.length - 3 : 0;
    var parts = [];
    if (titles.length) {
      parts.push((fr ? "Sources : " : "Sources: ") + titles.slice(0, 3).join("; ") +
        (more ? (fr ? " et " + more + " autres" : " and " + more + " more") : "") + ".");
    }
    if (page.data.map) {
      parts.push(fr ? "Fond de carte : Natural Earth 1:110m (domaine public)."
        : "Map: Natural Earth 1:110m (public domain).");
    }
    parts.push(fr ? "Réalisé avec cvekg et vis-network ; chaque fait renvoie à la citation de sa source."
      : "Made with cvekg and vis-network; every fact links to the quote of its source.");
    return parts.join(" ");
  }

  function render() {
    var shot = drawing();
    var W = shot.w, pad = 14;
    var measure = document.createElement("canvas").getContext("2d");
    var title = document.getElementById("title").textContent;
    var intro = document.getElementById("intro").textContent;
    measure.font = "600 20px " + FONT;
    var titleLines = wrap(measure, title, W - 2 * pad);
    measure.font = "13px " + FONT;
    var introLines = wrap(measure, intro, W - 2 * pad);
    var creditLines = wrap(measure, credit(), W - 2 * pad);
    var legend = legendRows();
    var size = legendBox(measure, legend, 0, 0);
    var beside = W >= 760;  // on a wide canvas the legend sits where the page leaves it room
    var head = pad + titleLines.length * 26 + introLines.length * 18 + 8;
    var below = beside ? 0 : size.h + 12;
    var foot = 10 + creditLines.length * 17 + pad;
    var H = head + shot.h + below + foot;
    var out = document.createElement("canvas");
    out.width = W * SCALE;
    out.height = H * SCALE;
    var ctx = out.getContext("2d");
    ctx.scale(SCALE, SCALE);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, W, H);
    ctx.textBaseline = "top";
    ctx.fillStyle = INK;
    ctx.font = "600 20px " + FONT;
    titleLines.forEach(function (t, k) { ctx.fillText(t, pad, pad + k * 26); });
    ctx.fillStyle = MUTED;
    ctx.font = "13px " + FONT;
    introLines.forEach(function (t, k) { ctx.fillText(t, pad, pad + titleLines.length * 26 + k * 18); });
    ctx.drawImage(shot.image, 0, head, W, shot.h);
    var at = [beside ? 10 : pad, beside ? head + 10 : head + shot.h + 6];
    legendBox(ctx, legend, at[0], at[1], true);
    ctx.textBaseline = "top";
    ctx.fillStyle = LINE;
    ctx.fillRect(pad, H - foot + 2, W - 2 * pad, 1);
    ctx.fillStyle = MUTED;
    ctx.font = "13px " + FONT;
    creditLines.forEach(function (t, k) { ctx.fillText(t, pad, H - foot + 10 + k * 17); });
    // Where each part is, in CSS pixels (the image is SCALE times that), for the tests.
    return { canvas: out, scale: SCALE, size: [W, H], head: head, drawing: [shot.w, shot.h],
      legend: [at[0], at[1], size.w, size.h], foot: H - foot, credit: creditLines.join(" ") };
  }

  button.addEventListener("click", function () {
    var a = document.createElement("a");
    a.download = (page.data.view || "cvekg") + ".png";
    var made = render();
    a.href = made.canvas.toDataURL("image/png");
    page.exported = { scale: made.scale, size: made.size, head: made.head, drawing: made.drawing,
      legend: made.legend, foot: made.foot, credit: made.credit };
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
})();
