// The live channel of a project page (#12): ws(s)://<host>/ws/projects/<id>/ wherever [data-live-project] exists.
// Every message received is dispatched as a "firstslice:live" event (autosave.js and others listen); every change of
// the socket's state as "firstslice:socket" with window.firstsliceSocketOpen kept in step. It reconnects with
// exponential backoff, shows who is on the project (textContent only: names are data, never markup), and moves an
// attendee who ticked "Follow the facilitator" with the facilitator, never away from text that is not saved.
(function () {
  "use strict";

  window.firstsliceSocketOpen = false;
  var root = document.querySelector("[data-live-project]");
  if (!root || !("WebSocket" in window)) return;

  var projectId = root.dataset.liveProject;
  var myId = Number(root.dataset.liveUser);
  var step = root.dataset.liveStep || "";
  var followKey = "firstslice:follow:" + projectId;
  var stateEl = root.querySelector("[data-live-state]");
  var peopleEl = root.querySelector("[data-live-people]");
  var followBox = root.querySelector("[data-live-follow]");
  var followWrap = root.querySelector("[data-live-follow-wrap]");
  var noticeEl = root.querySelector("[data-live-notice]");
  var WORDS = {
    connecting: "Connecting…",
    open: "Live",
    reconnecting: "Reconnecting…",
    offline: "Offline — changes are saved and checked every few seconds",
    refused: "Not live: you no longer have access to this project",
    "signed-out": "Not live: you are signed out",
  };
  var MAX_DELAY_MS = 30000;
  var socket = null;
  var failures = 0;
  var retryTimer = null;
  var stopped = false;
  var leaving = false;
  var hidden = false;
  var facilitatorUrl = "";
  var following = false;

  try {
    following = window.sessionStorage.getItem(followKey) === "1";
  } catch (error) {
    following = false;
  }
  if (followBox) followBox.checked = following;

  function showState(name) {
    if (stateEl) stateEl.textContent = WORDS[name] || name;
    root.dataset.liveStatus = name; // for tests and styles: connecting, open, reconnecting, offline, ...
  }

  function notice(text) {
    if (noticeEl) noticeEl.textContent = text;
  }

  function setOpen(open) {
    if (window.firstsliceSocketOpen === open) return;
    window.firstsliceSocketOpen = open;
    document.dispatchEvent(new CustomEvent("firstslice:socket", { detail: { state: open ? "open" : "closed" } }));
  }

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    var query = "?step=" + encodeURIComponent(step) + "&path=" + encodeURIComponent(window.location.pathname);
    return scheme + "//" + window.location.host + "/ws/projects/" + encodeURIComponent(projectId) + "/" + query;
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function sendPresence() {
    send({ type: "presence", step: step, path: window.location.pathname, follow: following });
  }

  function humanStep(key) {
    if (!key) return "";
    var words = String(key).replace(/[_-]+/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function renderPeople(people) {
    if (!peopleEl) return;
    var items = [];
    var meFacilitating = false;
    facilitatorUrl = "";
    people.forEach(function (person) {
      if (person.facilitator) {
        facilitatorUrl = typeof person.url === "string" ? person.url : "";
        if (person.id === myId) meFacilitating = true;
      }
      var item = document.createElement("li");
      item.className = "list-inline-item me-1";
      item.dataset.personId = String(person.id);
      item.dataset.step = person.step || "";
      var badge = document.createElement("span");
      badge.className = "badge rounded-pill " + (person.facilitator ? "text-bg-primary" : "text-bg-secondary");
      badge.setAttribute("aria-hidden", "true");
      badge.textContent = person.initials || "?";
      var words = document.createElement("span");
      words.className = "visually-hidden";
      var where = humanStep(person.step);
      words.textContent =
        (person.name || "") +
        ", " +
        (person.role || "") +
        (person.facilitator ? ", facilitator" : "") +
        (where ? ", on " + where : "") +
        (person.id === myId ? " (you)" : "");
      item.title = words.textContent;
      item.appendChild(badge);
      item.appendChild(words);
      items.push(item);
    });
    peopleEl.replaceChildren.apply(peopleEl, items);
    // The facilitator leads; following is for everyone else.
    if (followWrap) followWrap.hidden = meFacilitating;
  }

  // Would leaving this page lose typed text? Only asked when autosave has no flush to offer.
  function unsavedText() {
    var fields = document.querySelectorAll("form[data-guard] input, form[data-guard] textarea, form[data-guard] select");
    return Array.prototype.some.call(fields, function (field) {
      if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
      if (field.tagName === "SELECT") {
        return Array.prototype.some.call(field.options, function (option) {
          return option.selected !== option.defaultSelected;
        });
      }
      return field.type !== "hidden" && field.value !== field.defaultValue;
    });
  }

  function goTo(url) {
    if (!following || leaving || !url || url === window.location.pathname) return;
    if (url.indexOf("/projects/" + projectId + "/") !== 0) return; // only within this project
    var flushed;
    if (typeof window.firstsliceFlush === "function") {
      flushed = Promise.resolve().then(function () {
        return window.firstsliceFlush();
      });
    } else if (unsavedText()) {
      flushed = Promise.reject(new Error("unsaved"));
    } else {
      flushed = Promise.resolve();
    }
    leaving = true;
    flushed.then(
      function () {
        window.location.assign(url);
      },
      function () {
        leaving = false;
        notice("Not following yet: save what you typed here first.");
      },
    );
  }

  function onMessage(event) {
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (!message || typeof message !== "object" || typeof message.type !== "string") return;
    if (message.type === "presence.state" && Array.isArray(message.people)) {
      renderPeople(message.people);
    } else if (message.type === "facilitator.step" && typeof message.url === "string") {
      facilitatorUrl = message.url;
      goTo(message.url);
    }
    document.dispatchEvent(new CustomEvent("firstslice:live", { detail: message }));
  }

  function scheduleReconnect() {
    failures += 1;
    showState(failures > 2 ? "offline" : "reconnecting");
    var delay = Math.min(MAX_DELAY_MS, 1000 * Math.pow(2, failures - 1));
    delay = delay / 2 + Math.random() * (delay / 2); // jitter: a restarted server is not hit by every tab at once
    retryTimer = window.setTimeout(connect, delay);
  }

  function connect() {
    retryTimer = null;
    if (stopped) return;
    try {
      socket = new WebSocket(socketUrl());
    } catch (error) {
      scheduleReconnect();
      return;
    }
    socket.addEventListener("open", function () {
      failures = 0;
      showState("open");
      notice("");
      setOpen(true);
      sendPresence();
    });
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", function (event) {
      socket = null;
      setOpen(false);
      if (hidden) return; // the page is going away or into the back/forward cache
      if (event.code === 4403 || event.code === 4401) {
        stopped = true;
        showState(event.code === 4403 ? "refused" : "signed-out");
        if (peopleEl) peopleEl.replaceChildren();
        return;
      }
      scheduleReconnect();
    });
  }

  if (followBox) {
    followBox.addEventListener("change", function () {
      following = followBox.checked;
      try {
        window.sessionStorage.setItem(followKey, following ? "1" : "0");
      } catch (error) {
        // private mode: following lasts for this page only
      }
      notice("");
      sendPresence();
      if (following) goTo(facilitatorUrl);
    });
  }

  // A tab put back from the back/forward cache has a closed socket: open a fresh one.
  window.addEventListener("pagehide", function () {
    hidden = true;
    if (retryTimer) window.clearTimeout(retryTimer);
    retryTimer = null;
    if (socket) socket.close(1000);
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted || !hidden) return;
    hidden = false;
    leaving = false;
    if (!socket && !stopped) connect();
  });

  showState("connecting");
  connect();
})();
