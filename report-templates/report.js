// ata2atp report: sort and filter the long tables, open collapsed sections before
// printing. The report's Content-Security-Policy allows this script by its SHA-256 and
// nothing else; the report works without it (every row is in the file).
//
// A collapsed long table (<details class="rows">) holds its rows in a <noscript>: with
// scripting on, the browser keeps them as one piece of text instead of building
// thousands of elements at load (the large engagement's report then loads in about the
// time of a blank page); without scripting they are ordinary HTML. The table is built
// when first opened, when a link points into it, and before printing.
(function () {
  "use strict";
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function wire(table) {
    var head = table.tHead, body = table.tBodies[0];
    if (!head || !body) return;
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "filter";
    filter.placeholder = "Filter these " + body.rows.length + " rows";
    filter.setAttribute("aria-label", "Filter the rows of this table");
    var box = table.parentNode;
    box.parentNode.insertBefore(filter, box);
    var timer = null;
    filter.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = filter.value.trim().toLowerCase();
        for (var r = 0; r < body.rows.length; r++) {
          var row = body.rows[r];
          row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
        }
      }, 150);
    });
    Array.prototype.forEach.call(head.rows[0].cells, function (th, i) {
      th.tabIndex = 0;
      th.title = "Sort by this column";
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(head.rows[0].cells, function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (row) { return row.cells[i] ? row.cells[i].textContent.trim() : ""; };
        rows.sort(function (a, b) { var c = collator.compare(key(a), key(b)); return ascending ? c : -c; });
        var frag = document.createDocumentFragment();
        rows.forEach(function (row) { frag.appendChild(row); });
        body.appendChild(frag);
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  }

  // Builds a collapsed table from the text of its <noscript>, once.
  function build(details) {
    var held = details.querySelector(":scope > noscript");
    if (!held) return;
    var t = document.createElement("template");
    t.innerHTML = held.textContent;
    var tables = t.content.querySelectorAll("table.sortable");
    held.replaceWith(t.content);
    tables.forEach(wire);
  }

  // Opens the collapsed table holding `id` (a link's target); true when there is one.
  function reveal(id) {
    var found = null;
    document.querySelectorAll("details.rows[data-holds]").forEach(function (d) {
      if (!found && d.getAttribute("data-holds") === id) found = d;
    });
    if (!found) return false;
    build(found);
    found.open = true;
    var target = document.getElementById(id);
    if (target) target.scrollIntoView();
    return true;
  }

  document.querySelectorAll("table.sortable").forEach(wire);
  document.querySelectorAll("details.rows").forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open) build(d); });
  });
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[href^='#']") : null;
    if (!a) return;
    var id = decodeURIComponent(a.getAttribute("href").slice(1));
    if (id && !document.getElementById(id) && reveal(id)) {
      e.preventDefault();
      location.hash = "#" + id;
    }
  });
  if (location.hash.length > 1) {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!document.getElementById(id)) reveal(id);
  }
  // A collapsed section prints open.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.rows").forEach(function (d) { build(d); d.open = true; });
  });
})();
