// Calibration curve of a churn model: mean predicted probability against the observed rate per bin,
// with the diagonal a perfectly calibrated model follows (data from json_script).
(function () {
  "use strict";
  var canvas = document.getElementById("calibration-chart");
  var source = document.getElementById("calibration-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var points = data.predicted.map(function (p, i) { return { x: p, y: data.observed[i], n: data.n[i] }; });
  new Chart(canvas, {
    type: "scatter",
    data: {
      datasets: [
        { label: canvas.dataset.label, data: points, showLine: true, pointRadius: 4 },
        { label: canvas.dataset.diagonal, data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], showLine: true, pointRadius: 0, borderDash: [4, 4] },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      scales: {
        x: { min: 0, max: 1, title: { display: true, text: canvas.dataset.xlabel } },
        y: { min: 0, max: 1, title: { display: true, text: canvas.dataset.ylabel } },
      },
      plugins: {
        tooltip: { callbacks: { label: function (c) { return c.raw.n === undefined ? "" : c.raw.x.toFixed(2) + " → " + c.raw.y.toFixed(2) + " (n=" + c.raw.n + ")"; } } },
      },
    },
  });
})();
