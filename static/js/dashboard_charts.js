/* Dashboard charts (ECharts) for the chart registry (charts.js): a trend line, the units × shared KPIs
   heatmap and the units graph. Every chart has a table view in the page; the charts only add the picture
   and the drill-down clicks. */
(function () {
  "use strict";
  var BAND = { green: "#198754", amber: "#ffc107", red: "#dc3545", none: "#adb5bd" };

  function trend(holder, data) {
    var chart = echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "axis" },
      // containLabel: the axis labels ("100", "105.5") and the mark lines' end labels stay inside the chart
      grid: { left: 8, right: 40, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", scale: true },
      series: [{
        type: "line", data: data.values, connectNulls: false, symbolSize: 8,
        itemStyle: { color: "#0d6efd" },
        markLine: { silent: true, symbol: "none", lineStyle: { type: "dashed" },
          data: [{ yAxis: 80, lineStyle: { color: BAND.red } }, { yAxis: 100, lineStyle: { color: BAND.green } }] }
      }]
    });
    return chart;
  }

  // "Parent › Unit" (a name that repeats in the tenant) reads "Unit · Parent" on a narrow axis, so a
  // truncated label still shows which unit it is.
  function ownNameFirst(label) {
    var parts = String(label).split(" › ");
    return parts.length < 2 ? label : parts.slice(1).join(" › ") + " · " + parts[0];
  }

  function heatmap(holder, data) {
    var heat = data.heatmap;
    holder.style.height = Math.max(320, 28 * heat.units.length + 140) + "px";
    var chart = echarts.init(holder);
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          if (p.componentType !== "series" || !p.value) { return echarts.format.encodeHTML(String(p.name || p.value || "")); }
          var unit = heat.units[p.value[1]], kpi = heat.kpis[p.value[0]];
          var score = p.value[2] === null ? "—" : p.value[2];
          return echarts.format.encodeHTML(unit.name) + "<br>" + echarts.format.encodeHTML(kpi.code) +
            (p.value[3] ? " · " + echarts.format.encodeHTML(p.value[3]) : "") + "<br>" + score;
        }
      },
      grid: { left: 8, right: 20, top: 10, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: heat.kpis.map(function (k) { return k.code; }), triggerEvent: true,
        axisLabel: { rotate: 45, interval: 0 } },
      yAxis: { type: "category", inverse: true, data: heat.units.map(function (u) { return u.name; }), triggerEvent: true,
        axisLabel: { width: 150, overflow: "truncate", formatter: ownNameFirst } },
      visualMap: { show: false, type: "piecewise", dimension: 2, pieces: [
        { gte: 100, color: BAND.green }, { gte: 80, lt: 100, color: BAND.amber }, { lt: 80, color: BAND.red }
      ], outOfRange: { color: BAND.none } },
      series: [{ type: "heatmap", data: heat.cells.map(function (c) {
        return { value: c, itemStyle: c[2] === null ? { color: BAND.none } : undefined };
      }), label: { show: heat.kpis.length <= 15, color: "#212529", fontWeight: "bold", formatter: function (p) {
        return p.value[2] === null ? "" : Math.round(p.value[2]);
      } } }]
    });
    chart.on("click", function (p) {
      if (p.componentType === "series") {
        go(data.unit_url + heat.units[p.value[1]].id + "/?period=" + data.period);
      } else if (p.componentType === "yAxis") {
        var unit = heat.units[p.dataIndex !== undefined ? p.dataIndex : heat.units.map(function (u) { return u.name; }).indexOf(p.value)];
        if (unit) { go(data.unit_url + unit.id + "/?period=" + data.period); }
      } else if (p.componentType === "xAxis") {
        var kpi = heat.kpis.filter(function (k) { return k.code === p.value; })[0];
        if (kpi && kpi.matrix && data.matrix_url) { go(data.matrix_url + kpi.matrix + "/"); }
      }
    });
    return chart;
  }

  var FORCE = { initLayout: "circular", repulsion: 700, edgeLength: [120, 260], gravity: 0.08,
    layoutAnimation: false };
  // The graph's distance from the chart's edges: a node's circle reaches at most 20 px from its centre, and
  // its label starts 5 px right of the circle and is cut at 100 px.
  var MARGIN = { top: 40, bottom: 40, left: 40, right: 140 };

  // Where the force layout puts the nodes, run to its end at once in a chart of the same size that is never
  // shown (a circular start instead of a random one: the same picture on every load).
  function forcePositions(nodes, links, width, height) {
    var scratch = echarts.init(document.createElement("div"), null, { width: width, height: height });
    scratch.setOption({ animation: false,
      series: [{ type: "graph", layout: "force", force: FORCE, data: nodes, links: links }] });
    var laidOut = scratch.getModel().getSeriesByIndex(0).getData();
    var points = nodes.map(function (n, i) { return laidOut.getItemLayout(i).slice(); });
    scratch.dispose();
    return points;
  }

  // The points scaled alike both ways and centred in the chart less its margins, and the series box: their
  // own extent, as ECharts maps the nodes' extent onto the box (a box of another shape would stretch the
  // picture, circles into ellipses; a flat extent it widens by 1 on each side, and so does the box).
  function fit(points, width, height) {
    if (!points.length) { return { points: [], box: {} }; }
    var xs = points.map(function (p) { return p[0]; }), ys = points.map(function (p) { return p[1]; });
    var minX = Math.min.apply(null, xs), minY = Math.min.apply(null, ys);
    var spanX = Math.max.apply(null, xs) - minX, spanY = Math.max.apply(null, ys) - minY;
    var roomX = Math.max(width - MARGIN.left - MARGIN.right, 1);
    var roomY = Math.max(height - MARGIN.top - MARGIN.bottom, 1);
    var scale = Math.min(roomX / (spanX || 1), roomY / (spanY || 1));
    var left = MARGIN.left + (roomX - spanX * scale) / 2, top = MARGIN.top + (roomY - spanY * scale) / 2;
    return {
      points: points.map(function (p) { return [left + (p[0] - minX) * scale, top + (p[1] - minY) * scale]; }),
      box: { left: spanX ? left : left - 1, width: spanX ? spanX * scale : 2,
        top: spanY ? top : top - 1, height: spanY ? spanY * scale : 2 }
    };
  }

  function graph(holder, data) {
    var g = data.graph;
    var most = Math.max.apply(null, g.nodes.map(function (n) { return n.degree; }).concat([1]));
    var nodes = g.nodes.map(function (n) {
      return { id: n.id, unit: n.unit, name: n.name, total: n.total, value: n.degree,
        symbolSize: 14 + 26 * n.degree / most, itemStyle: { color: BAND[n.band] || BAND.none } };
    });
    var links = g.links.map(function (l) {
      return { source: l.source, target: l.target, value: l.value, kpis: l.kpis,
        lineStyle: { width: 1 + 2 * l.value, opacity: 0.6 } };
    });
    // The chart draws the finished layout at fixed places fitted to its size: nothing moves after the first
    // frame, however slow the machine, and no node or label lies across the chart's edge.
    var laidOut = forcePositions(nodes, links, holder.offsetWidth, holder.offsetHeight);
    var chart = echarts.init(holder);
    var size = "";
    function placed(series) {  // the series with the nodes placed for the chart's size
      var layout = fit(laidOut, chart.getWidth(), chart.getHeight());
      size = chart.getWidth() + "x" + chart.getHeight();
      nodes.forEach(function (n, i) { n.x = layout.points[i][0]; n.y = layout.points[i][1]; });
      series.data = nodes;
      Object.keys(layout.box).forEach(function (key) { series[key] = layout.box[key]; });
      return series;
    }
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          if (!p.data) { return ""; }
          if (p.dataType === "edge") {
            return p.data.value + ": " + echarts.format.encodeHTML(p.data.kpis.join(", "));
          }
          return echarts.format.encodeHTML(p.data.name) + "<br>" + (p.data.total === null ? "—" : p.data.total);
        }
      },
      series: [placed({
        type: "graph", layout: "none", roam: true, draggable: true,
        label: { show: g.nodes.length <= 40, position: "right", width: 100, overflow: "truncate" },
        labelLayout: { hideOverlap: true },
        links: links
      })]
    });
    // After charts.js has resized the chart (window resized, or its tab shown), the picture is fitted again.
    function refit() {
      if (holder.offsetWidth > 0 && chart.getWidth() + "x" + chart.getHeight() !== size) {
        chart.setOption({ series: [placed({})] });
      }
    }
    window.addEventListener("resize", refit);
    document.addEventListener("shown.bs.tab", refit);
    chart.on("click", function (p) {
      if (p.dataType === "node") { go(data.unit_url + p.data.unit + "/?period=" + data.period); }
    });
    return chart;
  }

  function go(url) { window.location.href = url; }

  window.collabCharts.register("trend", trend);
  window.collabCharts.register("heatmap", heatmap);
  window.collabCharts.register("graph", graph);
})();
