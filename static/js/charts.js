// Draws every <div data-chart="ID"> from the JSON options in <script id="ID" type="application/json">
// (templates/includes/chart.html, built by common/charts.py). A data point with a `url` opens it on click.
// Charts are redrawn after an htmx swap and resized with the window (phones rotate).
(function () {
  "use strict";
  function draw(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.chartDrawn) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source || typeof echarts === "undefined") return;
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(JSON.parse(source.textContent));
      chart.on("click", function (params) {
        var url = params.data && params.data.url;
        if (url) window.location.assign(url);
      });
      el.dataset.chartDrawn = "1";
    });
  }
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart-drawn]").forEach(function (el) {
      var chart = echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
