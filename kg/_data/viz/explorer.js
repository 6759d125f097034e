/* kg graph explorer: draws the page's JSON with vis-network and explains nodes and edges on
   demand. Article text is data: it reaches the DOM through textContent and text nodes only,
   vis-network draws labels as canvas text and shows titles as plain text. */
(function () {
  "use strict";

  const started = performance.now();
  const DATA = JSON.parse(document.getElementById("kg-data").textContent);
  const $ = (id) => document.getElementById(id);
  const kg = { settled: false, selected: null, timing: { parsed: performance.now() - started }, data: DATA };
  window.kg = kg;

  /** A new element with an optional class name and text (never markup). */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  const nodesById = new Map(DATA.nodes.map((n) => [n.id, n]));
  const edgesById = new Map(DATA.edges.map((e) => [e.id, e]));
  const edgesOf = new Map(DATA.nodes.map((n) => [n.id, []]));
  for (const e of DATA.edges) {
    edgesOf.get(e.f).push(e);
    if (e.t !== e.f) edgesOf.get(e.t).push(e);
  }
  const focusIds = new Set(DATA.focus);

  // ---------------------------------------------------------------------------------------
  // Drawing
  // ---------------------------------------------------------------------------------------
  const BASE_SIZE = { Park: 22, GovernmentBody: 18, Enterprise: 13, Place: 14, Person: 14, Policy: 14, Metric: 8 };

  function visNode(n) {
    const cls = DATA.classes[n.c];
    const inside = cls.shape === "box" || cls.shape === "ellipse";
    const size = (BASE_SIZE[n.c] || 12) + Math.min(16, 2.5 * Math.sqrt(n.d));
    const focused = focusIds.has(n.id);
    return {
      id: n.id,
      x: n.x,
      y: n.y,
      label: n.s,
      title: n.h,
      shape: cls.shape,
      size: focused ? size + 6 : size,
      mass: 1 + Math.min(3, n.d / 10) + Math.min(3, (n.k || 0) / 10),
      physics: n.u === undefined,
      margin: inside ? { top: 6, bottom: 6, left: 8, right: 8 } : undefined,
      borderWidth: focused ? 4 : 1.5,
      color: {
        background: cls.colour,
        border: focused ? "#111111" : cls.border,
        highlight: { background: cls.colour, border: "#111111" },
        hover: { background: cls.colour, border: "#111111" },
      },
      font: inside
        ? { color: "#ffffff", size: 13, strokeWidth: 0 }
        : n.c === "Metric"
          ? { color: "#004d40", size: 12 }
          : { size: n.c === "Park" ? 17 : 15 },
    };
  }

  function predicateName(p) {
    const style = DATA.predicates[p];
    return style ? style.zh + " " + p : p;
  }

  function edgeLabel(e) {
    return predicateName(e.p) + (e.x ? "\n" + e.x : "");
  }

  function visEdge(e) {
    const style = DATA.predicates[e.p];
    const from = nodesById.get(e.f);
    const to = nodesById.get(e.t);
    const lines = [predicateName(e.p) + (e.x ? "：" + e.x : ""), from.n + " → " + to.n];
    const first = e.e && e.e.length ? sentenceText(DATA.evidence[e.e[0]]) : null;
    if (first) lines.push("“" + (first.length > 90 ? first.slice(0, 89) + "…" : first) + "”");
    return {
      id: e.id,
      from: e.f,
      to: e.t,
      label: edgeLabel(e),
      title: lines.join("\n"),
      width: style.width,
      dashes: style.dashes,
      color: { color: style.colour, highlight: style.colour, hover: style.colour, opacity: 0.9 },
      font: { color: style.colour },
      physics: from.u === undefined && to.u === undefined,
    };
  }

  function sentenceText(row) {
    return row && row[0] >= 0 ? DATA.sentences[row[0]][0] : null;
  }

  const container = $("graph");
  const nodeSet = new vis.DataSet(DATA.nodes.map(visNode));
  const edgeSet = new vis.DataSet(DATA.edges.map(visEdge));
  const network = new vis.Network(container, { nodes: nodeSet, edges: edgeSet }, DATA.options);
  window.kgNetwork = network;
  kg.timing.built = performance.now() - started;

  /** The trees folded out of the physics: each anchor's folded children. */
  function foldedChildren() {
    const children = new Map();
    for (const id of DATA.folded) {
      const parent = nodesById.get(id).u;
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(id);
    }
    return children;
  }

  /** Place the trees folded out of the physics (large graphs) around their anchors. */
  function unfold() {
    if (!DATA.folded.length) return;
    const children = foldedChildren();
    const positions = network.getPositions();
    let cx = 0;
    let cy = 0;
    let core = 0;
    for (const n of DATA.nodes) {
      if (n.u !== undefined) continue;
      cx += positions[n.id].x;
      cy += positions[n.id].y;
      core += 1;
    }
    cx /= core || 1;
    cy /= core || 1;
    const golden = Math.PI * (3 - Math.sqrt(5));
    const heading = new Map();
    const updates = [];
    const place = (parent) => {
      const kids = children.get(parent);
      const at = positions[parent];
      let facing = heading.get(parent);
      if (facing === undefined) facing = Math.atan2(at.y - cy, at.x - cx);
      // Leaves fill the inner sunflower, subtrees take the outer seats and grow outwards.
      kids.sort((a, b) => children.has(a) - children.has(b));
      kids.forEach((id, i) => {
        const r = 34 + 30 * Math.sqrt(i + 1);
        const angle = facing + (i + 1) * golden;
        positions[id] = { x: at.x + r * Math.cos(angle), y: at.y + r * Math.sin(angle) };
        heading.set(id, angle);
        updates.push({ id: id, x: positions[id].x, y: positions[id].y });
      });
    };
    const done = new Set();
    for (const id of DATA.folded) {
      const parent = nodesById.get(id).u;
      if (!done.has(parent)) {
        done.add(parent);
        place(parent);
      }
    }
    nodeSet.update(updates);
  }

  // ---------------------------------------------------------------------------------------
  // Big views: the trees folded onto a hub (a park's enterprises and figures …) close into one
  // cluster node that opens on click, and labels show by importance and zoom.
  // ---------------------------------------------------------------------------------------
  const CLUSTER_MIN = 3;
  const clusterOf = new Map(); // node id → cluster id while the cluster is closed
  function clusterTrees() {
    if (!DATA.folded.length) return;
    const children = foldedChildren();
    for (const [hub, kids] of children) {
      if (nodesById.get(hub).u !== undefined) continue; // only trees hung on the core
      const members = [];
      for (let i = 0, todo = kids.slice(); i < todo.length; i++) {
        members.push(todo[i]);
        for (const k of children.get(todo[i]) || []) todo.push(k);
      }
      if (members.length < CLUSTER_MIN) continue;
      const inside = new Set(members);
      const hubNode = nodesById.get(hub);
      const clusterId = "cluster:" + hub;
      network.cluster({
        joinCondition: (n) => inside.has(n.id),
        clusterNodeProperties: {
          id: clusterId,
          label: "+" + members.length,
          title: hubNode.n + "：" + members.length + " 个相连节点（点击展开） · " + members.length + " linked nodes, click to open",
          shape: "dot",
          size: 10 + Math.min(20, 2 * Math.sqrt(members.length)),
          color: { background: "#eceff1", border: DATA.classes[hubNode.c].colour },
          borderWidth: 2,
          font: { size: 13, color: "#37474f" },
        },
      });
      for (const m of members) clusterOf.set(m, clusterId);
    }
  }
  function openClusterOf(id) {
    const clusterId = clusterOf.get(id);
    if (!clusterId) return;
    if (network.isCluster(clusterId)) network.openCluster(clusterId);
    for (const [member, c] of clusterOf) if (c === clusterId) clusterOf.delete(member);
  }
  kg.clusters = () => new Set(clusterOf.values()).size;
  kg.clusterIds = () => Array.from(new Set(clusterOf.values()));
  kg.openCluster = (clusterId) => {
    for (const [member, c] of clusterOf) if (c === clusterId) return openClusterOf(member);
  };

  // Label tiers: the most connected parks and companies always, the next ones from a middle
  // zoom on, everything when zoomed in (big views only; small ones show every label).
  const TIER = new Map();
  if (DATA.nodes.length > 300) {
    const rank = (n) => (n.c === "Park" || n.c === "Enterprise" ? 0 : n.c === "Metric" ? 2 : 1);
    const order = DATA.nodes.slice().sort((a, b) => rank(a) - rank(b) || b.d - a.d || a.id - b.id);
    order.forEach((n, i) => TIER.set(n.id, i < 60 ? 0 : i < 400 ? 1 : 2));
  }
  let shownTier = -1;
  function labelsFor(scale) {
    if (!TIER.size) return;
    const tier = scale >= 1.1 ? 2 : scale >= 0.45 ? 1 : 0;
    if (tier === shownTier) return;
    shownTier = tier;
    nodeSet.update(DATA.nodes.map((n) => ({ id: n.id, label: TIER.get(n.id) <= tier ? n.s : "" })));
    // Relation names only when zoomed in: on an overview they cover the nodes.
    edgeSet.update(Array.from(edgesById.values()).map((e) => ({ id: e.id, label: tier >= 2 ? edgeLabel(e) : "" })));
  }
  kg.labelled = () => nodeSet.get({ filter: (n) => !!n.label }).length;
  network.on("zoom", (params) => labelsFor(params.scale));

  function settle() {
    if (kg.settled) return;
    network.setOptions({ physics: { enabled: false } });
    unfold();
    clusterTrees();
    labelsFor(network.getScale());
    if (DATA.folded.length) network.fit();
    $("loading").hidden = true;
    kg.settled = true;
    kg.timing.settled = performance.now();
    kg.timing.layout = performance.now() - started;
    if (DATA.focus.length) focusNode(DATA.focus[0], { animate: false });
  }

  network.on("stabilizationProgress", (p) => {
    $("progress").style.width = Math.round((100 * p.iterations) / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", settle);
  if (!DATA.nodes.length) {
    const empty = el("div", null, "图谱为空：没有可显示的实体。 The graph has no entities to show.");
    empty.id = "empty";
    container.appendChild(empty);
    settle();
  }

  // Drawn nodes and edges (a closed cluster still holds its members; a hidden class does not).
  kg.counts = () => {
    const shown = new Set(nodeSet.getIds({ filter: (n) => !n.hidden }));
    return { nodes: shown.size, edges: edgeSet.getIds({ filter: (e) => shown.has(e.from) && shown.has(e.to) }).length };
  };
  kg.idOf = (name) => {
    for (const n of DATA.nodes) if (n.n === name) return n.id;
    return null;
  };

  // ---------------------------------------------------------------------------------------
  // Side panel
  // ---------------------------------------------------------------------------------------
  const panel = $("panel");
  const panelBody = $("panel-body");

  function openPanel() {
    panelBody.replaceChildren();
    panel.hidden = false;
    panel.scrollTop = 0;
    return panelBody;
  }

  function closePanel() {
    panel.hidden = true;
    kg.selected = null;
    network.unselectAll();
    dim(null);
  }

  /** Fade everything but ``id`` and its neighbours (null: nothing faded). */
  let dimmed = false;
  function dim(id) {
    if (id === null && !dimmed) return;
    const near = new Set(id === null ? [] : [id]);
    const nearEdges = new Set();
    if (id !== null) {
      for (const e of edgesOf.get(id) || []) {
        near.add(e.f);
        near.add(e.t);
        nearEdges.add(e.id);
      }
    }
    const faded = (nid) => id !== null && !near.has(nid);
    nodeSet.update(nodeSet.getIds().map((nid) => ({ id: nid, opacity: faded(nid) ? 0.15 : 1 })));
    edgeSet.update(
      edgeSet.get().map((e) => {
        const near = id === null || nearEdges.has(e.id);
        const colour = DATA.predicates[edgesById.get(e.id).p].colour;
        return {
          id: e.id,
          color: Object.assign({}, e.color, { opacity: near ? 0.9 : 0.06 }),
          font: { color: near ? colour : "rgba(0,0,0,0)", strokeWidth: near ? 3 : 0 },
          label: near && id !== null ? edgeLabel(edgesById.get(e.id)) : shownTier >= 2 || !TIER.size ? edgeLabel(edgesById.get(e.id)) : "",
        };
      }),
    );
    for (const nid of near) openClusterOf(nid);
    dimmed = id !== null;
    kg.neighbourhood = Array.from(near);
  }
  kg.faded = () => nodeSet.get({ filter: (n) => n.opacity !== undefined && n.opacity < 1 }).length;

  function section(parent, zh, en) {
    const h = el("h3", null, zh + " ");
    h.appendChild(el("span", "en", en));
    parent.appendChild(h);
  }

  function badge(className, text, colour) {
    const b = el("span", className, text);
    b.style.background = colour;
    return b;
  }

  function nodeLink(id) {
    const n = nodesById.get(id);
    const a = el("button", "link", n.n);
    a.type = "button";
    a.title = DATA.classes[n.c].zh + " " + n.c;
    a.addEventListener("click", () => focusNode(id));
    return a;
  }

  function edgeLink(e, text) {
    const a = el("button", "link", text);
    a.type = "button";
    a.addEventListener("click", () => {
      network.selectEdges([e.id]);
      showEdge(e.id);
    });
    return a;
  }

  /** Split by code points, as the offsets from Python count them. */
  function chars(text) {
    return Array.from(text);
  }

  /** The reading of a row's rule: [zh, en, why (zh), why (en)], or null for an unknown rule. */
  function ruleOf(row) {
    return (DATA.rules && DATA.rules[row[2]]) || null;
  }

  function quote(rows, describe) {
    const block = el("blockquote");
    const row = rows[0];
    // A link the rule inferred (from a name, the article, a zone's rank) says so and why,
    // above the sentence, so the sentence never reads as if it stated the link.
    const inferred = rows.map(ruleOf).filter((known) => known && known[2]);
    if (inferred.length === rows.length) block.classList.add("inferred");
    for (const why of new Set(inferred.map((known) => known[2] + " · " + known[3]))) {
      block.appendChild(el("span", "why", "推断 inferred — " + why));
    }
    const text = sentenceText(row);
    if (text === null) {
      block.appendChild(el("span", "about", "（没有记录句子 no sentence recorded）"));
    } else {
      const cs = chars(text);
      const spans = rows.filter((r) => r[4] >= 0).map((r) => [r[4], r[5]]).sort((a, b) => a[0] - b[0]);
      let at = 0;
      for (const [lo, hi] of spans) {
        if (lo < at) continue;
        block.appendChild(document.createTextNode(cs.slice(at, lo).join("")));
        block.appendChild(el("mark", null, cs.slice(lo, hi).join("")));
        at = hi;
      }
      block.appendChild(document.createTextNode(cs.slice(at).join("")));
    }
    const article = row[0] >= 0 ? DATA.sentences[row[0]][1] : row[1];
    const source = el("span", "source");
    source.title = "规则 rule: " + [...new Set(rows.map((r) => r[2]))].join(", ");
    source.appendChild(document.createTextNode(article >= 0 ? "《" + DATA.articles[article] + "》" : "（文章不详 unknown article）"));
    if (describe) source.appendChild(document.createTextNode(" · " + describe));
    block.appendChild(source);
    return block;
  }

  /** A list showing the first ``limit`` items and a button for the rest. */
  function shortList(parent, items, limit, render) {
    const list = el("ul");
    items.slice(0, limit).forEach((item) => list.appendChild(render(item)));
    parent.appendChild(list);
    if (items.length > limit) {
      const more = el("button", "link more", "显示全部 " + items.length + " 项 · show all");
      more.type = "button";
      more.addEventListener("click", () => {
        items.slice(limit).forEach((item) => list.appendChild(render(item)));
        more.remove();
      });
      parent.appendChild(more);
    }
  }

  /** How the rows' rules found the link, in words (the rule id for a rule the page does not know). */
  function describeRules(rows) {
    const parts = [];
    for (const row of rows) {
      const known = ruleOf(row);
      let text = known ? known[0] + " " + known[1] : row[2] || "";
      if (row[3] !== null && row[3] !== undefined) text += (text ? " · " : "") + "置信度 " + row[3];
      if (text && !parts.includes(text)) parts.push(text);
    }
    return parts.join("；");
  }

  function evidenceList(parent, edges, limit) {
    // One quote per sentence, naming the relations it supports.
    const bySentence = new Map();
    for (const e of edges) {
      for (const r of e.e || []) {
        const row = DATA.evidence[r];
        const key = row[0] >= 0 ? "s" + row[0] : "e" + r;
        if (!bySentence.has(key)) bySentence.set(key, { rows: [], edges: [] });
        const item = bySentence.get(key);
        item.rows.push(row);
        if (!item.edges.includes(e)) item.edges.push(e);
      }
    }
    if (!bySentence.size) {
      parent.appendChild(el("p", "about", "没有证据句子。 No evidence sentence recorded."));
      return;
    }
    let shown = 0;
    for (const item of bySentence.values()) {
      if (shown++ >= limit) break;
      const about = item.edges
        .slice(0, 3)
        .map((e) => predicateName(e.p) + "：" + nodesById.get(e.f).n + " → " + nodesById.get(e.t).n)
        .join("；");
      parent.appendChild(quote(item.rows, about + (item.edges.length > 3 ? "…" : "")));
    }
    if (bySentence.size > limit) parent.appendChild(el("p", "more", "还有 " + (bySentence.size - limit) + " 句未列出 · " + (bySentence.size - limit) + " more"));
  }

  function showNode(id) {
    const n = nodesById.get(id);
    if (!n) return;
    kg.selected = { node: id };
    dim(id);
    const cls = DATA.classes[n.c];
    const body = openPanel();
    body.appendChild(badge("kind", cls.zh + " " + n.c, cls.colour));
    body.appendChild(el("h2", "name", n.n));

    if (n.m) {
      const m = n.m;
      // The amount in the source's own units (近500亿元), the stored base value beside it.
      if (m.amount) body.appendChild(el("p", "big", (m.qualifier ? m.qualifier + " " : "") + m.amount));
      const facts = [];
      if (m.base) facts.push("= " + m.base);
      if (m.year) facts.push(m.year + " 年");
      if (m.target) facts.push("目标值 target");
      body.appendChild(el("p", "about", [m.indicator].concat(facts).join(" · ")));
    }
    if (n.a && n.a.length) {
      section(body, "别名", "Aliases");
      const chips = el("div", "chips");
      for (const alias of n.a) chips.appendChild(el("span", "chip", alias));
      body.appendChild(chips);
    }
    if (n.p && n.p.length) {
      section(body, "职务", "Posts");
      const list = el("ul");
      for (const post of n.p) list.appendChild(el("li", null, post));
      body.appendChild(list);
    }

    const mine = edgesOf.get(id) || [];
    const figures = mine.filter((e) => e.p === "achieves" && e.f === id);
    if (figures.length) {
      section(body, "关键数据", "Key figures");
      shortList(body, figures, 6, (e) => {
        const metric = nodesById.get(e.t);
        const li = el("li", "figure");
        li.appendChild(nodeLink(metric.id));
        if (metric.m && metric.m.amount) {
          const value = el("span", "value", metric.m.amount);
          if (metric.m.base) value.appendChild(el("span", "base", metric.m.base));
          li.appendChild(value);
        }
        return li;
      });
    }
    const others = mine.filter((e) => !(e.p === "achieves" && e.f === id));
    if (others.length) {
      section(body, "关系", "Relations");
      shortList(body, others, 8, (e) => {
        const style = DATA.predicates[e.p];
        const li = el("li");
        li.appendChild(badge("pred", predicateName(e.p), style.colour));
        const outgoing = e.f === id;
        li.appendChild(document.createTextNode(outgoing ? "→ " : "← "));
        li.appendChild(nodeLink(outgoing ? e.t : e.f));
        if (e.x) li.appendChild(el("span", "about", "（" + e.x + "）"));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(edgeLink(e, "证据"));
        return li;
      });
    }

    section(body, "证据", "Evidence");
    if (n.more) {
      body.appendChild(
        el("p", "about", "此节点由搜索加入，证据句子不在本页：运行 kg viz --focus " + n.n + " · Added from the index of this page; for its evidence run kg viz --focus NAME"),
      );
    }
    evidenceList(body, mine, 30);

    if (n.more) {
      body.appendChild(el("p", "iri", ""));
    } else if (n.r && n.r.length) {
      section(body, "提及文章", "Mentioned in");
      shortList(body, n.r, 10, (a) => el("li", null, "《" + DATA.articles[a] + "》"));
    }
    body.appendChild(el("p", "iri", n.iri));
  }

  function showEdge(id) {
    const e = edgesById.get(id);
    if (!e) return;
    kg.selected = { edge: id };
    const style = DATA.predicates[e.p];
    const body = openPanel();
    body.appendChild(badge("kind", "关系 " + predicateName(e.p), style.colour));
    const title = el("h2", "name");
    title.appendChild(nodeLink(e.f));
    title.appendChild(document.createTextNode(" → "));
    title.appendChild(nodeLink(e.t));
    body.appendChild(title);
    if (e.x) body.appendChild(el("p", "about", e.x));
    section(body, "来源句子", "Evidence");
    const rows = (e.e || []).map((r) => DATA.evidence[r]);
    if (!rows.length) body.appendChild(el("p", "about", "没有证据句子。 No evidence sentence recorded."));
    const seen = new Map();
    for (const row of rows) {
      const key = row[0] >= 0 ? row[0] : "x" + seen.size;
      if (!seen.has(key)) seen.set(key, []);
      seen.get(key).push(row);
    }
    for (const group of seen.values()) body.appendChild(quote(group, describeRules(group)));
  }

  kg.showNode = showNode;
  kg.showEdge = showEdge;

  network.on("click", (params) => {
    if (params.nodes.length && network.isCluster(params.nodes[0])) {
      kg.openCluster(params.nodes[0]);
      return;
    }
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
    else closePanel();
  });
  network.on("doubleClick", (params) => {
    if (params.nodes.length) focusNode(params.nodes[0]);
  });
  $("panel-close").addEventListener("click", closePanel);

  // ---------------------------------------------------------------------------------------
  // Finding things: search, class filters, focus
  // ---------------------------------------------------------------------------------------
  const hiddenClasses = new Set();

  function setClassVisible(cls, visible) {
    if (visible) hiddenClasses.delete(cls);
    else hiddenClasses.add(cls);
    const box = document.querySelector('#legend input[data-class="' + cls + '"]');
    if (box) {
      box.checked = visible;
      box.closest("label").classList.toggle("off", !visible);
    }
    const updates = [];
    for (const n of DATA.nodes) if (n.c === cls) updates.push({ id: n.id, hidden: !visible });
    nodeSet.update(updates);
    if (kg.selected && kg.selected.node !== undefined && nodesById.get(kg.selected.node).c === cls && !visible) closePanel();
  }
  kg.setClassVisible = setClassVisible;

  for (const box of document.querySelectorAll("#legend input[data-class]")) {
    box.addEventListener("change", () => setClassVisible(box.dataset.class, box.checked));
  }

  function focusNode(id, how) {
    if (!nodesById.has(id) && moreById.has(id)) expand(id);
    const n = nodesById.get(id);
    if (!n) return;
    if (hiddenClasses.has(n.c)) setClassVisible(n.c, true);
    openClusterOf(id);
    network.selectNodes([id]);
    showNode(id);
    const animate = !how || how.animate !== false;
    network.focus(id, {
      scale: Math.max(network.getScale(), 1.0),
      offset: { x: panel.hidden ? 0 : -(panel.offsetWidth + 12) / 2, y: 0 },
      animation: animate ? { duration: 450, easingFunction: "easeInOutQuad" } : false,
    });
  }
  kg.focus = focusNode;

  function norm(text) {
    return text.normalize("NFKC").replace(/\s+/g, "").toLowerCase();
  }
  const searchIndex = DATA.nodes.map((n) => ({ node: n, keys: [n.n].concat(n.a || []).map(norm) }));
  // Entities the view left out (big graphs): searchable, and drawn with their neighbours on demand.
  const more = DATA.more || { nodes: [], edges: [] };
  const moreById = new Map(more.nodes.map((m) => [m.id, m]));
  const moreEdgesOf = new Map();
  more.edges.forEach((e, i) => {
    for (const end of [e[0], e[1]]) {
      if (!moreEdgesOf.has(end)) moreEdgesOf.set(end, []);
      moreEdgesOf.get(end).push(i);
    }
  });
  for (const m of more.nodes) searchIndex.push({ node: m, keys: [m.n].concat(m.a || []).map(norm) });
  let nextEdge = DATA.edges.length;
  const addedEdges = new Set();

  /** Draw an entity the view left out, its neighbours from the index (up to 40) and their edges. */
  function expand(id) {
    const added = [];
    const place = (mid, near) => {
      if (nodesById.has(mid) || !moreById.has(mid)) return;
      const m = moreById.get(mid);
      const n = { id: mid, c: m.c, n: m.n, a: m.a, d: m.d, s: m.n.length > 12 ? m.n.slice(0, 11) + "…" : m.n, h: m.n, more: 1, iri: "" };
      nodesById.set(mid, n);
      edgesOf.set(mid, []);
      let at = { x: 0, y: 0 };
      if (near !== null && nodesById.has(near) && !moreById.has(near)) at = network.getPositions([near])[near] || at;
      else if (near !== null) at = network.getPositions([near])[near] || network.getViewPosition();
      else at = network.getViewPosition();
      const angle = Math.random() * 2 * Math.PI;
      const r = near === null ? 0 : 60 + 30 * Math.random();
      const node = visNode(n);
      node.x = at.x + r * Math.cos(angle);
      node.y = at.y + r * Math.sin(angle);
      node.physics = false;
      nodeSet.add(node);
      added.push(mid);
    };
    place(id, null);
    const mine = moreEdgesOf.get(id) || [];
    for (const i of mine.slice(0, 40)) {
      const e = more.edges[i];
      place(e[0] === id ? e[1] : e[0], id);
    }
    for (const nid of added) {
      for (const i of moreEdgesOf.get(nid) || []) {
        if (addedEdges.has(i)) continue;
        const [f, t, p] = more.edges[i];
        if (!nodesById.has(f) || !nodesById.has(t)) continue;
        addedEdges.add(i);
        const e = { id: nextEdge++, f: f, t: t, p: p };
        edgesById.set(e.id, e);
        edgesOf.get(f).push(e);
        if (t !== f) edgesOf.get(t).push(e);
        edgeSet.add(visEdge(e));
      }
    }
    kg.expanded = (kg.expanded || 0) + added.length;
  }
  kg.expand = expand;

  function search(query) {
    const q = norm(query);
    if (!q) return [];
    const hits = [];
    for (const item of searchIndex) {
      let rank = 9;
      let which = 0;
      item.keys.forEach((key, i) => {
        const r = key === q ? 0 : key.startsWith(q) ? 1 : key.includes(q) ? 2 : 9;
        if (r < rank) {
          rank = r;
          which = i;
        }
      });
      if (rank < 9) hits.push({ node: item.node, rank: rank, alias: which > 0 ? item.node.a[which - 1] : null });
    }
    hits.sort(
      (a, b) =>
        a.rank - b.rank ||
        (a.node.c === "Metric") - (b.node.c === "Metric") ||
        b.node.d - a.node.d ||
        a.node.n.length - b.node.n.length,
    );
    return hits.slice(0, 12);
  }
  kg.search = search;

  const input = $("search");
  const list = $("suggestions");
  const status = $("search-status");
  let hits = [];
  let active = 0;

  function renderSuggestions() {
    list.replaceChildren();
    status.textContent = "";
    if (!input.value.trim()) {
      list.hidden = true;
      return;
    }
    if (!hits.length) {
      list.hidden = true;
      status.textContent = "未找到 “" + input.value.trim() + "” · not in this graph";
      return;
    }
    hits.forEach((hit, i) => {
      const li = el("li");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      const swatch = el("span", "swatch");
      swatch.style.background = DATA.classes[hit.node.c].colour;
      li.appendChild(swatch);
      li.appendChild(el("span", "name", hit.node.n));
      li.appendChild(el("span", "why", (hit.alias ? "别名 " + hit.alias : DATA.classes[hit.node.c].zh) + (nodesById.has(hit.node.id) ? "" : " · 展开 expand")));
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(i);
      });
      list.appendChild(li);
    });
    list.hidden = false;
  }

  function choose(i) {
    const hit = hits[i];
    if (!hit) return;
    list.hidden = true;
    input.value = hit.node.n;
    input.blur();
    focusNode(hit.node.id);
  }

  input.addEventListener("input", () => {
    hits = search(input.value);
    active = 0;
    renderSuggestions();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!hits.length) return;
      active = (active + (event.key === "ArrowDown" ? 1 : hits.length - 1)) % hits.length;
      renderSuggestions();
      event.preventDefault();
    } else if (event.key === "Enter") {
      hits = search(input.value);
      if (hits.length) choose(Math.min(active, hits.length - 1));
      else renderSuggestions();
      event.preventDefault();
    } else if (event.key === "Escape") {
      list.hidden = true;
      input.blur();
    }
  });
  input.addEventListener("blur", () => {
    list.hidden = true;
  });
  document.addEventListener("keydown", (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
    if (event.key === "/" && !typing) {
      input.focus();
      input.select();
      event.preventDefault();
    } else if (event.key === "Escape" && !typing) {
      closePanel();
    }
  });

  $("fit").addEventListener("click", () => network.fit({ animation: { duration: 400, easingFunction: "easeInOutQuad" } }));
  const noteClose = $("note-close");
  if (noteClose) noteClose.addEventListener("click", () => ($("note").hidden = true));
})();
