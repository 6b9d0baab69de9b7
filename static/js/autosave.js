// Autosave of a guided step, and other people's saves shown live (DESIGN.md part 2, "Live discovery sessions").
//
// The step form saves itself ~800 ms after typing stops (and at once on change, blur, or before leaving by a link),
// by POSTing its whole FormData to the step's autosave URL. The form's hidden opened__<field> and
// opened_rows__<list> inputs always hold the fingerprints of the saved values this tab is based on: the server
// writes only the fields whose value is not that one, so a save never overwrites what someone else saved in a field
// this person did not touch. Other people's saves arrive as "section.saved" (firstslice:live, from live.js) or, while
// no socket is open, by polling the state URL every 3 s. A field the person is not typing in takes the new value;
// the field with the focus or with unsaved typing is never touched: a different value there becomes an inline
// conflict ("Priya Shah saved: …", Use theirs / Keep mine). Values are set as values and text as textContent: never
// HTML. Without JavaScript the buttons save as before.
(function () {
  "use strict";

  var form = document.getElementById("step-form");
  if (!form || !form.dataset.autosaveUrl || !window.fetch || !window.FormData || !window.Promise) return;

  var DELAY_MS = 800;
  var CHANGE_DELAY_MS = 200;
  var POLL_MS = 3000;
  var RETRY_MS = 5000;
  var SECTION = form.dataset.section;
  var AUTOSAVE_URL = form.dataset.autosaveUrl;
  var STATE_URL = form.dataset.stateUrl;
  var CLIENT_ID = randomId();

  var progress = document.querySelector("[data-autosave-progress]");
  var status = document.querySelector("[data-autosave-status]");

  // What the server holds, as this tab knows it: for a plain field the text its input had when it matched the
  // saved value (null: unknown, so not saved yet); for a list the serialised inputs of its rows.
  var baseText = {};
  var baseRows = {};
  var conflicts = {}; // field or list -> {fingerprint, rowFingerprints, value, rows, by}
  var deferred = {}; // field or list -> a remote value waiting for the focus to leave it
  var errorNames = {}; // fields (or lists) the server refused: kept as typed, still unsaved
  var timer = null;
  var retryTimer = null;
  var inflight = null;
  var again = false;
  var applying = false;
  var refused = false;
  var failed = false; // the last save did not reach the server (or it failed): leaving asks, as before autosave
  var needsConfirmation = false;
  var submitting = false;
  var catchUp = null;

  function randomId() {
    var bytes = new Uint8Array(8);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function hidden(name) {
    return form.querySelector("input[type=hidden][name='" + CSS.escape(name) + "']");
  }

  function rowsKeys() {
    return Array.prototype.map.call(form.querySelectorAll("input[type=hidden][name^='opened_rows__']"), function (input) {
      return input.name.slice("opened_rows__".length);
    });
  }

  function fieldNames() {
    var lists = rowsKeys();
    return Array.prototype.map.call(form.querySelectorAll("input[type=hidden][name^='opened__']"), function (input) {
      return input.name.slice("opened__".length);
    }).filter(function (name) { return lists.indexOf(name) === -1 && form.elements.namedItem(name); });
  }

  function elementsOf(name) {
    var found = form.elements.namedItem(name);
    if (!found) return [];
    return found instanceof RadioNodeList ? Array.prototype.slice.call(found) : [found];
  }

  function isBoxes(elements) {
    return elements.length > 0 && (elements[0].type === "checkbox" || elements[0].type === "radio");
  }

  function asText(value) {
    if (Array.isArray(value)) return value.map(String).sort().join("\n");
    return value === null || value === undefined ? "" : String(value);
  }

  function fieldValue(name) {
    var elements = elementsOf(name);
    if (isBoxes(elements)) {
      return elements.filter(function (box) { return box.checked; }).map(function (box) { return box.value; }).sort().join("\n");
    }
    return elements.length ? elements[0].value : "";
  }

  function setField(name, value) {
    var elements = elementsOf(name);
    if (isBoxes(elements)) {
      var wanted = Array.isArray(value) ? value.map(String) : [String(value)];
      elements.forEach(function (box) { box.checked = wanted.indexOf(box.value) !== -1; });
    } else if (elements.length) {
      elements[0].value = value === null || value === undefined ? "" : String(value);
    }
  }

  // What a reader sees of a value: a choice's label rather than its code.
  function shownText(name, value) {
    var elements = elementsOf(name);
    var wanted = Array.isArray(value) ? value.map(String) : [String(value)];
    if (elements.length && elements[0].tagName === "SELECT") {
      var option = Array.prototype.find.call(elements[0].options, function (o) { return o.value === wanted[0]; });
      return option ? option.textContent : wanted[0];
    }
    if (isBoxes(elements)) {
      return elements.filter(function (box) { return wanted.indexOf(box.value) !== -1; }).map(function (box) {
        var label = form.querySelector("label[for='" + CSS.escape(box.id) + "']");
        return label ? label.textContent.trim() : box.value;
      }).join(", ");
    }
    return wanted.join("");
  }

  function hasFocus(name) {
    var active = document.activeElement;
    return !!active && active.form === form && active.name === name;
  }

  function listContainer(key) {
    return document.getElementById(key + "-rows");
  }

  function focusInList(key) {
    var container = listContainer(key);
    return !!container && container.contains(document.activeElement);
  }

  function listSnapshot(key) {
    var container = listContainer(key);
    if (!container) return "";
    var parts = [];
    container.querySelectorAll("input, select, textarea").forEach(function (field) {
      if (!field.name) return;
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return;
      parts.push(field.name + "=" + field.value);
    });
    return parts.join("&");
  }

  function fieldDirty(name) {
    return baseText[name] === null || fieldValue(name) !== baseText[name];
  }

  function listDirty(key) {
    return baseRows[key] === null || listSnapshot(key) !== baseRows[key];
  }

  function dirtyNames() {
    return fieldNames().filter(fieldDirty).concat(rowsKeys().filter(listDirty));
  }

  function remember() {
    var unsavedPage = form.dataset.guard === "unsaved";
    fieldNames().forEach(function (name) { baseText[name] = unsavedPage ? null : fieldValue(name); });
    rowsKeys().forEach(function (key) { baseRows[key] = unsavedPage ? null : listSnapshot(key); });
  }

  function setFingerprints(name, fingerprint, rowFingerprints) {
    var input = hidden("opened__" + name);
    if (input && fingerprint !== undefined) input.value = fingerprint;
    var rows = hidden("opened_rows__" + name);
    if (rows && rowFingerprints !== undefined) rows.value = rowFingerprints.join(",");
  }

  function setRevision(revision) {
    var input = form.querySelector("input[name='revision']");
    if (input && revision !== undefined && revision !== null) input.value = String(revision);
  }

  function tell(text) {
    if (status) status.textContent = text;
  }

  function working(text) {
    if (progress) progress.textContent = text;
  }

  function notifyGuard() {
    document.dispatchEvent(new CustomEvent("firstslice:autosave-state"));
  }

  // Other people's values may change what the page computes (the cost step's figures): say the form changed.
  function formChanged() {
    applying = true;
    try {
      form.dispatchEvent(new Event("change", { bubbles: true }));
    } finally {
      applying = false;
    }
  }

  // --- errors at the fields ---------------------------------------------------------------------------------------

  function clearErrors() {
    form.querySelectorAll("[data-autosave-error]").forEach(function (note) {
      var field = note.previousElementSibling;
      note.remove();
      if (field && field.dataset.autosaveInvalid) {
        field.classList.remove("is-invalid");
        field.removeAttribute("aria-invalid");
        delete field.dataset.autosaveInvalid;
        var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
          return id && id !== note.id;
        });
        if (described.length) field.setAttribute("aria-describedby", described.join(" "));
        else field.removeAttribute("aria-describedby");
      }
    });
    errorNames = {};
  }

  function ownerOf(key) {
    // "failure_modes-0-likelihood" belongs to the list "failure_modes"; a plain field is its own owner.
    return key.indexOf("-") === -1 ? key : key.split("-")[0];
  }

  function showErrors(errors) {
    clearErrors();
    Object.keys(errors || {}).forEach(function (key, index) {
      errorNames[ownerOf(key)] = true;
      var elements = elementsOf(key);
      var field = elements.length ? elements[elements.length - 1] : null;
      var note = document.createElement("div");
      note.className = "invalid-feedback d-block";
      note.id = "autosave-error-" + index;
      note.dataset.autosaveError = key;
      note.textContent = "Not saved: " + errors[key].join(" ");
      if (field) {
        elements.forEach(function (element) {
          element.classList.add("is-invalid");
          element.setAttribute("aria-invalid", "true");
          element.dataset.autosaveInvalid = "1";
        });
        field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + note.id).trim());
        field.insertAdjacentElement("afterend", note);
      } else {
        var list = listContainer(key);
        if (list) list.insertAdjacentElement("beforebegin", note);
      }
    });
  }

  // --- inline conflicts -------------------------------------------------------------------------------------------

  function anchorOf(name) {
    return document.getElementById("div_id_" + name) || document.getElementById("rows-" + name);
  }

  function dropConflict(name) {
    delete conflicts[name];
    var box = form.querySelector("[data-conflict-for='" + CSS.escape(name) + "']");
    if (box) box.remove();
    notifyGuard();
  }

  function showConflict(name, conflict) {
    conflicts[name] = conflict;
    var anchor = anchorOf(name);
    if (!anchor) return;
    var box = form.querySelector("[data-conflict-for='" + CSS.escape(name) + "']");
    if (!box) {
      box = document.createElement("div");
      box.className = "alert alert-warning py-2 px-3 small mt-1 live-conflict";
      box.dataset.conflictFor = name;
      box.setAttribute("role", "group");
      anchor.insertAdjacentElement("afterend", box);
    }
    box.replaceChildren();
    box.setAttribute("aria-label", "Conflict: " + (conflict.label || name));
    var theirs = document.createElement("p");
    theirs.className = "mb-1 preserve-lines";
    var who = document.createElement("strong");
    who.textContent = (conflict.by || "Someone else") + " saved: ";
    theirs.append(who, document.createTextNode(conflict.theirsText || "(empty)"));
    var yours = document.createElement("p");
    yours.className = "mb-2 preserve-lines";
    var you = document.createElement("strong");
    you.textContent = "Yours (not saved yet): ";
    yours.append(you, document.createTextNode(conflict.yoursText || (conflict.rows ? "your rows, below" : fieldValue(name)) || "(empty)"));
    var actions = document.createElement("div");
    actions.className = "d-flex flex-wrap gap-2";
    var useTheirs = document.createElement("button");
    useTheirs.type = "button";
    useTheirs.className = "btn btn-sm btn-outline-secondary";
    useTheirs.dataset.conflictChoice = "theirs";
    useTheirs.textContent = "Use theirs";
    var keepMine = document.createElement("button");
    keepMine.type = "button";
    keepMine.className = "btn btn-sm btn-primary";
    keepMine.dataset.conflictChoice = "mine";
    keepMine.textContent = "Keep mine";
    actions.append(useTheirs, keepMine);
    box.append(theirs, yours, actions);
    tell((conflict.by || "Someone else") + " saved " + (conflict.label || "a field") + " while you were typing: choose which to keep.");
    notifyGuard();
  }

  function choose(name, choice) {
    var conflict = conflicts[name];
    if (!conflict) return;
    if (conflict.rows) {
      if (choice === "theirs") rebuildList(name, { rows: conflict.rows });
      setFingerprints(name, conflict.fingerprint, conflict.rowFingerprints);
      baseRows[name] = choice === "theirs" ? listSnapshot(name) : baseRows[name];
    } else {
      if (choice === "theirs") {
        setField(name, conflict.value);
        baseText[name] = fieldValue(name);
      }
      setFingerprints(name, conflict.fingerprint);
    }
    dropConflict(name);
    var field = elementsOf(name)[0] || anchorOf(name);
    if (field && field.focus) field.focus();
    if (choice === "theirs") formChanged();
    saveSoon(0);
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-conflict-choice]");
    if (!button) return;
    var box = button.closest("[data-conflict-for]");
    if (box) choose(box.dataset.conflictFor, button.dataset.conflictChoice);
  });

  // --- rows -------------------------------------------------------------------------------------------------------

  function listNotice(key, text) {
    var section = document.getElementById("rows-" + key);
    if (!section) return;
    var note = section.querySelector("[data-list-notice]");
    if (!text) {
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "small alert alert-info py-1 px-2";
      note.dataset.listNotice = key;
      var list = listContainer(key);
      if (list) list.insertAdjacentElement("beforebegin", note);
    }
    note.textContent = text;
  }

  // The list as saved, rebuilt from the list's own row template (as steps.js adds a row): values, never HTML.
  function rebuildList(key, remote) {
    var container = listContainer(key);
    var template = document.getElementById(key + "-empty");
    var total = document.getElementById("id_" + key + "-TOTAL_FORMS");
    var initial = document.getElementById("id_" + key + "-INITIAL_FORMS");
    if (!container || !template || !total) return;
    var rows = remote.rows || [];
    var built = rows.map(function (row, index) {
      var fragment = template.content.cloneNode(true);
      fragment.querySelectorAll("*").forEach(function (element) {
        Array.prototype.slice.call(element.attributes).forEach(function (attribute) {
          if (attribute.value.indexOf("__prefix__") !== -1) {
            element.setAttribute(attribute.name, attribute.value.replace(/__prefix__/g, String(index)));
          }
        });
      });
      Object.keys(row).forEach(function (column) {
        var fieldName = key + "-" + index + "-" + column;
        var fields = fragment.querySelectorAll("[name='" + CSS.escape(fieldName) + "']");
        fields.forEach(function (field) {
          var value = row[column];
          if (field.type === "checkbox" || field.type === "radio") {
            field.checked = (Array.isArray(value) ? value : [value]).map(String).indexOf(field.value) !== -1;
          } else {
            field.value = value === null || value === undefined ? "" : String(value);
          }
        });
      });
      var number = fragment.querySelector("[data-row-number]");
      if (number) number.textContent = String(index + 1);
      return fragment;
    });
    applying = true;
    try {
      container.replaceChildren.apply(container, built);
      total.value = String(rows.length);
      if (initial) initial.value = String(rows.length);
    } finally {
      applying = false;
    }
  }

  // --- applying what others saved ---------------------------------------------------------------------------------

  function applyRemoteField(name, remote, by) {
    var fingerprintInput = hidden("opened__" + name);
    if (!fingerprintInput || !remote) return false;
    if (remote.fingerprint === fingerprintInput.value && !conflicts[name]) return false;
    var local = fieldValue(name);
    if (asText(remote.value) === local) {
      setFingerprints(name, remote.fingerprint);
      baseText[name] = local;
      if (conflicts[name]) dropConflict(name);
      return false;
    }
    if (!fieldDirty(name) && !conflicts[name]) {
      if (hasFocus(name)) {
        deferred[name] = { remote: remote, by: by };
        return false;
      }
      setField(name, remote.value);
      baseText[name] = fieldValue(name);
      setFingerprints(name, remote.fingerprint);
      return true;
    }
    var label = form.querySelector("label[for='id_" + CSS.escape(name) + "']");
    showConflict(name, {
      fingerprint: remote.fingerprint,
      value: remote.value,
      by: by,
      label: label ? label.textContent.replace(/\*$/, "").trim() : name,
      theirsText: shownText(name, remote.value),
    });
    return false;
  }

  // The rows the list shows (without blank ones: all at the row template's defaults), as column -> value.
  function shownRows(key) {
    var container = listContainer(key);
    var template = document.getElementById(key + "-empty");
    if (!container || !template) return null;
    var rows = [];
    container.querySelectorAll("[data-formset-row]").forEach(function (row) {
      var removed = row.querySelector("[data-formset-delete]");
      if (removed && removed.checked) return;
      var values = {};
      var blank = true;
      row.querySelectorAll("input, select, textarea").forEach(function (field) {
        var match = field.name && field.name.match(/^[^-]+-(\d+)-(.+)$/);
        if (!match || match[2] === "DELETE" || field.type === "hidden") return;
        values[match[2]] = field.value;
        var fresh = template.content.querySelector("[name='" + CSS.escape(key + "-__prefix__-" + match[2]) + "']");
        if (!fresh || fresh.value !== field.value) blank = false;
      });
      if (!blank) rows.push(values);
    });
    return rows;
  }

  function sameRows(key, remote) {
    var shown = shownRows(key);
    var saved = remote.rows || [];
    if (!shown || shown.length !== saved.length) return false;
    return saved.every(function (row, index) {
      return Object.keys(row).every(function (column) { return asText(row[column]) === (shown[index][column] || ""); });
    });
  }

  function applyRemoteRows(key, remote, by) {
    var fingerprintInput = hidden("opened__" + key);
    if (!fingerprintInput || !remote) return false;
    if (remote.fingerprint === fingerprintInput.value) return false;
    if (sameRows(key, remote)) {
      // The list already shows what is saved (a price pick filled it in, or both typed the same): take it as saved.
      setFingerprints(key, remote.fingerprint, remote.row_fingerprints);
      baseRows[key] = listSnapshot(key);
      delete deferred[key];
      listNotice(key, "");
      return false;
    }
    if (deferred[key] && focusInList(key)) {
      deferred[key].remote = remote; // still waiting for the focus to leave the list
      return false;
    }
    if (!listDirty(key) && !conflicts[key]) {
      if (focusInList(key)) {
        deferred[key] = { remote: remote, by: by, rows: true };
        return false;
      }
      rebuildList(key, remote);
      baseRows[key] = listSnapshot(key);
      setFingerprints(key, remote.fingerprint, remote.row_fingerprints);
      listNotice(key, "");
      return true;
    }
    // The person is changing this list: their rows are merged with the saved ones, row by row, when saved.
    listNotice(key, (by || "Someone else") + " changed this list while you were editing it. Your rows will be merged with theirs when they are saved; nothing is lost.");
    if (!timer && !inflight) saveSoon(DELAY_MS);
    return false;
  }

  function applyState(state, by) {
    var changedAny = false;
    Object.keys(state.fields || {}).forEach(function (name) {
      if (applyRemoteField(name, state.fields[name], by || state.updated_by)) changedAny = true;
    });
    Object.keys(state.rows || {}).forEach(function (key) {
      if (applyRemoteRows(key, state.rows[key], by || state.updated_by)) changedAny = true;
    });
    Object.keys(state.sources || {}).forEach(function (name) {
      document.querySelectorAll("[data-source-for='" + CSS.escape(name) + "']").forEach(function (element) {
        element.textContent = state.sources[name];
      });
    });
    if (changedAny) formChanged();
    notifyGuard();
  }

  form.addEventListener("focusout", function (event) {
    var name = event.target && event.target.name;
    if (!name) return;
    window.setTimeout(function () {
      Object.keys(deferred).forEach(function (key) {
        var waiting = deferred[key];
        if (waiting.rows ? focusInList(key) : hasFocus(key)) return;
        delete deferred[key];
        var changed = waiting.rows ? applyRemoteRows(key, waiting.remote, waiting.by) : applyRemoteField(key, waiting.remote, waiting.by);
        if (changed) formChanged();
      });
    }, 0);
  });

  // --- saving -----------------------------------------------------------------------------------------------------

  function saveSoon(delay) {
    if (refused || submitting) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      timer = null;
      save();
    }, delay);
    notifyGuard();
  }

  function savable() {
    return dirtyNames().filter(function (name) { return !conflicts[name]; });
  }

  function answerOf(response) {
    var type = response.headers.get("content-type") || "";
    if (type.indexOf("application/json") === -1) {
      // Sent to the login page (the session ended), or an error page.
      return { status: response.redirected ? "signed_out" : "error", code: response.status };
    }
    return response.json().then(function (answer) {
      answer.code = response.status;
      return answer;
    });
  }

  function save() {
    window.clearTimeout(timer);
    timer = null;
    if (inflight) {
      again = true;
      return inflight;
    }
    if (refused || submitting || (needsConfirmation && !confirmTicked())) return Promise.resolve(false);
    if (catchUp) return catchUp.then(save);
    if (!savable().length) return Promise.resolve(true);
    var sent = { fields: {}, rows: {} };
    fieldNames().forEach(function (name) { sent.fields[name] = fieldValue(name); });
    rowsKeys().forEach(function (key) { sent.rows[key] = listSnapshot(key); });
    var data = new FormData(form);
    data.delete("step_action");
    data.set("hold", Object.keys(conflicts).join(","));
    working("Saving…");
    window.clearTimeout(retryTimer);
    inflight = window.fetch(AUTOSAVE_URL, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Firstslice-Client": CLIENT_ID, Accept: "application/json" },
    })
      .then(answerOf)
      .then(function (answer) { return handle(answer, sent); })
      .catch(function () {
        failed = true;
        working("");
        tell("Not saved: the server could not be reached. Trying again shortly; what you typed is kept.");
        retryTimer = window.setTimeout(function () { saveSoon(0); }, RETRY_MS);
        return false;
      })
      .then(function (ok) {
        inflight = null;
        notifyGuard();
        if (again) {
          again = false;
          saveSoon(0);
        }
        return ok;
      });
    notifyGuard();
    return inflight;
  }

  function handle(answer, sent) {
    working("");
    failed = answer.status === "signed_out" || !answer.status;
    if (answer.status === "saved" || answer.status === "unchanged") {
      applyAnswer(answer, sent);
      if (answer.status === "saved") {
        var text = "Saved at " + answer.saved_at_text + ".";
        if (answer.notice) text += " " + answer.notice;
        tell(text);
      }
      if (answer.errors && Object.keys(answer.errors).length) {
        tell("Some fields are not saved: see the message at each one. The rest is saved.");
        return false;
      }
      return savable().length === 0;
    }
    if (answer.status === "conflict") {
      (answer.conflicts || []).forEach(function (item) {
        var isRows = rowsKeys().indexOf(item.name) !== -1;
        showConflict(item.name, {
          fingerprint: (answer.opened || {})[item.name],
          rowFingerprints: isRows ? (answer.opened_rows || {})[item.name] || [] : undefined,
          value: item.theirs_value,
          rows: isRows ? item.theirs_value : null,
          by: answer.by,
          label: item.label,
          theirsText: item.theirs,
          yoursText: item.yours,
        });
      });
      again = true; // save the other fields now, holding these until the person chooses
      return false;
    }
    if (answer.status === "needs_confirmation") {
      needsConfirmation = true;
      showConfirmation(answer.message);
      tell("Not saved yet: " + answer.message);
      return false;
    }
    if (answer.status === "refused") {
      refused = true;
      tell("Not saved: " + (answer.message || "you may not change this step now."));
      return false;
    }
    if (answer.status === "signed_out") {
      tell("Not saved: you are signed out. Sign in again in another tab, then save; what you typed is kept here.");
      return false;
    }
    failed = true;
    tell("Not saved: the server could not save it just now. Trying again shortly; what you typed is kept.");
    retryTimer = window.setTimeout(function () { saveSoon(0); }, RETRY_MS);
    return false;
  }

  function applyAnswer(answer, sent) {
    setRevision(answer.revision);
    showErrors(answer.errors);
    var differs = answer.differs || [];
    var changedAny = false;
    Object.keys(answer.fields || {}).forEach(function (name) {
      if (errorNames[name] || conflicts[name] || !(name in sent.fields)) return;
      var remote = answer.fields[name];
      if (differs.indexOf(name) !== -1) {
        if (applyRemoteField(name, remote, answer.updated_by)) changedAny = true;
      } else {
        baseText[name] = sent.fields[name];
        setFingerprints(name, remote.fingerprint);
      }
    });
    Object.keys(answer.rows || {}).forEach(function (key) {
      if (errorNames[key] || conflicts[key] || !(key in sent.rows)) return;
      var remote = answer.rows[key];
      if (differs.indexOf(key) !== -1) {
        // Merged with someone else's rows: show the list as saved, unless the person went on editing it.
        if (listSnapshot(key) !== sent.rows[key]) {
          again = true; // typed since: that save merges again, row by row
        } else if (focusInList(key)) {
          // Rebuilt once the focus leaves the list; until then its fingerprints stay those of the rows shown.
          deferred[key] = { remote: remote, by: answer.merged_with || answer.updated_by, rows: true };
          baseRows[key] = sent.rows[key]; // what it shows is saved (merged into the list): not unsaved
          listNotice(key, "Saved. Rows " + (answer.merged_with || "someone else") + " saved show here when you leave this list.");
        } else {
          rebuildList(key, remote);
          baseRows[key] = listSnapshot(key);
          setFingerprints(key, remote.fingerprint, remote.row_fingerprints);
          listNotice(key, answer.merged_with ? "Merged with the rows " + answer.merged_with + " saved." : "");
          changedAny = true;
        }
      } else {
        baseRows[key] = sent.rows[key];
        setFingerprints(key, remote.fingerprint, remote.row_fingerprints);
        listNotice(key, "");
      }
    });
    if (changedAny) formChanged();
    var typedSince = fieldNames().some(function (name) { return fieldValue(name) !== sent.fields[name]; }) ||
      rowsKeys().some(function (key) { return listSnapshot(key) !== sent.rows[key]; });
    if (typedSince) again = true;
  }

  // --- a frozen scope: nothing is saved until the person ticks the existing confirmation ---------------------------

  function confirmBox() {
    return document.getElementById("id_confirm_reopen");
  }

  function confirmTicked() {
    var box = confirmBox();
    return !!box && box.checked;
  }

  function showConfirmation(message) {
    var box = confirmBox();
    if (!box) return;
    box.classList.add("is-invalid");
    box.setAttribute("aria-invalid", "true");
    var note = document.getElementById("confirm-reopen-error");
    if (!note) {
      note = document.createElement("div");
      note.className = "invalid-feedback d-block";
      note.id = "confirm-reopen-error";
      box.parentElement.appendChild(note);
    }
    box.setAttribute("aria-describedby", note.id);
    note.textContent = message + " Nothing is saved until you tick it.";
  }

  // --- events -----------------------------------------------------------------------------------------------------

  // Fields placed inside the step but belonging to another form ("Don't know yet": form="field-question-form")
  // are not step fields: typing there saves nothing here.
  form.addEventListener("input", function (event) {
    if (event.target.form !== form) return;
    if (applying || !event.target.name || event.target.type === "hidden") return;
    if (event.target.id === "id_confirm_reopen") return;
    saveSoon(DELAY_MS);
  });

  form.addEventListener("change", function (event) {
    if (event.target.form !== form) return;
    if (applying || !event.target.name) return;
    if (event.target.id === "id_confirm_reopen") {
      if (event.target.checked) {
        // After the usual pause: a Save button pressed right after the tick saves it all at once instead.
        needsConfirmation = false;
        saveSoon(DELAY_MS);
      }
      return;
    }
    // Not at once: a blur caused by pressing a Save button is followed by its submit, which saves it all.
    saveSoon(CHANGE_DELAY_MS);
  });

  form.addEventListener("submit", function (event) {
    // A button save posts the whole form, with the fingerprints kept up to date here: no autosave after it. With an
    // autosave still in flight it waits for its answer, so that it is not taken for someone else's save.
    window.clearTimeout(timer);
    timer = null;
    if (inflight && !submitting) {
      event.preventDefault();
      var submitter = event.submitter;
      inflight.then(function () {
        submitting = true;
        window.clearTimeout(timer);
        timer = null;
        if (form.requestSubmit) form.requestSubmit(submitter || undefined);
        else form.submit();
      });
      return;
    }
    submitting = true;
  });

  // Leaving by a link saves what is pending first; with a problem to look at, steps.js asks as before.
  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || event.defaultPrevented || link.hasAttribute("download") || link.target === "_blank") return;
      var href = link.getAttribute("href");
      if (href.charAt(0) === "#" || link.closest("[data-discards]")) return;
      // An htmx link ("Don't know yet") stays on the page: it is not leaving, and htmx must see the click.
      if (link.hasAttribute("hx-get") || link.hasAttribute("hx-post")) return;
      if (problem() || !(timer || inflight || savable().length)) return;
      event.preventDefault();
      flush().then(function (ok) {
        if (ok && !unsaved()) window.location.assign(link.href);
      });
    },
    true,
  );

  // A form that writes into this step (the cost step's "Copy prices into this scope") is compared with the step's
  // revision: it waits for a pending autosave, so it does not meet that save as someone else's change.
  document.addEventListener(
    "submit",
    function (event) {
      var other = event.target;
      if (!other || other === form || !other.matches("#model-pick-form")) return;
      pickedWhenSaved = !(timer || inflight) && savable().length === 0;
      if (!(timer || inflight)) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      flush().then(function () {
        if (other.requestSubmit) other.requestSubmit();
      });
    },
    true,
  );

  function problem() {
    return refused || failed || needsConfirmation || Object.keys(conflicts).length > 0 || Object.keys(errorNames).length > 0 ||
      form.hasAttribute("data-conflict-page");
  }

  // A field stays "dirty" until the server's answer confirms it saved, so this covers pending and failed saves too.
  // (A pending timer alone is not unsaved: a blur with nothing new must not flash the note and move the buttons.)
  function unsaved() {
    return dirtyNames().length > 0;
  }

  function flush() {
    window.clearTimeout(timer);
    timer = null;
    var pending = inflight ? inflight.then(save) : save();
    return pending.then(function () { return inflight ? inflight.then(function () { return !unsaved(); }) : !unsaved(); });
  }

  // --- polling and the socket --------------------------------------------------------------------------------------

  function fetchState() {
    return window.fetch(STATE_URL, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(answerOf)
      .then(function (state) {
        if (state && state.status === "state") applyState(state);
      })
      .catch(function () { /* the next poll tries again */ });
  }

  // With the socket open, a check every ~30 s all the same: live messages are fire-and-forget (one sent while Redis
  // restarts is gone), and a lost one would otherwise leave this page behind until its next save.
  var QUIET_POLLS = 10;
  var quietTicks = 0;

  function poll() {
    if (inflight || submitting || document.hidden) return;
    if (window.firstsliceSocketOpen === true && ++quietTicks % QUIET_POLLS !== 0) return;
    fetchState();
  }

  window.setInterval(poll, POLL_MS);

  // The cost step's price pick saved into this step, and costs.js put the copied values into the form: take the
  // saved step as the base (what the form shows is saved), instead of sending those values as this person's edits.
  var pickedWhenSaved = false;

  // Everything was saved when the pick was sent (the pick waits for autosave): the step as saved now is what the
  // form must show, the pick included. Otherwise (a save failed) the values costs.js filled in are kept and merge.
  function takeSaved(state) {
    Object.keys(state.fields || {}).forEach(function (name) {
      if (!hidden("opened__" + name) || !elementsOf(name).length) return;
      setField(name, state.fields[name].value);
      baseText[name] = fieldValue(name);
      setFingerprints(name, state.fields[name].fingerprint);
    });
    Object.keys(state.rows || {}).forEach(function (key) {
      if (!hidden("opened__" + key)) return;
      rebuildList(key, state.rows[key]);
      baseRows[key] = listSnapshot(key);
      setFingerprints(key, state.rows[key].fingerprint, state.rows[key].row_fingerprints);
    });
    setRevision(state.revision);
    formChanged();
    notifyGuard();
  }

  document.addEventListener("cost-prices-copied", function () {
    window.clearTimeout(timer);
    timer = null;
    var wholeStepSaved = pickedWhenSaved;
    catchUp = window.fetch(STATE_URL, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(answerOf)
      .then(function (state) {
        if (state && state.status === "state") {
          if (wholeStepSaved) takeSaved(state);
          else applyState(state);
        }
      })
      .catch(function () { /* the next poll catches up */ })
      .then(function () {
        catchUp = null;
        if (savable().length) saveSoon(DELAY_MS);
      });
  });

  document.addEventListener("firstslice:socket", function (event) {
    if (event.detail && event.detail.state === "open") {
      // Back online: take what was saved meanwhile before saving again.
      catchUp = fetchState().then(function () { catchUp = null; });
    }
  });

  document.addEventListener("firstslice:live", function (event) {
    var message = event.detail || {};
    if (message.type !== "section.saved" || message.section !== SECTION || message.origin === CLIENT_ID) return;
    var by = message.by && message.by.name;
    applyState({ fields: message.fields || {}, rows: message.rows || {}, sources: message.sources || {} }, by);
  });

  remember();
  window.firstsliceFlush = flush;
  // busy: a save is waiting for its pause or for the server's answer (tests wait for it before they end).
  function busy() {
    return Boolean(timer || inflight || catchUp);
  }
  window.firstsliceAutosave = { unsaved: unsaved, problem: problem, busy: busy, clientId: CLIENT_ID };
})();
