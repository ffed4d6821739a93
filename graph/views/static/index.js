/* cvekg index: search every entity by any of its names, in English or French, without accents.
 * The entity list is JSON; results are built with textContent and link to our own pages. */
(function () {
  "use strict";
  var entities = JSON.parse(document.getElementById("cvekg-data").textContent);
  var lang = "en";
  var search = document.getElementById("search");
  var results = document.getElementById("results");
  function norm(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }
  var names = entities.map(function (e) { return e.names.map(norm); });
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function run() {
    var q = norm(search.value);
    results.textContent = "";
    if (!q) return;
    var found = [];
    entities.forEach(function (e, i) {
      var best = 9, size = 1e9;
      names[i].forEach(function (name) {
        var score = name === q ? 0 : name.indexOf(q) === 0 ? 1
          : (" " + name).indexOf(" " + q) >= 0 ? 2 : name.indexOf(q) >= 0 ? 3 : 9;
        if (score < best || (score === best && name.length < size)) { best = score; size = name.length; }
      });
      if (best < 9) found.push([best, e.label[lang === "fr" ? 1 : 0], e, size]);
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[3] - b[3] || a[1].localeCompare(b[1]); });
    if (!found.length) {
      results.appendChild(el("li", "muted", lang === "fr" ? "Aucun résultat" : "No match"));
    }
    found.slice(0, 20).forEach(function (f) {
      var li = el("li");
      var a = el("a");
      a.href = f[2].href;
      var sw = el("span", "swatch shape-" + f[2].shape);
      sw.style.setProperty("--c", f[2].color);
      a.appendChild(sw);
      a.appendChild(el("span", null, f[1]));
      a.appendChild(el("small", null, f[2].cls[lang === "fr" ? 1 : 0]));
      li.appendChild(a);
      results.appendChild(li);
    });
  }
  search.addEventListener("input", run);
  search.addEventListener("keydown", function (ev) {
    var first = results.querySelector("a");
    if (ev.key === "Enter" && first) first.click();
  });
  document.getElementById("lang").addEventListener("change", function (ev) {
    lang = ev.target.value === "fr" ? "fr" : "en";
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-en]").forEach(function (node) {
      node.textContent = lang === "fr" ? node.dataset.fr : node.dataset.en;
    });
    run();
  });
  document.body.dataset.ready = "true";
})();
