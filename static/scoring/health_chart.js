// Line chart of one partner's health score over time (data from json_script).
(function () {
  "use strict";
  var canvas = document.getElementById("health-trend");
  var source = document.getElementById("health-trend-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: [{ label: canvas.dataset.label, data: data.totals, tension: 0.2 }] },
    options: { animation: false, responsive: true, plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 100 } } },
  });
})();
