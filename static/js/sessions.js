// Session page and presenter mode: the agenda item's countdown, and a refresh of the content on live events.
// The countdown runs from the server's clock (data-server-now), not the viewer's, so every screen shows the same
// minutes; without JavaScript the page still says when the item started and how long it was planned for.
(function () {
  "use strict";

  const REFRESH_ON = new Set(["session.updated", "section.saved", "facilitator.step"]);
  let ticker = null;

  function render(timer, offset) {
    const endsAt = Date.parse(timer.dataset.endsAt);
    const text = timer.querySelector(".timer-text");
    if (Number.isNaN(endsAt) || !text) return;
    const left = endsAt - (Date.now() + offset);
    const over = left < 0;
    const minutes = over ? Math.floor(-left / 60000) : Math.ceil(left / 60000);
    text.textContent = over ? "Over by " + minutes + " min" : minutes + " min left";
    timer.classList.toggle("session-timer-over", over);
    timer.classList.toggle("presenter-over", over);
  }

  function startTimers() {
    if (ticker) window.clearInterval(ticker);
    const timers = Array.from(document.querySelectorAll("[data-ends-at]")).filter((t) => t.dataset.endsAt);
    if (!timers.length) return;
    const offsets = timers.map((timer) => {
      const serverNow = Date.parse(timer.dataset.serverNow);
      return Number.isNaN(serverNow) ? 0 : serverNow - Date.now();
    });
    const tick = () => timers.forEach((timer, index) => render(timer, offsets[index]));
    tick();
    ticker = window.setInterval(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", startTimers);
  document.addEventListener("htmx:afterSettle", startTimers);

  // live.js dispatches every socket message as a "firstslice:live" event; the content refreshes itself from the
  // server (an htmx GET of its partial) rather than from the message, so what is shown is always the record.
  document.addEventListener("firstslice:live", function (event) {
    const message = event.detail || {};
    if (!REFRESH_ON.has(message.type) || !document.querySelector("[data-live-project]")) return;
    if (window.htmx) window.htmx.trigger(document.body, "firstslice-refresh");
  });
})();
