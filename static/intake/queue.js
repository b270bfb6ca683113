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
})();
