/* The event log's trend chart (ECharts) for the chart registry (charts.js): a unit's or a person's median
   response time (hours, left axis, bars) and on-time and participation rates (%, right axis, lines) across
   the last periods. A period with nothing to measure has no point. The page has the same numbers as a table. */
(function () {
  "use strict";

  function trend(holder, data) {
    if (!holder.style.height) { holder.style.height = "320px"; }
    var chart = echarts.init(holder);
    var series = [{ type: "bar", name: data.hours.name, data: data.hours.values, yAxisIndex: 0, barMaxWidth: 28 }];
    data.rates.forEach(function (rate) {
      series.push({ type: "line", name: rate.name, data: rate.values, yAxisIndex: 1, connectNulls: false,
        symbolSize: 8 });
    });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, left: "center" },
      grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: [
        { type: "value", name: "h", min: 0 },
        { type: "value", name: "%", min: 0, max: 100 }
      ],
      series: series
    });
    return chart;
  }

  window.collabCharts.register("event-trend", trend);
})();
