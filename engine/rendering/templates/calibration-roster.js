/* The roster's sort and filter: the calibration report's only script, inline, no network.
   Without it the roster is a plain table, grouped by level, and the tools stay hidden. */
(function () {
  "use strict";
  var table = document.getElementById("roster-table");
  var tools = document.getElementById("roster-tools");
  if (!table || !tools || !table.tHead) {
    return;
  }
  var text = document.getElementById("roster-filter");
  var verdict = document.getElementById("roster-verdict");
  var nominated = document.getElementById("roster-nominated");
  var count = document.getElementById("roster-count");
  var bodies = Array.prototype.slice.call(table.tBodies);
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var total = table.querySelectorAll("tr.person").length;

  function people(body) {
    return Array.prototype.slice.call(body.querySelectorAll("tr.person"));
  }

  function filter() {
    var needle = text.value.trim().toLowerCase();
    var shown = 0;
    bodies.forEach(function (body) {
      var any = false;
      people(body).forEach(function (row) {
        var keep = (!needle || row.textContent.toLowerCase().indexOf(needle) >= 0) &&
          (!verdict.value || row.getAttribute("data-verdict") === verdict.value) &&
          (!nominated.value || row.getAttribute("data-nominated") === nominated.value);
        row.hidden = !keep;
        any = any || keep;
        shown += keep ? 1 : 0;
      });
      body.hidden = !any;
    });
    count.textContent = shown === total ? total + " candidates" : shown + " of " + total + " candidates";
  }

  function key(cell) {
    var sort = cell.getAttribute("data-sort");
    return sort === null ? cell.textContent.trim() : Number(sort);
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") {
      return a - b;
    }
    return String(a).localeCompare(String(b), undefined, {numeric: true, sensitivity: "base"});
  }

  function sortBy(column) {
    var header = headers[column];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    headers.forEach(function (other) {
      other.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    bodies.forEach(function (body) {
      var rows = people(body);
      rows.sort(function (a, b) {
        var order = compare(key(a.cells[column]), key(b.cells[column]));
        return (ascending ? order : -order) || Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order"));
      });
      rows.forEach(function (row) {
        body.appendChild(row);
      });
    });
  }

  headers.forEach(function (header, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = header.textContent;
    button.title = "Sort by " + header.textContent.toLowerCase();
    header.textContent = "";
    header.appendChild(button);
    button.addEventListener("click", function () {
      sortBy(column);
    });
  });
  [text, verdict, nominated].forEach(function (input) {
    input.addEventListener("input", filter);
  });
  tools.hidden = false;
  filter();
}());
