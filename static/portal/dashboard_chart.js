// The vendor dashboard's partners-by-type chart, from json_script.
(function () {
  const data = JSON.parse(document.getElementById("by-type-data").textContent);
  new Chart(document.getElementById("by-type-chart"), {
    type: "bar",
    data: { labels: data.labels, datasets: [{ data: data.values, backgroundColor: "#3d5a98" }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, animation: false },
  });
})();
