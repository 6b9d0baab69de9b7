// Guided steps: add and remove rows of a list without losing anything typed, and print the scope page.
// Loaded as a file because the CSP forbids inline script.
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

  document.addEventListener("change", function (event) {
    var box = event.target.closest("[data-formset-delete]");
    if (!box) return;
    var row = box.closest("[data-formset-row]");
    if (row) row.classList.toggle("is-removed", box.checked);
    var container = box.closest("[data-formset-rows]");
    if (container) renumber(container);
  });
})();
