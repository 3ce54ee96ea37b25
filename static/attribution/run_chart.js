// Grouped bar chart of a run's credited value per channel, one bar per model (data from json_script).
(function () {
  "use strict";
  var canvas = document.getElementById("attribution-chart");
  var source = document.getElementById("attribution-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: data.datasets },
    options: { responsive: true, plugins: { legend: { position: "bottom" } }, scales: { y: { beginAtZero: true } } },
  });
})();
