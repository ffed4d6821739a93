/* cvekg entity table, on the index: every entity, paged, sorted and filtered in the page.
 *
 * The rows come from the index's compact JSON (graph/views/index.py: entity_table); only the
 * rows of the page shown are in the document (PAGE of them), so 16,000 entities cost no more
 * to show than 50. Filtering matches any name (English, French, alternative names, the key),
 * accents and case ignored; sorting is by name, kind or number of links. Every text is put
 * in with textContent. The state (filter, kind, sort, page) is read and given back to the
 * index, which keeps it in the URL fragment with the rest.
 */
(function () {
  "use strict";
  var PAGE = 50;

  window.cvekgEntityTable = function (data, options) {
    var S = window.cvekgSearch;
    var lang = options.lang, changed = options.changed || function () {};
    var body = document.getElementById("entity-rows");
    var filterBox = document.getElementById("entity-filter");
    var kindBox = document.getElementById("entity-kind");
    var status = document.getElementById("entity-status");
    var prev = document.getElementById("entity-prev"), next = document.getElementById("entity-next");
    var heads = Array.prototype.slice.call(document.querySelectorAll("#entity-table th[data-sort]"));
    var rows = data.rows.map(function (r, i) {
      var names = [r[0], r[1], r[2]].concat(r[6] || []).filter(Boolean).map(S.norm);
      return { i: i, en: r[0], fr: r[1] || r[0], key: r[2], group: r[3], cls: r[4],
        links: r[5], alt: r[6] || [], names: names, sortEn: names[0], sortFr: S.norm(r[1] || r[0]) };
    });
    var state = { filter: "", kind: "", sort: "name", page: 0 };
    var shown = rows;
    var timer = null;  // the filter waits for typing to pause

    function pick(pair) { return pair[lang() === "fr" ? 1 : 0]; }
    function label(r) { return lang() === "fr" ? r.fr : r.en; }
    function t(en, fr) { return lang() === "fr" ? fr : en; }
    function number(n) { return n.toLocaleString(lang() === "fr" ? "fr-FR" : "en-GB"); }

    function compare(a, b) {
      var name = lang() === "fr" ? (a.sortFr < b.sortFr ? -1 : a.sortFr > b.sortFr ? 1 : 0)
        : (a.sortEn < b.sortEn ? -1 : a.sortEn > b.sortEn ? 1 : 0);
      if (state.sort === "links") return b.links - a.links || name || a.i - b.i;
      if (state.sort === "kind") return a.group - b.group || a.cls - b.cls || name || a.i - b.i;
      return name || a.i - b.i;
    }
    // Filter and sort again (a new query, kind, sort or language), then show the page.
    function select() {
      var q = S.norm(state.filter);
      var kind = state.kind === "" ? -1 : Number(state.kind);
      shown = rows.filter(function (r) {
        if (kind >= 0 && r.group !== kind) return false;
        if (!q) return true;
        for (var k = 0; k < r.names.length; k++) if (r.names[k].indexOf(q) >= 0) return true;
        return false;
      });
      shown.sort(compare);
      var last = Math.max(0, Math.ceil(shown.length / PAGE) - 1);
      if (state.page > last) state.page = last;
      draw();
    }
    function cell(tr, cls) {
      var td = document.createElement("td");
      if (cls) td.className = cls;
      tr.appendChild(td);
      return td;
    }
    function draw() {
      var start = state.page * PAGE, end = Math.min(shown.length, start + PAGE);
      var fragment = document.createDocumentFragment();
      for (var k = start; k < end; k++) {
        var r = shown[k], g = data.groups[r.group];
        var tr = document.createElement("tr");
        var name = cell(tr);
        var a = document.createElement("a");
        a.href = data.href + r.key + ".html";
        a.textContent = label(r);
        name.appendChild(a);
        var other = lang() === "fr" ? r.en : r.fr;
        var also = [other].concat(r.alt).filter(function (x) { return x && x !== label(r); });
        if (also.length) {
          var small = document.createElement("small");
          small.textContent = " " + also.slice(0, 3).join(" · ");
          name.appendChild(small);
        }
        var kind = cell(tr);
        var sw = document.createElement("span");
        sw.className = "swatch shape-" + g[4];
        sw.style.setProperty("--c", g[3]);
        kind.appendChild(sw);
        kind.appendChild(document.createTextNode(pick(data.classes[r.cls]) || (lang() === "fr" ? g[2] : g[1])));
        cell(tr, "num").textContent = number(r.links);
        fragment.appendChild(tr);
      }
      body.textContent = "";
      body.appendChild(fragment);
      var where = document.getElementById("entity-where");
      status.textContent = shown.length
        ? t("Rows ", "Lignes ") + number(start + 1) + "\u2013" + number(end) + t(" of ", " sur ") + number(shown.length) +
          (shown.length < rows.length ? t(" (of " + number(rows.length) + " entities)", " (sur " + number(rows.length) + " entités)") : "")
        : t("No entity matches", "Aucune entité ne correspond");
      if (where) where.textContent = shown.length ? t("Page ", "Page ") + number(state.page + 1) +
        t(" of ", " sur ") + number(Math.max(1, Math.ceil(shown.length / PAGE))) : "";
      prev.disabled = state.page === 0;
      next.disabled = end >= shown.length;
      heads.forEach(function (th) {
        th.setAttribute("aria-sort", th.dataset.sort === state.sort ? (state.sort === "links" ? "descending" : "ascending") : "none");
      });
    }
    // Another page: its first row comes into view if the table's top had scrolled away.
    function go(page) {
      state.page = page; draw(); changed();
      var table = document.getElementById("entity-table");
      if (table.getBoundingClientRect().top < 0) table.scrollIntoView({ block: "start" });
    }
    // What the filter box holds now, even while its own update waits for typing to pause.
    function typed() { clearTimeout(timer); state.filter = filterBox.value; }

    filterBox.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.filter = filterBox.value; state.page = 0; select(); changed(); }, 120);
    });
    kindBox.addEventListener("change", function () {
      typed(); state.kind = kindBox.value; state.page = 0; select(); changed();
    });
    heads.forEach(function (th) {
      th.querySelector("button").addEventListener("click", function () {
        typed(); state.sort = th.dataset.sort; state.page = 0; select(); changed();
      });
    });
    prev.addEventListener("click", function () { if (state.page > 0) go(state.page - 1); });
    next.addEventListener("click", function () { if ((state.page + 1) * PAGE < shown.length) go(state.page + 1); });

    return {
      // What the URL keeps: only what differs from the defaults.
      state: function () {
        return { filter: state.filter, kind: state.kind === "" ? "" : data.groups[Number(state.kind)][0],
          sort: state.sort === "name" ? "" : state.sort, page: state.page ? String(state.page + 1) : "" };
      },
      restore: function (asked) {
        var kind = "";
        data.groups.forEach(function (g, k) { if (g[0] === asked.kind) kind = String(k); });
        state.kind = kind;
        kindBox.value = kind;
        state.filter = asked.filter || "";
        filterBox.value = state.filter;
        state.sort = asked.sort === "links" || asked.sort === "kind" ? asked.sort : "name";
        state.page = Math.max(0, (parseInt(asked.page, 10) || 1) - 1);
        select();
      },
      redraw: select,
      shown: function () { return shown.length; },
      size: PAGE,
    };
  };
})();
