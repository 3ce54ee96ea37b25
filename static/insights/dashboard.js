// The dashboard's charts (data from json_script): revenue by quarter, NPS by quarter, partners per tier.
// Animation off: the figures are read, not watched.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  function draw(name, type, yTitle) {
    var canvas = document.getElementById("insights-" + name);
    var source = document.getElementById("insights-" + name + "-data");
    if (!canvas || !source) return;
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: type,
      data: { labels: data.labels, datasets: data.datasets },
      options: {
        animation: false,
        responsive: true,
        plugins: { legend: { position: "bottom", display: data.datasets.length > 1 } },
        scales: { y: { beginAtZero: type === "bar", title: { display: !!yTitle, text: yTitle || "" } } },
      },
    });
  }
  var root = document.getElementById("insights");
  var currency = root ? root.getAttribute("data-insights-currency") : "";
  draw("revenue", "bar", currency);
  draw("psat", "line", "NPS");
  draw("tiers", "bar", "");
})();
