/* Goal against actual over a business plan's period: one small chart per goal.
   Data: the JSON in #plan-series ({months, goals: [{label, unit, source, actual[], expected[]}]}). */
(function () {
  "use strict";
  const source = document.getElementById("plan-series");
  const holder = document.getElementById("plan-charts");
  if (!source || !holder || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  data.goals.forEach(function (goal) {
    const column = document.createElement("div");
    column.className = "col-md-6";
    const title = document.createElement("div");
    title.className = "small fw-semibold";
    title.textContent = goal.label + (goal.source === "vendor" ? " (entered by the vendor)" : "");
    const canvas = document.createElement("canvas");
    canvas.height = 180;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", goal.label + ": actual against the linear target, month by month");
    column.appendChild(title);
    column.appendChild(canvas);
    holder.appendChild(column);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.months,
        datasets: [
          {
            label: "Actual (cumulative)",
            data: goal.actual,
            borderColor: "#3d5a98",
            backgroundColor: "#3d5a98",
            spanGaps: false,
            tension: 0,
          },
          {
            label: "Target (linear)",
            data: goal.expected,
            borderColor: "#9aa5b1",
            borderDash: [6, 4],
            pointRadius: 0,
            tension: 0,
          },
        ],
      },
      options: {
        animation: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true } },
      },
    });
  });
})();
