// Idle logoff with a warning first. The server ends a session SESSION_IDLE_MINUTES after the
// last request a person made (live-update refreshes do not count); this page tells the server
// about real use (taps, keys, scrolling, a recording in progress) at most once a minute, warns
// a minute before the server would log out, and then reloads into the login page. The tablet's
// outbox keeps unsent pieces in the browser, so nothing pending is lost; a recording in
// progress counts as use, so it is never cut off.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="idle-seconds"]');
  var csrf = document.querySelector('meta[name="csrf-token"]');
  if (!meta || !csrf) { return; }
  var limitMs = Number(meta.content) * 1000;
  var warnMs = Math.min(60000, limitMs / 4);
  var PING_EVERY_MS = 60000;
  var lastPing = Date.now();  // this page's own request told the server
  var lastUse = lastPing;
  var banner = null;

  function ping() {
    lastPing = Date.now();
    fetch(meta.dataset.pingUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf.content, "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.status === 401) { window.location.reload(); }  // already logged out
    }).catch(function () { /* offline: the outbox copes; try again on the next use */ });
  }

  function used(event) {
    // A press on the warning's own button is handled by its click (removing the banner on
    // pointerdown would take the button away from under the finger).
    if (banner && event && event.target && banner.contains(event.target)) { return; }
    lastUse = Date.now();
    if (banner) { hideWarning(); ping(); return; }
    if (lastUse - lastPing >= PING_EVERY_MS) { ping(); }
  }

  function showWarning(secondsLeft) {
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "idle-warning";
      banner.className = "notice idle-warning";
      banner.setAttribute("role", "alertdialog");
      var text = document.createElement("span");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-primary";
      button.textContent = "Stay logged in";
      button.addEventListener("click", function () { used(null); });
      banner.appendChild(text);
      banner.appendChild(document.createTextNode(" "));
      banner.appendChild(button);
      document.body.insertBefore(banner, document.body.firstChild);
    }
    banner.firstChild.textContent = "No activity: you will be logged out in " + secondsLeft +
      " s. Unsent recordings and photos stay on this device.";
  }

  function hideWarning() {
    if (banner) { banner.remove(); banner = null; }
  }

  function check() {
    if (document.querySelector(".is-recording")) { used(null); return; }
    var left = lastPing + limitMs - Date.now();
    if (left <= 0) {
      window.location.reload();  // the server has ended the session: the login page follows
    } else if (left <= warnMs) {
      showWarning(Math.ceil(left / 1000));
    }
  }

  ["pointerdown", "keydown", "touchstart", "scroll"].forEach(function (name) {
    window.addEventListener(name, used, { passive: true, capture: true });
  });
  window.setInterval(check, 1000);
})();
