"use strict";
// Draws the report from its JSON block. Corpus text reaches the page only as text
// nodes (append / textContent), never as markup; the only links built are
// "#doc-N" and "#doc-N-line-M", from numbers.
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  const docs = data.documents;
  const KINDS = ["duplicate", "near-duplicate", "boilerplate"];
  const PAGE = 100, CLUSTER_PAGE = 50;
  const BIDI = { "\u061c": "ALM", "\u200e": "LRM", "\u200f": "RLM", "\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF",
    "\u202d": "LRO", "\u202e": "RLO", "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI" };
  // bidi controls, undecodable bytes (kept as lone surrogates U+DC80..U+DCFF; the u flag
  // never matches half of a real pair) and other control characters
  const SPECIAL = /([\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u{dc80}-\u{dcff}\x00-\x08\x0b-\x1f\x7f-\x9f])/u;
  const byPath = new Map(docs.map((d, i) => [d.path, i]));
  const $ = (id) => document.getElementById(id);
  const fmt = (n) => Number(n).toLocaleString("en");
  const plural = (n, one, many) => fmt(n) + " " + (n === 1 ? one : many);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
    return e;
  }
  // UI words inside corpus text: their own language and direction, skipped by dir="auto"
  const label = (cls, text, tag) => el(tag || "span", { class: "label " + cls, lang: "en", dir: "ltr" }, text);

  function hex(c, width) { return c.toString(16).toUpperCase().padStart(width, "0"); }
  function badge(ch) {
    const c = ch.charCodeAt(0);
    let name, title;
    if (BIDI[ch]) { name = BIDI[ch]; title = "bidi control character U+" + hex(c, 4); }
    else if (c >= 0xdc80 && c <= 0xdcff) { name = "byte " + hex(c - 0xdc00, 2); title = "undecodable byte, kept as it was"; }
    else { name = "U+" + hex(c, 4); title = "control character"; }
    return el("span", { class: "bidi", lang: "en", dir: "ltr", title }, "[" + name + "]");
  }
  // Corpus text as nodes; bidi controls and other invisible controls become visible badges.
  function corpusText(text) {
    if (!SPECIAL.test(text)) return document.createTextNode(text);
    const f = document.createDocumentFragment();
    text.split(SPECIAL).forEach((part, n) => { if (n % 2) f.append(badge(part)); else if (part) f.append(part); });
    return f;
  }
  function pathText(path) { return el("bdi", { class: "path" }, corpusText(path)); }

  // A `lang` from the script: Urdu letters, Persian letters, Arabic, Devanagari (Marathi's ळ).
  const URDU = /[\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2\u06d3]/, PERSIAN = /[\u067e\u0686\u0698\u06af\u06a9\u06cc]/;
  const ARABIC = /\p{Script=Arabic}/u, DEVANAGARI = /\p{Script=Devanagari}/u;
  function scriptLang(text) {
    if (ARABIC.test(text)) return URDU.test(text) ? "ur" : PERSIAN.test(text) ? "fa" : "ar";
    if (DEVANAGARI.test(text)) return /\u0933/.test(text) ? "mr" : "hi";
    return "";
  }
  // A line's language: its own script's, but a short Arabic-script line in an Urdu or
  // Persian document, with none of their letters nor Arabic's own (ة ك ي), is taken to
  // be in the document's language.
  const ARABIC_ONLY = /[\u0629\u0643\u064a]/;
  function lineLang(text, docLang) {
    const own = scriptLang(text);
    return own === "ar" && (docLang === "ur" || docLang === "fa") && !ARABIC_ONLY.test(text) ? docLang : own;
  }

  function docLink(path, line, children) {
    const i = byPath.get(path);
    const content = children || [pathText(path), line ? ":" + line : ""];
    if (i === undefined) return el("span", {}, ...content);
    return el("a", { href: "#doc-" + i + (line ? "-line-" + line : "") }, ...content);
  }

  // ---- overview -------------------------------------------------------------
  const rows = docs.map((d, i) => {
    const row = { i, path: d.path, id: d.id || "", status: d.status, rules: new Set(), duplicate: 0, "near-duplicate": 0, boilerplate: 0 };
    let removed = 0;
    // a sampled page filters by the rules of the drawn removals: the ones to judge
    for (const r of d.removed) { row[r.kind] = (row[r.kind] || 0) + 1; removed += r.chars[1] - r.chars[0]; if (!data.limits.sample || r.drawn) row.rules.add(r.rule); }
    if (d.left_out) {   // spans the page does not show: counted all the same
      for (const [kind, n] of Object.entries(d.left_out.kinds)) row[kind] = (row[kind] || 0) + n;
      removed += d.left_out.chars;
      if (!data.limits.sample) for (const rule of d.left_out.rules) row.rules.add(rule);
    }
    row.share = d.chars ? removed / d.chars : 0;
    return row;
  });

  const L = data.limits, notes = [];
  if (L.sample) notes.push("This run has too many removals to list: this page shows a random sample of up to " +
    plural(L.sample.size, "removal", "removals") + " of every rule (seed " + L.sample.seed + "), in the " +
    plural(L.documents_listed, "document", "documents") + " that hold them; the totals are the run's, and report.json has every removal.");
  else if (L.documents_listed < L.documents_total) notes.push("Only " + fmt(L.documents_listed) + " of " +
    plural(L.documents_total, "document", "documents") + " are listed (those with removals first, in order); report.json has every one.");
  if (L.over_budget) notes.push(plural(L.over_budget, "document", "documents") + " beyond the " + fmt(L.text_budget) +
    "-character budget for inlined text are shown by their removed spans only.");
  if (L.spans_cut) notes.push(plural(L.spans_cut, "removed span is", "removed spans are") + " cut to their first characters (over the " +
    fmt(L.span_budget) + "-character budget for removed spans).");
  if (L.spans_left_out) notes.push(plural(L.spans_left_out, "document shows only its", "documents show only their") + " first " + fmt(L.doc_spans) +
    " removed spans (and those in the sample); the others are counted.");
  if (L.unavailable) notes.push(plural(L.unavailable, "document's", "documents'") +
    " original text could not be read as it was at the run (missing or changed since): shown by their removed spans only.");
  if (L.clusters_total > L.cluster_limit) notes.push("Only " + fmt(L.cluster_limit) + " of " + fmt(L.clusters_total) +
    " duplicate clusters are shown (near-duplicates first, then the largest).");
  if (L.diffs_left_out) notes.push(plural(L.diffs_left_out, "copy is", "copies are") + " shown without a word diff (over the page's budget of " +
    fmt(L.diff_budget) + " diffed words).");
  if (notes.length) { $("limits").textContent = "Limits of this page: " + notes.join(" "); $("limits").hidden = false; }
  if (L.sample) {
    const byRule = data.summary.by_rule || {};
    const pick = (rule) => () => { $("filter-rule").value = rule; applyFilters(); $("documents").scrollIntoView(); };
    $("sample").append(el("h2", { id: "sample-rules" }, "The sample, rule by rule"),
      el("table", { id: "sample-table" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Rule"), el("th", { scope: "col", class: "num" }, "Removals in the run"),
          el("th", { scope: "col", class: "num" }, "In the sample"))),
        el("tbody", {}, ...Object.entries(L.sample.rules).map(([rule, n]) => {
          const button = el("button", { type: "button", class: "link" }, rule);
          button.addEventListener("click", pick(rule));
          return el("tr", { "data-rule": rule }, el("td", {}, button),
            el("td", { class: "num" }, fmt((byRule[rule] || {}).spans || 0)), el("td", { class: "num" }, fmt(n)));
        }))));
    $("sample").hidden = false;
  }

  const allRules = [...new Set(rows.flatMap((r) => [...r.rules]))].sort();
  for (const k of KINDS.concat(["none"])) $("filter-kind").append(el("option", { value: k }, k === "none" ? "nothing removed" : k));
  for (const r of allRules) $("filter-rule").append(el("option", { value: r }, r));

  let sortKey = "path", sortDir = 1, page = 0, shown = rows;
  function applyFilters() {
    const kind = $("filter-kind").value, rule = $("filter-rule").value, path = $("filter-path").value.toLowerCase();
    shown = rows.filter((r) =>
      (!kind || (kind === "none" ? !r.rules.size : r[kind] > 0)) &&
      (!rule || r.rules.has(rule)) && (!path || r.path.toLowerCase().includes(path) || r.id.toLowerCase().includes(path)));
    shown.sort((a, b) => (a[sortKey] < b[sortKey] ? -sortDir : a[sortKey] > b[sortKey] ? sortDir : a.i - b.i));
    page = 0;
    drawTable();
  }
  function drawTable() {
    const body = document.querySelector("#doc-table tbody");
    body.replaceChildren(...shown.slice(page * PAGE, (page + 1) * PAGE).map((r) =>
      el("tr", { "data-doc": String(r.i) },
        el("td", {}, docLink(r.path), r.id ? el("span", { class: "record-id" }, " ", corpusText(r.id)) : ""), el("td", {}, r.status),
        el("td", { class: "num" }, (100 * r.share).toFixed(1) + "%"),
        ...KINDS.map((k) => el("td", { class: "num" }, String(r[k]))))));
    const pages = Math.max(1, Math.ceil(shown.length / PAGE));
    $("page").textContent = "page " + (page + 1) + " of " + pages;
    $("prev").disabled = page === 0;
    $("next").disabled = page + 1 >= pages;
    $("filter-count").textContent = fmt(shown.length) + " of " + plural(rows.length, "document", "documents");
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

  // ---- where each kept original is copied (built on first use) -----------------
  let copies = null;
  function copiesOf(i) {
    if (!copies) {
      copies = new Map();
      docs.forEach((d, j) => {
        for (const r of d.removed) {
          const o = r.evidence && r.evidence.original;
          const at = o && byPath.get(o.path);
          if (at === undefined) continue;
          if (!copies.has(at)) copies.set(at, { whole: [], lines: new Map() });
          const entry = copies.get(at);
          if (!o.lines) entry.whole.push(j);
          else {
            if (!entry.lines.has(o.lines[0])) entry.lines.set(o.lines[0], []);
            entry.lines.get(o.lines[0]).push([j, r.lines[0]]);
          }
        }
      });
    }
    return copies.get(i) || { whole: [], lines: new Map() };
  }
  function copyLinks(list) {
    const out = [];
    list.slice(0, 5).forEach(([j, line], n) => { out.push(n ? ", " : "", docLink(docs[j].path, line)); });
    if (list.length > 5) out.push(" and " + (list.length - 5) + " more");
    return out;
  }

  const clusterKey = (path, lines) => path + "\u0000" + (lines || []).join(",");
  const clusterOf = new Map(data.clusters.map((c, k) => [clusterKey(c.path, c.lines), k]));

  // ---- one document -----------------------------------------------------------
  function evidenceFacts(r, i) {
    const ev = r.evidence || {};
    const facts = el("div", {});
    if (ev.original) {
      const at = ev.original.lines ? ev.original.lines[0] : null;
      facts.append(el("div", {}, "kept original: ", ev.original.path === docs[i].path && at
        ? el("a", { href: "#doc-" + i + "-line-" + at }, "line " + at + " of this document") : docLink(ev.original.path, at)));
      const k = clusterOf.get(clusterKey(ev.original.path, ev.original.lines));
      if (k !== undefined) facts.append(el("div", {}, el("a", { href: "#cluster-" + k }, "compare side by side")));
    }
    if (ev.original && ev.original.run !== undefined) facts.append(el("div", {}, "in the earlier run ", el("bdi", {}, corpusText(String(ev.original.run)))));
    if (ev.matched) {
      const at = ev.matched.lines ? ev.matched.lines[0] : null;
      facts.append(el("div", {}, "matched: ", docLink(ev.matched.path, at), " (a removed copy of the original)"));
      facts.append(el("div", {}, "similarity to it " + Number(ev.similarity).toFixed(3) + ", to the kept original " +
        Number(ev.original_similarity).toFixed(3)));
    } else if (ev.similarity !== undefined) facts.append(el("div", {}, "similarity " + Number(ev.similarity).toFixed(3)));
    if (ev.source !== undefined) facts.append(el("div", {}, "source ", el("bdi", {}, corpusText(String(ev.source)))));
    if (ev.pattern !== undefined) facts.append(el("div", {}, "pattern “", el("bdi", { dir: "auto", lang: scriptLang(String(ev.pattern)) }, corpusText(String(ev.pattern))), "”"));
    if (ev.listed_under !== undefined) facts.append(el("div", {}, "listed under its heading, ", el("a", { href: "#doc-" + i + "-line-" + ev.listed_under }, "line " + ev.listed_under)));
    if (ev.prefix !== undefined) facts.append(el("div", {}, "label “", el("bdi", { dir: "auto", lang: scriptLang(String(ev.prefix)) }, corpusText(String(ev.prefix))), "”"));
    if (ev.shape !== undefined) facts.append(el("div", {}, "shape “", el("bdi", { dir: "auto", lang: scriptLang(String(ev.shape)) }, corpusText(String(ev.shape))), "” (numbers as #, months and weekdays as @)"));
    if (ev.affix !== undefined) facts.append(el("div", {}, "site affix “", el("bdi", { dir: "auto", lang: scriptLang(String(ev.affix)) }, corpusText(String(ev.affix))), "”"));
    if (ev.documents !== undefined) facts.append(el("div", {}, "in " + plural(ev.documents, "document", "documents")));
    if (ev.count !== undefined) facts.append(el("div", {}, ev.count + " times in a row"));
    if (ev.where !== undefined && ev.run) {
      const edge = ev.where === "head" ? ev.first_sentence : ev.where === "tail" ? ev.last_sentence : ev.sentence_before;
      facts.append(el("div", {}, "a run of " + plural(ev.lines, "short line", "short lines") + " (lines " + ev.run[0] + "–" + ev.run[1] + ") " +
        (ev.where === "head" ? "before the page's first sentence, " : ev.where === "tail" ? "after the page's last sentence, " : "between the page's sentences, after "),
        el("a", { href: "#doc-" + i + "-line-" + edge }, "line " + edge)));
    }
    if (ev.kept_by !== undefined) facts.append(el("div", {}, "the copy kept chosen by keep = " + String(ev.kept_by)));
    if (ev.estimated) facts.append(el("div", {}, "similarity estimated from MinHash signatures (the earlier run's text is not kept)"));
    return facts;
  }
  function evidenceItem(r, i, k) {
    const facts = evidenceFacts(r, i);
    const where = r.lines[0] === r.lines[1] ? "line " + r.lines[0] : "lines " + r.lines[0] + "–" + r.lines[1];
    return el("li", { id: "ev-" + k, class: r.drawn ? "drawn" : null }, label("k-" + r.kind, r.kind + ": " + r.rule), " ",
      el("a", { href: "#doc-" + i + "-line-" + r.lines[0] }, where), r.drawn ? label("drawn", "in the sample") : null, facts);
  }

  // Consecutive spans with one rule and one evidence (a paragraph is removed line by
  // line, a widget heading may repeat) read as one finding.
  function findings(removed) {
    const out = [];
    for (const r of removed) {
      const key = JSON.stringify(r.evidence || {}), last = out[out.length - 1];
      if (last && last.rule === r.rule && last.key === key && last.chars[1] === r.chars[0]) {
        last.lines = [last.lines[0], r.lines[1]];
        last.chars = [last.chars[0], r.chars[1]];
        if (r.text !== undefined) last.text += r.text;
        last.cut += r.cut || 0;
        last.drawn = last.drawn || !!r.drawn;
      } else {
        out.push({ kind: r.kind, rule: r.rule, evidence: r.evidence, key, lines: r.lines.slice(), chars: r.chars.slice(),
          text: r.text, cut: r.cut || 0, drawn: !!r.drawn });
      }
    }
    return out;
  }

  function splitLines(text) {   // as dedup's segment.lines: \r\n, \r or \n; no empty last line
    const out = [];
    const re = /\r\n|\r|\n/g;
    let start = 0, m;
    while ((m = re.exec(text)) !== null) { out.push(text.slice(start, m.index)); start = m.index + m[0].length; }
    if (start < text.length) out.push(text.slice(start));
    return out;
  }

  function flash(node, block) {
    for (const old of document.querySelectorAll(".target")) old.classList.remove("target");
    node.classList.add("target");
    node.scrollIntoView({ block: block || "center" });
  }

  function showDoc(i, line) {
    const d = docs[i];
    const pos = shown.findIndex((r) => r.i === i);
    const step = (delta, text) => {
      const r = pos >= 0 ? shown[pos + delta] : undefined;
      return r ? el("a", { href: "#doc-" + r.i, rel: delta < 0 ? "prev" : "next" }, text) : el("span", { class: "note" }, text);
    };
    const removedChars = d.removed.reduce((n, r) => n + r.chars[1] - r.chars[0], 0) + (d.left_out ? d.left_out.chars : 0);
    const spanCount = d.removed.length + (d.left_out ? d.left_out.spans : 0);
    const toggle = el("input", { type: "checkbox", id: "cleaned-toggle" });
    const text = el("div", { class: "text", id: "doc-text" });
    const docLang = scriptLang(d.text !== null ? d.text.slice(0, 5000) : d.removed.map((r) => r.text).join(" ").slice(0, 5000));
    const copied = copiesOf(i);
    const notes = [];
    if (copied.whole.length) notes.push(el("p", { class: "note" }, "Kept original of " + plural(copied.whole.length, "document", "documents") + " removed as copies: ",
      ...copyLinks(copied.whole.map((j) => [j, null]))));
    if (d.undecodable_byte_at !== undefined) notes.push(el("p", { class: "note" }, "Not UTF-8 from byte " + d.undecodable_byte_at + "; its bad bytes are kept as they were (shown as [byte XX])."));
    if (d.kept_by_verdict) notes.push(el("p", { class: "note kept-by-verdict" }, "Kept by the verdicts file: " + d.kept_by_verdict.map((k) =>
      k.rule + " (line" + (k.lines[0] === k.lines[1] ? " " + k.lines[0] : "s " + k.lines[0] + "–" + k.lines[1]) + ", " +
      (k.by.verdict ? "judged wrong in " + k.by.judged : k.by.override) + ")").join("; ")));
    if (d.unexamined_lines) notes.push(el("p", { class: "note" }, "Lines too long to examine, kept: " + d.unexamined_lines.slice(0, 20).join(", ") + (d.unexamined_lines.length > 20 ? ", …" : "")));
    const head = el("div", {},
      el("nav", { class: "doc-nav" }, el("a", { href: "#documents" }, "all documents"), step(-1, "previous"), step(1, "next"),
        el("span", { class: "note" }, pos >= 0 ? (pos + 1) + " of " + fmt(shown.length) + " in the table's order" : "not in the filtered table")),
      el("h2", {}, pathText(d.path)),
      el("p", { class: "note" }, d.status + " · " + plural(d.lines, "line", "lines") + " · " + plural(d.chars, "character", "characters") +
        " · " + plural(spanCount, "removed span", "removed spans") + " (" + (100 * removedChars / Math.max(d.chars, 1)).toFixed(1) + "% of its characters)"),
      ...notes,
      el("label", {}, toggle, " show the cleaned text only"));
    toggle.addEventListener("change", () => text.classList.toggle("cleaned", toggle.checked));

    const jumpTo = (k) => () => flash($("ev-" + k));
    const found = findings(d.removed);
    if (d.text !== null) {
      const lines = splitLines(d.text);
      const removedAt = new Map(), labelAt = new Map();
      found.forEach((r, k) => {
        for (let n = r.lines[0]; n <= r.lines[1]; n++) removedAt.set(n, r);
        let first = r.lines[0];   // label the first line with text: a span may begin with the blank lines it takes along
        while (first < r.lines[1] && !(lines[first - 1] || "").trim()) first++;
        labelAt.set(first, k);
      });
      const nodes = lines.map((content, n0) => {
        const n = n0 + 1, r = removedAt.get(n), kept = copied.lines.get(n);
        const div = el("div", { class: "line" + (r ? " rm k-" + r.kind : kept ? " original" : ""), id: "doc-" + i + "-line-" + n,
          dir: "auto", lang: lineLang(content, docLang), "data-line": String(n) });
        if (labelAt.has(n)) {
          const button = label("k-" + r.kind, "removed: " + r.rule, "button");
          button.type = "button";
          button.title = "show why";
          button.addEventListener("click", jumpTo(labelAt.get(n)));
          div.append(button);
        }
        div.append(r ? el("del", {}, corpusText(content)) : corpusText(content));
        if (kept) div.append(" ", el("span", { class: "label kept", lang: "en", dir: "ltr" }, "kept; its copies: ", ...copyLinks(kept)));
        return div;
      });
      text.append(...nodes);
    } else {
      const why = d.missing === "budget" ? "Its full text is not in this page (over the page's budget for inlined text)."
        : d.missing === "unavailable" ? "Its original text could not be read as it was at the run (the file is missing or changed since)."
        : "Nothing was removed from it, so its text is not in this page.";
      text.append(el("p", { class: "note" }, why + (found.length ? " Its removed spans:" : "")));
      found.forEach((r, k) => {
        const button = label("k-" + r.kind, "removed: " + r.rule + " (lines " + r.lines[0] + "–" + r.lines[1] + ")", "button");
        button.type = "button";
        button.addEventListener("click", jumpTo(k));
        text.append(el("div", { class: "line rm k-" + r.kind, id: "doc-" + i + "-line-" + r.lines[0], dir: "auto", lang: lineLang(r.text, docLang) },
          button, el("del", {}, corpusText(r.text)),
          r.cut ? el("span", { class: "note", lang: "en", dir: "ltr" }, " … " + plural(r.cut, "more character", "more characters") + " not in this page") : null));
      });
      if (d.left_out) text.append(el("p", { class: "note left-out" }, "… and " + plural(d.left_out.spans, "more removed span", "more removed spans") +
        " (" + plural(d.left_out.chars, "character", "characters") + ") not in this page; report.json has every one."));
    }
    const evidence = el("aside", { class: "evidence" }, el("h3", {}, "Why removed"),
      found.length ? el("ol", {}, ...found.map((r, k) => evidenceItem(r, i, k))) : el("p", {}, "Nothing removed."));
    $("view-doc").replaceChildren(head, el("div", { class: "doc-grid" }, text, evidence));
    show("view-doc");
    const target = line && $("doc-" + i + "-line-" + line);
    if (target) flash(target);
    else {
      if (line) text.prepend(el("p", { class: "note", id: "line-missing" }, "Line " + line + " is not shown: this document's text is not in the page."));
      window.scrollTo(0, 0);
    }
  }

  // ---- duplicate clusters -------------------------------------------------------
  let clusterPage = 0, nearOnly = false;
  function diffSide(ops, keep, lang) {
    const div = el("div", { class: "side", dir: "auto", lang });
    for (const [op, t] of ops) {
      if (op === "=") div.append(corpusText(t));
      else if (op === keep) div.append(el(op === "-" ? "del" : "ins", { class: op === "-" ? "d-del" : "d-ins" }, corpusText(t)));
    }
    return div;
  }
  function drawClusters() {
    const list = data.clusters.filter((c) => !nearOnly || c.near);
    const pages = Math.max(1, Math.ceil(list.length / CLUSTER_PAGE));
    clusterPage = Math.min(clusterPage, pages - 1);
    const near = el("input", { type: "checkbox", id: "near-only" });
    near.checked = nearOnly;
    near.addEventListener("change", () => { nearOnly = near.checked; clusterPage = 0; drawClusters(); });
    const pager = () => {
      const prev = el("button", { type: "button" }, "Previous"), next = el("button", { type: "button" }, "Next");
      prev.disabled = clusterPage === 0; next.disabled = clusterPage + 1 >= pages;
      prev.addEventListener("click", () => { clusterPage--; drawClusters(); window.scrollTo(0, 0); });
      next.addEventListener("click", () => { clusterPage++; drawClusters(); window.scrollTo(0, 0); });
      return el("div", { class: "pager" }, prev, " page " + (clusterPage + 1) + " of " + pages + " ", next);
    };
    const boxes = list.slice(clusterPage * CLUSTER_PAGE, (clusterPage + 1) * CLUSTER_PAGE).map((c) => {
      const k = data.clusters.indexOf(c);
      const line = c.lines.length ? c.lines[0] : null;
      const where = c.lines.length ? (c.lines[0] === c.lines[1] ? "line " + c.lines[0] : "lines " + c.lines[0] + "–" + c.lines[1]) : "whole document";
      const box = el("div", { class: "cluster", id: "cluster-" + k },
        el("h3", {}, "kept: ", docLink(c.path, line), " (" + where + ") · " + plural(c.members.length, "removed copy", "removed copies")));
      const lang = scriptLang(c.sample);
      for (const m of c.members) {
        const caption = el("div", { class: "caption" }, label("k-" + m.kind, m.rule), " ", docLink(m.path, m.lines[0]),
          m.similarity !== undefined && m.similarity !== null ? " · similarity " + Number(m.similarity).toFixed(3) : "",
          m.matched ? el("span", {}, " (to the original; matched ", docLink(m.matched.path, m.matched.lines ? m.matched.lines[0] : null), ")") : "",
          m.diff && m.diff.length === 1 && m.diff[0][0] === "=" ? " · identical" : "");
        if (m.diff) {
          box.append(el("div", { class: "pair" }, el("div", { class: "caption" }, "kept original"), caption,
            diffSide(m.diff, "-", lang), diffSide(m.diff, "+", lang)));
        } else {
          box.append(caption, el("p", { class: "note" }, !c.available
            ? "No word diff: the kept original's text is not available."
            : "No word diff: the page's diff budget is spent."));
        }
      }
      return box;
    });
    $("view-clusters").replaceChildren(el("h2", {}, "Duplicate clusters"),
      el("p", { class: "note" }, plural(data.clusters.length, "group", "groups") + " of copies of one kept original, near-duplicates first, then the largest." +
        " Start: the kept original, with words only it has struck through; end: the removed copy, with words only it has underlined."),
      el("label", {}, near, " near-duplicates only"), pager(), ...boxes, list.length ? pager() : el("p", {}, "No clusters."));
  }

  // ---- judging removals: each rule's sample (every removal of a page without one) ----
  // A verdict is kept in the browser's localStorage under the report's id, so a reload
  // keeps it; j/k move, y/n judge right/wrong, u undoes the last verdict.
  const JUDGE_PAGE = 50, STORE = "dedup-verdicts:" + data.report_id;
  const queue = [];
  docs.forEach((d, i) => d.removed.forEach((r, n) => { if (!L.sample || r.drawn) queue.push({ i, n, r }); }));
  queue.sort((a, b) => (a.r.rule < b.r.rule ? -1 : a.r.rule > b.r.rule ? 1 : a.i - b.i || a.n - b.n));
  const verdictKey = (q) => docs[q.i].path + "\u0000" + q.r.chars[0];
  let verdicts = {}, overrides = {}, kept = true, current = 0;
  const undone = [];
  try {
    verdicts = JSON.parse(window.localStorage.getItem(STORE) || "{}") || {};
    overrides = JSON.parse(window.localStorage.getItem(STORE + ":overrides") || "{}") || {};
  } catch (e) { kept = false; }
  function store() {
    try {
      window.localStorage.setItem(STORE, JSON.stringify(verdicts));
      window.localStorage.setItem(STORE + ":overrides", JSON.stringify(overrides));
    } catch (e) { kept = false; }
  }
  function judge(k, verdict) {
    const key = verdictKey(queue[k]);
    undone.push([k, verdicts[key]]);
    if (verdict) verdicts[key] = verdict; else delete verdicts[key];
    store();
  }
  // Overrides a reviewer can choose from a removal: keep its line everywhere, turn its
  // rule off in its source, turn its lexicon pattern off. Keyed as verdicts.py keys them.
  function overridesOf(q) {
    // (the label's rule, source and pattern are the corpus's or a lexicon's words: shown as corpus text)
    const r = q.r, ev = r.evidence || {}, out = [["keep_line", { keep_line: r.hash, text: removedText(q).slice(0, 500) }, ["keep this line everywhere"]]];
    if (ev.source !== undefined) out.push(["rule_off", { rule_off: r.rule, source: ev.source }, ["turn ", corpusText(r.rule), " off in ", corpusText(ev.source)]]);
    if (ev.pattern !== undefined) out.push(["pattern_off", { pattern_off: r.rule, pattern: ev.pattern }, ["turn the pattern “", corpusText(ev.pattern), "” off"]]);
    return out.map(([kind, item, text]) => ({ key: JSON.stringify([kind, item[kind], item.source === undefined ? item.pattern : item.source]), item, text }));
  }
  function removedText(q) {
    const d = docs[q.i];
    return d.text !== null ? d.text.slice(q.r.chars[0], q.r.chars[1]) : (q.r.text || "");
  }
  function exported() {
    const judged = queue.filter((q) => verdicts[verdictKey(q)]).map((q) => ({ document: docs[q.i].path, rule: q.r.rule,
      text_hash: q.r.hash, verdict: verdicts[verdictKey(q)], text: removedText(q).slice(0, 500) }));
    return { format: "dedup-verdicts", format_version: 1, report_id: data.report_id, verdicts: judged,
      overrides: Object.keys(overrides).sort().map((k) => overrides[k]) };
  }
  function download() {
    const blob = new Blob([JSON.stringify(exported(), null, 1) + "\n"], { type: "application/json" });
    const a = el("a", { href: URL.createObjectURL(blob), download: "verdicts.json" });
    document.body.append(a);
    a.click();
    a.remove();
  }
  // The 95% Wilson score interval of a proportion: sound for small samples and for 0 or all.
  function wilson(hits, n) {
    if (!n) return [0, 1];
    const z = 1.96, p = hits / n, z2 = z * z;
    const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    const half = (z / (1 + z2 / n)) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return [Math.max(0, centre - half), Math.min(1, centre + half)];
  }
  const pct = (x) => (100 * x).toFixed(1) + "%";
  function drawPanel() {
    const byRule = data.summary.by_rule || {}, rows = new Map();
    for (const q of queue) {
      if (!rows.has(q.r.rule)) rows.set(q.r.rule, { shown: 0, judged: 0, wrong: 0 });
      const row = rows.get(q.r.rule), v = verdicts[verdictKey(q)];
      row.shown++;
      if (v) { row.judged++; if (v === "wrong") row.wrong++; }
    }
    const cells = (...xs) => xs.map((x) => el("td", { class: typeof x === "number" ? "num" : null }, typeof x === "number" ? fmt(x) : x));
    $("judge-panel").replaceChildren(el("table", { id: "judge-table" },
      el("thead", {}, el("tr", {}, ...["Rule", "Removals in the run", "To judge", "Judged", "Wrong", "Precision (95% interval)",
        "Wrong removals expected in the run"].map((h, n) => el("th", { scope: "col", class: n ? "num" : null }, h)))),
      el("tbody", {}, ...[...rows].map(([rule, row]) => {
        const total = (byRule[rule] || {}).spans || row.shown;
        let precision = "", expected = "";
        if (row.judged) {
          const [lo, hi] = wilson(row.judged - row.wrong, row.judged);
          precision = pct((row.judged - row.wrong) / row.judged) + " (" + pct(lo) + "–" + pct(hi) + ")";
          expected = fmt(Math.round(total * row.wrong / row.judged)) + " (" + fmt(Math.round(total * (1 - hi))) + "–" +
            fmt(Math.round(total * (1 - lo))) + ")";
        }
        const tr = el("tr", { "data-rule": rule }, ...cells(rule, total, row.shown, row.judged, row.wrong, precision, expected));
        tr.cells[5].classList.add("num"); tr.cells[6].classList.add("num");
        return tr;
      }))));
  }
  function context(q) {
    const d = docs[q.i], r = q.r, box = el("div", { class: "text judge-text" });
    if (d.text === null) {
      if (r.text !== undefined) box.append(el("div", { class: "line rm k-" + r.kind, dir: "auto", lang: lineLang(r.text, "") }, el("del", {}, corpusText(r.text))));
      else box.append(el("p", { class: "note" }, "Its text is not in this page."));
      return box;
    }
    const lines = splitLines(d.text), docLang = scriptLang(d.text.slice(0, 5000));
    const first = Math.max(1, r.lines[0] - 2), last = Math.min(lines.length, r.lines[1] + 2);
    for (let n = first; n <= last; n++) {
      const inside = n >= r.lines[0] && n <= r.lines[1];
      if (inside && n > r.lines[0] + 5 && n < r.lines[1] - 1) {   // a long span: its first lines and its last
        if (n === r.lines[0] + 6) box.append(el("p", { class: "note" }, "… " + plural(r.lines[1] - r.lines[0] - 7, "more removed line", "more removed lines")));
        continue;
      }
      const content = lines[n - 1] || "";
      box.append(el("div", { class: "line" + (inside ? " rm k-" + r.kind : ""), dir: "auto", lang: lineLang(content, docLang) },
        inside ? el("del", {}, corpusText(content)) : corpusText(content)));
    }
    return box;
  }
  function drawJudge() {
    const page = Math.floor(current / JUDGE_PAGE), pages = Math.max(1, Math.ceil(queue.length / JUDGE_PAGE));
    $("judge-intro").textContent = (L.sample
      ? "The sample: up to " + plural(L.sample.size, "removal", "removals") + " of every rule, drawn at random, so each rule's share judged wrong estimates its share in the whole run."
      : "Every removal of this run.") + " Mark each removal right or wrong: j and k move, y and n judge, u undoes the last verdict." +
      (kept ? " Verdicts are kept in this browser for this report." : " This browser does not keep them: they last while the page is open.");
    drawPanel();
    const cards = queue.slice(page * JUDGE_PAGE, (page + 1) * JUDGE_PAGE).map((q, m) => {
      const k = page * JUDGE_PAGE + m, v = verdicts[verdictKey(q)], d = docs[q.i];
      const right = el("button", { type: "button", class: "verdict ok", "aria-pressed": String(v === "right") }, "right (y)");
      const wrong = el("button", { type: "button", class: "verdict wrong", "aria-pressed": String(v === "wrong") }, "wrong (n)");
      right.addEventListener("click", () => { current = k; judge(k, v === "right" ? null : "right"); drawJudge(); });
      wrong.addEventListener("click", () => { current = k; judge(k, v === "wrong" ? null : "wrong"); drawJudge(); });
      const where = q.r.lines[0] === q.r.lines[1] ? q.r.lines[0] : q.r.lines[0] + "–" + q.r.lines[1];
      const choices = overridesOf(q).map((o) => {
        const box = el("input", { type: "checkbox", "data-override": o.key });
        box.checked = o.key in overrides;
        box.addEventListener("change", () => { if (box.checked) overrides[o.key] = o.item; else delete overrides[o.key]; store(); drawJudge(); });
        return el("label", { class: "override" }, box, " ", ...o.text);
      });
      return el("div", { class: "judge" + (k === current ? " current" : "") + (v ? (v === "right" ? " judged-ok" : " judged-wrong") : ""), id: "judge-" + k, "data-rule": q.r.rule },
        el("div", { class: "caption" }, label("k-" + q.r.kind, q.r.kind + ": " + q.r.rule), " ", docLink(d.path, q.r.lines[0], [pathText(d.path), ":" + where]),
          " ", right, " ", wrong),
        context(q), el("div", { class: "judge-why" }, evidenceFacts(q.r, q.i)), el("div", { class: "overrides" }, ...choices));
    });
    const pager = el("div", { class: "pager" }, "page " + (page + 1) + " of " + pages + " · " + plural(queue.length, "removal", "removals") + " to judge");
    const judgedCount = queue.filter((q) => verdicts[verdictKey(q)]).length, chosen = Object.keys(overrides).length;
    const exportButton = el("button", { type: "button", id: "export-verdicts" }, "Export verdicts");
    exportButton.addEventListener("click", download);
    $("judge-list").replaceChildren(el("p", {}, exportButton, " " + plural(judgedCount, "verdict", "verdicts") + " and " +
      plural(chosen, "override", "overrides") + " as verdicts.json, for `dedup clean --verdicts verdicts.json`."), pager, ...cards);
  }
  function moveTo(k) {
    current = Math.max(0, Math.min(queue.length - 1, k));
    drawJudge();
    const card = $("judge-" + current);
    if (card) card.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", (e) => {
    if ($("view-judge").hidden || !queue.length || e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName)) return;
    if (e.key === "j") moveTo(current + 1);
    else if (e.key === "k") moveTo(current - 1);
    else if (e.key === "y" || e.key === "n") { judge(current, e.key === "y" ? "right" : "wrong"); moveTo(current + 1); }
    else if (e.key === "u" && undone.length) {
      const [k, before] = undone.pop(), key = verdictKey(queue[k]);
      if (before) verdicts[key] = before; else delete verdicts[key];
      store();
      moveTo(k);
    } else return;
    e.preventDefault();
  });

  // ---- routing ----------------------------------------------------------------------
  function show(id) {
    for (const v of ["view-overview", "view-doc", "view-clusters", "view-judge"]) $(v).hidden = v !== id;
  }
  function route() {
    const m = /^#doc-(\d+)(?:-line-(\d+))?$/.exec(location.hash);
    if (m && docs[Number(m[1])]) return showDoc(Number(m[1]), m[2] ? Number(m[2]) : null);
    if (location.hash === "#clusters") { drawClusters(); show("view-clusters"); return window.scrollTo(0, 0); }
    if (location.hash === "#judge") { drawJudge(); show("view-judge"); return window.scrollTo(0, 0); }
    const c = /^#cluster-(\d+)$/.exec(location.hash);
    if (c && data.clusters[Number(c[1])]) {
      const cluster = data.clusters[Number(c[1])];
      if (nearOnly && !cluster.near) nearOnly = false;
      clusterPage = Math.floor(data.clusters.filter((x) => !nearOnly || x.near).indexOf(cluster) / CLUSTER_PAGE);
      drawClusters();
      show("view-clusters");
      return flash($("cluster-" + c[1]), "start");
    }
    show("view-overview");
    if (location.hash === "#documents") $("documents").scrollIntoView(); else window.scrollTo(0, 0);
  }
  window.addEventListener("hashchange", route);
  route();
})();
