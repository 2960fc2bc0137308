// KPI form: the "Automatic" aggregation choice says which rule it will apply (average for percentages,
// rates, ratios and scores; sum for counts, money and the rest), as the unit and name are typed. The words
// come from the server (goals.services.kpis.default_aggregation), so the page and the save agree.
(function () {
  "use strict";

  function init(select) {
    var form = select.form;
    if (!form) return;
    var unit = form.querySelector("[name=unit]");
    var name = form.querySelector("[name=name]");
    var units = JSON.parse(select.dataset.averagedUnits || "[]");
    var endings = JSON.parse(select.dataset.averagedNames || "[]");
    var exact = JSON.parse(select.dataset.averagedExact || "[]");
    var option = select.querySelector("option[value='']");
    if (!option) return;

    function averaged() {
      var u = (unit ? unit.value : "").trim().toLowerCase();
      var n = (name ? name.value : "").trim().toLowerCase();
      return units.some(function (w) { return u.indexOf(w) !== -1; }) || exact.indexOf(u) !== -1 ||
        endings.some(function (w) { return n.length >= w.length && n.slice(-w.length) === w; });
    }

    function update() {
      var rule = averaged() ? select.dataset.labelAverage : select.dataset.labelSum;
      option.textContent = (select.dataset.labelAuto || "%(rule)s").replace("%(rule)s", rule);
    }

    [unit, name].forEach(function (input) {
      if (input) input.addEventListener("input", update);
    });
    update();
  }

  document.querySelectorAll("select[data-aggregation-auto]").forEach(init);
})();
