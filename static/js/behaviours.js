/* Small page behaviours declared in the markup, so templates carry no inline script or on* attribute
   (the Content-Security-Policy forbids both):
   - data-autosubmit on a form control submits its form when it changes; data-autosubmit-clear="name"
     first empties the named control of the same form (a stale choice that depends on this one);
   - data-print on a button prints the page;
   - data-enter-trigger on an element fires the htmx event "enter" on it when Enter is pressed inside it
     (instead of an htmx trigger filter, which would need eval);
   - data-enter-stays on a field inside a form keeps Enter from submitting the form (a search box that
     searches as one types, inside a form that saves something). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var control = event.target.closest("[data-autosubmit]");
    if (!control || !control.form) { return; }
    var clear = control.getAttribute("data-autosubmit-clear");
    if (clear && control.form.elements[clear]) { control.form.elements[clear].value = ""; }
    control.form.submit();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    if (event.target.closest("[data-enter-stays]")) { event.preventDefault(); }
    var owner = event.target.closest("[data-enter-trigger]");
    if (owner && window.htmx) { window.htmx.trigger(owner, "enter"); }
  });
})();
