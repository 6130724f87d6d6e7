"""The catalogue's style sheet and script, shipped as text so the package needs no data files.

The script never builds HTML from data: every text goes through `textContent`, every link is made of
generated file names, and data arrives as `<script src>` files because browsers block `fetch()` of
local files (a catalogue opened from a USB stick).
"""

from __future__ import annotations

CSS = """\
:root{--fg:#1b1f24;--muted:#4d5761;--accent:#0b5cad;--line:#d0d7de;--soft:#eef2f6;--good:#1a7f37;--focus:#f59e0b}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:#fff;overflow-wrap:break-word;word-break:break-word}
.wrap{max-width:72rem;margin:0 auto;padding:0 1rem}
header.wrap{padding-top:1rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:0 0 .25rem}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,h2:focus-visible{
outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0}
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem 1rem;z-index:10}
.hint,.meta,footer{color:var(--muted);font-size:.9rem}
nav.langs a,nav.top a{margin-right:1rem;display:inline-block}
form{background:var(--soft);padding:1rem;border-radius:6px}
.searchrow{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.searchrow label{font-weight:600}
.searchrow input{flex:1 1 12rem;min-width:0}
input,select,button{font:inherit;max-width:100%}
input[type=search],select{padding:.4rem;border:1px solid #8c959f;border-radius:4px;background:#fff;width:100%}
.searchrow input[type=search]{width:auto}
button{padding:.4rem .9rem;border:1px solid var(--accent);border-radius:4px;background:var(--accent);
color:#fff;
cursor:pointer}
button.secondary{background:#fff;color:var(--accent)}
button:disabled{opacity:.45;cursor:default}
fieldset{border:0;padding:0;margin:.75rem 0 0;min-width:0}
legend{font-weight:600;padding:0}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,12rem),1fr));gap:.6rem 1rem;
margin:.4rem 0 .75rem}
.filters label{display:block;font-size:.9rem}
#count{font-weight:600}
.results{list-style:none;padding:0;margin:0}
.item{padding:.6rem 0;border-bottom:1px solid var(--line)}
.item p{margin:0}
.badge{display:inline-block;font-size:.8rem;padding:0 .45rem;margin:.2rem .3rem 0 0;border-radius:999px;
background:var(--soft);border:1px solid var(--line)}
.badge.good{border-color:var(--good);color:var(--good)}
.pager{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:1rem 0}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:.5rem 0}
th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.85rem;font-weight:600}
table.contrib th:first-child{width:44%}
td{hyphens:auto}
td.num,th.num{text-align:right}
.bar{background:var(--soft);height:.6rem;border-radius:2px;overflow:hidden;margin-top:.2rem}
.bar span{display:block;height:100%;background:var(--accent)}
dl.facts{display:grid;grid-template-columns:minmax(0,max-content) minmax(0,1fr);gap:.2rem 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
.prose{white-space:pre-line}
footer{margin:2rem auto 1rem}
@media print{
form,.pager,nav.langs,nav.top,.skip,noscript{display:none!important}
body{font-size:11pt}
a{color:inherit;text-decoration:none}
.item,tr{break-inside:avoid}
h2{break-after:avoid}
.bar,.bar span{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

JS = r"""
(function () {
  "use strict";
  var C = window.P4C_CONFIG, W = C.words, F = window.P4C_DATA;
  var FIELDS = ["partner", "category", "provider", "status", "gp", "sl", "verdict", "sort"];
  var rows = {}, postings = {}, vocab = null, pending = {}, token = 0, timer = null;
  var MAP = {"\u00df": "ss", "\u00e6": "ae", "\u00f8": "o", "\u0153": "oe", "\u0111": "d", "\u0142": "l",
             "\u0131": "i", "\u00f0": "d", "\u00fe": "th", "\u03c2": "\u03c3"};
  var $ = function (id) { return document.getElementById(id); };
  var form = $("filters"), q = $("q"), countEl = $("count"), list = $("results");
  var prev = $("prev"), next = $("next"), pageInfo = $("pageinfo");
  ["p", "c", "v", "s", "g", "l", "e"].forEach(function (key) {  // one character a service: code + 35
    var text = F[key], column = new Uint16Array(text.length);
    for (var i = 0; i < text.length; i++) { column[i] = text.charCodeAt(i) - 35; }
    F[key] = column;
  });
  window.P4C_ROWS = function (k, r) { rows[k] = r; };
  window.P4C_ORDER = function (order) { F.t = order; };
  window.P4C_INDEX = function (k, codes) { postings[k] = codes; };
  window.P4C_WORDS = function (v) {
    var text = "\n" + v.w + "\n", starts = [], at = 0;
    if (v.w) {
      while (at >= 0) { starts.push(at + 1); at = text.indexOf("\n", at + 1); }
      starts.pop();
    }
    vocab = {text: text, starts: starts, shards: v.s};
  };

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, key) { return String(values[key]); });
  }
  function normalize(s) {
    return s.normalize("NFKD").toLowerCase().normalize("NFKD").replace(/\p{M}+/gu, "")
      .replace(/[\u00df\u00e6\u00f8\u0153\u0111\u0142\u0131\u00f0\u00fe\u03c2]/g,
               function (m) { return MAP[m]; })
      .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }
  function load(name) {
    if (!pending[name]) {
      pending[name] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = C.data + name;
        s.onload = function () { resolve(); };
        s.onerror = function () { reject(new Error(name)); };
        document.head.appendChild(s);
      });
    }
    return pending[name];
  }
  function bsearch(list, value) {  // the last position whose item is <= value
    var lo = 0, hi = list.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (list[mid] <= value) { lo = mid; } else { hi = mid - 1; }
    }
    return lo;
  }
  // The ids of the words that contain `term`: one pass of indexOf over the joined vocabulary.
  function wordsWith(term) {
    var out = [], text = vocab.text, at = text.indexOf(term, 1);
    while (at >= 0) {
      out.push(bsearch(vocab.starts, at));
      var end = text.indexOf("\n", at);
      at = text.indexOf(term, end + 1);
    }
    return out;
  }
  // Marks the services of one encoded posting list (see model.encode_posting) in `hit`.
  function mark(code, hit) {
    var raw = atob(code.slice(1)), n = raw.length, i, b;
    if (code.charAt(0) === "b") {
      for (i = 0; i < n; i++) {
        b = raw.charCodeAt(i);
        if (b) { for (var k = 0; k < 8; k++) { if (b & (1 << k)) { hit[i * 8 + k] = 1; } } }
      }
      return;
    }
    var last = -1, value = 0, shift = 0;
    for (i = 0; i < n; i++) {
      b = raw.charCodeAt(i);
      value += (b & 127) * Math.pow(2, shift);
      shift += 7;
      if (b < 128) { last += value; hit[last] = 1; value = 0; shift = 0; }
    }
  }
  // The services that have every term (a term matches any word containing it), as 0/1 per service;
  // only the posting files of the matched words are loaded.
  function search(terms) {
    return load("words.js").then(function () {
      var per = terms.map(wordsWith), files = {};
      per.forEach(function (ids) {
        ids.forEach(function (w) { files[bsearch(vocab.shards, w)] = true; });
      });
      return Promise.all(Object.keys(files).map(function (k) { return load("index-" + k + ".js"); }))
        .then(function () {
          var n = F.p.length, hit = null;
          per.forEach(function (ids) {
            var one = new Uint8Array(n);
            ids.forEach(function (w) {
              var k = bsearch(vocab.shards, w);
              mark(postings[k][w - vocab.shards[k]], one);
            });
            if (hit) { for (var i = 0; i < n; i++) { hit[i] &= one[i]; } } else { hit = one; }
          });
          return hit;
        });
    });
  }

  function readState() {
    var u = new URLSearchParams(location.search), st = {q: u.get("q") || ""};
    FIELDS.forEach(function (f) { st[f] = u.get(f) || ""; });
    st.page = Math.max(1, parseInt(u.get("page") || "1", 10) || 1);
    return st;
  }
  function formState() {
    var st = {q: q.value};
    FIELDS.forEach(function (f) { st[f] = form.elements[f].value; });
    st.page = 1;
    return st;
  }
  function applyState(st) {
    q.value = st.q;
    FIELDS.forEach(function (f) {
      var el = form.elements[f];
      el.value = st[f];
      if (el.value !== st[f]) { el.selectedIndex = 0; st[f] = el.value; }  // unknown: the default
    });
  }
  function queryString(st) {
    var u = new URLSearchParams();
    if (st.q) { u.set("q", st.q); }
    FIELDS.forEach(function (f) { if (st[f] && !(f === "sort" && st[f] === "score")) { u.set(f, st[f]); } });
    if (st.page > 1) { u.set("page", String(st.page)); }
    var s = u.toString();
    return s ? "?" + s : "";
  }
  function remember(st, push) {
    var url = location.pathname + queryString(st);
    try {
      if (push) { history.pushState(null, "", url); } else { history.replaceState(null, "", url); }
    } catch (e) { /* some browsers refuse history on file:// pages; the page still works */ }
  }

  function matches(st, hit) {
    var n = F.p.length, out = [], order = st.sort === "title" ? F.t : null;
    var pi = st.partner ? F.codes.p.indexOf(st.partner) : -1;
    var ci = st.category ? F.codes.c.indexOf(st.category) : -1;
    var vi = st.provider ? F.codes.v.indexOf(st.provider) : -1;
    var si = st.status ? F.codes.s.indexOf(st.status) : -1;
    var ei = st.verdict === "none" ? 0 : (st.verdict ? F.codes.e.indexOf(st.verdict) + 1 : -1);
    var gp = st.gp === "1" ? 1 : (st.gp === "0" ? 0 : -1);
    var sl = st.sl === "1" ? 1 : (st.sl === "0" ? 0 : -1);
    for (var j = 0; j < n; j++) {
      var i = order ? order[j] : j;
      if ((st.partner && F.p[i] !== pi) || (st.category && F.c[i] !== ci) || (st.provider && F.v[i] !== vi) ||
          (st.status && F.s[i] !== si) || (st.verdict && F.e[i] !== ei) || (gp >= 0 && F.g[i] !== gp) ||
          (sl >= 0 && F.l[i] !== sl)) { continue; }
      if (hit && !hit[i]) { continue; }
      out.push(i);
    }
    return out;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function label(kind, index) {
    var code = F.codes[kind][index];
    var named = C.labels[kind] && C.labels[kind][code];
    return named || code;
  }
  function item(i) {
    var r = rows[Math.floor(i / C.chunk)][i % C.chunk];  // [service_id, title, stem, score, rank]
    var li = el("li", "item"), h = el("h3"), a = el("a", "", r[1]);
    a.href = "services/" + encodeURIComponent(F.dirs[F.p[i]]) + "/" + encodeURIComponent(r[2]) + ".html";
    h.appendChild(a);
    li.appendChild(h);
    li.setAttribute("data-partner", F.codes.p[F.p[i]]);
    li.setAttribute("data-service", r[0]);
    li.appendChild(el("p", "meta", [label("p", F.p[i]), label("c", F.c[i]), label("v", F.v[i]),
                                   label("s", F.s[i]), W.reference + " " + r[0]].join(" \u00b7 ")));
    var badges = el("p");
    if (r[4] !== null) {
      var ranked = W.rank + " " + r[4] + " \u00b7 " + W.score + " " + r[3].toFixed(3);
      badges.appendChild(el("span", "badge", ranked));
    }
    if (F.g[i] === 1) { badges.appendChild(el("span", "badge good", W.good_practice)); }
    if (F.l[i] === 1) { badges.appendChild(el("span", "badge good", W.shortlisted)); }
    if (F.e[i] > 0) { badges.appendChild(el("span", "badge", W.verdict + ": " + label("e", F.e[i] - 1))); }
    li.appendChild(badges);
    return li;
  }
  function draw(found, page, pages) {
    list.textContent = "";
    var frag = document.createDocumentFragment();
    found.forEach(function (i) { frag.appendChild(item(i)); });
    list.appendChild(frag);
    pageInfo.textContent = fmt(W.page_of, {page: page, pages: pages});
    prev.disabled = page <= 1;
    next.disabled = page >= pages;
  }
  function updateLanguageLinks(st) {
    var links = document.querySelectorAll("a[data-lang-base]");
    for (var k = 0; k < links.length; k++) {
      links[k].href = links[k].getAttribute("data-lang-base") + queryString(st);
    }
  }

  var current = null;
  function render(st) {
    var mine = ++token, terms = normalize(st.q).split(" ").filter(Boolean);
    current = st;
    updateLanguageLinks(st);
    countEl.textContent = W.loading;
    countEl.removeAttribute("data-count");  // set again when these results are shown
    var order = st.sort === "title" ? load("order.js") : Promise.resolve();
    return Promise.all([order, terms.length ? search(terms) : null]).then(function (done) {
      var hit = done[1];
      if (mine !== token) { return null; }
      var found = matches(st, hit), total = F.p.length;
      var filtered = terms.length > 0 || FIELDS.some(function (f) { return f !== "sort" && st[f]; });
      countEl.textContent = filtered ? fmt(W.count_some, {n: found.length, total: total})
                                     : fmt(W.count_all, {n: total});
      countEl.setAttribute("data-count", String(found.length));
      var pages = Math.max(1, Math.ceil(found.length / C.pageSize));
      var page = Math.min(st.page, pages);
      var slice = found.slice((page - 1) * C.pageSize, page * C.pageSize);
      var want = {};
      slice.forEach(function (i) { want[Math.floor(i / C.chunk)] = true; });
      return Promise.all(Object.keys(want).map(function (c) { return load("rows-" + c + ".js"); }))
        .then(function () {
          if (mine !== token) { return; }
          draw(slice, page, pages);
          if (!found.length) { list.appendChild(el("li", "item", W.no_results)); }
          document.body.setAttribute("data-ready", "1");
        });
    }).catch(function (err) {
      countEl.textContent = fmt(W.load_error, {file: err.message});
    });
  }

  function change(push) {
    var st = formState();
    remember(st, push);
    render(st);
  }
  form.addEventListener("submit", function (ev) { ev.preventDefault(); clearTimeout(timer); change(true); });
  FIELDS.forEach(function (f) {
    form.elements[f].addEventListener("change", function () { clearTimeout(timer); change(true); });
  });
  q.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { change(false); }, 150);
  });
  $("clear").addEventListener("click", function () {
    var st = {q: "", page: 1};
    FIELDS.forEach(function (f) { st[f] = ""; });
    applyState(st);
    remember(st, true);
    render(st);
  });
  function turn(step) {
    var st = Object.assign({}, current);
    st.page = Math.max(1, st.page + step);
    remember(st, true);
    render(st).then(function () { $("results-title").focus(); });
  }
  prev.addEventListener("click", function () { turn(-1); });
  next.addEventListener("click", function () { turn(1); });
  window.addEventListener("popstate", function () {
    var st = readState();
    applyState(st);
    render(st);
  });
  var start = readState();
  applyState(start);
  render(start);
})();
"""
