/* Goal tree: collapse and expand nodes (a collapsed branch that was never rendered loads through htmx),
   and the live sum of sibling weights while typing (100 is required to publish). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".goal-toggle");
    if (!toggle) { return; }
    var list = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (list) { list.hidden = !open; }
  });
  function updateSum(form) {
    var sum = 0;
    form.querySelectorAll(".weight-input").forEach(function (input) {
      var value = parseFloat(input.value);
      if (!isNaN(value)) { sum += value; }
    });
    var out = form.querySelector("[data-weight-sum]");
    if (!out) { return; }
    var ok = Math.abs(sum - 100) < 0.005;
    out.textContent = sum.toFixed(2);
    out.classList.toggle("text-bg-success", ok);
    out.classList.toggle("text-bg-danger", !ok);
    var hint = form.querySelector("[data-weight-hint]");
    if (hint) { hint.hidden = ok; }
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches(".weight-input")) { updateSum(event.target.closest("form")); }
  });
})();
