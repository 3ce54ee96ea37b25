// The pipeline board's chart: totals per stage (bars) and average days in stage (line), from json_script.
(function () {
  const data = JSON.parse(document.getElementById("pipeline-data").textContent);
  new Chart(document.getElementById("pipeline-chart"), {
    type: "bar",
    data: { labels: data.labels, datasets: [
      { label: data.currency, data: data.totals, backgroundColor: "#3d5a98", yAxisID: "y" },
      { label: "days", type: "line", data: data.days, borderColor: "#d9822b", yAxisID: "days" },
    ] },
    options: { scales: { y: { beginAtZero: true }, days: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } } }, animation: false },
  });
})();
