/* Searchable pickers of units, positions and people (collab.forms.pickers): every <select data-picker>
   becomes a Tom Select that asks the JSON API for a page of matches as the user types (`?q=`), instead of
   the page listing every unit. The page renders only the chosen option; the server validates whatever is
   posted. Attributes (written by collab.forms.pickers.picker_attrs):
   - data-picker: "unit" | "position" | "person" (how a result is labelled);
   - data-picker-url: the API list endpoint to search;
   - data-picker-placeholder, data-picker-empty: words in the reader's language.
   A change fires the select's own change event, so data-autosubmit and htmx triggers keep working.
   Content swapped in by htmx or added by the row editors is set up too.

   Typed references (the row editors' "CODE · name" inputs, collab.forms.editors; employee numbers,
   collab.forms.pickers.PickerTextInput): their <datalist> carries the same data-picker attributes and
   holds only the server's matches for what is typed. */
(function () {
  "use strict";

  var LABELS = {
    unit: function (r) {
      return (r.parent_name ? r.parent_name + " \u203a " : "") + r.name + " (" + r.code + ")";
    },
    position: function (r) {
      return r.title + " (" + r.code + ")" + (r.org_unit_name ? " \u00b7 " + r.org_unit_name : "");
    },
    person: function (r) {
      return [r.name, r.org_unit_name, r.position_title].filter(Boolean).join(" \u00b7 ");
    }
  };

  function setUp(select) {
    if (select.tomselect || !window.TomSelect) { return; }
    var label = LABELS[select.getAttribute("data-picker")];
    var url = select.getAttribute("data-picker-url");
    if (!label || !url) { return; }
    var words = { empty: select.getAttribute("data-picker-empty") || "" };
    var hasEmpty = !!select.querySelector("option[value='']");
    new window.TomSelect(select, {
      valueField: "value",
      labelField: "text",
      searchField: [],
      maxOptions: null,  // the API's page (50) is the limit
      loadThrottle: 250,
      allowEmptyOption: false,  // "(top level)", "All units"… is the clear button's, not a result
      placeholder: select.getAttribute("data-picker-placeholder") || "",
      plugins: hasEmpty ? ["clear_button"] : [],
      // The server has searched: show what it answered for this very text, in its order (not the chosen
      // option or an earlier answer while the new one is on its way).
      score: function (search) {
        var query = search.trim();
        return function (item) { return item.q === query ? 1 : 0; };
      },
      shouldLoad: function (query) { return query.trim().length > 0; },
      load: function (query, callback) {
        var self = this;
        var address = url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query.trim());
        fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
          .then(function (data) {
            self.clearOptions();
            callback((data.results || []).map(function (row) {
              return { value: String(row.id), text: label(row), q: query.trim() };
            }));
          })
          .catch(function () { callback(); });
      },
      render: {
        no_results: function () { return "<div class=\"no-results\">" + escapeHtml(words.empty) + "</div>"; }
      }
    });
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function setUpWithin(root) {
    if (!root || !root.querySelectorAll) { return; }
    if (root.matches && root.matches("select[data-picker]")) { setUp(root); }
    root.querySelectorAll("select[data-picker]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpWithin(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) { change.addedNodes.forEach(setUpWithin); });
    }).observe(document.body, { childList: true, subtree: true });
  });
  document.addEventListener("htmx:load", function (event) { setUpWithin(event.target); });

  // Typed references: "CODE · name", as collab.forms.editors.reference_label writes them.
  var SEPARATOR = " \u00b7 ";
  var REFERENCES = {
    unit: function (r) { return [r.code + SEPARATOR + r.name, r.parent_name || ""]; },
    position: function (r) { return [r.code + SEPARATOR + r.title, r.org_unit_name || ""]; },
    employee: function (r) { return [r.employee_no, r.name]; }
  };
  var timers = new WeakMap();

  function typed(input) { return input.value.split(SEPARATOR)[0].trim(); }

  document.addEventListener("input", function (event) {
    var input = event.target;
    var list = input.list;
    if (!list || !list.hasAttribute("data-picker")) { return; }
    var reference = REFERENCES[list.getAttribute("data-picker")];
    var url = list.getAttribute("data-picker-url");
    var query = typed(input);
    window.clearTimeout(timers.get(input));
    if (!reference || !url || !query) { return; }
    timers.set(input, window.setTimeout(function () {
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query),
            { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (data) {
          if (typed(input) !== query) { return; }  // typed on since: a newer answer comes
          list.replaceChildren.apply(list, (data.results || []).map(function (row) {
            var words = reference(row);
            var option = document.createElement("option");
            option.value = words[0];
            option.textContent = words[1];
            return option;
          }));
        })
        .catch(function () { return null; });
    }, 250));
  });
})();
