// Completion for the query editor (a textarea): the pre-bound prefixes and the ontology's
// classes and properties, as a listbox under the caret. Typing a name (or taking one from the
// list) adds its PREFIX line when the query has none, so a copied query runs anywhere.
// Keys: Ctrl+Space opens the list, ↑/↓ move, Enter or Tab take, Escape closes.
"use strict";

window.CvekgComplete = (editor, options) => {
  // `source` holds `prefixes` and `terms`, filled in once the page has them.
  const { source, changed } = options;
  const list = document.createElement("ul");
  list.id = "completions";
  list.className = "completions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Completions");
  list.hidden = true;
  editor.parentElement.append(list);
  editor.setAttribute("role", "combobox");
  editor.setAttribute("aria-autocomplete", "list");
  editor.setAttribute("aria-controls", list.id);
  editor.setAttribute("aria-expanded", "false");
  const shown = { items: [], active: 0, start: 0 };
  const WORD = /(?:^|[^\w:<?$-])([A-Za-z_][\w-]*(?::[\w.-]*)?)$/;

  // The PREFIX lines a query declares, by prefix.
  function declared(text) {
    return new Set([...text.matchAll(/^\s*PREFIX\s+([\w-]*):/gim)].map((m) => m[1]));
  }

  // Add `PREFIX p: <…>` after the query's leading comments and PREFIX lines, when missing;
  // the caret stays where it was in the text.
  function ensurePrefix(prefix) {
    if (!(prefix in source.prefixes) || declared(editor.value).has(prefix)) return false;
    const text = editor.value;
    const lines = text.split("\n");
    let at = 0;
    let index = 0;
    while (index < lines.length && /^\s*(#|PREFIX\s|BASE\s|$)/i.test(lines[index])) {
      if (!lines[index].trim() && index + 1 < lines.length &&
          !/^\s*(#|PREFIX\s)/i.test(lines[index + 1])) break;
      at += lines[index].length + 1;
      index += 1;
    }
    at = Math.min(at, text.length);
    const line = `PREFIX ${prefix}: <${source.prefixes[prefix]}>\n`;
    const caret = editor.selectionStart;
    const insert = at === text.length && text && !text.endsWith("\n") ? "\n" + line : line;
    editor.setRangeText(insert, at, at, "preserve");
    const moved = caret >= at ? caret + insert.length : caret;
    editor.setSelectionRange(moved, moved);
    return true;
  }

  function candidates(word) {
    const [prefix, local] = word.includes(":") ? word.split(":", 2) : [null, word];
    const lower = (local || "").toLowerCase();
    if (prefix !== null) {
      return source.terms.filter((t) => t.name.startsWith(prefix + ":") &&
        t.name.slice(prefix.length + 1).toLowerCase().startsWith(lower))
        .map((t) => ({ insert: t.name, hint: t.label || t.kind, term: t }));
    }
    const found = Object.keys(source.prefixes).filter((p) => p.toLowerCase().startsWith(lower))
      .map((p) => ({ insert: `${p}:`, hint: source.prefixes[p] }));
    const named = source.terms.filter((t) => {
      const name = t.name.split(":")[1].toLowerCase();
      return name.startsWith(lower) || (lower.length >= 3 && t.label.toLowerCase().includes(lower));
    }).map((t) => ({ insert: t.name, hint: t.label || t.kind, term: t }));
    return [...found, ...named];
  }

  function close() {
    list.hidden = true;
    shown.items = [];
    editor.setAttribute("aria-expanded", "false");
    editor.removeAttribute("aria-activedescendant");
  }

  // Where the caret is, in the editor's box: the editor is monospaced, so a line and a column
  // give it.
  function caretPlace() {
    const before = editor.value.slice(0, editor.selectionStart).split("\n");
    const style = getComputedStyle(editor);
    const probe = document.createElement("canvas").getContext("2d");
    probe.font = `${style.fontSize} ${style.fontFamily}`;
    const column = probe.measureText(before[before.length - 1]).width;
    const line = parseFloat(style.lineHeight) || 20;
    return {
      left: parseFloat(style.paddingLeft) + column - editor.scrollLeft,
      top: parseFloat(style.paddingTop) + before.length * line - editor.scrollTop,
    };
  }

  function paint() {
    list.replaceChildren();
    shown.items.forEach((item, i) => {
      const li = document.createElement("li");
      li.id = `completion-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === shown.active));
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = item.insert;
      const hint = document.createElement("small");
      hint.textContent = item.hint;
      li.append(name, " ", hint);
      if (item.term && item.term.definition) li.title = item.term.definition;
      li.addEventListener("mousedown", (event) => { event.preventDefault(); take(i); });
      list.append(li);
    });
    editor.setAttribute("aria-activedescendant", `completion-${shown.active}`);
    const active = list.children[shown.active];
    if (active) active.scrollIntoView({ block: "nearest" });
  }

  function open(force) {
    const before = editor.value.slice(0, editor.selectionStart);
    const match = before.match(WORD);
    const word = match ? match[1] : "";
    if (!force && word.length < 2) { close(); return; }
    const items = candidates(word).slice(0, 50);
    if (!items.length || (items.length === 1 && items[0].insert === word)) { close(); return; }
    shown.items = items;
    shown.active = 0;
    shown.start = editor.selectionStart - word.length;
    const place = caretPlace();
    list.style.left = `${Math.max(0, Math.min(place.left, editor.clientWidth - 260))}px`;
    list.style.top = `${place.top + 4}px`;
    list.hidden = false;
    editor.setAttribute("aria-expanded", "true");
    paint();
  }

  function take(index) {
    const item = shown.items[index];
    if (!item) return;
    editor.setRangeText(item.insert, shown.start, editor.selectionStart, "end");
    const prefix = item.insert.split(":")[0];
    close();
    if (item.insert.endsWith(":")) {
      ensurePrefix(prefix);
      changed();
      open(true);  // go on to the terms of that prefix
      return;
    }
    ensurePrefix(prefix);
    changed();
  }

  editor.addEventListener("keydown", (event) => {
    if (event.key === " " && event.ctrlKey) {
      event.preventDefault();
      open(true);
      return;
    }
    if (list.hidden) return;
    const count = shown.items.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      shown.active = (shown.active + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
      paint();
    } else if (event.key === "Enter" || event.key === "Tab") {
      if (event.ctrlKey || event.metaKey) { close(); return; }  // Ctrl+Enter runs the query
      event.preventDefault();
      event.stopImmediatePropagation();
      take(shown.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  editor.addEventListener("input", (event) => {
    // A known prefix just typed out in full ("geo:") gets its PREFIX line at once.
    const before = editor.value.slice(0, editor.selectionStart);
    const typed = before.match(/(?:^|[^\w:<?$-])([A-Za-z_][\w-]*):$/);
    if (event.inputType === "insertText" && typed && ensurePrefix(typed[1])) changed();
    open(false);
  });
  editor.addEventListener("blur", () => setTimeout(close, 100));
  editor.addEventListener("click", close);

  return { close, ensurePrefix };
};
