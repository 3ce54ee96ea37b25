// Line chart of a model's credited value per channel over the runs' periods (data from json_script).
(function () {
  "use strict";
  var canvas = document.getElementById("attribution-trend");
  var source = document.getElementById("attribution-trend-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: data.datasets },
    options: { responsive: true, plugins: { legend: { position: "bottom" } }, scales: { y: { beginAtZero: true } } },
  });
})();
