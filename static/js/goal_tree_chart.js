/* Goal tree chart for the chart registry (charts.js): the tree as an ECharts tree series; a double click
   on a node reopens the page focused on its branch. */
(function () {
  "use strict";
  window.collabCharts.register("goal-tree", function (holder, data) {
    var chart = echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "item", triggerOn: "mousemove" },
      series: [{
        type: "tree", data: [data], top: "2%", left: "12%", bottom: "2%", right: "22%", symbolSize: 10,
        initialTreeDepth: 2, expandAndCollapse: true, animationDuration: 250,
        label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 11 },
        leaves: { label: { position: "right", verticalAlign: "middle", align: "left" } }
      }]
    });
    chart.on("dblclick", function (params) {
      if (params.data && params.data.id) {
        var url = new URL(window.location.href);
        url.searchParams.set("focus", params.data.id);
        window.location.href = url.toString();
      }
    });
    return chart;
  });
})();
