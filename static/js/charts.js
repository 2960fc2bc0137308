/* The one way charts start. A chart holder names its kind and its data in the markup:
     <div data-chart="heatmap" data-source="collab-data"></div>  {{ chart|json_script:"collab-data" }}
   and a chart module registers each kind it draws: collabCharts.register("heatmap", function (holder, data)
   { ...; return echartsInstance; }). Load order (all with defer): echarts, this file, the chart modules.
   Charts in a hidden tab are drawn when their tab opens (at zero size they would lay out wrong), and charts
   on screen follow window resizes. Every chart also has a table view in its page. */
(function () {
  "use strict";
  var kinds = {};
  var charts = [];
  var pending = [];
  var started = false;

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function visible(holder) { return holder.offsetWidth > 0 && holder.offsetHeight > 0; }

  function draw(holder) {
    var make = kinds[holder.getAttribute("data-chart")];
    var data = read(holder.getAttribute("data-source"));
    if (make && data) {
      var chart = make(holder, data);
      if (chart) {
        charts.push(chart);
        // Drawn, entry animation included: data-chart-finished (what a browser test waits for).
        chart.on("finished", function () { holder.setAttribute("data-chart-finished", ""); });
      }
    }
  }

  function scan(kind) {
    document.querySelectorAll(kind ? '[data-chart="' + kind + '"]' : "[data-chart]").forEach(function (holder) {
      if (visible(holder)) { draw(holder); } else { pending.push(holder); }
    });
  }

  function resizeVisible() {
    charts.forEach(function (chart) { if (visible(chart.getDom())) { chart.resize(); } });
  }

  function start() {
    started = true;
    if (typeof echarts === "undefined") { return; }
    scan();
    document.addEventListener("shown.bs.tab", function () {
      pending = pending.filter(function (holder) {
        if (visible(holder)) { draw(holder); return false; }
        return true;
      });
      resizeVisible();
    });
    window.addEventListener("resize", resizeVisible);
  }

  window.collabCharts = {
    register: function (kind, make) {
      kinds[kind] = make;
      // A module registered after the page started (loaded late) still draws its holders.
      if (started && typeof echarts !== "undefined") { scan(kind); }
    }
  };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
