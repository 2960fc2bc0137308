/* Rows of an editor table ([data-row-editor]) in the responsibility matrix and scorecard forms: add a row
   from its <template>, remove one, and keep the input names "<prefix>-<index>-<field>" numbered 0..n-1 so
   the server reads them in order. Every change fires "rowschanged" on the form, which the live check
   (htmx) listens to. */
(function () {
  "use strict";
  var PREFIX = /^([a-z]+)-(\d+|__i__)-/;
  function renumber(editor) {
    editor.querySelectorAll("tbody > tr[data-row]").forEach(function (tr, index) {
      tr.querySelectorAll("[name],[id],[for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && PREFIX.test(value)) { el.setAttribute(attr, value.replace(PREFIX, "$1-" + index + "-")); }
        });
      });
      var number = tr.querySelector("[data-row-number]");
      if (number) { number.textContent = index + 1; }
    });
  }
  function changed(editor) {
    renumber(editor);
    var form = editor.closest("form");
    if (form && window.htmx) { window.htmx.trigger(form, "rowschanged"); }
  }
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var editor = document.getElementById(add.getAttribute("data-add-row"));
      var template = editor.querySelector("template");
      var body = editor.querySelector("tbody");
      var index = body.querySelectorAll("tr[data-row]").length;
      body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__i__/g, String(index)));
      changed(editor);
      var first = body.lastElementChild.querySelector("select, input");
      if (first) { first.focus(); }
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var owner = remove.closest("[data-row-editor]");
      remove.closest("tr[data-row]").remove();
      changed(owner);
    }
  });
})();
