// The query page: a SPARQL editor (CodeMirror 6, vendored as window.CM) with completion from
// the graph's own vocabulary (/api/vocabulary) and lint (/api/lint), the bundled questions,
// and the answer of /sparql as a table, a bar chart or a link to the explorer.
// Every text from the data goes into the page with textContent, never as HTML.
"use strict";
(function () {
  const ENTITY_BASE = "https://w3id.org/medkg/entity/";
  const ENTITY_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.\-]*$/;
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "short",
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "unsignedInt", "unsignedLong", "byte", "unsignedByte", "unsignedShort"].map((t) => XSD + t));
  const KEYWORDS = ["SELECT", "DISTINCT", "WHERE", "OPTIONAL", "FILTER", "UNION", "MINUS",
    "GRAPH", "BIND", "VALUES", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "ASK",
    "CONSTRUCT", "DESCRIBE", "PREFIX", "COUNT", "SAMPLE", "GROUP_CONCAT", "LANG", "STR",
    "LCASE", "CONTAINS", "STRSTARTS", "REGEX", "BOUND", "NOT EXISTS", "EXISTS", "AS"];
  const DOWNLOADS = {
    csv: ["text/csv", "csv"],
    tsv: ["text/tab-separated-values", "tsv"],
    json: ["application/sparql-results+json", "srj"],
    turtle: ["text/turtle", "ttl"],
  };
  const PAGE_SIZE = 50;
  const RECENT_KEY = "medkg.recentQueries";
  const RECENT_MAX = 10;

  const $ = (id) => document.getElementById(id);
  const textarea = $("query");
  const results = $("result-view");
  const status = $("status");
  const examples = JSON.parse($("example-data").textContent);
  const CM = window.CM;

  let vocabulary = { prefixes: {}, classes: [], properties: [], entities: [] };
  const labels = new Map(); // IRI → label, filled from the vocabulary and by label queries
  let answer = null; // {kind, query, doc | text, rows, ms}
  let view = "table";
  let pageIndex = 0;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  // --- the editor -----------------------------------------------------------------------

  let editor = null;
  function getQuery() { return editor ? editor.state.doc.toString() : textarea.value; }
  function setQuery(text) {
    textarea.value = text;
    if (editor) editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
  }

  function curieOf(iri) {
    for (const [prefix, ns] of Object.entries(vocabulary.prefixes)) {
      if (iri.startsWith(ns) && /^[A-Za-z0-9_][\w\-.]*$/.test(iri.slice(ns.length))) {
        return prefix + ":" + iri.slice(ns.length);
      }
    }
    return null;
  }

  function normalise(text) { return text.toLowerCase().replace(/[-_'’]/g, " ").replace(/\s+/g, " ").trim(); }

  // Completion: prefixes (bare or after PREFIX), CURIEs of schema terms and entities, and
  // entity names ("charley" → kg:LegCramp), which insert the entity's CURIE.
  function complete(context) {
    const word = context.matchBefore(/[A-Za-z_][\w\-]*(:[\w\-.]*)?$/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const text = word.text;
    const line = context.state.doc.lineAt(word.from);
    const before = context.state.sliceDoc(line.from, word.from);
    if (/^[^<"']*#/.test(before)) return null; // in a comment
    const options = [];
    if (text.includes(":")) {
      const lower = text.toLowerCase();
      const prefix = text.split(":")[0];
      const terms = prefix === "kg" ? [] : vocabulary.classes.concat(vocabulary.properties);
      terms.forEach((t) => {
        if (t.curie.toLowerCase().startsWith(lower)) {
          options.push({ label: t.curie, detail: t.label, info: t.definition || undefined,
            type: vocabulary.classes.includes(t) ? "class" : "property" });
        }
      });
      vocabulary.entities.forEach((e) => {
        if (e.curie.toLowerCase().startsWith(lower)) {
          options.push({ label: e.curie, detail: e.label, type: "variable" });
        }
      });
    } else if (/PREFIX\s+$/i.test(before)) {
      Object.entries(vocabulary.prefixes).forEach(([p, ns]) => {
        if (p.startsWith(text)) options.push({ label: p + ":", detail: ns, apply: p + ": <" + ns + ">", type: "namespace" });
      });
    } else {
      Object.entries(vocabulary.prefixes).forEach(([p, ns]) => {
        if (p.startsWith(text)) options.push({ label: p + ":", detail: ns, type: "namespace", boost: 2 });
      });
      KEYWORDS.forEach((k) => {
        if (text.length >= 2 && k.startsWith(text.toUpperCase())) options.push({ label: k, type: "keyword" });
      });
      const typed = normalise(text);
      if (typed.length >= 3) {
        vocabulary.entities.forEach((e) => {
          const name = e.names.find((n) => normalise(n).includes(typed));
          if (name) {
            options.push({ label: name, detail: e.curie, apply: e.curie, type: "variable",
              boost: normalise(name).startsWith(typed) ? 1 : 0,
              info: e.label && e.label !== name ? e.label : undefined });
          }
        });
      }
    }
    return options.length ? { from: word.from, options: options.slice(0, 60), filter: false } : null;
  }

  function toDiagnostics(state, found) {
    const doc = state.doc;
    return found.map((d) => {
      const line = doc.line(Math.min(Math.max(d.line, 1), doc.lines));
      const from = Math.min(line.from + Math.max(d.column - 1, 0), line.to);
      return { from, to: Math.min(from + Math.max(d.length, 1), doc.length), severity: d.severity, message: d.message };
    });
  }

  function listDiagnostics(found) {
    const list = $("diagnostics");
    list.replaceChildren();
    found.forEach((d) => {
      list.appendChild(el("li", `line ${d.line}, column ${d.column}: ${d.message}`, d.severity));
    });
  }

  let lastLint = [];
  async function lintQuery(viewState) {
    const text = viewState.state.doc.toString();
    try {
      const response = await serial(() => fetch("/api/lint", {
        method: "POST", headers: { "Content-Type": "application/sparql-query" }, body: text,
      }));
      if (!response.ok) return toDiagnostics(viewState.state, lastLint);
      if (viewState.state.doc.toString() !== text) return toDiagnostics(viewState.state, lastLint);
      lastLint = await response.json();
    } catch (error) {
      return toDiagnostics(viewState.state, lastLint);
    }
    listDiagnostics(lastLint);
    return toDiagnostics(viewState.state, lastLint);
  }

  function markError(message) {
    // The endpoint's 400 says "query:LINE:COLUMN: message": mark it at once.
    const m = /^query:(\d+)(?::(\d+))?: (.*)/.exec(message);
    if (!m || !editor) return;
    const found = [{ line: +m[1], column: +(m[2] || 1), length: 1, severity: "error", message: m[3] }];
    lastLint = found;
    listDiagnostics(found);
    editor.dispatch(CM.setDiagnostics(editor.state, toDiagnostics(editor.state, found)));
  }

  function createEditor() {
    if (!CM) return; // the vendored editor did not load: the plain textarea still works
    editor = new CM.EditorView({
      parent: $("editor"),
      state: CM.EditorState.create({
        doc: textarea.value,
        extensions: [
          CM.keymap.of([
            { key: "Mod-Enter", run: () => { run(); return true; } },
          ]),
          CM.lineNumbers(), CM.highlightActiveLineGutter(), CM.history(), CM.drawSelection(),
          CM.indentOnInput(), CM.bracketMatching(), CM.closeBrackets(), CM.highlightActiveLine(),
          CM.highlightSelectionMatches(),
          CM.StreamLanguage.define(CM.sparql),
          CM.syntaxHighlighting(CM.defaultHighlightStyle, { fallback: true }),
          CM.autocompletion({ override: [complete], activateOnTyping: true }),
          CM.linter(lintQuery, { delay: 400 }), CM.lintGutter(),
          CM.keymap.of([...CM.closeBracketsKeymap, ...CM.defaultKeymap, ...CM.searchKeymap,
            ...CM.historyKeymap, ...CM.completionKeymap, CM.indentWithTab]),
          CM.EditorView.updateListener.of((u) => { if (u.docChanged) textarea.value = u.state.doc.toString(); }),
          CM.EditorView.contentAttributes.of({ "aria-label": "SPARQL query" }),
          CM.EditorView.cspNonce.of($("editor").dataset.styleNonce || ""),
        ],
      }),
    });
    document.body.classList.add("cm-ready");
  }

  // --- running a query ----------------------------------------------------------------------

  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";

  // The page sends one request at a time: a small server (two workers, a short waiting
  // line) then never answers the page's own lint or label lookups with 429.
  let queue = Promise.resolve();
  function serial(task) {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  }

  async function post(query, accept) {
    return serial(() => fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: accept },
      body: query,
    }));
  }

  async function run() {
    const query = getQuery();
    results.replaceChildren();
    $("result-bar").hidden = true;
    $("pager").hidden = true;
    status.textContent = "running…";
    remember(query);
    history.replaceState(null, "", "#query=" + encodeURIComponent(query));
    const started = performance.now();
    let response;
    try {
      response = await post(query, ACCEPT);
    } catch (error) {
      status.textContent = "the server did not answer: " + error;
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      const message = (await response.text()).trim();
      const ms = Math.round(performance.now() - started);
      status.textContent = `refused (${response.status}) in ${ms} ms`;
      results.appendChild(el("p", `The server answered ${response.status}: ${message}`, "error"));
      markError(message);
      answer = null;
      return;
    }
    if (type.startsWith("application/sparql-results+json")) {
      const doc = await response.json();
      const ms = Math.round(performance.now() - started);
      answer = { kind: typeof doc.boolean === "boolean" ? "ask" : "select", query, doc, ms };
    } else {
      const text = await response.text();
      const ms = Math.round(performance.now() - started);
      answer = { kind: "graph", query, text, ms };
    }
    status.textContent = "";
    view = "table";
    pageIndex = 0;
    await show();
    document.body.dataset.ran = String(Date.now());
  }

  async function show() {
    const bar = $("result-bar");
    bar.hidden = false;
    const n = answer.kind === "select" ? answer.doc.results.bindings.length : 0;
    if (answer.kind === "select") {
      $("summary").textContent = `${n} row${n === 1 ? "" : "s"} in ${answer.ms} ms`;
    } else {
      $("summary").textContent = `${answer.kind === "ask" ? "answered" : "Turtle"} in ${answer.ms} ms`;
    }
    bar.querySelectorAll("[data-download]").forEach((b) => {
      const graph = b.dataset.download === "turtle";
      b.hidden = answer.kind === "graph" ? !graph : graph;
    });
    bar.querySelector("[data-view=chart]").hidden = !chartColumns();
    const graphButton = bar.querySelector("[data-view=graph]");
    if (graphButton) graphButton.hidden = answer.kind === "ask" || !hasIris();
    bar.querySelectorAll("[data-view]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.view === view)));
    results.replaceChildren();
    $("pager").hidden = true;
    if (answer.kind === "ask") {
      results.appendChild(el("p", "Answer: " + (answer.doc.boolean ? "yes" : "no")));
    } else if (answer.kind === "graph") {
      results.appendChild(el("pre", answer.text));
    } else if (view === "chart") {
      await fetchLabels(answer.doc.results.bindings);
      results.appendChild(barChart());
    } else {
      await showTablePage();
    }
  }

  function hasIris() {
    if (answer.kind === "graph") return true;
    return answer.doc.results.bindings.some((row) => Object.values(row).some((t) => t.type === "uri"));
  }

  // --- the table ----------------------------------------------------------------------------

  // Where a link to an IRI should go: our own entity page, an http(s) IRI, or nowhere.
  function hrefFor(iri) {
    if (iri.startsWith(ENTITY_BASE)) {
      const local = iri.slice(ENTITY_BASE.length);
      return ENTITY_NAME.test(local) ? "/entity/" + local : null;
    }
    return /^https?:\/\//.test(iri) ? iri : null;
  }

  function isNumber(term) { return term && term.type !== "uri" && term.type !== "bnode" && NUMERIC.has(term.datatype); }

  function cell(term) {
    const td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      const href = hrefFor(term.value);
      const shown = curieOf(term.value) || term.value;
      const a = el(href ? "a" : "span", shown);
      if (href) {
        a.href = href;
        if (!href.startsWith("/")) a.rel = "noopener noreferrer";
      }
      a.title = term.value;
      td.appendChild(a);
      const label = labels.get(term.value);
      if (label) td.appendChild(el("span", label, "label"));
    } else {
      td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
      if (isNumber(term)) td.className = "num";
      if (term.datatype) td.title = curieOf(term.datatype) || term.datatype;
      if (term["xml:lang"]) td.lang = term["xml:lang"];
    }
    return td;
  }

  // Labels of the IRIs on the page, asked of the endpoint as the CLI asks its store.
  async function fetchLabels(rows) {
    const wanted = new Set();
    rows.forEach((row) => Object.values(row).forEach((t) => {
      if (t.type === "uri" && !labels.has(t.value) && /^[^<>"{}|^`\\\s]+$/.test(t.value)) wanted.add(t.value);
    }));
    if (!wanted.size) return;
    const values = [...wanted].map((iri) => "<" + iri + ">").join(" ");
    const query = `SELECT ?e ?label ?pref WHERE { VALUES ?e { ${values} } ` +
      "OPTIONAL { ?e rdfs:label ?label } OPTIONAL { ?e skos:prefLabel ?pref } }";
    try {
      const response = await post(query, "application/sparql-results+json");
      if (!response.ok) return;
      const doc = await response.json();
      doc.results.bindings.forEach((b) => {
        const name = b.label || b.pref;
        if (name && !labels.has(b.e.value)) labels.set(b.e.value, name.value);
      });
    } catch (error) { /* labels are a help, not the answer */ }
    wanted.forEach((iri) => { if (!labels.has(iri)) labels.set(iri, ""); });
  }

  async function showTablePage() {
    const vars = answer.doc.head.vars;
    const rows = answer.doc.results.bindings;
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    pageIndex = Math.min(pageIndex, pages - 1);
    const shown = rows.slice(pageIndex * PAGE_SIZE, (pageIndex + 1) * PAGE_SIZE);
    await fetchLabels(shown);
    const table = el("table");
    const head = el("tr");
    vars.forEach((v) => head.appendChild(el("th", v)));
    table.appendChild(el("thead")).appendChild(head);
    const body = table.appendChild(el("tbody"));
    shown.forEach((row) => {
      const tr = el("tr");
      vars.forEach((v) => tr.appendChild(cell(row[v])));
      body.appendChild(tr);
    });
    results.replaceChildren(table);
    if (pages > 1) {
      $("pager").hidden = false;
      const first = pageIndex * PAGE_SIZE + 1;
      $("page-info").textContent = `rows ${first}–${first + shown.length - 1} of ${rows.length}`;
      $("prev").disabled = pageIndex === 0;
      $("next").disabled = pageIndex >= pages - 1;
    }
  }

  // --- the bar chart: two columns, a label (or IRI) and a number ------------------------------

  function chartColumns() {
    if (!answer || answer.kind !== "select") return null;
    const vars = answer.doc.head.vars;
    const rows = answer.doc.results.bindings;
    if (vars.length !== 2 || rows.length === 0) return null;
    for (const [name, value] of [[vars[0], vars[1]], [vars[1], vars[0]]]) {
      if (rows.every((r) => isNumber(r[value]) && r[name] && !isNumber(r[name]))) return { name, value };
    }
    return null;
  }

  function barChart() {
    const { name, value } = chartColumns();
    const rows = answer.doc.results.bindings.slice(0, 200);
    const NS = "http://www.w3.org/2000/svg";
    const svgEl = (tag, attrs, text) => {
      const node = document.createElementNS(NS, tag);
      Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, String(v)));
      if (text !== undefined) node.textContent = text;
      return node;
    };
    const max = Math.max(...rows.map((r) => Number(r[value].value)), 0) || 1;
    const left = 260, width = 420, bar = 20, gap = 6;
    const svg = svgEl("svg", { class: "chart", width: left + width + 80, height: rows.length * (bar + gap) + 10,
      role: "img", "aria-label": `${value} by ${name}` });
    rows.forEach((r, i) => {
      const y = i * (bar + gap) + 5;
      const term = r[name];
      const text = term.type === "uri" ? labels.get(term.value) || curieOf(term.value) || term.value : term.value;
      const n = Number(r[value].value);
      svg.appendChild(svgEl("text", { x: left - 8, y: y + 15, "text-anchor": "end" }, text.length > 40 ? text.slice(0, 39) + "…" : text));
      svg.appendChild(svgEl("rect", { x: left, y, width: Math.max(1, (Math.max(n, 0) / max) * width), height: bar }));
      svg.appendChild(svgEl("text", { x: left + (Math.max(n, 0) / max) * width + 6, y: y + 15 }, r[value].value));
    });
    return svg;
  }

  // --- downloads: the endpoint's own bytes, saved as a file -------------------------------------

  async function download(kind) {
    const [accept, extension] = DOWNLOADS[kind];
    const response = await post(answer.query, accept);
    if (!response.ok) {
      status.textContent = `download refused (${response.status})`;
      return;
    }
    const blob = await response.blob();
    const link = el("a");
    link.href = URL.createObjectURL(blob);
    link.download = "medkg-query." + extension;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  }

  // --- examples, parameters, recent queries, links ---------------------------------------------

  function entityFor(value) {
    const text = value.trim();
    if (/^[A-Za-z][\w\-]*:[\w\-.]*$/.test(text)) return text;
    const wanted = normalise(text);
    const found = vocabulary.entities.find((e) => e.names.some((n) => normalise(n) === wanted));
    return found ? found.curie : null;
  }

  function bound(example, form) {
    let query = example.body;
    for (const input of form.querySelectorAll("input")) {
      const curie = entityFor(input.value);
      if (!curie) {
        status.textContent = `no entity is named “${input.value}”: pick one from the list`;
        return null;
      }
      query += `VALUES ?${input.name} { ${curie} }\n`;
    }
    return query;
  }

  function loadExample(example) {
    const form = $("params");
    form.replaceChildren();
    const names = Object.keys(example.params || {});
    names.forEach((name) => {
      const label = el("label", name + " ");
      const input = el("input");
      input.name = name;
      input.value = example.params[name];
      input.setAttribute("list", "entity-names");
      input.addEventListener("change", () => {
        const query = bound(example, form);
        if (query !== null) { setQuery(query); run(); }
      });
      label.appendChild(input);
      form.appendChild(label);
    });
    form.hidden = names.length === 0;
    form.onsubmit = (event) => { event.preventDefault(); };
    $("question").textContent = example.question;
    $("question").hidden = false;
    setQuery(example.sparql);
    run();
  }

  // A query that is not an example's: no question above it, no parameter fields.
  function forgetExample() {
    $("question").hidden = true;
    $("params").hidden = true;
    $("params").replaceChildren();
  }

  function showExamples() {
    const list = $("examples");
    const wanted = normalise($("example-filter").value);
    list.replaceChildren();
    examples.forEach((q) => {
      const haystack = normalise(q.question + " " + q.name + " " + q.sparql);
      if (wanted && !wanted.split(" ").every((w) => haystack.includes(w))) return;
      const button = el("button", q.question);
      button.type = "button";
      button.title = q.name;
      button.addEventListener("click", () => loadExample(q));
      list.appendChild(el("li")).appendChild(button);
    });
    if (!list.children.length) list.appendChild(el("li", "No question matches.", "hint"));
  }

  function recentQueries() {
    try {
      const stored = JSON.parse(localStorage.getItem(RECENT_KEY) || "[]");
      return Array.isArray(stored) ? stored.filter((q) => typeof q === "string") : [];
    } catch (error) { return []; }
  }

  function remember(query) {
    const recent = [query, ...recentQueries().filter((q) => q !== query)].slice(0, RECENT_MAX);
    try { localStorage.setItem(RECENT_KEY, JSON.stringify(recent)); } catch (error) { /* private mode */ }
    showRecent();
  }

  function showRecent() {
    const recent = recentQueries();
    if (!recent.length) return;
    const list = $("recent");
    list.replaceChildren();
    recent.forEach((query) => {
      const summary = query.split("\n").filter((l) => l.trim() && !/^\s*(PREFIX|#)/i.test(l)).join(" ").replace(/\s+/g, " ");
      const button = el("button", summary.slice(0, 80) || query.slice(0, 80));
      button.type = "button";
      button.title = query;
      button.addEventListener("click", () => { forgetExample(); setQuery(query); run(); });
      list.appendChild(el("li")).appendChild(button);
    });
  }

  function sharedQuery() {
    const hash = new URLSearchParams(location.hash.slice(1));
    const search = new URLSearchParams(location.search);
    return hash.get("query") || search.get("query");
  }

  async function loadVocabulary() {
    try {
      const response = await serial(() => fetch("/api/vocabulary", { headers: { Accept: "application/json" } }));
      if (!response.ok) return;
      vocabulary = await response.json();
    } catch (error) { return; }
    const names = $("entity-names");
    vocabulary.entities.forEach((e) => {
      if (e.label) labels.set(e.iri, e.label);
      names.appendChild(el("option")).value = e.label || e.curie;
    });
    vocabulary.classes.concat(vocabulary.properties).forEach((t) => { if (t.label) labels.set(t.iri, t.label); });
  }

  // --- wiring ---------------------------------------------------------------------------------

  createEditor();
  // For tests and the curious, as the explorer exposes window.medkgExplorer.
  window.medkgWorkbench = { view: () => editor, run };
  showExamples();
  showRecent();
  $("example-filter").addEventListener("input", showExamples);
  $("run").addEventListener("click", run);
  $("share").addEventListener("click", async () => {
    const link = location.origin + location.pathname + "#query=" + encodeURIComponent(getQuery());
    history.replaceState(null, "", link);
    try { await navigator.clipboard.writeText(link); status.textContent = "link copied"; } catch (error) { status.textContent = "the address bar holds the link"; }
  });
  $("prev").addEventListener("click", () => { pageIndex -= 1; showTablePage(); });
  $("next").addEventListener("click", () => { pageIndex += 1; showTablePage(); });
  document.querySelectorAll("[data-download]").forEach((b) => b.addEventListener("click", () => download(b.dataset.download)));
  document.querySelectorAll("[data-view]").forEach((b) => b.addEventListener("click", () => {
    if (b.dataset.view === "graph") {
      window.location.href = "/explore?query=" + encodeURIComponent(answer ? answer.query : getQuery());
      return;
    }
    view = b.dataset.view;
    show();
  }));
  const shared = sharedQuery();
  loadVocabulary().then(() => {
    document.body.dataset.ready = "true";
    if (shared) { forgetExample(); setQuery(shared); run(); }
  });
})();
