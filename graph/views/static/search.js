/* cvekg search, shared by the index and every graph page: forgiving matching over every name
 * of an entity (English or French, alternative names, its key; accents and case ignored; one or
 * two typos forgiven, as the CLI's "did you mean"), and a WAI-ARIA combobox whose listbox opens
 * right under its box (arrow keys, Enter, Escape, click). Results are built with textContent.
 */
(function () {
  "use strict";

  function norm(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  // Optimal string alignment distance (Levenshtein with transpositions), given up past `max`.
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], cur;
    for (var j = 0; j <= b.length; j++) prev.push(j);
    for (var i = 1; i <= a.length; i++) {
      cur = [i];
      var low = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          v = Math.min(v, prev2[j - 2] + 1);
        }
        cur.push(v);
        if (v < low) low = v;
      }
      if (low > max) return max + 1;
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length];
  }

  // How well a normalised name answers a normalised query: 0 the name itself, 1 its start,
  // 2 the start of one of its words, 3 inside it, 4 to 5 with one or two typos; 9 not at all.
  function score(name, q) {
    if (name === q) return 0;
    if (name.indexOf(q) === 0) return 1;
    if ((" " + name).indexOf(" " + q) >= 0) return 2;
    if (name.indexOf(q) >= 0) return 3;
    if (q.length < 4) return 9;
    var max = q.length >= 8 ? 2 : 1;
    var best = distance(q, name, max);
    // A typo in a word of the name, or in the part of it typed so far.
    var words = name.split(" ");
    for (var w = 0; w < words.length && best > 0; w++) {
      best = Math.min(best, distance(q, words[w], max), distance(q, words[w].slice(0, q.length), max));
    }
    if (q.indexOf(" ") > 0) best = Math.min(best, distance(q, name.slice(0, q.length), max));
    return best <= max ? 3 + best : 9;
  }

  // Rank entries (each with `names`, already normalised, and `label`) against a query.
  function rank(entries, query, limit) {
    var q = norm(query);
    if (!q) return [];
    var found = [];
    entries.forEach(function (entry) {
      var best = 9, size = 1e9;
      entry.names.forEach(function (name) {
        var s = score(name, q);
        if (s < best || (s === best && name.length < size)) { best = s; size = name.length; }
      });
      if (best < 9) found.push({ entry: entry, score: best, size: size });
    });
    found.sort(function (a, b) {
      return a.score - b.score || a.size - b.size || String(a.entry.label()).localeCompare(String(b.entry.label()));
    });
    return found.slice(0, limit || 20).map(function (f) { return f.entry; });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // A combobox: `input` (role combobox) controls `list` (role listbox). `find(query)` returns
  // entries with label(), detail(), color, shape and choose(); `empty()` the text of no match;
  // `extra(query)` an optional last option ({label, choose}) such as "search every entity".
  function combobox(input, list, find, empty, extra) {
    var options = [];
    var active = -1;
    var prefix = list.id + "-opt-";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    list.setAttribute("role", "listbox");
    function setActive(k) {
      if (active >= 0 && options[active]) options[active].node.removeAttribute("aria-selected");
      active = k;
      if (k >= 0 && options[k]) {
        options[k].node.setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[k].node.id);
        options[k].node.scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }
    function option(k, entry) {
      var li = el("li", "option");
      li.id = prefix + k;
      li.setAttribute("role", "option");
      if (entry.color) {
        var sw = el("span", "swatch shape-" + (entry.shape || "dot"));
        sw.style.setProperty("--c", entry.color);
        li.appendChild(sw);
      }
      li.appendChild(el("span", "label", entry.label()));
      if (entry.detail) li.appendChild(el("small", null, entry.detail()));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
      li.addEventListener("click", function () { close(); entry.choose(); });
      return li;
    }
    function run() {
      list.textContent = "";
      options = [];
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!norm(input.value)) { close(); return; }
      var found = find(input.value);
      found.forEach(function (entry, k) {
        var li = option(k, entry);
        options.push({ node: li, entry: entry });
        list.appendChild(li);
      });
      var more = extra && extra(input.value);
      if (more) {
        var li = option(options.length, more);
        li.classList.add("more");
        options.push({ node: li, entry: more });
        list.appendChild(li);
      }
      if (!found.length) {
        var none = el("li", "muted none", empty());
        none.setAttribute("role", "presentation");
        list.insertBefore(none, list.firstChild);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (options.length) setActive(0);
    }
    input.addEventListener("input", run);
    input.addEventListener("focus", function () { if (norm(input.value) && list.hidden) run(); });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        if (list.hidden) run();
        if (!options.length) return;
        ev.preventDefault();
        var step = ev.key === "ArrowDown" ? 1 : -1;
        setActive((active + step + options.length) % options.length);
      } else if (ev.key === "Enter") {
        if (list.hidden) run();
        var pick = options[active >= 0 ? active : 0];
        if (pick) { ev.preventDefault(); close(); pick.entry.choose(); }
      } else if (ev.key === "Escape") {
        if (!list.hidden) { ev.preventDefault(); ev.stopPropagation(); close(); }
      }
    });
    return { run: run, close: close };
  }

  // --- State in the URL fragment and the language remembered across pages -----------------
  // The fragment is "key=value&…" (an entity page's first part is the entity's key alone).
  function readHash() {
    var out = {};
    location.hash.slice(1).split("&").forEach(function (part, k) {
      if (!part) return;
      var at = part.indexOf("=");
      var name = at < 0 ? (k === 0 ? "" : part) : part.slice(0, at);
      var value = at < 0 ? (k === 0 ? part : "") : part.slice(at + 1);
      try { value = decodeURIComponent(value); } catch (e) { /* "#%" is no escape */ }
      out[name] = value;
    });
    return out;
  }
  function writeHash(state) {
    var parts = [];
    if (state[""]) parts.push(encodeURIComponent(state[""]));
    Object.keys(state).forEach(function (name) {
      if (name && state[name]) parts.push(name + "=" + encodeURIComponent(state[name]));
    });
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash === location.hash) return;
    try {
      history.replaceState(null, "", hash || location.pathname + location.search);
    } catch (e) {
      // A page with no address of its own (a notebook's <iframe srcdoc>) cannot keep state
      // in it: the page works the same, a reload starts afresh.
    }
  }
  var STORE = "cvekg-lang";
  function savedLanguage() {
    var asked = readHash().lang;
    if (asked === "fr" || asked === "en") return asked;
    try { return localStorage.getItem(STORE) === "fr" ? "fr" : "en"; } catch (e) { return "en"; }
  }
  function saveLanguage(lang) {
    try { localStorage.setItem(STORE, lang); } catch (e) { /* storage off: the fragment holds it */ }
  }

  window.cvekgSearch = { norm: norm, rank: rank, combobox: combobox, distance: distance };
  window.cvekgState = {
    read: readHash, write: writeHash, language: savedLanguage, saveLanguage: saveLanguage,
  };
})();
