/* A calibration session's grade distribution (ECharts) for the chart registry (charts.js): each grade's
   share of the people graded, in percent. The page shows the same numbers and the guideline in a table. */
(function () {
  "use strict";

  function bars(holder, data) {
    if (!holder.style.height) { holder.style.height = "240px"; }
    var chart = echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " %"; } },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
      series: data.datasets.map(function (s) {
        return { type: "bar", name: s.label, data: s.data, label: { show: true, position: "top", formatter: "{c} %" } };
      })
    });
    return chart;
  }

  window.collabCharts.register("calibration-bars", bars);
})();
