/* Dashboard behaviour: copy buttons and charts. Loaded as a file so a strict
   Content-Security-Policy (no inline scripts) holds. Every page works without it. */
(function () {
  "use strict";

  function bindCopyButtons(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (button.dataset.bound) { return; }
      button.dataset.bound = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-copy"));
        if (!target || !navigator.clipboard) { return; }
        navigator.clipboard.writeText(target.textContent.trim()).then(function () {
          var before = button.textContent;
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = before; }, 1200);
        });
      });
    });
  }

  function drawCharts(root) {
    if (typeof window.Chart === "undefined") { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, {
        type: "line",
        data: {
          labels: spec.labels,
          datasets: spec.series.map(function (s) {
            return { label: s.label, data: s.data, yAxisID: s.axis || "y", tension: 0.25, pointRadius: 2 };
          })
        },
        options: {
          responsive: true, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
          // No animation: figures are read (and screenshotted) the moment the page shows.
          animation: false,
          scales: {
            y: { beginAtZero: true, position: "left", ticks: { precision: 0 } },
            y2: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, ticks: { precision: 0 } }
          }
        }
      });
    });
  }

  function init(root) { bindCopyButtons(root); drawCharts(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
