// ata2atp report: sort and filter the long tables, open collapsed sections before
// printing. The report's Content-Security-Policy allows this script by its SHA-256 and
// nothing else; the report works without it (every row is in the file).
(function () {
  "use strict";
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  document.querySelectorAll("table.sortable").forEach(function (table) {
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
  });
  // A collapsed section prints open.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.rows").forEach(function (d) { d.open = true; });
  });
})();
