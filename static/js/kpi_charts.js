/* A process KPI's series (ECharts) for the chart registry (charts.js): the values as a line (a period without
   a point is a gap, never a zero), the expected range as a band where the anomaly check has a verdict,
   flagged points marked, and the amber and red lines. The page has the same numbers as a table. */
(function () {
  "use strict";

  function series(holder, data) {
    if (!holder.style.height) { holder.style.height = "320px"; }
    var chart = echarts.init(holder);
    var lower = data.lower, band = data.upper.map(function (upper, i) {
      return upper === null || lower[i] === null ? null : upper - lower[i];
    });
    var flagged = data.values.map(function (value, i) { return data.flagged[i] ? value : null; });
    var lines = [];
    if (data.amber !== null) { lines.push({ yAxis: data.amber, lineStyle: { color: "#f0ad4e" }, label: { formatter: data.names.amber } }); }
    if (data.red !== null) { lines.push({ yAxis: data.red, lineStyle: { color: "#dc3545" }, label: { formatter: data.names.red } }); }
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 32, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", name: data.unit || "", scale: true },
      series: [
        { type: "line", data: lower, stack: "band", lineStyle: { opacity: 0 }, symbol: "none", connectNulls: false,
          tooltip: { show: false } },
        { type: "line", data: band, stack: "band", lineStyle: { opacity: 0 }, symbol: "none", connectNulls: false,
          areaStyle: { color: "rgba(13, 110, 253, 0.15)" }, tooltip: { show: false } },
        { type: "line", name: data.names.value, data: data.values, connectNulls: false, symbolSize: 6,
          markLine: lines.length ? { symbol: "none", data: lines } : undefined },
        { type: "scatter", name: data.names.flagged, data: flagged, symbolSize: 12, itemStyle: { color: "#dc3545" } }
      ]
    });
    return chart;
  }

  window.collabCharts.register("kpi-series", series);
})();
