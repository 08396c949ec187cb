/* The metrics page's charts (Chart.js 4 + chartjs-chart-matrix, vendored under static/vendor).
   Data comes from the page's <script type="application/json" id="metrics-data"> (no inline
   script: CSP script-src 'self'). Each chart has a table view and a CSV export in the page. */
(function () {
  "use strict";
  var source = document.getElementById("metrics-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var m = JSON.parse(source.textContent);
  var Chart = window.Chart;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var colours = { blue: "#2563eb", red: "#dc2626", green: "#16a34a", grey: "#6b7280", amber: "#d97706" };

  function pick(rows, key) { return rows.map(function (r) { return r[key]; }); }
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { canvas.chart = new Chart(canvas, config); canvas.dataset.ready = "1"; }
  }

  draw("chart-trend", {
    type: "line",
    data: {
      labels: pick(m.trend, "period"),
      datasets: [
        { label: "open cases", data: pick(m.trend, "cases_open"), borderColor: colours.blue, yAxisID: "y" },
        { label: "cases opened", data: pick(m.trend, "cases_opened"), borderColor: colours.amber, yAxisID: "y" },
        { label: "cases closed", data: pick(m.trend, "cases_closed"), borderColor: colours.green, yAxisID: "y" },
        { label: "median days to fix", data: pick(m.trend, "fix_median"), borderColor: colours.red,
          borderDash: [4, 3], yAxisID: "days", spanGaps: true }
      ]
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "cases" } },
                         days: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                                 title: { display: true, text: "days" } } } }
  });

  var d = m.durations;
  draw("chart-histogram", {
    type: "bar",
    data: {
      labels: pick(d.fix.histogram, "bin"),
      datasets: [
        { label: "time to fix", data: pick(d.fix.histogram, "count"), backgroundColor: colours.red },
        { label: "time to communicate", data: pick(d.communicate.histogram, "count"), backgroundColor: colours.amber },
        { label: "time to assess", data: pick(d.assess.histogram, "count"), backgroundColor: colours.blue }
      ]
    },
    options: { scales: { x: { title: { display: true, text: "days from day 0" } },
                         y: { beginAtZero: true, title: { display: true, text: "cases" } } } }
  });

  draw("chart-burndown", {
    type: "line",
    data: {
      labels: pick(m.burndown, "period"),
      datasets: [
        { label: "open findings", data: pick(m.burndown, "open"), borderColor: colours.blue, fill: false },
        { label: "opened", data: pick(m.burndown, "opened"), borderColor: colours.amber },
        { label: "closed", data: pick(m.burndown, "closed"), borderColor: colours.green }
      ]
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "findings" } } } }
  });

  var h = m.heatmap, cells = [], peak = 1;
  h.rows.forEach(function (row) {
    row.counts.forEach(function (n, i) {
      cells.push({ x: h.severities[i], y: row.name, v: n });
      if (n > peak) { peak = n; }
    });
  });
  var box = document.getElementById("chart-heatmap");
  if (box && box.parentElement) { box.parentElement.style.height = Math.max(120, 40 + 34 * h.rows.length) + "px"; }
  draw("chart-heatmap", {
    type: "matrix",
    data: {
      datasets: [{
        label: "open findings",
        data: cells,
        backgroundColor: function (ctx) {
          var c = ctx.raw || { v: 0 };
          var a = c.v === 0 ? 0.04 : 0.15 + 0.85 * Math.sqrt(c.v / peak);
          return "rgba(220, 38, 38, " + a.toFixed(3) + ")";
        },
        borderColor: "#ffffff", borderWidth: 1,
        width: function (ctx) { var a = ctx.chart.chartArea; return a ? a.width / h.severities.length - 2 : 10; },
        height: function (ctx) { var a = ctx.chart.chartArea; return a ? a.height / Math.max(1, h.rows.length) - 2 : 10; }
      }]
    },
    options: {
      plugins: { legend: { display: false },
                 tooltip: { callbacks: { title: function () { return ""; },
                   label: function (ctx) { return ctx.raw.y + " · " + ctx.raw.x + ": " + ctx.raw.v; } } } },
      scales: { x: { type: "category", labels: h.severities, offset: true, grid: { display: false } },
                y: { type: "category", labels: pick(h.rows, "name"), offset: true, grid: { display: false } } }
    }
  });
})();
