// Submit waits for the outbox: every chunk and photo of this intake must be on the server
// first. Then the tablet forgets the intake, so nothing about the patient stays in the browser.
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  var intake = document.getElementById("intake");
  var note = document.getElementById("pending-note");
  if (!intake || !window.IntakeOutbox) { return; }
  var outbox = window.IntakeOutbox;
  var visitId = Number(intake.dataset.visit);
  var done = document.getElementById("done");
  if (done) {
    done.addEventListener("click", function (e) {
      e.preventDefault();
      outbox.forgetVisit(visitId).then(function () { return outbox.deleteState("current-visit"); })
        .then(function () { window.location.href = done.href; });
    });
  }
  if (!form) { return; }
  var button = document.getElementById("submit-intake");
  var ready = false;

  function check() {
    return outbox.drained(visitId).then(function (empty) {
      if (empty) { return true; }
      outbox.kick();
      return outbox.summary().then(function (s) {
        note.textContent = outbox.describe(s) || "Sending the last pieces…";
        note.hidden = false;
        return false;
      });
    });
  }

  form.addEventListener("submit", function (e) {
    if (ready) { return; }
    e.preventDefault();
    button.disabled = true;
    button.textContent = "Sending…";
    (function wait() {
      check().then(function (empty) {
        if (!empty) { window.setTimeout(wait, 1000); return; }
        ready = true;
        // Only the intake's number was kept; the server has everything now.
        outbox.forgetVisit(visitId).then(function () { return outbox.deleteState("current-visit"); })
          .then(function () { form.submit(); });
      });
    })();
  });
})();
