/* Review results charts (ECharts) for the chart registry (charts.js): bars of dimension means (one series a
   rater group), the trend of a subject's overall mean across campaigns, and the distribution of scores as
   stacked bars. Only shown (released) numbers reach these charts; every chart has a table in the page. */
(function () {
  "use strict";
  var SCALE = ["#dc3545", "#fd7e14", "#ffc107", "#20c997", "#198754"];

  function sized(holder) {
    if (!holder.style.height) { holder.style.height = "300px"; }
    return echarts.init(holder);
  }

  function bars(holder, data) {
    var chart = sized(holder);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { show: data.series.length > 1 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 1, max: 5 },
      yAxis: { type: "category", data: data.labels, inverse: true },
      series: data.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.values, label: { show: true, position: "right",
          formatter: function (p) { return p.value == null ? "" : Number(p.value).toFixed(2); } } };
      })
    });
    return chart;
  }

  function trend(holder, data) {
    var chart = sized(holder);
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", min: 1, max: 5 },
      series: [{ type: "line", data: data.values, connectNulls: false, symbolSize: 8 }]
    });
    return chart;
  }

  function stack(holder, data) {
    var chart = sized(holder);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: {},
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels, inverse: true },
      series: data.series.map(function (s, i) {
        return { type: "bar", stack: "scores", name: s.name, data: s.values, itemStyle: { color: SCALE[i] } };
      })
    });
    return chart;
  }

  window.collabCharts.register("review-bars", bars);
  window.collabCharts.register("review-trend", trend);
  window.collabCharts.register("review-stack", stack);
})();
