// Cost step: after "Copy prices into this scope", put the copied values into the step form's inputs, so nothing
// else typed is lost and the live figures recompute. The prices go into one model step's row (steps-N-…): the saved
// step that was picked, or for a new step a row added with the list's own add button. A row the person typed into is
// never filled unasked. The server saved the copy (revision + 1); the step form's revision follows, so the person's
// next save is not mistaken for a conflict with their own pick.
(function () {
  "use strict";

  var STEPS = "steps";

  function stepForm() {
    return document.getElementById("step-form");
  }

  function setField(form, name, value) {
    const field = form.elements.namedItem(name);
    if (!field || field instanceof RadioNodeList) {
      return;
    }
    if (name === "currency" && field.value.trim() !== "") {
      return; // the person's own currency choice wins; the server only fills a blank one
    }
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function managementValue(name) {
    const input = document.getElementById("id_" + STEPS + "-" + name);
    return input ? parseInt(input.value, 10) || 0 : 0;
  }

  function rowIndex(row) {
    const field = row.querySelector("[name^='" + STEPS + "-']");
    const match = field && field.name.match(/^steps-(\d+)-/);
    return match ? parseInt(match[1], 10) : -1;
  }

  function rows() {
    const container = document.getElementById(STEPS + "-rows");
    return container ? Array.prototype.slice.call(container.querySelectorAll("[data-formset-row]")) : [];
  }

  // Whether the row holds just what a row fresh from the list's "add" button holds (its defaults, nothing typed) and
  // is not marked for removal. Compared with the list's row template rather than with what the page was served, so a
  // row typed before a refused save (and shown again with it) is never taken for a blank one.
  function blank(row) {
    const template = document.getElementById(STEPS + "-empty");
    const index = rowIndex(row);
    if (!template || index < 0) return false;
    return Array.prototype.every.call(row.querySelectorAll("input, select, textarea"), function (field) {
      if (field.type === "hidden") return true;
      if (field.type === "checkbox" || field.type === "radio") return !field.checked;
      const name = field.name.replace(STEPS + "-" + index + "-", STEPS + "-__prefix__-");
      const fresh = template.content.querySelector("[name='" + name + "']");
      return fresh !== null && field.value === fresh.value;
    });
  }

  // The row of a saved step: one this script filled for it before, else the row the page showed at its place
  // (rows are only ever added at the end, so the saved ones keep their places until the page is saved).
  function savedStepRow(index) {
    const filled = rows().filter(function (row) {
      return row.dataset.savedStep === String(index);
    });
    if (filled.length) return filled[0];
    if (index >= managementValue("INITIAL_FORMS")) return null;
    const shown = rows().filter(function (row) {
      return rowIndex(row) === index && row.dataset.savedStep === undefined;
    });
    return shown.length ? shown[0] : null;
  }

  // A row for a new step: the blank one at the end of the list if nobody typed into it, else one added by the
  // list's "add" button, exactly as the person would add it.
  function freshRow() {
    const all = rows();
    const last = all[all.length - 1];
    if (last && rowIndex(last) >= managementValue("INITIAL_FORMS") && !last.dataset.savedStep && blank(last)) {
      return last;
    }
    const add = document.querySelector("[data-formset-add='" + STEPS + "']");
    const before = managementValue("TOTAL_FORMS");
    if (!add) return null;
    add.click();
    if (managementValue("TOTAL_FORMS") === before) return null; // the list is full; the step is saved all the same
    const added = rows();
    return added[added.length - 1];
  }

  // A saved step's row takes only what the pick wrote (its name, calls and tokens stay as typed); a row new to the
  // page takes all of the step's values.
  function fillStep(form, step) {
    const values = step.values || {};
    let names = step.copied || Object.keys(values);
    let row = step.new ? null : savedStepRow(step.index);
    if (!row) {
      row = freshRow();
      names = Object.keys(values);
    }
    if (!row) return;
    row.dataset.savedStep = String(step.index);
    const index = rowIndex(row);
    names.forEach(function (name) {
      if (name in values) {
        setField(form, STEPS + "-" + index + "-" + name, values[name]);
      }
    });
  }

  // The picker's "Into" choices follow the saved steps, so a step just added can be picked into again.
  function setTargets(targets, chosen) {
    const select = document.getElementById("model-pick-step");
    if (!select || !targets) return;
    select.replaceChildren();
    targets.forEach(function (target) {
      select.add(new Option(target.label, target.value, false, target.value === chosen));
    });
    select.required = false;
  }

  function setRevision(revision) {
    const form = stepForm();
    const targets = [document.querySelector("#model-pick-form [name='revision']")];
    if (form) {
      targets.push(form.querySelector("[name='revision']"));
    }
    targets.forEach(function (input) {
      if (input) {
        input.value = String(revision);
      }
    });
  }

  document.addEventListener("cost-prices-copied", function (event) {
    const detail = event.detail || {};
    const form = stepForm();
    if (form && detail.values) {
      Object.keys(detail.values).forEach(function (name) {
        setField(form, name, detail.values[name]);
      });
    }
    if (form && detail.step) {
      fillStep(form, detail.step);
    }
    if (detail.step) {
      setTargets(detail.targets, String(detail.step.index));
    }
    if (detail.revision !== undefined) {
      setRevision(detail.revision);
    }
  });

  // The pick is made against the revision the person's form is editing, which may be newer than the page's.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.target.closest || !event.target.closest("#model-pick-form")) {
      return;
    }
    const form = stepForm();
    const revision = form && form.querySelector("[name='revision']");
    if (revision && revision.value !== "") {
      if (event.detail.formData) {
        event.detail.formData.set("revision", revision.value);
      } else {
        event.detail.parameters.revision = revision.value;
      }
    }
  });
})();
