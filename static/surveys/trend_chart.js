// Line chart of NPS and the mean 0–10 score per survey, by opening date (data from json_script).
(function () {
  "use strict";
  var canvas = document.getElementById("psat-trend");
  var source = document.getElementById("psat-trend-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: canvas.dataset.npsLabel, data: data.nps, yAxisID: "nps", tension: 0.2 },
        { label: canvas.dataset.meanLabel, data: data.mean, yAxisID: "mean", tension: 0.2, borderDash: [6, 4] },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      scales: {
        nps: { type: "linear", position: "left", min: -100, max: 100 },
        mean: { type: "linear", position: "right", min: 0, max: 10, grid: { drawOnChartArea: false } },
      },
    },
  });
})();
