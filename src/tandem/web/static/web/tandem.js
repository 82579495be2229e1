/* Tandem: charts from the data the page carries, and small keyboard helps.
   Everything else is server-rendered with htmx. */
(function () {
  "use strict";

  function drawCharts() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        color: ["#1f6feb", "#1a7f37"],
        tooltip: { trigger: "axis" },
        legend: { data: [el.dataset.sales, el.dataset.service], top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value", name: el.dataset.unit },
        series: [
          { name: el.dataset.sales, type: "bar", data: data.sales.map(Number) },
          { name: el.dataset.service, type: "bar", data: data.service.map(Number) }
        ]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // Deferred scripts (echarts among them) have all run by DOMContentLoaded.
  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    var search = document.getElementById("global-search");
    var popup = document.getElementById("search-popup");
    if (search && popup) {
      search.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { popup.innerHTML = ""; }
      });
    }
  });
})();
