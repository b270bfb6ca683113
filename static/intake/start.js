// The "next patient" screen. After a submit (?sent=1) the tablet forgets that intake; otherwise
// it offers to continue an intake that a reload or crash interrupted.
(function () {
  "use strict";
  if (!window.IntakeOutbox) { return; }
  var outbox = window.IntakeOutbox;
  var box = document.getElementById("resume-box");
  var link = document.getElementById("resume-link");
  outbox.getState("current-visit").then(function (current) {
    if (!current) { return; }
    if (new URLSearchParams(window.location.search).get("sent") === "1") {
      return outbox.forgetVisit(current.visitId).then(function () {
        return outbox.deleteState("current-visit");
      });
    }
    link.href = current.url;
    box.hidden = false;
  });
})();
