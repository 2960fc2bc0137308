/* Strategy map for the chart registry (charts.js): objectives in four balanced-scorecard bands, cause →
   effect arrows (ECharts graph series). */
(function () {
  "use strict";
  window.collabCharts.register("strategy-map", function (holder, data) {
    var colours = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1"];
    var bandLabelX = -260;

    var nodes = data.nodes.map(function (node) {
      var collaborative = node.kpis.some(function (kpi) { return kpi.collaborative; });
      return {
        id: node.id,
        name: node.name,
        x: node.x,
        y: node.y,
        category: node.category,
        symbol: "roundRect",
        symbolSize: [180, 48],
        itemStyle: { color: colours[node.category % colours.length], borderColor: collaborative ? "#ffc107" : "#fff", borderWidth: collaborative ? 3 : 1 },
        label: { show: true, color: "#fff", width: 170, overflow: "truncate", fontSize: 12 },
        tooltip: {
          formatter: function () {
            var lines = [echarts.format.encodeHTML(node.name)];
            node.kpis.forEach(function (kpi) {
              lines.push(echarts.format.encodeHTML(kpi.code) + (kpi.collaborative ? " ★" : ""));
            });
            return lines.join("<br>");
          }
        }
      };
    });
    // Band titles: fixed, non-interactive nodes at the left of each perspective row.
    data.bands.forEach(function (band, index) {
      nodes.push({
        id: "band-" + index,
        name: band.label,
        x: bandLabelX,
        y: band.y,
        symbol: "rect",
        symbolSize: [150, 30],
        silent: true,
        itemStyle: { color: "#f8f9fa", borderColor: colours[index % colours.length], borderWidth: 2 },
        label: { show: true, color: "#212529", fontWeight: "bold" },
        tooltip: { show: false }
      });
    });

    var rowOf = {};
    data.nodes.forEach(function (node) { rowOf[node.id] = node.category; });

    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "item", confine: true },
      legend: { data: data.categories.map(function (c) { return c.name; }), bottom: 0 },
      animation: false,
      series: [{
        type: "graph",
        layout: "none",
        roam: true,
        draggable: false,
        categories: data.categories.map(function (category, index) {
          return { name: category.name, itemStyle: { color: colours[index % colours.length] } };
        }),
        data: nodes,
        links: data.links.map(function (link) {
          // Links inside one band arc clearly above the row instead of running along it.
          var sameBand = rowOf[link.source] === rowOf[link.target];
          return { source: link.source, target: link.target, lineStyle: sameBand ? { curveness: 0.5 } : {} };
        }),
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 10,
        lineStyle: { color: "#6c757d", width: 1.5, curveness: 0.15, opacity: 0.9 },
        emphasis: { focus: "adjacency", lineStyle: { width: 3 } }
      }]
    });
    return chart;
  });
})();
