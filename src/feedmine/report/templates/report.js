/* feedmine report: draws the charts from their data-figure attributes (JSON, never code), makes the
   theme tables sortable and filterable. Constant: no template expression may ever be put in here
   (the page's Content-Security-Policy allows this exact text by its hash). */
(function () {
  "use strict";
  var FONT = '-apple-system, BlinkMacSystemFont, "Segoe UI", "Apple SD Gothic Neo", "Malgun Gothic", ' +
    '"Noto Sans KR", "Noto Sans CJK KR", "NanumGothic", "UnDotum", Roboto, Arial, sans-serif';

  function drawCharts() {
    var charts = document.querySelectorAll("div.fm-chart[data-figure]");
    Array.prototype.forEach.call(charts, function (el) {
      var fig;
      try {
        fig = JSON.parse(el.getAttribute("data-figure"));
      } catch (err) {
        el.textContent = "This chart's data could not be read.";
        return;
      }
      var layout = fig.layout || {};
      layout.font = { family: FONT };
      layout.autosize = true;
      delete layout.width;
      var config = { responsive: true, displaylogo: false, scrollZoom: false };
      window.Plotly.newPlot(el, fig.data || [], layout, config).then(function () {
        el.setAttribute("data-drawn", "true");
      });
      el.on("plotly_click", function (event) {
        var point = event && event.points && event.points[0];
        var id = point ? Number(point.customdata) : NaN;
        if (Number.isInteger(id)) { window.location.hash = "theme-" + id; }
      });
    });
  }

  function cellValue(row, column) {
    var cell = row.cells[column];
    if (!cell) { return ""; }
    var raw = cell.getAttribute("data-v");
    if (raw !== null) {
      var num = parseFloat(raw);
      return isNaN(num) ? -Infinity : num;
    }
    return cell.textContent.trim().toLowerCase();
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, column) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var descending = th.getAttribute("aria-sort") !== "descending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, column), y = cellValue(b, column);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return descending ? -order : order;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function filterTables() {
    var search = document.getElementById("fm-search");
    var minItems = document.getElementById("fm-min-items");
    var shown = document.getElementById("fm-shown");
    if (!search || !minItems) { return; }
    var rows = document.querySelectorAll("table.fm-themes tbody tr");
    function apply() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var least = parseFloat(minItems.value) || 0;
      var visible = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var text = row.textContent.toLowerCase();
        var size = parseFloat(row.getAttribute("data-size")) || 0;
        var keep = size >= least && words.every(function (w) { return text.indexOf(w) >= 0; });
        row.hidden = !keep;
        if (keep) { visible += 1; }
      });
      if (shown) { shown.textContent = visible + " of " + rows.length + " themes shown"; }
    }
    search.addEventListener("input", apply);
    minItems.addEventListener("input", apply);
    apply();
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.fm-themes"), makeSortable);
  filterTables();
  if (window.Plotly) { drawCharts(); }
  document.documentElement.setAttribute("data-ready", "true");
}());
