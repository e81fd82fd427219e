// The query page: load an example into the editor, run it on /sparql, show the answer.
// Every text from the data goes into the page with textContent, never as HTML.
"use strict";
(function () {
  const ENTITY_BASE = "https://w3id.org/medkg/entity/";
  const ENTITY_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.\-]*$/;
  const editor = document.getElementById("query");
  const results = document.getElementById("results");
  const status = document.getElementById("status");
  const examples = JSON.parse(document.getElementById("example-data").textContent);

  function el(tag, text) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Where a link to an IRI should go: our own entity page, an http(s) IRI, or nowhere.
  function hrefFor(iri) {
    if (iri.startsWith(ENTITY_BASE)) {
      const local = iri.slice(ENTITY_BASE.length);
      return ENTITY_NAME.test(local) ? "/entity/" + local : null;
    }
    return /^https?:\/\//.test(iri) ? iri : null;
  }

  function cell(term) {
    const td = el("td");
    if (!term) return td;
    const href = term.type === "uri" ? hrefFor(term.value) : null;
    if (href) {
      const a = el("a", term.value);
      a.href = href;
      if (!href.startsWith("/")) a.rel = "noopener noreferrer";
      td.appendChild(a);
    } else {
      td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
    }
    return td;
  }

  function showTable(doc) {
    if (typeof doc.boolean === "boolean") {
      results.appendChild(el("p", "Answer: " + (doc.boolean ? "yes" : "no")));
      return;
    }
    const vars = doc.head.vars;
    const rows = doc.results.bindings;
    results.appendChild(el("p", rows.length + " row" + (rows.length === 1 ? "" : "s")));
    const table = el("table");
    const head = el("tr");
    vars.forEach((v) => head.appendChild(el("th", v)));
    table.appendChild(el("thead")).appendChild(head);
    const body = table.appendChild(el("tbody"));
    rows.forEach((row) => {
      const tr = el("tr");
      vars.forEach((v) => tr.appendChild(cell(row[v])));
      body.appendChild(tr);
    });
    results.appendChild(table);
  }

  async function run() {
    results.replaceChildren();
    status.textContent = "running…";
    try {
      const response = await fetch("/sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/sparql-query",
          Accept: "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: editor.value,
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        results.appendChild(el("p", await response.text())).className = "error";
      } else if (type.startsWith("application/sparql-results+json")) {
        showTable(await response.json());
      } else {
        results.appendChild(el("pre", await response.text()));
      }
      status.textContent = response.ok ? "" : "error " + response.status;
    } catch (error) {
      status.textContent = "the server did not answer: " + error;
    }
  }

  const list = document.getElementById("examples");
  examples.forEach((q) => {
    const button = el("button", q.question);
    button.type = "button";
    button.title = q.name;
    button.addEventListener("click", () => { editor.value = q.sparql; run(); });
    list.appendChild(el("li")).appendChild(button);
  });
  document.getElementById("run").addEventListener("click", run);
  const graph = document.getElementById("graph");
  if (graph) {
    graph.addEventListener("click", () => {
      window.location.href = "/explore?query=" + encodeURIComponent(editor.value);
    });
  }
})();
