// The SLA overview's chart: percent within SLA per SLA (data from the page's json_script).
(function () {
  const source = document.getElementById("sla-chart-data");
  const canvas = document.getElementById("sla-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: "% within SLA", data: data.attainment, backgroundColor: "#3d5a98" }],
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, max: 100, ticks: { callback: (v) => v + " %" } } },
      animation: false,
    },
  });
})();
