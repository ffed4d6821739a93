/* cvekg index: search every entity by any of its names, in English or French, without accents,
 * with a typo or two; the list opens under the box. Every entity comes once, as compact JSON
 * (graph/views/index.py), read by the search and by the paged entity table (entity-table.js);
 * results are built with textContent (search.js) and link to our own pages. The language is
 * remembered across pages and kept in the fragment with the query and the table's state
 * (#q=lyon&lang=fr&kind=person&sort=links&page=2), so a reload keeps them. */
(function () {
  "use strict";
  var S = window.cvekgSearch, State = window.cvekgState;
  var lang = "en";
  var search = document.getElementById("search");
  var results = document.getElementById("results");
  var data = JSON.parse(document.getElementById("cvekg-data").textContent);
  var entries = data.rows.map(function (r) {
    var g = data.groups[r[3]], cls = data.classes[r[4]];
    var href = data.href + r[2] + ".html";
    return {
      names: [r[0], r[1], r[2]].concat(r[6] || []).filter(Boolean).map(S.norm),
      label: function () { return lang === "fr" && r[1] ? r[1] : r[0]; },
      detail: function () { return cls[lang === "fr" ? 1 : 0]; },
      color: g[3], shape: g[4],
      choose: function () { location.href = href; },
      href: href,
    };
  });
  var table = null;
  function remember() {
    var state = { q: search.value.trim(), lang: lang === "fr" ? "fr" : "" };
    if (table) Object.assign(state, table.state());
    State.write(state);
  }
  if (document.getElementById("entity-table")) {
    table = window.cvekgEntityTable(data, { lang: function () { return lang; }, changed: remember });
  }
  var box = S.combobox(search, results,
    function (q) { return S.rank(entries, q, 20); },
    function () { return lang === "fr" ? "Aucun résultat" : "No match"; });
  search.addEventListener("input", remember);
  function applyLanguage(value) {
    lang = value === "fr" ? "fr" : "en";
    document.documentElement.lang = lang;
    document.getElementById("lang").value = lang;
    document.querySelectorAll("[data-en]").forEach(function (node) {
      node.textContent = lang === "fr" ? node.dataset.fr : node.dataset.en;
    });
    document.querySelectorAll("[data-en-placeholder]").forEach(function (node) {
      node.placeholder = lang === "fr" ? node.dataset.frPlaceholder : node.dataset.enPlaceholder;
    });
    if (table) table.redraw();
    if (document.activeElement === search && search.value) box.run();
  }
  document.getElementById("lang").addEventListener("change", function (ev) {
    applyLanguage(ev.target.value);
    State.saveLanguage(lang);
    remember();
  });
  var asked = State.read();
  if (table) table.restore(asked);
  applyLanguage(State.language());
  if (asked.q) { search.value = asked.q; search.focus(); box.run(); }
  window.cvekgIndex = { entries: entries, table: table, setLanguage: applyLanguage };
  document.body.dataset.ready = "true";
})();
