// Live queue: a WebSocket that only says "visit N changed"; the page then re-fetches its rows
// (htmx, trigger "queue-changed"), so what is shown is always rendered by the server for this
// user. Reconnects with backoff; stale (older version) messages are dropped.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var versions = {};
  var delay = 1000;

  function setState(text, cls) {
    live.textContent = text;
    live.className = "live " + cls;
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + live.dataset.wsPath);
    socket.onopen = function () {
      delay = 1000;
      setState("live", "live-on");
      // Anything may have changed while we were disconnected.
      document.body.dispatchEvent(new Event("queue-changed"));
    };
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      var seen = versions[event.visit_id] || 0;
      if (event.version === seen && event.stage) {
        // Progress within a step (at most 2 a second per visit): move its bar in place, no
        // round trip.
        var bar = document.getElementById("progress-" + event.visit_id);
        if (bar) { bar.value = Math.round(100 * event.progress); }
        return;
      }
      if (event.version <= seen) { return; }
      versions[event.visit_id] = event.version;
      document.body.dispatchEvent(new Event("queue-changed"));
    };
    socket.onclose = function (closed) {
      if (closed.code === 4401) {
        setState("logged out - reload to log in", "live-off");
        return;
      }
      if (closed.code === 4403) {
        setState("no access", "live-off");
        return;
      }
      setState("reconnecting…", "live-off");
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();

  // Ticking waits: minutes since arrival, and a visit still waiting for its first nurse
  // decision is re-marked over target when it passes its ESI target, without a round trip.
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".wait[data-arrived]").forEach(function (el) {
      var minutes = Math.max(0, Math.floor((now - Date.parse(el.dataset.arrived)) / 60000));
      el.textContent = minutes + " min";
      if (el.dataset.waiting === "1" && minutes > Number(el.dataset.target)) { markOver(el); }
    });
  }
  // Idempotent: every tick re-applies it, so a row swapped in meanwhile is marked too.
  function markOver(el) {
    var row = el.closest("tr");
    if (row) { row.classList.add("over-target"); }
    if (el.dataset.over === "1") { return; }
    el.dataset.over = "1";
    var badge = document.createElement("span");
    badge.className = "badge over";
    badge.textContent = "over target";
    el.after(" ", badge);
  }
  window.setInterval(tick, 15000);
  // htmx's settle step puts a swapped-in row's server attributes back after a short delay,
  // which would drop a mark a tick made meanwhile: mark again once the swap has settled.
  document.body.addEventListener("htmx:afterSettle", tick);

  // New alerts: a beep when their number grows, if this nurse turned the sound on (a
  // preference, not patient data, so localStorage is fine).
  var sound = document.getElementById("alert-sound");
  var lastCount = null;
  if (sound) {
    sound.checked = window.localStorage.getItem("alert-sound") === "on";
    sound.addEventListener("change", function () {
      window.localStorage.setItem("alert-sound", sound.checked ? "on" : "off");
    });
  }
  function beep() {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.3);
    } catch (err) { /* no audio output */ }
  }
  function checkAlerts() {
    var alerts = document.getElementById("alerts");
    var count = alerts ? Number(alerts.dataset.count) : 0;
    if (lastCount !== null && count > lastCount && sound && sound.checked) { beep(); }
    lastCount = count;
  }
  document.body.addEventListener("htmx:afterSwap", checkAlerts);
  // An acknowledgement changes the visit for every nurse: refresh now (the event follows).
  document.body.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.elt && e.detail.elt.classList && e.detail.elt.classList.contains("alert-item")) {
      document.body.dispatchEvent(new Event("queue-changed"));
    }
  });
  checkAlerts();
})();
