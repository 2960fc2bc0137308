/* An event log's directly-follows graph (ECharts) for the chart registry (charts.js): activities as nodes
   laid out in rows by their first position in the cases (sized by how often they occur), the edges with
   how many times one followed the other and the median wait, the slowest edges drawn thicker and in red.
   The page has the same edges as a table. */
(function () {
  "use strict";

  function graph(holder, data) {
    if (!holder.style.height) { holder.style.height = "420px"; }
    var chart = echarts.init(holder);
    var slowest = Math.max.apply(null, data.edges.map(function (e) { return e.median_seconds || 0; }).concat([1]));
    var busiest = Math.max.apply(null, data.nodes.map(function (n) { return n.events; }).concat([1]));
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          if (p.dataType === "edge") {
            return p.data.source + " → " + p.data.target + "<br>" + data.names.events + ": " + p.data.events +
              "<br>" + data.names.cases + ": " + p.data.cases + "<br>" + data.names.median + ": " + p.data.wait;
          }
          return p.data.name + "<br>" + data.names.events + ": " + p.data.events;
        }
      },
      series: [{
        type: "graph", layout: "none", roam: true, draggable: true,
        label: { show: true, position: "inside", overflow: "break", width: 110 },
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 8,
        edgeLabel: { show: true, fontSize: 10, formatter: function (p) { return p.data.events + " · " + p.data.wait; } },
        data: data.nodes.map(function (n) {
          return { name: n.name, x: n.x, y: n.y, events: n.events, symbolSize: 36 + 34 * n.events / busiest,
                   itemStyle: { color: "#0d6efd" }, label: { color: "#fff" } };
        }),
        links: data.edges.map(function (e) {
          var share = (e.median_seconds || 0) / slowest;
          return { source: e.source, target: e.target, events: e.events, cases: e.cases, wait: e.wait,
                   lineStyle: { width: 1 + 5 * share, color: share > 0.66 ? "#dc3545" : "#6c757d", curveness: 0.15 } };
        })
      }]
    });
    return chart;
  }

  window.collabCharts.register("dfg", graph);
})();
