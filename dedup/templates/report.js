"use strict";
// Draws the report from the JSON block. Corpus text only ever goes through
// textContent / text nodes; links are only ever "#doc-N(-line-M)" built from numbers.
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  const docs = data.documents;
  const KINDS = ["duplicate", "near-duplicate", "boilerplate"];
  const PAGE = 100;
  const BIDI = { "\u200e": "LRM", "\u200f": "RLM", "\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF",
    "\u202d": "LRO", "\u202e": "RLO", "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI" };
  const byPath = new Map(docs.map((d, i) => [d.path, i]));
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  // Corpus text as nodes; bidi controls become visible badges instead of acting.
  function corpusText(text) {
    const f = document.createDocumentFragment();
    let run = "";
    for (const ch of text) {
      if (BIDI[ch]) {
        if (run) f.append(run);
        run = "";
        f.append(el("span", { class: "bidi", title: "bidi control U+" + ch.codePointAt(0).toString(16).toUpperCase() }, "[" + BIDI[ch] + "]"));
      } else run += ch;
    }
    if (run) f.append(run);
    return f;
  }

  function pathText(path) { return el("bdi", { class: "path" }, corpusText(path)); }

  function docLink(path, line, label) {
    const i = byPath.get(path);
    const text = label || [pathText(path), line ? ":" + line : ""];
    if (i === undefined) return el("span", {}, ...[].concat(text));
    return el("a", { href: "#doc-" + i + (line ? "-line-" + line : "") }, ...[].concat(text));
  }

  // ---- overview ---------------------------------------------------------
  const rows = docs.map((d, i) => {
    const counts = { duplicate: 0, "near-duplicate": 0, boilerplate: 0 };
    let removed = 0;
    const rules = new Set();
    for (const r of d.removed) { counts[r.kind] = (counts[r.kind] || 0) + 1; removed += r.chars[1] - r.chars[0]; rules.add(r.rule); }
    return { i, path: d.path, status: d.status, share: d.chars ? removed / d.chars : 0, rules, ...counts };
  });

  function chart(target, entries) {
    const NS = "http://www.w3.org/2000/svg";
    const max = Math.max(1, ...entries.map((e) => e[1]));
    const svg = document.createElementNS(NS, "svg");
    const h = 22 * entries.length + 4;
    svg.setAttribute("viewBox", "0 0 480 " + h);
    svg.setAttribute("width", "480");
    svg.setAttribute("height", String(h));
    svg.setAttribute("role", "img");
    entries.forEach(([label, value], n) => {
      const y = 22 * n + 2;
      const t = document.createElementNS(NS, "text");
      t.setAttribute("x", "0"); t.setAttribute("y", String(y + 14));
      t.textContent = label;
      const bar = document.createElementNS(NS, "rect");
      bar.setAttribute("x", "200"); bar.setAttribute("y", String(y + 3));
      bar.setAttribute("height", "14"); bar.setAttribute("width", String(Math.max(1, 200 * value / max)));
      bar.setAttribute("fill", label === "duplicate" ? "#b71c1c" : label === "near-duplicate" ? "#b45309" : "#6a1b9a");
      const v = document.createElementNS(NS, "text");
      v.setAttribute("x", String(206 + 200 * value / max)); v.setAttribute("y", String(y + 14));
      v.textContent = value.toLocaleString("en");
      svg.append(t, bar, v);
    });
    $(target).append(svg);
  }
  const s = data.summary;
  chart("chart-kind", KINDS.map((k) => [k, (s.by_kind && s.by_kind[k] || { chars: 0 }).chars]));
  chart("chart-rule", Object.entries(s.by_rule || {}).map(([k, v]) => [k, v.chars]));

  const limits = [];
  if (data.limits.texts_left_out) limits.push(data.limits.texts_left_out + " documents with removals are shown without their full text (over the " + data.limits.text_budget.toLocaleString("en") + "-character budget, or changed since the run): their removed spans are still listed.");
  if (data.limits.clusters_total > data.limits.cluster_limit) limits.push("Only the " + data.limits.cluster_limit + " largest of " + data.limits.clusters_total + " duplicate clusters are shown.");
  if (limits.length) { $("limits").textContent = limits.join(" "); $("limits").hidden = false; }

  const allRules = [...new Set(rows.flatMap((r) => [...r.rules]))].sort();
  for (const k of KINDS.concat(["none"])) $("filter-kind").append(el("option", { value: k }, k === "none" ? "nothing removed" : k));
  for (const r of allRules) $("filter-rule").append(el("option", { value: r }, r));

  let sortKey = "path", sortDir = 1, page = 0, shown = rows;
  function applyFilters() {
    const kind = $("filter-kind").value, rule = $("filter-rule").value, path = $("filter-path").value.toLowerCase();
    shown = rows.filter((r) =>
      (!kind || (kind === "none" ? !r.rules.size : r[kind] > 0)) &&
      (!rule || r.rules.has(rule)) && (!path || r.path.toLowerCase().includes(path)));
    shown.sort((a, b) => (a[sortKey] < b[sortKey] ? -1 : a[sortKey] > b[sortKey] ? 1 : a.i - b.i) * sortDir);
    page = 0;
    drawTable();
  }
  function drawTable() {
    const body = document.querySelector("#doc-table tbody");
    body.replaceChildren();
    for (const r of shown.slice(page * PAGE, (page + 1) * PAGE)) {
      body.append(el("tr", { "data-doc": String(r.i) },
        el("td", {}, docLink(r.path)), el("td", {}, r.status),
        el("td", { class: "num" }, (100 * r.share).toFixed(1) + "%"),
        ...KINDS.map((k) => el("td", { class: "num" }, String(r[k])))));
    }
    const pages = Math.max(1, Math.ceil(shown.length / PAGE));
    $("page").textContent = "page " + (page + 1) + " of " + pages;
    $("prev").disabled = page === 0;
    $("next").disabled = page + 1 >= pages;
    $("filter-count").textContent = shown.length + " of " + rows.length + " documents";
  }
  for (const id of ["filter-kind", "filter-rule", "filter-path"]) $(id).addEventListener("input", applyFilters);
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("prev").addEventListener("click", () => { page--; drawTable(); });
  $("next").addEventListener("click", () => { page++; drawTable(); });
  for (const th of document.querySelectorAll("#doc-table th")) {
    th.querySelector("button").addEventListener("click", () => {
      const key = th.dataset.key;
      sortDir = key === sortKey ? -sortDir : (key === "path" || key === "status" ? 1 : -1);
      sortKey = key;
      for (const other of document.querySelectorAll("#doc-table th")) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      applyFilters();
    });
  }
  if (data.skipped.length) {
    $("skipped").append(el("h2", {}, "Skipped files"),
      el("ul", {}, ...data.skipped.map((k) => el("li", {}, pathText(k.path), ": ", k.reason))));
  }
  applyFilters();

  // ---- one document ---------------------------------------------------------
  function evidenceItem(r, i) {
    const ev = r.evidence || {};
    const parts = [el("span", { class: "label k-" + r.kind }, r.kind + ": " + r.rule), " ",
      el("a", { href: "#doc-" + i + "-line-" + r.lines[0] }, "lines " + r.lines[0] + "–" + r.lines[1])];
    const facts = el("div", {});
    if (ev.original) {
      const line = ev.original.lines ? ev.original.lines[0] : null;
      facts.append("kept original: ", docLink(ev.original.path, line));
    }
    if (ev.similarity !== undefined) facts.append(el("div", {}, "similarity " + Number(ev.similarity).toFixed(3)));
    if (ev.pattern !== undefined) facts.append(el("div", {}, "pattern ", el("bdi", { dir: "auto" }, corpusText(String(ev.pattern)))));
    if (ev.prefix !== undefined) facts.append(el("div", {}, "label ", el("bdi", { dir: "auto" }, corpusText(String(ev.prefix)))));
    if (ev.documents !== undefined) facts.append(el("div", {}, "in " + ev.documents + " documents"));
    if (ev.count !== undefined) facts.append(el("div", {}, ev.count + " times in a row"));
    return el("li", {}, ...parts, facts);
  }

  function splitLines(text) {
    const out = [];
    const re = /\r\n|\r|\n/g;
    let start = 0, m;
    while ((m = re.exec(text)) !== null) { out.push(text.slice(start, m.index)); start = m.index + m[0].length; }
    if (start < text.length) out.push(text.slice(start));
    return out;
  }

  function showDoc(i, line) {
    const d = docs[i];
    const view = $("view-doc");
    const toggle = el("input", { type: "checkbox", id: "cleaned-toggle" });
    const text = el("div", { class: "text", id: "doc-text" });
    const head = el("div", {},
      el("h2", {}, pathText(d.path)),
      el("p", { class: "note" }, d.status + " · " + d.lines + " lines · " + d.chars + " characters · " + d.removed.length + " removals · ",
        el("a", { href: "#overview" }, "back to the overview")),
      el("label", {}, toggle, " show the cleaned text only"));
    toggle.addEventListener("change", () => text.classList.toggle("cleaned", toggle.checked));
    const removedAt = new Map();
    for (const r of d.removed) for (let n = r.lines[0]; n <= r.lines[1]; n++) removedAt.set(n, r);
    if (d.text !== null) {
      splitLines(d.text).forEach((content, k) => {
        const n = k + 1, r = removedAt.get(n);
        const attrs = { class: "line" + (r ? " rm k-" + r.kind : ""), id: "doc-" + i + "-line-" + n, dir: "auto", "data-line": String(n) };
        if (d.lang) attrs.lang = d.lang;
        text.append(r ? el("div", attrs, el("span", { class: "label" }, "removed: " + r.rule), el("del", {}, corpusText(content)))
          : el("div", attrs, corpusText(content)));
      });
    } else {
      text.append(el("p", { class: "note" }, "The full text is not in this report (over its size budget, or the file changed since the run). The removed spans:"));
      for (const r of d.removed) {
        const attrs = { class: "line rm k-" + r.kind, id: "doc-" + i + "-line-" + r.lines[0], dir: "auto" };
        if (d.lang) attrs.lang = d.lang;
        text.append(el("div", attrs, el("span", { class: "label" }, "removed: " + r.rule + " (lines " + r.lines[0] + "–" + r.lines[1] + ")"), el("del", {}, corpusText(r.text))));
      }
    }
    const evidence = el("aside", { class: "evidence" }, el("h3", {}, "Why"),
      d.removed.length ? el("ol", {}, ...d.removed.map((r) => evidenceItem(r, i))) : el("p", {}, "Nothing removed."));
    view.replaceChildren(head, el("div", { class: "doc-grid" }, text, evidence));
    show("view-doc");
    const target = line && document.getElementById("doc-" + i + "-line-" + line);
    if (target) { target.classList.add("target"); target.scrollIntoView({ block: "center" }); } else window.scrollTo(0, 0);
  }

  // ---- duplicate clusters ---------------------------------------------------
  let clustersDrawn = false;
  function diffSide(ops, keep) {
    const div = el("div", { dir: "auto" });
    for (const [op, t] of ops) {
      if (op === "=") div.append(corpusText(t));
      else if (op === keep) div.append(el("span", { class: op === "-" ? "d-del" : "d-ins" }, corpusText(t)));
    }
    return div;
  }
  function drawClusters() {
    const view = $("view-clusters");
    view.replaceChildren(el("h2", {}, "Duplicate clusters"),
      el("p", { class: "note" }, data.clusters.length + " groups of copies, largest first. Left: the kept original; right: each removed copy, words that differ highlighted."));
    for (const c of data.clusters) {
      const line = c.lines.length ? c.lines[0] : null;
      const box = el("div", { class: "cluster" },
        el("h3", {}, "kept: ", docLink(c.path, line), " · " + c.members.length + " removed copies"));
      for (const m of c.members) {
        box.append(el("p", { class: "note" }, el("span", { class: "label k-" + (m.similarity === 1 ? "duplicate" : "near-duplicate") }, m.rule),
          " ", docLink(m.path, m.lines[0]), " · similarity " + Number(m.similarity).toFixed(3)));
        if (m.diff) box.append(el("div", { class: "pair" }, diffSide(m.diff, "-"), diffSide(m.diff, "+")));
        else box.append(el("p", { class: "note" }, "No word diff here: the original's text is not in the report, or the page's diff budget is spent."));
      }
      view.append(box);
    }
    clustersDrawn = true;
  }

  // ---- routing ------------------------------------------------------------------
  function show(id) {
    for (const v of ["view-overview", "view-doc", "view-clusters"]) $(v).hidden = v !== id;
  }
  function route() {
    const m = /^#doc-(\d+)(?:-line-(\d+))?$/.exec(location.hash);
    if (m && docs[Number(m[1])]) return showDoc(Number(m[1]), m[2] ? Number(m[2]) : null);
    if (location.hash === "#clusters") { if (!clustersDrawn) drawClusters(); return show("view-clusters"); }
    show("view-overview");
    if (location.hash === "#documents") $("documents").scrollIntoView();
  }
  window.addEventListener("hashchange", route);
  route();
})();
