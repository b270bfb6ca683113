// The recorder: MediaRecorder in whatever format the browser makes (Chromium webm/opus, iPad
// Safari mp4/AAC), a numbered chunk every few seconds into the outbox (static/intake/outbox.js),
// elapsed time, an input level meter, pause/resume, a warning before the maximum length and a
// stop at it. A reload mid-recording closes that recording with the chunks already kept.
(function () {
  "use strict";
  var root = document.getElementById("recorder");
  var intake = document.getElementById("intake");
  if (!root || !intake || !window.IntakeOutbox) { return; }
  var outbox = window.IntakeOutbox;
  var visitId = Number(intake.dataset.visit);
  var maxSeconds = Number(root.dataset.maxSeconds);
  var warnSeconds = Number(root.dataset.warnSeconds);
  var chunkMs = Number(root.dataset.chunkSeconds) * 1000;
  var processing = root.dataset.browserProcessing === "on";

  var el = function (id) { return document.getElementById(id); };
  var btn = {
    start: el("rec-start"), pause: el("rec-pause"), resume: el("rec-resume"),
    stop: el("rec-stop"), again: el("rec-again")
  };
  var timeEl = el("rec-time"), levelEl = el("rec-level"), warnEl = el("rec-warning");
  var errorEl = el("rec-error"), listEl = el("rec-list");

  var recorder = null, stream = null, audioCtx = null, analyser = null;
  var recording = null;       // this recording's number within the visit
  var seq = 0;                // next chunk number
  var elapsedMs = 0, runningSince = 0, ticker = null;
  var nextRecording = Number(root.dataset.nextRecording);
  var recordedAny = listEl.children.length > 0;
  // Outbox writes in order: a chunk is hashed before it is stored, and "complete" must never
  // overtake the last chunk.
  var chain = Promise.resolve();
  function queue(work) { chain = chain.then(work, work); return chain; }

  function stateKey(rec) { return "rec-" + visitId + "-" + rec; }

  function show(which) {
    Object.keys(btn).forEach(function (k) { btn[k].hidden = which.indexOf(k) < 0; });
  }

  function fmt(ms) {
    var s = Math.floor(ms / 1000);
    return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }

  function elapsed() { return elapsedMs + (runningSince ? Date.now() - runningSince : 0); }

  function fail(message) {
    errorEl.textContent = message;
    errorEl.hidden = false;
  }

  function tick() {
    var ms = elapsed();
    timeEl.textContent = fmt(ms);
    var left = maxSeconds - ms / 1000;
    if (left <= 0) { stop(); return; }
    if (left <= warnSeconds) {
      warnEl.textContent = "Recording stops in " + Math.ceil(left) + " s (maximum length).";
      warnEl.hidden = false;
    }
    if (analyser) {
      var data = new Uint8Array(analyser.fftSize);
      analyser.getByteTimeDomainData(data);
      var sum = 0;
      for (var i = 0; i < data.length; i++) { var v = (data[i] - 128) / 128; sum += v * v; }
      var rms = Math.sqrt(sum / data.length);
      // CSSOM, not a style attribute: allowed by the page's CSP.
      levelEl.style.width = Math.min(100, Math.round(rms * 300)) + "%";
    }
  }

  function pickType() {
    var types = ["audio/webm;codecs=opus", "audio/mp4", "audio/ogg;codecs=opus", "audio/webm"];
    for (var i = 0; i < types.length; i++) {
      if (window.MediaRecorder && MediaRecorder.isTypeSupported(types[i])) { return types[i]; }
    }
    return "";
  }

  function start() {
    errorEl.hidden = true;
    warnEl.hidden = true;
    if (!navigator.mediaDevices || !window.MediaRecorder) {
      fail("This browser cannot record here. Type the complaint below instead.");
      return;
    }
    navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: processing, noiseSuppression: processing, autoGainControl: processing }
    }).then(function (s) {
      stream = s;
      var type = pickType();
      recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
      var mime = recorder.mimeType || type || "audio/webm";
      recording = nextRecording++;
      seq = 0;
      elapsedMs = 0;
      var first = recording;
      queue(function () {
        return outbox.setState(stateKey(first), { visitId: visitId, recording: first, chunks: 0, state: "recording" });
      });
      recorder.ondataavailable = function (e) {
        if (!e.data || !e.data.size) { return; }
        var n = seq++, rec = recording, blob = e.data;
        queue(function () { return outbox.addChunk(visitId, rec, n, blob, mime); });
        queue(function () {
          return outbox.setState(stateKey(rec), { visitId: visitId, recording: rec, chunks: n + 1, state: "recording" });
        });
      };
      recorder.onstop = finished;
      recorder.start(chunkMs);
      runningSince = Date.now();
      meter();
      ticker = window.setInterval(tick, 200);
      show(["pause", "stop"]);
      root.classList.add("is-recording");
    }).catch(function (err) {
      fail("The microphone is not available (" + (err && err.name ? err.name : "error") +
        "). Type the complaint below instead.");
    });
  }

  function meter() {
    try {
      audioCtx = new (window.AudioContext || window.webkitAudioContext)();
      analyser = audioCtx.createAnalyser();
      analyser.fftSize = 1024;
      audioCtx.createMediaStreamSource(stream).connect(analyser);
    } catch (err) { analyser = null; }
  }

  function pause() {
    if (!recorder || recorder.state !== "recording") { return; }
    recorder.pause();
    elapsedMs = elapsed();
    runningSince = 0;
    show(["resume", "stop"]);
  }

  function resume() {
    if (!recorder || recorder.state !== "paused") { return; }
    recorder.resume();
    runningSince = Date.now();
    show(["pause", "stop"]);
  }

  function stop() {
    if (!recorder || recorder.state === "inactive") { return; }
    elapsedMs = elapsed();
    runningSince = 0;
    recorder.stop();  // a last dataavailable, then onstop
  }

  function finished() {
    window.clearInterval(ticker);
    timeEl.textContent = fmt(elapsedMs);
    levelEl.style.width = "0%";
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    if (audioCtx) { audioCtx.close(); audioCtx = null; analyser = null; }
    var rec = recording, count = seq;
    queue(function () { return outbox.addRecordingNote(visitId, rec, "complete", count); });
    queue(function () {
      return outbox.setState(stateKey(rec), { visitId: visitId, recording: rec, chunks: count, state: "stopped" });
    });
    var li = document.createElement("li");
    li.dataset.recording = String(rec);
    li.textContent = "Recording " + (listEl.children.length + 1) + " · " + fmt(elapsedMs) + " · saved on this tablet";
    listEl.appendChild(li);
    recorder = null;
    recordedAny = true;
    root.classList.remove("is-recording");
    show(["again"]);
  }

  function again() {
    if (!window.confirm("Replace the recording? The earlier one will not be used.")) { return; }
    // Discard every earlier recording of this visit, then record a new one.
    Array.prototype.forEach.call(listEl.children, function (li) {
      var rec = Number(li.dataset.recording);
      queue(function () { return outbox.addRecordingNote(visitId, rec, "discard"); });
      queue(function () { return outbox.deleteState(stateKey(rec)); });
    });
    listEl.textContent = "";
    start();
  }

  // A reload while recording: close those recordings with what was kept, so the visit can go.
  function resumeAfterReload() {
    return outbox.allStates().then(function (states) {
      states.forEach(function (s) {
        if (s.visitId !== visitId || s.recording === undefined) { return; }
        nextRecording = Math.max(nextRecording, s.recording + 1);
        if (s.state === "recording") {
          outbox.addRecordingNote(visitId, s.recording, "complete", s.chunks);
          outbox.setState(stateKey(s.recording), { visitId: visitId, recording: s.recording, chunks: s.chunks, state: "stopped" });
        }
      });
    });
  }

  btn.start.addEventListener("click", start);
  btn.pause.addEventListener("click", pause);
  btn.resume.addEventListener("click", resume);
  btn.stop.addEventListener("click", stop);
  btn.again.addEventListener("click", again);
  resumeAfterReload().then(function () { show(recordedAny ? ["again"] : ["start"]); });
  window.addEventListener("beforeunload", function (e) {
    if (recorder && recorder.state !== "inactive") { e.preventDefault(); e.returnValue = ""; }
  });
})();
