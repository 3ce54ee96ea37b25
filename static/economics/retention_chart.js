// Bar chart of NRR, gross retention and logo retention (percent) for partner-managed vs direct customers
// (data from json_script). Animation off: the figures are read, not watched.
(function () {
  "use strict";
  var canvas = document.getElementById("economics-retention");
  var source = document.getElementById("economics-retention-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: data.datasets },
    options: {
      animation: false,
      responsive: true,
      plugins: { legend: { position: "bottom" } },
      scales: { y: { beginAtZero: true, title: { display: true, text: "%" } } },
    },
  });
})();
