// The open pipeline of a joint solution by stage (value), from the json_script the detail page renders.
(function () {
  "use strict";
  var canvas = document.getElementById("solution-pipeline-chart");
  var source = document.getElementById("solution-pipeline-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  var rows = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map(function (row) { return row.label; }),
      datasets: [{
        label: canvas.getAttribute("aria-label"),
        data: rows.map(function (row) { return Number(row.value); }),
        backgroundColor: "rgba(13, 110, 253, 0.6)"
      }]
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
  });
})();
