// Guided steps: add and remove rows of a list without losing anything typed, warn before leaving a step with unsaved
// changes, and print the scope page. Loaded as a file because the CSP forbids inline script.
(function () {
  "use strict";

  function renumber(container) {
    var number = 0;
    container.querySelectorAll("[data-formset-row]").forEach(function (row) {
      var removed = row.querySelector("[data-formset-delete]");
      var label = row.querySelector("[data-row-number]");
      if (removed && removed.checked) {
        if (label) label.textContent = "";
        return;
      }
      number += 1;
      if (label) label.textContent = String(number);
    });
  }

  function addRow(prefix) {
    var template = document.getElementById(prefix + "-empty");
    var container = document.getElementById(prefix + "-rows");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!template || !container || !total) return;
    var index = parseInt(total.value, 10) || 0;
    if (max && index >= parseInt(max.value, 10)) {
      window.alert("This list is full. Remove a row before adding another.");
      return;
    }
    var fragment = template.content.cloneNode(true);
    fragment.querySelectorAll("*").forEach(function (element) {
      Array.prototype.slice.call(element.attributes).forEach(function (attribute) {
        if (attribute.value.indexOf("__prefix__") !== -1) {
          element.setAttribute(attribute.name, attribute.value.replace(/__prefix__/g, String(index)));
        }
      });
    });
    var row = fragment.querySelector("[data-formset-row]");
    container.appendChild(fragment);
    total.value = String(index + 1);
    renumber(container);
    var first = row && row.querySelector(".row-fields input:not([type=hidden]), .row-fields textarea, .row-fields select");
    if (first) first.focus();
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-formset-add]");
    if (add) {
      event.preventDefault();
      addRow(add.dataset.formsetAdd);
      return;
    }
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // --- unsaved changes --------------------------------------------------------------------------------------------
  // Every form marked data-guard (the step form, the park-a-question form) remembers what it showed when the page
  // opened. Leaving the page by a link, the step navigator, the browser's Back or a reload while one of them differs
  // asks first. Saving (submitting the step form) is not leaving; a link marked data-discards says so itself.
  var LEAVE_MESSAGE = "This step has changes that are not saved yet. Leave the page and lose them?";
  var IGNORED = /^(csrfmiddlewaretoken|confirm_reopen|park-confirm_reopen|opened__.*|.*-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)$/;
  var leaving = false;

  function snapshot(form) {
    var parts = [];
    new FormData(form).forEach(function (value, name) {
      if (IGNORED.test(name)) return;
      var text = typeof value === "string" ? value : value.name;
      if (text === "") return; // a blank row added and left empty loses nothing
      parts.push(name + "=" + text);
    });
    return parts.join("&");
  }

  function watch(root) {
    (root || document).querySelectorAll("form[data-guard]").forEach(function (form) {
      // A form shown again after a refused save (errors, a conflict) holds what was typed and not saved yet.
      form.dataset.opened = form.dataset.guard === "unsaved" ? "\u0000unsaved" : snapshot(form);
    });
  }

  function unsaved() {
    return Array.prototype.some.call(document.querySelectorAll("form[data-guard]"), function (form) {
      // The step form saves itself (autosave.js): it is unsaved while a save is pending, in flight or refused.
      if (form.id === "step-form" && window.firstsliceAutosave) return window.firstsliceAutosave.unsaved();
      return form.dataset.opened !== undefined && snapshot(form) !== form.dataset.opened;
    });
  }

  function showState() {
    var note = document.querySelector("[data-unsaved-note]");
    if (note) note.hidden = !unsaved();
  }

  watch();
  document.addEventListener("input", showState);
  document.addEventListener("change", showState);
  document.addEventListener("firstslice:autosave-state", showState);

  window.addEventListener("beforeunload", function (event) {
    if (leaving || !unsaved()) return;
    event.preventDefault();
    event.returnValue = LEAVE_MESSAGE; // older browsers show it; current ones show their own words
  });

  document.addEventListener("submit", function (event) {
    // htmx stops its own submits (the park form) before this listener runs: those do not leave the page.
    if (!event.defaultPrevented) leaving = true;
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || event.defaultPrevented || link.hasAttribute("download") || link.target === "_blank") return;
    var href = link.getAttribute("href");
    if (href.charAt(0) === "#" || link.closest("[data-discards]")) return; // within the page, or "Take theirs"
    if (!unsaved()) return;
    if (window.confirm(LEAVE_MESSAGE)) {
      leaving = true;
    } else {
      event.preventDefault();
    }
  });

  // A question parked inline: its panel was swapped in; watch the fresh form and put the focus somewhere useful.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    var panel = document.getElementById("park-question");
    if (!panel || !target || target.id !== "park-question") return;
    watch(panel);
    var invalid = panel.querySelector(".is-invalid");
    var done = panel.querySelector("[data-parked]");
    if (invalid) invalid.focus();
    else if (done) panel.focus();
    showState();
  });

  document.addEventListener("change", function (event) {
    var box = event.target.closest("[data-formset-delete]");
    if (!box) return;
    var row = box.closest("[data-formset-row]");
    if (row) row.classList.toggle("is-removed", box.checked);
    var container = box.closest("[data-formset-rows]");
    if (container) renumber(container);
  });
})();
