// The cvekg query page: an editor with highlighting and completion (complete.js), the named
// queries as examples, results as a table with entity links or as a graph, map, timeline or
// bar chart (views.js), the query and the view in the URL's fragment. Everything from the
// graph is put on the page as text (textContent, createElement): no value is parsed as HTML.
"use strict";

(() => {
  const ID = "https://w3id.org/cvekg/id/";
  const RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  const GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#";
  const XSD_STRING = "http://www.w3.org/2001/XMLSchema#string";
  const $ = (id) => document.getElementById(id);
  const editor = $("query");
  const code = $("highlight-code");
  const state = {
    prefixes: {}, terms: [], queries: [], last: null, labels: new Map(), points: new Map(),
    title: "", runs: 0, view: "table", offered: [],
  };

  // --- highlighting ----------------------------------------------------------------------

  const KEYWORDS = new Set(
    ("BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED GROUP BY " +
     "HAVING ORDER ASC DESC LIMIT OFFSET VALUES OPTIONAL SERVICE BIND UNDEF MINUS UNION FILTER " +
     "IN NOT EXISTS GRAPH LATERAL SEPARATOR COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT STR LANG " +
     "LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE " +
     "LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS " +
     "MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF " +
     "STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRUE " +
     "FALSE A").split(" "));
  const TOKEN = new RegExp(
    [
      /(#[^\n]*)/.source,                                         // 1 comment
      /("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')/.source, // 2 string
      /(<[^<>"{}|^`\\\s]*>)/.source,                              // 3 IRI
      /([?$][\w]+)/.source,                                       // 4 variable
      /(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)/.source,                    // 5 language tag
      /([A-Za-z_][\w.-]*:[\w.%-]*|:[\w.%-]*)/.source,             // 6 prefixed name
      /([A-Za-z_][\w-]*)/.source,                                 // 7 word
      /(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)/.source,                  // 8 number
    ].join("|"),
    "g",
  );
  const KINDS = [null, "comment", "string", "iri", "var", "lang", "pname", "word", "number"];

  function highlight() {
    const text = editor.value;
    const fragment = document.createDocumentFragment();
    let at = 0;
    for (const match of text.matchAll(TOKEN)) {
      if (match.index > at) fragment.append(text.slice(at, match.index));
      const group = match.findIndex((g, i) => i > 0 && g !== undefined);
      let kind = KINDS[group];
      if (kind === "word") kind = KEYWORDS.has(match[0].toUpperCase()) ? "keyword" : "word";
      const span = document.createElement("span");
      span.className = `tok-${kind}`;
      span.textContent = match[0];
      fragment.append(span);
      at = match.index + match[0].length;
    }
    fragment.append(text.slice(at) + (text.endsWith("\n") ? " " : ""));
    code.replaceChildren(fragment);
    syncScroll();
  }

  function syncScroll() {
    const pre = $("highlight");
    pre.scrollTop = editor.scrollTop;
    pre.scrollLeft = editor.scrollLeft;
  }

  function queryForm(text) {
    const bare = text.replace(/#[^\n]*/g, "").replace(/"(?:[^"\\\n]|\\.)*"/g, '""')
      .replace(/<[^<>\s]*>/g, "<>");
    const match = bare.match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
    return match ? match[1].toUpperCase() : "SELECT";
  }

  // --- terms -----------------------------------------------------------------------------

  function compact(iri) {
    let best = null;
    for (const [prefix, ns] of Object.entries(state.prefixes)) {
      if (iri.startsWith(ns) && /^[\w.-]+$/.test(iri.slice(ns.length)) &&
          (best === null || ns.length > state.prefixes[best].length)) best = prefix;
    }
    return best === null ? `<${iri}>` : `${best}:${iri.slice(state.prefixes[best].length)}`;
  }

  function entityHref(iri) {
    if (!iri.startsWith(ID)) return null;
    const [kind, slug, ...rest] = iri.slice(ID.length).split("/");
    if (!kind || !slug || rest.length) return null;
    return `/entity/${encodeURIComponent(kind)}/${encodeURIComponent(slug)}`;
  }

  function cell(term, label) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const showIris = $("show-iris").checked;
      const text = (!showIris && ((label && label.value) || state.labels.get(term.value))) ||
        compact(term.value);
      const href = entityHref(term.value);
      const node = document.createElement(href ? "a" : "span");
      if (href) node.href = href;
      node.textContent = text;
      node.title = term.value;
      node.className = "iri";
      td.append(node);
    } else if (term.type === "bnode") {
      td.textContent = `_:${term.value}`;
      td.className = "bnode";
    } else if (term.type === "triple") {
      td.textContent = ["subject", "predicate", "object"]
        .map((k) => term.value[k].value).join(" ");
    } else {
      td.textContent = term.value;
      const note = term["xml:lang"] ? `@${term["xml:lang"]}`
        : term.datatype && term.datatype !== XSD_STRING ? compact(term.datatype) : "";
      if (note) {
        const small = document.createElement("small");
        small.textContent = note;
        td.append(" ", small);
      }
    }
    return td;
  }

  // --- N-Triples, for graph answers --------------------------------------------------------

  const NT_TERM = /<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?/y;

  function unescapeLiteral(text) {
    return text.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, (_, u4, u8, c) => {
      if (u4 || u8) return String.fromCodePoint(parseInt(u4 || u8, 16));
      return { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f" }[c] ?? c;
    });
  }

  function parseNTriples(body) {
    const rows = [];
    for (const line of body.split("\n")) {
      if (!line.trim() || line.startsWith("#")) continue;
      const terms = [];
      let at = 0;
      while (terms.length < 3) {
        while (line[at] === " " || line[at] === "\t") at++;
        NT_TERM.lastIndex = at;
        const m = NT_TERM.exec(line);
        if (!m) break;
        at = NT_TERM.lastIndex;
        if (m[1] !== undefined) terms.push({ type: "uri", value: m[1] });
        else if (m[2] !== undefined) terms.push({ type: "bnode", value: m[2] });
        else {
          const lit = { type: "literal", value: unescapeLiteral(m[3]) };
          if (m[4]) lit["xml:lang"] = m[4];
          if (m[5]) lit.datatype = m[5];
          terms.push(lit);
        }
      }
      if (terms.length === 3) rows.push({ s: terms[0], p: terms[1], o: terms[2] });
    }
    return rows;
  }

  // --- running ---------------------------------------------------------------------------

  async function sparql(query, accept) {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: accept },
      body: query,
    });
    return response;
  }

  // The English labels and the coordinates (geo:lat, geo:long) of the answer's entities that
  // are not known yet: one query each, for at most 2,000 entities.
  async function fetchLabels(iris) {
    const wanted = [...iris].filter((iri) => !state.labels.has(iri)).slice(0, 2000);
    if (!wanted.length) return;
    const values = wanted.map((iri) => `<${iri}>`).join(" ");
    const query = `SELECT ?x ?l WHERE { VALUES ?x { ${values} } ?x <${RDFS_LABEL}> ?l ` +
      `FILTER(LANG(?l) = "en" || LANG(?l) = "") }`;
    const response = await sparql(query, "application/sparql-results+json");
    if (!response.ok) return;
    const data = await response.json();
    for (const b of data.results.bindings) {
      if (!state.labels.has(b.x.value) || b.l["xml:lang"] === "en") {
        state.labels.set(b.x.value, b.l.value);
      }
    }
  }

  async function fetchPoints(iris) {
    const wanted = [...iris].filter((iri) => !state.points.has(iri) && iri.startsWith(ID))
      .slice(0, 2000);
    if (!wanted.length) return;
    for (const iri of wanted) state.points.set(iri, null);
    const values = wanted.map((iri) => `<${iri}>`).join(" ");
    const query = `SELECT ?x (SAMPLE(?lat) AS ?y) (SAMPLE(?long) AS ?z) WHERE { VALUES ?x ` +
      `{ ${values} } ?x <${GEO}lat> ?lat ; <${GEO}long> ?long } GROUP BY ?x`;
    const response = await sparql(query, "application/sparql-results+json");
    if (!response.ok) return;
    const data = await response.json();
    for (const b of data.results.bindings) {
      const at = [Number(b.y.value), Number(b.z.value)];
      if (at.every(Number.isFinite)) state.points.set(b.x.value, at);
    }
  }

  function setStatus(text) {
    $("status").textContent = text;
  }

  function showError(text) {
    const box = $("error");
    box.textContent = text;
    box.hidden = !text;
  }

  function downloads(query, form) {
    const graph = form === "CONSTRUCT" || form === "DESCRIBE";
    const formats = graph ? [["Turtle", "turtle"], ["TriG", "trig"], ["JSON-LD", "jsonld"],
      ["N-Triples", "nt"]] : [["JSON", "json"], ["CSV", "csv"], ["TSV", "tsv"], ["XML", "xml"]];
    formats.forEach(([label, format], i) => {
      const link = $(`dl-${i + 1}`);
      link.textContent = label;
      link.href = `/sparql?${new URLSearchParams({ query, format })}`;
    });
    $("downloads").hidden = false;
  }

  // --- the results table: sorted by a column, filtered, a page at a time --------------------

  const PAGE = 200;  // rows on the page at once: thousands of rows stay quick to draw
  const view = { sort: null, desc: false, filter: "", page: 0 };

  // A term as the table shows it (an entity's label when known), for sorting and filtering.
  function termText(term) {
    if (!term) return "";
    if (term.type === "uri") return state.labels.get(term.value) || term.value;
    if (term.type === "triple") return ["subject", "predicate", "object"].map((k) => term.value[k].value).join(" ");
    return term.value;
  }

  function shownRows() {
    const last = state.last;
    let rows = last.rows;
    const words = view.filter.trim().toLowerCase();
    if (words) {
      rows = rows.filter((row) => last.vars.some((name) => {
        const term = row[name];
        return term && (termText(term).toLowerCase().includes(words) ||
          (term.type === "uri" && term.value.toLowerCase().includes(words)));
      }));
    }
    if (view.sort !== null) {
      const name = view.sort;
      const sign = view.desc ? -1 : 1;
      const key = (row) => termText(row[name]);
      rows = rows.slice().sort((a, b) => {
        const x = key(a), y = key(b);
        const nx = Number(x), ny = Number(y);
        const both = x !== "" && y !== "" && !Number.isNaN(nx) && !Number.isNaN(ny);
        return sign * (both ? nx - ny : x.localeCompare(y, undefined, { numeric: true }));
      });
    }
    return rows;
  }

  function render() {
    const last = state.last;
    const table = $("results");
    const head = table.tHead;
    const body = table.tBodies[0];
    head.replaceChildren();
    body.replaceChildren();
    $("boolean").hidden = true;
    $("table-tools").hidden = !(last && last.rows);
    if (!last) return;
    if (last.form === "ASK") {
      $("boolean").textContent = last.boolean ? "yes" : "no";
      $("boolean").hidden = false;
      return;
    }
    const tr = document.createElement("tr");
    for (const name of last.columns) {
      const th = document.createElement("th");
      th.textContent = name;
      th.tabIndex = 0;
      th.className = "sortable";
      th.setAttribute("aria-sort", view.sort !== name ? "none" : view.desc ? "descending" : "ascending");
      const sortBy = () => {
        view.desc = view.sort === name ? !view.desc : false;
        view.sort = name;
        view.page = 0;
        render();
      };
      th.addEventListener("click", sortBy);
      th.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); sortBy(); } });
      tr.append(th);
    }
    head.append(tr);
    const rows = shownRows();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    view.page = Math.min(view.page, pages - 1);
    const start = view.page * PAGE;
    const fragment = document.createDocumentFragment();
    for (const row of rows.slice(start, start + PAGE)) {
      const line = document.createElement("tr");
      for (const name of last.columns) line.append(cell(row[name], row[last.pairs[name]]));
      fragment.append(line);
    }
    body.append(fragment);
    $("page-info").textContent = rows.length
      ? `rows ${start + 1}–${Math.min(start + PAGE, rows.length)} of ${rows.length}` +
        (rows.length < last.rows.length ? ` (filtered from ${last.rows.length})` : "")
      : `no row matches (of ${last.rows.length})`;
    $("prev").disabled = view.page === 0;
    $("next").disabled = view.page >= pages - 1;
  }

  // A query that returns ?city and ?cityLabel shows one column, city: the label, linked to
  // the entity's page. The row's own labels are the names charts and filters use too.
  function pairLabels(last) {
    last.pairs = {};
    for (const name of last.vars) {
      const label = `${name}Label`;
      if (last.vars.includes(label) &&
          last.rows.some((row) => row[name] && row[name].type === "uri")) last.pairs[name] = label;
    }
    const hidden = new Set(Object.values(last.pairs));
    last.columns = last.vars.filter((name) => !hidden.has(name));
    for (const row of last.rows) {
      for (const [name, label] of Object.entries(last.pairs)) {
        const term = row[name], text = row[label];
        if (term && term.type === "uri" && text && !state.labels.has(term.value)) {
          state.labels.set(term.value, text.value);
        }
      }
    }
  }

  // The table as shown (filtered and sorted), every row: an entity column gives its IRI, and
  // a column "<name>Label" beside it its label.
  function tableData() {
    const last = state.last;
    const entity = last.columns.filter((name) => last.rows.some((row) => row[name] && row[name].type === "uri"));
    const header = [];
    for (const name of last.columns) {
      header.push(name);
      if (entity.includes(name)) header.push(last.pairs[name] || `${name}Label`);
    }
    const rows = shownRows().map((row) => {
      const out = [];
      for (const name of last.columns) {
        const term = row[name];
        out.push(term ? (term.type === "uri" ? term.value : termText(term)) : null);
        if (entity.includes(name)) {
          const label = row[last.pairs[name]];
          out.push(label ? label.value : term && term.type === "uri" ? state.labels.get(term.value) ?? null : null);
        }
      }
      return out;
    });
    return { header, rows };
  }

  const EXPORTS = {
    csv: (data) => {
      const quote = (text) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
      return [data.header, ...data.rows].map((r) => r.map((v) => quote(v ?? "")).join(","))
        .join("\r\n") + "\r\n";
    },
    // TSV as the SPARQL results TSV has it: tabs and line breaks inside a value escaped.
    tsv: (data) => [data.header, ...data.rows].map((r) => r.map((v) => (v ?? "")
      .replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r"))
      .join("\t")).join("\n") + "\n",
    json: (data) => JSON.stringify(data.rows.map((r) => Object.fromEntries(
      data.header.map((name, i) => [name, r[i]]))), null, 2) + "\n",
  };
  const MEDIA = { csv: "text/csv", tsv: "text/tab-separated-values", json: "application/json" };

  function download(kind) {
    const link = document.createElement("a");
    link.download = `cvekg-results.${kind}`;
    link.href = URL.createObjectURL(new Blob([EXPORTS[kind](tableData())], { type: MEDIA[kind] }));
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  // --- the result views: the table, or a chart the columns fit ---------------------------------

  const helpers = {
    label: (iri) => state.labels.get(iri),
    href: entityHref,
    compact,
    point: (iri) => state.points.get(iri) || null,
  };

  // The query and the view, in the fragment: the address is the thing to share.
  function remember(query, chosen) {
    const params = new URLSearchParams({ query });
    if (chosen && chosen !== "table") params.set("view", chosen);
    history.replaceState(null, "", `#${params}`);
  }

  function showViews(wanted) {
    const last = state.last;
    state.offered = last && last.rows ? window.CvekgViews.offered(last, helpers) : [];
    const tabs = $("view-tabs");
    tabs.replaceChildren();
    const all = last && last.rows ? [{ id: "table", title: "Table" }, ...state.offered] : [];
    for (const option of all) {
      const button = document.createElement("button");
      button.type = "button";
      button.id = `view-${option.id}`;
      button.dataset.view = option.id;
      button.textContent = option.title;
      button.addEventListener("click", () => chooseView(option.id));
      tabs.append(button);
    }
    tabs.hidden = all.length < 2;
    chooseView(all.some((o) => o.id === wanted) ? wanted : "table", false);
  }

  function chooseView(id, save = true) {
    state.view = id;
    for (const button of $("view-tabs").children) {
      button.setAttribute("aria-pressed", String(button.dataset.view === id));
    }
    const table = id === "table";
    $("results-box").hidden = !table;
    $("table-tools").hidden = !(state.last && state.last.rows) || !table;
    const chart = $("chart");
    chart.hidden = table;
    if (table) chart.replaceChildren();
    else window.CvekgViews.draw(id, chart, state.last, helpers);
    if (save) remember(editor.value, id);
  }

  let resized = null;
  window.addEventListener("resize", () => {
    clearTimeout(resized);
    resized = setTimeout(() => { if (state.view !== "table" && state.last) chooseView(state.view, false); }, 200);
  });

  $("filter").addEventListener("input", () => { view.filter = $("filter").value; view.page = 0; render(); });
  $("prev").addEventListener("click", () => { view.page -= 1; render(); });
  $("next").addEventListener("click", () => { view.page += 1; render(); });
  for (const kind of Object.keys(EXPORTS)) {
    $(`export-${kind}`).addEventListener("click", () => download(kind));
  }

  async function run(wantedView = state.view) {
    const ticket = ++state.runs;  // a later run wins over one still in flight
    const query = editor.value;
    const form = queryForm(query);
    const graph = form === "CONSTRUCT" || form === "DESCRIBE";
    showError("");
    setStatus("running…");
    $("run").disabled = true;
    const started = performance.now();
    try {
      remember(query, wantedView);
      const response = await sparql(query, graph ? "application/n-triples"
        : "application/sparql-results+json");
      const ms = Math.round(performance.now() - started);
      if (ticket !== state.runs) return;
      if (!response.ok) {
        const message = await response.text();
        if (ticket !== state.runs) return;
        state.last = null;
        render();
        showViews("table");
        showError(message);
        setStatus(`error ${response.status}`);
        $("graph").disabled = true;
        return;
      }
      const cap = response.headers.get("X-SPARQL-MaxRows");
      let last;
      if (graph) {
        last = { form, vars: ["s", "p", "o"], rows: parseNTriples(await response.text()) };
      } else {
        const data = await response.json();
        last = "boolean" in data ? { form: "ASK", boolean: data.boolean }
          : { form, vars: data.head.vars, rows: data.results.bindings };
      }
      if (last.rows) {
        pairLabels(last);
        const iris = new Set();
        for (const row of last.rows) {
          for (const term of Object.values(row)) if (term.type === "uri") iris.add(term.value);
        }
        await Promise.all([fetchLabels(iris), fetchPoints(iris)]);
      }
      if (ticket !== state.runs) return;
      state.last = last;
      Object.assign(view, { sort: null, desc: false, page: 0 });
      render();
      showViews(wantedView);
      const count = last.rows ? last.rows.length : null;
      const noun = graph ? "triple" : "row";
      setStatus(count === null ? `answered in ${ms} ms`
        : `${count} ${noun}${count === 1 ? "" : "s"} in ${ms} ms` +
          (cap ? ` (cut at the server's cap of ${cap})` : ""));
      $("graph").disabled = !(graph || (last.vars && ["s", "p", "o"]
        .every((v) => last.vars.includes(v))));
      downloads(query, form);
    } catch (error) {
      setStatus("error");
      showError(String(error));
    } finally {
      if (ticket === state.runs) $("run").disabled = false;
    }
  }

  // Up to this length the graph opens at an address holding the query (GET /view?query=…),
  // which can be bookmarked and shared; a longer query is POSTed (servers cap URLs near 8 kB).
  const SHAREABLE_QUERY = 6000;

  function openGraph() {
    const form = $("view-form");
    form.elements.query.value = editor.value;
    form.elements.title.value = state.title || "Query result";
    form.method = editor.value.length <= SHAREABLE_QUERY ? "get" : "post";
    form.submit();
  }

  // --- examples --------------------------------------------------------------------------

  function choose(example, button) {
    editor.value = example.text;
    state.view = example.view || "table";
    state.title = example.question;
    $("question").textContent = example.question + (example.notes ? ` ${example.notes}` : "");
    for (const other of document.querySelectorAll("#examples button")) {
      other.setAttribute("aria-current", String(other === button));
    }
    highlight();
    run();
  }

  async function loadExamples() {
    const response = await fetch("/api/queries");
    const data = await response.json();
    state.prefixes = data.prefixes;
    state.terms = data.terms || [];
    state.queries = data.queries;
    $("prefixes").textContent = Object.keys(data.prefixes).join(", ");
    const list = $("examples");
    for (const example of data.queries) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "example";
      const number = document.createElement("span");
      number.className = "number";
      number.textContent = example.number || example.name;
      button.append(number, " ", example.question || example.name);
      button.title = example.name;
      button.dataset.name = example.name;
      button.addEventListener("click", () => choose(example, button));
      item.append(button);
      list.append(item);
    }
    const fragment = new URLSearchParams(location.hash.slice(1));
    const shared = fragment.get("query");
    if (shared) {
      editor.value = shared;
      const example = data.queries.find((q) => q.text === shared);
      if (example) {
        state.title = example.question;
        $("question").textContent = example.question;
      }
      highlight();
      run(fragment.get("view") || "table");
    } else if (data.queries.length) {
      choose(data.queries[0], list.querySelector("button"));
    }
  }

  // --- wiring ----------------------------------------------------------------------------

  // First, so that its keys (Enter, Tab, Escape in the list) come before the editor's own.
  window.CvekgComplete(editor, { source: state, changed: highlight });

  editor.addEventListener("input", () => {
    state.title = "";
    $("question").textContent = "";
    highlight();
  });
  editor.addEventListener("scroll", syncScroll);
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
      highlight();
    }
  });
  $("run").addEventListener("click", run);
  $("graph").addEventListener("click", openGraph);
  $("show-iris").addEventListener("change", render);
  loadExamples().catch((error) => showError(`could not load the examples: ${error}`));
})();
