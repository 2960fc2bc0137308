/* The goals page's live weight sum (appraisal goal proposals): while the employee types a weight, show what
   the personal goals' weights add up to with this proposal (a new goal adds its weight; a weight change or
   revision replaces the chosen goal's). A warning only: the server never refuses a proposal for the sum. */
(function () {
  "use strict";

  function number(text) {
    var value = parseFloat(String(text || "").replace(",", "."));
    return isNaN(value) ? null : value;
  }

  function setUp() {
    var live = document.getElementById("weight-live");
    var form = document.getElementById("goal-proposal-form");
    var source = document.getElementById("goal-weights");
    if (!live || !form || !source) { return; }
    var weights = JSON.parse(source.textContent || "{}");
    var kind = form.querySelector("[data-weight-kind]");
    var weight = form.querySelector("[data-weight-input]");
    var goal = form.querySelector("[data-weight-goal]");
    var value = live.querySelector("[data-weight-live-value]");
    var warning = live.querySelector("[data-weight-live-warning]");
    var pending = number(live.getAttribute("data-weight-pending")) || 0;

    function update() {
      var typed = number(weight && weight.value);
      if (typed === null) { live.hidden = true; return; }
      var total = pending + typed;
      if (kind && kind.value !== "new" && goal && weights[goal.value] !== undefined) {
        total -= number(weights[goal.value]) || 0;
      }
      total = Math.round(total * 100) / 100;
      value.textContent = String(total);
      warning.hidden = total === 100;
      live.hidden = false;
    }

    [kind, weight, goal].forEach(function (input) {
      if (input) { input.addEventListener("input", update); input.addEventListener("change", update); }
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
