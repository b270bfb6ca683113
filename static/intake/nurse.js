// The review page: the transcript follows the audio (the segment being played is highlighted,
// a click on a segment or on a quote seeks there), photos open in a lightbox, and the page
// reloads itself when another nurse changes the visit (its own WebSocket group).
(function () {
  "use strict";
  var root = document.getElementById("review");
  if (!root) { return; }
  var segments = Array.prototype.slice.call(document.querySelectorAll(".seg"));

  function audioFor(seg) {
    var rec = seg.dataset.recording;
    return (rec && document.getElementById("audio-" + rec)) || document.querySelector("audio");
  }

  function highlight(seg) {
    segments.forEach(function (s) { s.classList.toggle("playing", s === seg); });
  }

  function seek(seg, t) {
    var audio = audioFor(seg);
    highlight(seg);
    seg.scrollIntoView({ block: "nearest", behavior: "smooth" });
    if (!audio) { return; }
    audio.currentTime = t;
    var played = audio.play();
    if (played && played.catch) { played.catch(function () {}); }
  }

  segments.forEach(function (seg) {
    seg.addEventListener("click", function () { seek(seg, Number(seg.dataset.start)); });
  });

  document.querySelectorAll("audio").forEach(function (audio) {
    audio.addEventListener("timeupdate", function () {
      var t = audio.currentTime;
      var rec = audio.dataset.recording;
      var current = null;
      segments.forEach(function (s) {
        if ((!s.dataset.recording || s.dataset.recording === rec) &&
            t >= Number(s.dataset.start) && t < Number(s.dataset.end)) { current = s; }
      });
      if (current) { highlight(current); }
    });
  });

  document.querySelectorAll(".quote[data-segment]").forEach(function (q) {
    q.addEventListener("click", function () {
      var seg = document.getElementById("seg-" + q.dataset.segment);
      if (!seg) { return; }
      var t0 = q.dataset.t0 === "" ? Number(seg.dataset.start) : Number(q.dataset.t0);
      seek(seg, t0);
    });
  });

  var box = document.getElementById("lightbox");
  document.querySelectorAll(".lightbox-open").forEach(function (b) {
    b.addEventListener("click", function () {
      document.getElementById("lightbox-img").src = b.dataset.src;
      document.getElementById("lightbox-img").alt = b.dataset.caption + " photo";
      document.getElementById("lightbox-caption").textContent = b.dataset.caption;
      box.showModal();
    });
  });
  if (box) { box.addEventListener("click", function (e) { if (e.target === box) { box.close(); } }); }

  // Someone else changed this visit: say so; the server refuses a stale confirm anyway.
  var version = Number(root.dataset.version);
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  try {
    var socket = new WebSocket(scheme + window.location.host + "/ws/visits/" + root.dataset.visit + "/");
    socket.onmessage = function (m) {
      var e = JSON.parse(m.data);
      if (e.version > version) {
        var note = document.getElementById("changed-note");
        if (!note) {
          note = document.createElement("p");
          note.id = "changed-note";
          note.className = "notice";
          note.textContent = "This visit was changed (" + e.status + ") since you opened it. Reload to see the latest before confirming.";
          root.insertBefore(note, root.firstChild);
        }
      }
    };
  } catch (err) { /* the review works without live updates */ }
})();
