"use strict";
// The groups table: rows come from the JSON island written by html.rs and are drawn a page at a time with
// DOM calls and textContent only, so that no text from AWS is ever read as markup.
(function () {
  // The row layout of html.rs (struct Row).
  var C = { id: 0, name: 1, desc: 2, account: 3, region: 4, vpc: 5, status: 6, risk: 7, dflt: 8, used: 9,
            refs: 10, findings: 11, missing: 12, tags: 13, since: 14, sinceText: 15, marked: 16, reach: 17,
            paths: 18, why: 19 };
  var STATUS_RANK = { in_use: 0, unused: 1, unknown: 2 };
  var REACH_RANK = { not_exposed: 0, not_reachable: 1, unknown: 2, reachable: 3 };
  var RISK_RANK = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };
  var SEVERITY_RANK = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };
  // Columns that sort worst (or most) first on the first click.
  var DESCENDING_FIRST = { risk: true, status: true, findings: true, refs: true, missing: true, reach: true };

  // The copy buttons of the fixes: each copies the text of the <pre> beside it, read as text (textContent),
  // so what is copied is what the page shows. Wired first: the page has fixes even without a groups table.
  function copyByHand(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    document.body.removeChild(area);
    return copied;
  }
  document.addEventListener("click", function (e) {
    var button = e.target;
    if (!button || !button.classList || !button.classList.contains("copy")) { return; }
    // The part to copy, from a fixed list: never a selector made of the page's data.
    var part = button.dataset.copy === "fix-tf" ? "pre.fix-tf" : "pre.fix-cli";
    var pre = button.parentNode && button.parentNode.parentNode ? button.parentNode.parentNode.querySelector(part) : null;
    if (!pre) { return; }
    var text = pre.textContent;
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    function said(ok) {
      button.textContent = ok ? "Copied" : "Select and copy by hand";
      setTimeout(function () { button.textContent = label; }, 1500);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { said(true); }, function () { said(copyByHand(text)); });
    } else {
      said(copyByHand(text));
    }
  });

  var table = document.getElementById("groups-table");
  if (!table) {
    // Security groups were not judged: the page has no table to draw, and needs nothing else from here.
    document.documentElement.dataset.ready = "true";
    return;
  }
  var data = JSON.parse(document.getElementById("sg-data").textContent);
  var rows = data.rows;
  var texts = data.texts;
  var checks = data.checks;

  var textBox = document.getElementById("filter-text");
  var statusBox = document.getElementById("filter-status");
  var riskBox = document.getElementById("filter-risk");
  var reachBox = document.getElementById("filter-reach");
  var mutedBox = document.getElementById("filter-muted");
  var sizeBox = document.getElementById("page-size");
  var countLine = document.getElementById("table-count");
  var pageInfo = document.getElementById("page-info");
  var buttons = {
    first: document.getElementById("page-first"), prev: document.getElementById("page-prev"),
    next: document.getElementById("page-next"), last: document.getElementById("page-last")
  };

  var state = { column: null, direction: 1, page: 0 };
  var view = [];     // indices into rows, filtered and sorted
  var haystack = null; // lower-case searchable text per row, built on the first text filter

  function worstSeverity(row) {
    var worst = -1;
    row[C.findings].forEach(function (f) { worst = Math.max(worst, SEVERITY_RANK[f[1]]); });
    return worst;
  }

  // A sort key per column: numbers for ranked columns, lower-case text otherwise.
  var KEYS = {
    id: function (r) { return r[C.id].toLowerCase(); },
    name: function (r) { return r[C.name].toLowerCase(); },
    account: function (r) { return r[C.account]; },
    region: function (r) { return r[C.region]; },
    vpc: function (r) { return r[C.vpc]; },
    status: function (r) { return STATUS_RANK[r[C.status]]; },
    risk: function (r) { return RISK_RANK[r[C.risk]]; },
    reach: function (r) { return REACH_RANK[r[C.reach]] * 1000 + r[C.paths].length; },
    used: function (r) { return r[C.used].toLowerCase(); },
    refs: function (r) { return r[C.refs].length; },
    findings: function (r) { return worstSeverity(r) * 1000 + r[C.findings].length; },
    missing: function (r) { return r[C.missing].length; },
    // Oldest first (unused the longest); groups without a date last.
    since: function (r) { return r[C.since] || "~"; }
  };

  function isMuted(f) { return f[2] !== null && f[2] !== undefined; }

  // The exceptions filter: groups with a muted finding, with a finding not muted, or marked in use.
  var MUTED_FILTERS = {
    muted: function (r) { return r[C.findings].some(isMuted); },
    unmuted: function (r) { return r[C.findings].some(function (f) { return !isMuted(f); }); },
    marked: function (r) { return r[C.marked] !== null && r[C.marked] !== undefined; }
  };

  function searchable(r) {
    var parts = [r[C.id], r[C.name], r[C.desc], r[C.account], r[C.region], r[C.vpc], r[C.status], r[C.risk],
                 r[C.used]];
    parts = parts.concat(r[C.refs], r[C.tags]);
    r[C.findings].forEach(function (f) {
      parts.push(f[0]);
      if (isMuted(f)) { parts.push("muted", texts[f[2]]); }
    });
    r[C.missing].forEach(function (i) { parts.push(texts[i]); });
    if (r[C.dflt]) { parts.push("default"); }
    if (MUTED_FILTERS.marked(r)) { parts.push("marked in use", texts[r[C.marked]]); }
    if (r[C.sinceText]) { parts.push(r[C.sinceText]); }
    parts.push(r[C.reach].replace("_", " "));
    parts = parts.concat(r[C.paths]);
    r[C.why].forEach(function (i) { parts.push(texts[i]); });
    return parts.join("\n").toLowerCase();
  }

  function refresh(keepPage) {
    var needle = textBox.value.trim().toLowerCase();
    var status = statusBox.value;
    var risk = riskBox.value;
    var reach = reachBox.value;
    var muted = Object.prototype.hasOwnProperty.call(MUTED_FILTERS, mutedBox.value) ? MUTED_FILTERS[mutedBox.value] : null;
    if (needle && haystack === null) { haystack = rows.map(searchable); }
    view = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (status && r[C.status] !== status) { continue; }
      if (risk && r[C.risk] !== risk) { continue; }
      if (reach && r[C.reach] !== reach) { continue; }
      if (muted && !muted(r)) { continue; }
      if (needle && haystack[i].indexOf(needle) < 0) { continue; }
      view.push(i);
    }
    if (state.column) {
      var key = KEYS[state.column];
      var dir = state.direction;
      var keys = new Array(rows.length);
      view.forEach(function (i) { keys[i] = key(rows[i]); });
      // Stable: ties keep the report's order (account, region, group id).
      view.sort(function (a, b) {
        var ka = keys[a], kb = keys[b];
        if (ka < kb) { return -dir; }
        if (ka > kb) { return dir; }
        return a - b;
      });
    }
    if (!keepPage) { state.page = 0; }
    draw();
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function badge(kind, value) {
    // Class names come from fixed lists, never from the data itself.
    var known = kind === "status" ? STATUS_RANK : kind === "risk" ? RISK_RANK : kind === "reach" ? REACH_RANK :
      SEVERITY_RANK;
    var cls = Object.prototype.hasOwnProperty.call(known, value) ? kind + "-" + value : "";
    return el("span", "badge " + cls, value.replace("_", " "));
  }

  function row(r) {
    var tr = el("tr");
    tr.dataset.id = r[C.id];
    tr.appendChild(el("td", "c-id mono", r[C.id]));

    var name = el("td", "c-name");
    var title = el("div", "name", r[C.name]);
    if (r[C.dflt]) { title.appendChild(el("span", "badge dflt", "default")); }
    name.appendChild(title);
    if (r[C.desc]) { name.appendChild(el("div", "desc", r[C.desc])); }
    r[C.tags].forEach(function (t) {
      var tag = el("span", "tag", t);
      tag.title = t;
      name.appendChild(tag);
    });
    tr.appendChild(name);

    var where = el("td", "c-where");
    where.appendChild(el("div", "mono", r[C.account]));
    where.appendChild(el("div", "", r[C.region]));
    if (r[C.vpc]) { where.appendChild(el("div", "mono muted", r[C.vpc])); }
    tr.appendChild(where);
    var status = el("td", "c-status");
    status.appendChild(badge("status", r[C.status]));
    if (MUTED_FILTERS.marked(r)) {
      var marked = el("span", "badge is-muted marked", "marked in use");
      marked.title = texts[r[C.marked]];
      status.appendChild(marked);
    }
    if (r[C.sinceText]) { status.appendChild(el("div", "since", "since " + r[C.sinceText])); }
    tr.appendChild(status);
    var risk = el("td", "c-risk");
    risk.appendChild(badge("risk", r[C.risk]));
    tr.appendChild(risk);
    var reach = el("td", "c-reach");
    // Nothing open to the world: a blank cell, so that what the internet reaches stands out.
    if (r[C.reach] !== "not_exposed") { reach.appendChild(badge("reach", r[C.reach])); }
    r[C.paths].forEach(function (p) {
      var path = el("div", "clamp path", p);
      path.title = "Click to show all";
      reach.appendChild(path);
    });
    r[C.why].forEach(function (i) {
      var why = el("div", "clamp why", texts[i]);
      why.title = "Click to show all";
      reach.appendChild(why);
    });
    tr.appendChild(reach);
    tr.appendChild(el("td", "c-used", r[C.used]));
    tr.appendChild(el("td", "c-refs mono", r[C.refs].join("\n")));

    var findings = el("td", "c-findings");
    r[C.findings].forEach(function (f) {
      var b = badge("sev", f[1]);
      b.classList.add("finding");
      b.textContent = f[0];
      b.title = (checks[f[0]] || f[0]) + " (" + f[1] + ")";
      if (isMuted(f)) {
        b.classList.add("finding-muted");
        b.textContent = f[0] + " (muted)";
        b.title += "\nmuted: " + texts[f[2]];
      }
      findings.appendChild(b);
    });
    tr.appendChild(findings);
    var missing = el("td", "c-missing");
    r[C.missing].forEach(function (i) {
      // Long (an AccessDenied message): three lines, the rest on a click.
      var m = el("div", "clamp", texts[i]);
      m.title = "Click to show all";
      missing.appendChild(m);
    });
    tr.appendChild(missing);
    return tr;
  }

  function draw() {
    var size = parseInt(sizeBox.value, 10) || 200;
    var pages = Math.max(1, Math.ceil(view.length / size));
    state.page = Math.min(Math.max(0, state.page), pages - 1);
    var start = state.page * size;
    var end = Math.min(view.length, start + size);

    var body = document.createElement("tbody");
    for (var i = start; i < end; i++) { body.appendChild(row(rows[view[i]])); }
    if (view.length === 0) {
      var tr = el("tr");
      var td = el("td", "empty", "No group matches the filter.");
      td.colSpan = table.tHead.rows[0].cells.length;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    table.replaceChild(body, table.tBodies[0]);

    var n = function (x) { return x.toLocaleString("en-US"); };
    var groups = function (x) { return n(x) + (x === 1 ? " group" : " groups"); };
    var shown = view.length === 0 ? "No group matches" :
      view.length <= size ? "Showing " + groups(view.length) :
      "Showing " + n(start + 1) + "–" + n(end) + " of " + groups(view.length);
    countLine.textContent = shown + (view.length !== rows.length ? " (filtered from " + n(rows.length) + ")" : "");
    pageInfo.textContent = "Page " + n(state.page + 1) + " of " + n(pages);
    buttons.first.disabled = buttons.prev.disabled = state.page === 0;
    buttons.next.disabled = buttons.last.disabled = state.page >= pages - 1;
  }

  function sortBy(column) {
    if (state.column === column) {
      state.direction = -state.direction;
    } else {
      state.column = column;
      state.direction = DESCENDING_FIRST[column] ? -1 : 1;
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var sorted = th.querySelector('button[data-col="' + column + '"]') !== null;
      th.setAttribute("aria-sort", sorted ? (state.direction > 0 ? "ascending" : "descending") : "none");
      Array.prototype.forEach.call(th.querySelectorAll("button"), function (b) {
        b.classList.toggle("active", b.dataset.col === column);
      });
      if (sorted) { th.dataset.sorted = column; } else { delete th.dataset.sorted; }
    });
    refresh(false);
  }

  Array.prototype.forEach.call(table.tHead.querySelectorAll("button[data-col]"), function (b) {
    b.addEventListener("click", function () { sortBy(b.dataset.col); });
  });
  table.addEventListener("click", function (e) {
    if (e.target.classList && e.target.classList.contains("clamp")) { e.target.classList.toggle("open"); }
  });

  var pending = null;
  textBox.addEventListener("input", function () {
    // Typing into a large table filters once the typing pauses.
    clearTimeout(pending);
    pending = setTimeout(function () { refresh(false); }, rows.length > 20000 ? 250 : 60);
  });
  textBox.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { clearTimeout(pending); refresh(false); }
  });
  statusBox.addEventListener("change", function () { refresh(false); });
  riskBox.addEventListener("change", function () { refresh(false); });
  reachBox.addEventListener("change", function () { refresh(false); });
  mutedBox.addEventListener("change", function () { refresh(false); });
  sizeBox.addEventListener("change", function () { refresh(false); });
  document.getElementById("filter-reset").addEventListener("click", function () {
    textBox.value = ""; statusBox.value = ""; riskBox.value = ""; reachBox.value = ""; mutedBox.value = "";
    refresh(false);
  });
  buttons.first.addEventListener("click", function () { state.page = 0; draw(); });
  buttons.prev.addEventListener("click", function () { state.page -= 1; draw(); });
  buttons.next.addEventListener("click", function () { state.page += 1; draw(); });
  buttons.last.addEventListener("click", function () { state.page = Number.MAX_SAFE_INTEGER; draw(); });

  // "Show in table" in the findings: filter the table by that check.
  Array.prototype.forEach.call(document.querySelectorAll("button[data-filter]"), function (b) {
    b.addEventListener("click", function () {
      textBox.value = b.dataset.filter; statusBox.value = ""; riskBox.value = ""; reachBox.value = "";
      mutedBox.value = "";
      refresh(false);
      document.getElementById("groups").scrollIntoView();
    });
  });

  refresh(false);
  document.documentElement.dataset.ready = "true";
})();
