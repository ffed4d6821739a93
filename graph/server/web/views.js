// The query page's result views besides the table: a graph, a map, a timeline and a bar
// chart, each offered only when the answer's columns fit it (`offered`) and drawn as SVG
// (`draw`). Every value from the graph goes in as text (textContent, setAttribute, SVG
// <title>): nothing is parsed as HTML, and nothing is loaded from anywhere.
"use strict";

window.CvekgViews = (() => {
  const SVG = "http://www.w3.org/2000/svg";
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "short",
    "nonNegativeInteger", "positiveInteger", "unsignedInt"].map((t) => XSD + t));
  const DATED = /^(-?\d{4})(?:-(\d{2}))?(?:-\d{2})?(?:T.*)?$/;
  const LAT = /(^|[^a-z])lat(itude)?$/i;
  const LONG = /(^|[^a-z])(long|lon|lng|longitude)$/i;
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
    "Dec"];

  // --- reading the columns ----------------------------------------------------------------

  // A typed number (a COUNT, an xsd:integer): a string of digits ("2016") is a name.
  function isNumber(term) {
    return !!term && term.type !== "uri" && term.type !== "bnode" &&
      NUMERIC.has(term.datatype) && Number.isFinite(Number(term.value));
  }

  // A date's year and month (month null when the value gives the year only), or null.
  function dateOf(term) {
    if (!term || term.type === "uri" || term.type === "bnode") return null;
    const known = !term.datatype || term.datatype === XSD + "string" ||
      ["date", "dateTime", "gYearMonth", "gYear"].some((t) => term.datatype === XSD + t);
    const match = known && term.value.match(DATED);
    if (!match) return null;
    const month = match[2] ? Number(match[2]) : null;
    if (month !== null && (month < 1 || month > 12)) return null;
    return { year: Number(match[1]), month };
  }

  // What a row's cell is called on a chart: the entity's label, or the literal's text.
  function text(term, h) {
    if (!term) return "";
    if (term.type === "uri") return h.label(term.value) || h.compact(term.value);
    return term.value;
  }

  // An SVG element with attributes; its text, if any, set as text.
  function el(name, attrs = {}, content = null) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    if (content !== null) node.textContent = content;
    return node;
  }

  // A label, linked to the entity page when the term is one of the graph's entities.
  function labelled(parent, term, h, attrs, shown) {
    const href = term && term.type === "uri" ? h.href(term.value) : null;
    const holder = href ? el("a", { href }) : parent;
    if (href) parent.append(holder);
    if (href) holder.append(el("title", {}, term.value));  // the IRI on hover, as text
    const node = el("text", attrs, shown);
    holder.append(node);
    return node;
  }

  function svgBox(width, height, name) {
    return el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
      "aria-label": name, class: "chart" });
  }

  // The columns (not label columns) whose values are entities in some row.
  function entityColumns(result) {
    return result.columns.filter((c) => result.rows.some((r) => r[c] && r[c].type === "uri"));
  }

  // The first column that names a row on a chart, other than those in `skip`.
  function nameColumn(result, skip) {
    const free = result.columns.filter((c) => !skip.includes(c));
    return free.find((c) => result.rows.some((r) => r[c] && r[c].type === "uri")) ||
      free.find((c) => result.rows.some((r) => r[c] && !isNumber(r[c]) && !dateOf(r[c]))) ||
      null;
  }

  // --- which views fit ----------------------------------------------------------------------

  function edges(result, h) {
    const found = [];
    const spo = ["s", "p", "o"].every((v) => result.vars.includes(v));
    if (result.form === "CONSTRUCT" || result.form === "DESCRIBE" || spo) {
      for (const row of result.rows) {
        if (row.s && row.o && row.s.type !== "literal" && row.o.type === "uri" && row.p) {
          found.push([row.s, row.o, text(row.p, h)]);
        }
      }
      return found;
    }
    const entities = entityColumns(result);
    if (entities.length < 2) return found;
    for (const row of result.rows) {
      const [first, ...others] = entities.filter((c) => row[c] && row[c].type === "uri");
      for (const other of others || []) found.push([row[first], row[other], other]);
    }
    return found;
  }

  function points(result, h) {
    const found = [];
    const lat = result.vars.find((v) => LAT.test(v));
    const long = result.vars.find((v) => LONG.test(v));
    const name = nameColumn(result, [lat, long]);
    const located = entityColumns(result).filter((c) => result.rows.some(
      (r) => r[c] && r[c].type === "uri" && h.point(r[c].value)));
    result.rows.forEach((row, index) => {
      const inRow = [];
      if (lat && long && isNumber(row[lat]) && isNumber(row[long])) {
        inRow.push({ term: name ? row[name] : null, lat: Number(row[lat].value),
          long: Number(row[long].value), index });
      } else {
        for (const c of located) {
          const at = row[c] && row[c].type === "uri" && h.point(row[c].value);
          if (at) inRow.push({ term: row[c], lat: at[0], long: at[1], index });
        }
      }
      found.push(...inRow.filter((p) => Math.abs(p.lat) <= 90 && Math.abs(p.long) <= 180));
    });
    return found;
  }

  function events(result, h) {
    const column = result.columns.find((c) => result.rows.some((r) => dateOf(r[c])));
    if (!column) return [];
    const name = nameColumn(result, [column]);
    return result.rows.filter((r) => dateOf(r[column])).map((row) => ({
      date: dateOf(row[column]), term: name ? row[name] : null, raw: row[column].value,
      name: name ? text(row[name], h) : row[column].value,
    }));
  }

  function bars(result, h) {
    // A count or an amount: not a coordinate.
    const value = result.columns.find((c) => !LAT.test(c) && !LONG.test(c) &&
      result.rows.some((r) => isNumber(r[c])));
    if (!value) return [];
    // The bars are named by the first other column: the thing counted (a year, a city).
    const name = result.columns.find((c) => c !== value && result.rows.some((r) => r[c] && !isNumber(r[c])));
    if (!name) return [];
    return result.rows.filter((r) => isNumber(r[value]) && r[name]).map((row) => ({
      term: row[name], name: text(row[name], h), value: Number(row[value].value), column: value,
    }));
  }

  const VIEWS = [
    { id: "graph", title: "Graph", data: edges },
    { id: "map", title: "Map", data: points },
    { id: "timeline", title: "Timeline", data: events },
    { id: "bar", title: "Bar chart", data: bars },
  ];

  function offered(result, h) {
    if (!result || !result.rows || !result.rows.length) return [];
    return VIEWS.filter((v) => v.data(result, h).length > 0).map((v) => ({ id: v.id, title: v.title }));
  }

  // --- drawing -------------------------------------------------------------------------------

  function note(box, words) {
    const p = document.createElement("p");
    p.className = "chart-note";
    p.textContent = words;
    box.append(p);
  }

  function drawBars(box, result, h, width) {
    const data = bars(result, h);
    const shown = data.slice(0, 80);
    const left = Math.min(320, Math.max(120, width * 0.35));
    const max = Math.max(...shown.map((d) => d.value), 0) || 1;
    const row = 26;
    const svg = svgBox(width, shown.length * row + 36, `Bar chart of ${data[0].column}`);
    const span = width - left - 70;
    shown.forEach((d, i) => {
      const y = 10 + i * row;
      const g = el("g", { class: "bar" });
      labelled(g, d.term, h, { x: left - 8, y: y + 15, "text-anchor": "end" },
        d.name.length > 44 ? d.name.slice(0, 42) + "…" : d.name);
      const length = Math.max(1, (Math.max(0, d.value) / max) * span);
      g.append(el("rect", { x: left, y: y + 2, width: length, height: row - 8, rx: 2 }));
      g.append(el("text", { x: left + length + 6, y: y + 15, class: "value" }, String(d.value)));
      svg.append(g);
    });
    svg.append(el("text", { x: left, y: shown.length * row + 28, class: "axis" },
      `${data[0].column} (0 to ${max})`));
    box.append(svg);
    if (data.length > shown.length) note(box, `The first ${shown.length} of ${data.length} rows.`);
  }

  const monthIndex = (d) => d.year * 12 + (d.month ? d.month - 1 : 0);

  function drawTimeline(box, result, h, width) {
    const data = events(result, h).sort((a, b) => monthIndex(a.date) - monthIndex(b.date));
    const first = monthIndex(data[0].date) - 2;
    const last = Math.max(...data.map((d) => monthIndex(d.date) + (d.date.month ? 0 : 11))) + 3;
    const margin = 20;
    const scale = (width - 2 * margin) / Math.max(1, last - first);
    const x = (m) => margin + (m - first) * scale;
    const lanes = [];  // where each lane's last label ends
    const placed = data.map((d) => {
      const start = x(monthIndex(d.date));
      const end = d.date.month ? start : x(monthIndex(d.date) + 12);
      const when = d.date.month ? `${MONTHS[d.date.month - 1]} ${d.date.year}` : `${d.date.year}`;
      const words = `${d.name.length > 40 ? d.name.slice(0, 38) + "…" : d.name} · ${when}`;
      const w = words.length * 7;
      const after = Math.max(start, end) + 9;
      // Past the right edge, the label goes before its mark.
      const left = after + w > width - margin ? Math.max(margin, start - 9 - w) : after;
      let lane = lanes.findIndex((endAt) => endAt < Math.min(left, start) - 6);
      if (lane === -1) { lane = lanes.length; lanes.push(0); }
      lanes[lane] = Math.max(left + w, end);
      return { d, start, end, lane, words, left, anchor: left === after ? "start" : "end" };
    });
    const lane = 24;
    const top = 16;
    const height = top + lanes.length * lane + 46;
    const svg = svgBox(width, height, "Timeline");
    const axisY = top + lanes.length * lane + 10;
    svg.append(el("line", { x1: margin, x2: width - margin, y1: axisY, y2: axisY, class: "axis-line" }));
    const years = Math.ceil((last - first) / 12);
    const step = years > 24 ? 5 : years > 12 ? 2 : 1;
    for (let year = Math.ceil(first / 12); year * 12 <= last; year += 1) {
      if (year % step) continue;
      const at = x(year * 12);
      svg.append(el("line", { x1: at, x2: at, y1: top - 6, y2: axisY + 5, class: "grid" }));
      svg.append(el("text", { x: at, y: axisY + 22, "text-anchor": "middle", class: "axis" },
        String(year)));
    }
    for (const p of placed) {
      const y = top + p.lane * lane + 8;
      const g = el("g", { class: p.d.date.month ? "event" : "event year-only" });
      if (p.d.date.month) g.append(el("circle", { cx: p.start, cy: y, r: 5 }));
      else g.append(el("rect", { x: p.start, y: y - 4, width: Math.max(4, p.end - p.start), height: 8, rx: 3 }));
      g.append(el("title", {}, `${p.d.raw}${p.d.date.month ? "" : " (the year only)"}`));
      const at = p.anchor === "start" ? p.left : p.start - 9;
      labelled(g, p.d.term, h, { x: at, y: y + 5, "text-anchor": p.anchor }, p.words);
      svg.append(g);
    }
    box.append(svg);
    note(box, "Drawn to the month; a bar spans a year when the value gives the year only.");
  }

  // Points grouped where longitudes leave a wide gap (France and the US): a panel each, each
  // to its own stated scale, so neither shrinks to a dot.
  function panelsOf(found) {
    const sorted = found.slice().sort((a, b) => a.long - b.long);
    const groups = [[sorted[0]]];
    for (const p of sorted.slice(1)) {
      const group = groups[groups.length - 1];
      if (p.long - group[group.length - 1].long > 45) groups.push([p]); else group.push(p);
    }
    return groups;
  }

  function drawMap(box, result, h, width) {
    const found = points(result, h);
    const groups = panelsOf(found);
    const gap = 16;
    const stacked = width < 700;  // a phone: panels one above the other, each full width
    const panelWidth = stacked ? width - 4 : (width - gap * (groups.length - 1)) / groups.length;
    const height = Math.max(280, Math.min(520, panelWidth * 0.75));
    const wrap = document.createElement("div");
    wrap.className = "map-panels";
    for (const group of groups) {
      const lats = group.map((p) => p.lat), longs = group.map((p) => p.long);
      const pad = 2;
      let west = Math.min(...longs) - pad, east = Math.max(...longs) + pad;
      let south = Math.min(...lats) - pad, north = Math.max(...lats) + pad;
      // Equirectangular: one scale for both axes, the box grown to the panel's shape.
      const inner = { w: panelWidth - 60, h: height - 50 };
      const scale = Math.min(inner.w / (east - west), inner.h / (north - south));
      const midLong = (west + east) / 2, midLat = (north + south) / 2;
      west = midLong - inner.w / scale / 2; east = midLong + inner.w / scale / 2;
      south = midLat - inner.h / scale / 2; north = midLat + inner.h / scale / 2;
      const x = (long) => 40 + (long - west) * scale;
      const y = (lat) => 14 + (north - lat) * scale;
      const svg = svgBox(panelWidth, height, "Map");
      const ticks = Math.max(3, Math.min(8, panelWidth / 90));  // room for each degree label
      const every = [1, 2, 5, 10, 20, 30].find((s) => (east - west) / s <= ticks) || 45;
      for (let long = Math.ceil(west / every) * every; long <= east; long += every) {
        svg.append(el("line", { x1: x(long), x2: x(long), y1: y(north), y2: y(south), class: "grid" }));
        svg.append(el("text", { x: x(long), y: y(south) + 16, "text-anchor": "middle", class: "axis" },
          `${Math.abs(long)}°${long < 0 ? "W" : long > 0 ? "E" : ""}`));
      }
      for (let lat = Math.ceil(south / every) * every; lat <= north; lat += every) {
        svg.append(el("line", { x1: x(west), x2: x(east), y1: y(lat), y2: y(lat), class: "grid" }));
        svg.append(el("text", { x: 34, y: y(lat) + 4, "text-anchor": "end", class: "axis" },
          `${Math.abs(lat)}°${lat < 0 ? "S" : lat > 0 ? "N" : ""}`));
      }
      // Links between the places of one row (a French city and its US partner), when both
      // are in this panel.
      const byRow = new Map();
      for (const p of group) byRow.set(p.index, [...(byRow.get(p.index) || []), p]);
      for (const inRow of byRow.values()) {
        for (const p of inRow.slice(1)) {
          svg.append(el("line", { x1: x(inRow[0].long), y1: y(inRow[0].lat), x2: x(p.long),
            y2: y(p.lat), class: "link" }));
        }
      }
      const seen = new Map();
      for (const p of group) {
        const key = `${p.lat},${p.long}`;
        if (!seen.has(key)) seen.set(key, { p, names: new Set() });
        seen.get(key).names.add(text(p.term, h) || `${p.lat}, ${p.long}`);
      }
      const taken = [];  // label boxes drawn so far, to move a label clear of the others
      const ordered = [...seen.values()].sort((a, b) => y(a.p.lat) - y(b.p.lat));
      for (const { p, names } of ordered) {
        const cx = x(p.long), cy = y(p.lat);
        const g = el("g", { class: "place" });
        g.append(el("circle", { cx, cy, r: 5 }));
        const words = [...names].join(", ");
        const w = words.length * 7.2;
        let lx = cx + 8, ly = cy + 5;
        if (lx + w > panelWidth) lx = cx - 8 - w;
        while (taken.some((t) => lx < t.x + t.w && lx + w > t.x && ly - 13 < t.y && ly > t.y - 13)) ly += 15;
        taken.push({ x: lx, y: ly, w });
        if (ly !== cy + 5) g.append(el("line", { x1: cx, y1: cy, x2: lx, y2: ly - 4, class: "leader" }));
        labelled(g, p.term, h, { x: lx, y: ly }, words);
        g.append(el("title", {}, `${words}: ${p.lat}, ${p.long}`));
        svg.append(g);
      }
      const figure = document.createElement("figure");
      figure.append(svg);
      const caption = document.createElement("figcaption");
      caption.textContent = `${Math.round(west)}° to ${Math.round(east)}° longitude, ` +
        `${Math.round(south)}° to ${Math.round(north)}° latitude; 1° = ${scale.toFixed(1)} px`;
      figure.append(caption);
      wrap.append(figure);
    }
    box.append(wrap);
    note(box, `${found.length} place${found.length === 1 ? "" : "s"}, equirectangular ` +
      "(longitude and latitude at one scale per panel), from the coordinates in the answer " +
      "or the graph's geo:lat and geo:long.");
  }

  // A force-directed layout, run a fixed number of steps from a circle: the same answer
  // always draws the same picture.
  function layout(nodes, links, width, height) {
    const n = nodes.length;
    nodes.forEach((node, i) => {
      node.x = width / 2 + Math.cos((2 * Math.PI * i) / n) * width * 0.35;
      node.y = height / 2 + Math.sin((2 * Math.PI * i) / n) * height * 0.35;
    });
    const k = Math.sqrt((width * height) / Math.max(1, n)) * 0.7;
    for (let step = 0, heat = width / 8; step < 250; step += 1, heat *= 0.985) {
      for (const a of nodes) { a.dx = 0; a.dy = 0; }
      for (let i = 0; i < n; i += 1) {
        for (let j = i + 1; j < n; j += 1) {
          const a = nodes[i], b = nodes[j];
          const dx = a.x - b.x || 0.01, dy = a.y - b.y || 0.01;
          const d2 = dx * dx + dy * dy;
          const push = (k * k) / d2;
          a.dx += dx * push; a.dy += dy * push; b.dx -= dx * push; b.dy -= dy * push;
        }
      }
      for (const { a, b } of links) {
        const dx = a.x - b.x, dy = a.y - b.y;
        const d = Math.sqrt(dx * dx + dy * dy) || 0.01;
        const pull = d / k;
        a.dx -= dx * pull; a.dy -= dy * pull; b.dx += dx * pull; b.dy += dy * pull;
      }
      for (const a of nodes) {
        a.dx += (width / 2 - a.x) * 0.02; a.dy += (height / 2 - a.y) * 0.02;
        const d = Math.sqrt(a.dx * a.dx + a.dy * a.dy) || 1;
        a.x = Math.min(width - 30, Math.max(30, a.x + (a.dx / d) * Math.min(d, heat)));
        a.y = Math.min(height - 20, Math.max(20, a.y + (a.dy / d) * Math.min(d, heat)));
      }
    }
  }

  function drawGraph(box, result, h, width) {
    const all = edges(result, h);
    const nodes = new Map();
    const links = [];
    const cap = 150;
    for (const [s, o, name] of all) {
      for (const term of [s, o]) {
        if (!nodes.has(term.value) && nodes.size < cap) nodes.set(term.value, { term, degree: 0 });
      }
      const a = nodes.get(s.value), b = nodes.get(o.value);
      if (a && b && a !== b) { links.push({ a, b, name }); a.degree += 1; b.degree += 1; }
    }
    const list = [...nodes.values()];
    const height = Math.max(360, Math.min(640, 160 + list.length * 14));
    layout(list, links, width, height);
    const svg = svgBox(width, height, "Graph");
    const labelLinks = links.length <= 40;
    for (const { a, b, name } of links) {
      svg.append(el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "link" }));
      if (labelLinks) {
        svg.append(el("text", { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 3, class: "link-label",
          "text-anchor": "middle" }, name));
      }
    }
    // Labels for the most connected nodes first; the rest say their name on hover.
    const labelled_ = new Set(list.slice().sort((a, b) => b.degree - a.degree).slice(0, 40));
    for (const node of list) {
      const g = el("g", { class: "node" });
      g.append(el("circle", { cx: node.x, cy: node.y, r: 4 + Math.min(6, node.degree) }));
      const name = text(node.term, h);
      g.append(el("title", {}, `${name} (${node.term.value})`));
      if (labelled_.has(node)) labelled(g, node.term, h, { x: node.x + 9, y: node.y + 4 }, name);
      svg.append(g);
    }
    box.append(svg);
    note(box, `${list.length} node${list.length === 1 ? "" : "s"} and ${links.length} link` +
      `${links.length === 1 ? "" : "s"}` + (nodes.size >= cap ? ` (the first ${cap} nodes)` : "") +
      "; “Open as graph” draws it with every quote.");
  }

  const DRAW = { graph: drawGraph, map: drawMap, timeline: drawTimeline, bar: drawBars };

  function draw(id, box, result, h) {
    box.replaceChildren();
    const style = getComputedStyle(box);
    const inner = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const width = Math.max(300, Math.floor(inner || 800));
    DRAW[id](box, result, h, width);
  }

  return { offered, draw, dateOf, isNumber };
})();
