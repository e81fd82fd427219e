/* medkg explorer: draws the embedded network with vis-network.
 *
 * Every text that comes from the data reaches the DOM through textContent (or an
 * attribute set with setAttribute), never innerHTML: labels from a user's file are text.
 * The page's objects are exposed as window.medkgExplorer for tests and the curious.
 */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("medkg-data").textContent);
  var kindStyle = new Map(DATA.kinds.map(function (k) { return [k.kind, k]; }));
  var nodeById = new Map(DATA.nodes.map(function (n) { return [n.id, n]; }));
  var edgeById = new Map(DATA.edges.map(function (e) { return [e.id, e]; }));
  var hiddenKinds = new Set();
  var container = document.getElementById("network");
  var card = document.getElementById("card");
  var selected = null;

  // ---------------------------------------------------------------- names

  function singular(word) {
    if (word.length > 4 && word.endsWith("ies")) { return word.slice(0, -3) + "y"; }
    if (word.length > 3 && word.endsWith("s") && !/(ss|us|is)$/.test(word)) { return word.slice(0, -1); }
    return word;
  }

  /* Fold a name like medkg.entities.normalise: case, hyphens, possessives, plurals. */
  function normalise(text) {
    var folded = String(text).toLowerCase().replace(/\u2019/g, "'").replace(/'s\b/g, "");
    folded = folded.replace(/[^\p{L}\p{N}_]+/gu, " ").trim();
    return folded ? folded.split(/\s+/).map(singular).join(" ") : "";
  }

  var nameIndex = new Map();
  DATA.nodes.forEach(function (n) {
    [n.label, n.curie].concat(n.synonyms, n.brand_names).forEach(function (name) {
      var key = normalise(name);
      if (key && !nameIndex.has(key)) { nameIndex.set(key, n.id); }
    });
  });

  /* Return the id of the entity a search names: exact name, then prefix, then substring. */
  function findNode(text) {
    var query = normalise(text);
    if (!query) { return null; }
    if (nameIndex.has(query)) { return nameIndex.get(query); }
    var best = null;
    var bestRank = Infinity;
    nameIndex.forEach(function (id, key) {
      var at = key.indexOf(query);
      if (at < 0) { return; }
      var rank = (at === 0 ? 0 : 1e6) + key.length;
      if (rank < bestRank) { best = id; bestRank = rank; }
    });
    return best;
  }

  // ---------------------------------------------------------------- vis data

  function visNode(n) {
    var style = kindStyle.get(n.kind);
    return {
      id: n.id, label: n.label, x: n.x, y: n.y, kind: n.kind, shape: style.shape,
      size: n.size,
      color: {
        background: style.color, border: "#333",
        highlight: { background: style.color, border: "#000" },
        hover: { background: style.color, border: "#000" }
      }
    };
  }

  function visEdge(e) {
    return { id: e.id, from: e.from, to: e.to, label: e.label };
  }

  var nodes = new vis.DataSet(DATA.nodes.map(visNode));
  var edges = new vis.DataSet(DATA.edges.map(visEdge));
  var large = DATA.large;

  var options = {
    autoResize: true,
    layout: { improvedLayout: false },
    // Positions come from Python (medkg.viz.layout): nothing needs to settle or drift.
    physics: { enabled: false },
    nodes: {
      borderWidth: 1,
      // Long labels wrap at the width the Python layout assumed when it kept labels apart.
      widthConstraint: { maximum: DATA.label_width },
      font: { size: 15, face: "system-ui, sans-serif", color: "#1a1a1a", strokeWidth: 4, strokeColor: "#ffffff" }
    },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.55 } },
      smooth: false,
      width: 1,
      selectionWidth: 2,
      color: { color: "#9aa3ad", highlight: "#222", hover: "#555" },
      font: { size: 11, face: "system-ui, sans-serif", color: "#5a6570", strokeWidth: 3, strokeColor: "#ffffff", align: "middle" }
    },
    interaction: {
      hover: !large, hoverConnectedEdges: true, selectConnectedEdges: false,
      hideEdgesOnDrag: large, hideEdgesOnZoom: large, keyboard: false, tooltipDelay: 300
    }
  };

  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);

  // ---------------------------------------------------------------- small DOM helpers

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function swatch(kind) {
    var style = kindStyle.get(kind);
    var box = el("span", null, "swatch shape-" + style.shape);
    box.style.backgroundColor = style.color;
    return box;
  }

  function list(items, render) {
    var ul = el("ul");
    items.forEach(function (item) {
      var li = el("li");
      li.appendChild(render(item));
      ul.appendChild(li);
    });
    return ul;
  }

  function section(parent, heading, content) {
    parent.appendChild(el("h3", heading));
    parent.appendChild(content);
  }

  /* A link only for http(s) URLs; anything else (javascript:, data:) stays plain text. */
  function externalLink(url) {
    if (!/^https?:\/\//i.test(url)) { return el("span", url); }
    var a = el("a", url);
    a.setAttribute("href", url);
    a.setAttribute("target", "_blank");
    a.setAttribute("rel", "noopener noreferrer");
    return a;
  }

  function entityButton(id, text) {
    var button = el("button", text, "link");
    button.type = "button";
    button.addEventListener("click", function () { focusNode(id); });
    return button;
  }

  function clearCard() {
    while (card.firstChild) { card.removeChild(card.firstChild); }
  }

  // ---------------------------------------------------------------- cards

  function showNodeCard(id) {
    var n = nodeById.get(id);
    if (!n) { return; }
    clearCard();
    card.dataset.node = id;
    delete card.dataset.edge;
    card.appendChild(el("h2", n.label));
    var kind = el("p", null, "kind");
    kind.appendChild(swatch(n.kind));
    kind.appendChild(el("span", kindStyle.get(n.kind).name));
    kind.appendChild(el("code", n.curie));
    card.appendChild(kind);
    if (n.definition) { card.appendChild(el("p", n.definition)); }
    if (n.synonyms.length) { section(card, "Also called", list(n.synonyms, function (s) { return el("span", s); })); }
    if (n.brand_names.length) { section(card, "Brand names", list(n.brand_names, function (s) { return el("span", s); })); }
    // owl:NamedIndividual says nothing to a student; the schema types do.
    var types = n.types.filter(function (t) { return t !== "owl:NamedIndividual"; });
    if (types.length) { section(card, "Types", el("p", types.join(", "), "meta")); }
    if (n.external_ids.length) { section(card, "External IDs", list(n.external_ids, externalLink)); }
    var related = relationsOf(id);
    if (related.length) { section(card, "Relations (" + related.length + ")", list(related.slice(0, 60), relationItem)); }
  }

  function relationsOf(id) {
    var found = [];
    network.getConnectedEdges(id).forEach(function (edgeId) {
      var e = edgeById.get(edgeId);
      if (e) { found.push(e); }
    });
    return found;
  }

  // The article's hedges next to the claim: "occurs during (typically)".
  function hedged(e) {
    return e.qualifiers && e.qualifiers.length ? e.label + " (" + e.qualifiers.join(", ") + ")" : e.label;
  }

  function relationItem(e) {
    var span = el("span");
    var source = nodeById.get(e.from);
    var target = nodeById.get(e.to);
    // Spaces go between the buttons: a button trims the spaces inside it.
    var relation = el("button", hedged(e) + " \u2192", "link relation");
    relation.type = "button";
    relation.addEventListener("click", function () { selectEdge(e.id); });
    span.appendChild(entityButton(e.from, source ? source.label : e.from));
    span.appendChild(document.createTextNode(" "));
    span.appendChild(relation);
    span.appendChild(document.createTextNode(" "));
    span.appendChild(entityButton(e.to, target ? target.label : e.to));
    return span;
  }

  function showEdgeCard(id) {
    var e = edgeById.get(id);
    if (!e) { return; }
    clearCard();
    card.dataset.edge = String(id);
    delete card.dataset.node;
    var source = nodeById.get(e.from);
    var target = nodeById.get(e.to);
    var heading = el("h2");
    heading.appendChild(el("span", source ? source.label : e.from));
    heading.appendChild(el("em", " " + hedged(e) + " \u2192 "));
    heading.appendChild(el("span", target ? target.label : e.to));
    card.appendChild(heading);
    card.appendChild(el("p", e.predicate, "meta"));
    if (e.qualifiers && e.qualifiers.length) {
      card.appendChild(el("p", "The article hedges this: " + e.qualifiers.join(", ") + ".", "qualifiers"));
    }
    card.appendChild(el("h3", "Evidence (" + e.evidence.length + ")"));
    if (!e.evidence.length) { card.appendChild(el("p", "No evidence record for this relation.", "hint")); }
    e.evidence.forEach(function (item) {
      card.appendChild(el("blockquote", item.quote));
      // What the article says, what it cites there and whether that was checked; then the
      // article's own wording, caveats and the evidence code (medkg.evidence.explain).
      (item.explanation || []).forEach(function (line, i) {
        card.appendChild(el("p", line, i === 0 ? "explanation" : "explanation detail"));
      });
      var from = el("p", "Quoted from ", "meta");
      from.appendChild(sourceLink(item.source_curie, item.source));
      (item.cited || []).forEach(function (ref, i) {
        from.appendChild(document.createTextNode(i === 0 ? " \u00b7 cited here: " : ", "));
        var name = ref.label || ref.curie;
        from.appendChild(sourceLink(ref.curie, ref.number === null ? name : "reference " + ref.number + " (" + name + ")"));
      });
      card.appendChild(from);
      var claim = [item.claim ? "claim: " + item.claim : null, item.record].filter(Boolean).join(" \u00b7 ");
      if (claim) { card.appendChild(el("p", claim, "meta")); }
    });
  }

  function sourceLink(curie, label) {
    var text = label || curie || "unknown source";
    return curie && findNode(curie) !== null ? entityButton(findNode(curie), text) : el("span", text);
  }

  function showHint() {
    clearCard();
    delete card.dataset.node;
    delete card.dataset.edge;
    card.appendChild(el("p", "Hover over or click an entity to see its card; click an arrow to see the evidence for that relation.", "hint"));
  }

  // ---------------------------------------------------------------- selection

  function focusNode(id) {
    var n = nodeById.get(id);
    if (!n) { return false; }
    if (hiddenKinds.has(n.kind)) { setKindVisible(n.kind, true); }
    selected = id;
    network.selectNodes([id], false);
    network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: { duration: 300, easingFunction: "easeInOutQuad" } });
    showNodeCard(id);
    return true;
  }

  function selectEdge(id) {
    selected = null;
    network.setSelection({ nodes: [], edges: [id] }, { unselectAll: true, highlightEdges: false });
    showEdgeCard(id);
  }

  network.on("click", function (params) {
    if (params.nodes.length) {
      selected = params.nodes[0];
      showNodeCard(selected);
    } else if (params.edges.length) {
      selectEdge(params.edges[0]);
    } else {
      selected = null;
      showHint();
    }
  });
  network.on("hoverNode", function (params) {
    if (selected === null && !card.dataset.edge) { showNodeCard(params.node); }
  });

  // ---------------------------------------------------------------- kinds

  function setKindVisible(kind, visible) {
    if (visible) { hiddenKinds.delete(kind); } else { hiddenKinds.add(kind); }
    var box = document.querySelector('#kinds input[data-index="' + DATA.kinds.findIndex(function (k) { return k.kind === kind; }) + '"]');
    if (box) { box.checked = visible; }
    nodes.update(DATA.nodes.filter(function (n) { return n.kind === kind; }).map(function (n) {
      return { id: n.id, hidden: !visible };
    }));
    edges.update(DATA.edges.map(function (e) {
      var hidden = hiddenKinds.has(nodeById.get(e.from).kind) || hiddenKinds.has(nodeById.get(e.to).kind);
      return { id: e.id, hidden: hidden };
    }));
    if (!visible && selected !== null && nodeById.get(selected).kind === kind) {
      selected = null;
      network.unselectAll();
      showHint();
    }
  }

  var legend = document.getElementById("kinds");
  DATA.kinds.forEach(function (k, index) {
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-index", String(index));
    box.setAttribute("data-kind", k.kind);
    box.addEventListener("change", function () { setKindVisible(k.kind, box.checked); });
    label.appendChild(box);
    label.appendChild(swatch(k.kind));
    label.appendChild(el("span", k.name));
    label.appendChild(el("span", "(" + k.count + ")", "count"));
    var li = el("li");
    li.appendChild(label);
    legend.appendChild(li);
  });

  // ---------------------------------------------------------------- search

  var searchBox = document.getElementById("search");
  var status = document.getElementById("search-status");
  var names = document.getElementById("search-names");
  if (DATA.nodes.length <= 2000) {
    var seen = new Set();
    DATA.nodes.forEach(function (n) {
      [n.label].concat(n.synonyms, n.brand_names).forEach(function (name) {
        if (seen.has(name)) { return; }
        seen.add(name);
        var option = el("option");
        option.value = name;
        names.appendChild(option);
      });
    });
  }

  function search(text) {
    var id = findNode(text);
    status.textContent = id === null && normalise(text) ? "no entity matches \u201c" + text + "\u201d" : "";
    if (id !== null) { focusNode(id); }
    return id;
  }

  document.getElementById("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    search(searchBox.value);
  });
  searchBox.addEventListener("input", function () {
    // Picking a name from the suggestions, or typing one in full, jumps to it at once.
    var query = normalise(searchBox.value);
    if (query && nameIndex.has(query)) { search(searchBox.value); } else { status.textContent = ""; }
  });
  document.getElementById("fit").addEventListener("click", function () {
    network.fit({ animation: { duration: 300 } });
  });

  // ---------------------------------------------------------------- start

  var api = {
    network: network, nodes: nodes, edges: edges, data: DATA, ready: false,
    findNode: findNode, search: search, focusNode: focusNode, selectEdge: selectEdge,
    setKindVisible: setKindVisible,
    visibleNodeIds: function () { return nodes.getIds({ filter: function (n) { return !n.hidden; } }); },
    visibleEdgeIds: function () { return edges.getIds({ filter: function (e) { return !e.hidden; } }); }
  };
  window.medkgExplorer = api;

  if (!DATA.nodes.length) {
    container.appendChild(el("p", "Nothing to draw: no entity matches the chosen focus, query or types.", "empty"));
  }
  network.once("afterDrawing", function () {
    api.ready = true;
    document.body.setAttribute("data-ready", "true");
  });
  network.fit();
  if (DATA.focus !== null && nodeById.has(DATA.focus)) {
    selected = DATA.focus;
    network.selectNodes([DATA.focus], false);
    showNodeCard(DATA.focus);
  }
  network.redraw();
})();
