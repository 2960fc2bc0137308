/* Rows of an editor table ([data-row-editor]) in the responsibility matrix and scorecard forms: add a row
   from its <template>, remove one, and keep the input names "<prefix>-<index>-<field>" numbered 0..n-1 so
   the server reads them in order. Every change fires "rowschanged" on the form, which the live check
   (htmx) listens to.
   An answer of the live check that arrives while a button or link is pressed (mouse or finger) waits for the
   release: its messages change the height of the rows, which moves the Save button; between press and
   release that would take the button from under the pointer, the release would land beside it, and the
   click, the save with it, would be lost without a word. (Only buttons and links: a <select> opens its own
   popup on the press, and the page may never see that release.) */
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
  var pressed = false;
  var held = [];
  document.addEventListener("pointerdown", function (event) {
    pressed = !!event.target.closest("button, a[href], input[type=submit]");
  }, true);
  function released() {
    pressed = false;
    // After the click this release makes (dispatched with it, before any timer runs).
    window.setTimeout(function () {
      var answers = held;
      held = [];
      answers.forEach(function (answer) { window.htmx.swap(answer.target, answer.html, answer.spec); });
    }, 0);
  }
  document.addEventListener("pointerup", released, true);
  document.addEventListener("pointercancel", released, true);
  window.addEventListener("blur", released);
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var form = detail.elt.closest("form");
    if (!pressed || !detail.shouldSwap || !form || !form.querySelector("[data-row-editor]")) { return; }
    detail.shouldSwap = false;
    var style = (detail.elt.getAttribute("hx-swap") || window.htmx.config.defaultSwapStyle).split(" ")[0];
    held.push({ target: detail.target, html: detail.serverResponse, spec: { swapStyle: style } });
  });
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
