// Cost step: after "Copy prices into this scope", put the copied values into the step form's inputs, so nothing
// else typed is lost and the live figures recompute. The server saved the copy (revision + 1); the step form's
// revision follows, so the person's next save is not mistaken for a conflict with their own pick.
(function () {
  "use strict";

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
