/* cvekg index: search every entity by any of its names, in English or French, without accents,
 * with a typo or two; the list opens under the box. The entity list is JSON; results are built
 * with textContent (search.js) and link to our own pages. The language is remembered across
 * pages and kept in the fragment with the query (#q=lyon&lang=fr), so a reload keeps both. */
(function () {
  "use strict";
  var S = window.cvekgSearch, State = window.cvekgState;
  var lang = "en";
  var search = document.getElementById("search");
  var results = document.getElementById("results");
  var entries = JSON.parse(document.getElementById("cvekg-data").textContent).map(function (e) {
    return {
      names: e.names.map(S.norm),
      label: function () { return e.label[lang === "fr" ? 1 : 0]; },
      detail: function () { return e.cls[lang === "fr" ? 1 : 0]; },
      color: e.color, shape: e.shape,
      choose: function () { location.href = e.href; },
      href: e.href,
    };
  });
  function remember() { State.write({ q: search.value.trim(), lang: lang === "fr" ? "fr" : "" }); }
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
    if (document.activeElement === search && search.value) box.run();
  }
  document.getElementById("lang").addEventListener("change", function (ev) {
    applyLanguage(ev.target.value);
    State.saveLanguage(lang);
    remember();
  });
  applyLanguage(State.language());
  var asked = State.read().q;
  if (asked) { search.value = asked; search.focus(); box.run(); }
  window.cvekgIndex = { entries: entries, setLanguage: applyLanguage };
  document.body.dataset.ready = "true";
})();
