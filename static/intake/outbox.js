// The tablet's outbox: every recording chunk, "recording complete/discarded" note and photo goes
// into IndexedDB first and is sent from there, oldest first. Nothing is lost when the Wi-Fi
// drops, the page reloads or the session times out: items stay until the server accepts them
// (2xx), then they are deleted from the browser at once. Refusals (4xx) stay too, marked, and
// are shown to the clerk; logged-out answers (401) pause the outbox until the next login.
(function () {
  "use strict";
  var DB_NAME = "clinic-intake-outbox";
  var DB_VERSION = 1;
  var dbPromise = null;
  var listeners = [];
  var sending = false;
  var paused = "";   // "", "offline", "logged_out", "forbidden"
  var retryDelay = 1000;
  var retryTimer = null;

  function openDb() {
    if (dbPromise) { return dbPromise; }
    dbPromise = new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains("items")) {
          var items = db.createObjectStore("items", { keyPath: "id", autoIncrement: true });
          items.createIndex("visit", "visitId");
        }
        if (!db.objectStoreNames.contains("state")) {
          db.createObjectStore("state", { keyPath: "key" });
        }
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
    return dbPromise;
  }

  function tx(storeName, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(storeName, mode);
        var store = t.objectStore(storeName);
        var result;
        Promise.resolve(work(store)).then(function (r) { result = r; });
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error || new Error("IndexedDB aborted")); };
      });
    });
  }

  function req2promise(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function allItems() {
    return tx("items", "readonly", function (store) { return req2promise(store.getAll()); });
  }

  function put(item) {
    return tx("items", "readwrite", function (store) { return req2promise(store.put(item)); });
  }

  function remove(id) {
    return tx("items", "readwrite", function (store) { return req2promise(store.delete(id)); });
  }

  function getState(key) {
    return tx("state", "readonly", function (store) { return req2promise(store.get(key)); });
  }

  function setState(key, value) {
    var record = Object.assign({ key: key }, value);
    return tx("state", "readwrite", function (store) { return req2promise(store.put(record)); });
  }

  function allStates() {
    return tx("state", "readonly", function (store) { return req2promise(store.getAll()); });
  }

  function deleteState(key) {
    return tx("state", "readwrite", function (store) { return req2promise(store.delete(key)); });
  }

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  function sha256Hex(blob) {
    return blob.arrayBuffer().then(function (buf) {
      return crypto.subtle.digest("SHA-256", buf);
    }).then(function (digest) {
      return Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
    });
  }

  // --- adding --------------------------------------------------------------------------------

  function add(item) {
    item.createdAt = Date.now();
    item.error = null;
    return put(item).then(function (id) {
      item.id = id;
      notify();
      kick();
      return id;
    });
  }

  function base(visitId) { return "/front-desk/visit/" + visitId + "/"; }

  function addChunk(visitId, recording, seq, blob, mime) {
    return sha256Hex(blob).then(function (digest) {
      return add({
        visitId: visitId, kind: "chunk", recording: recording, seq: seq,
        url: base(visitId) + "recordings/" + recording + "/chunks/" + seq + "/",
        body: blob, headers: { "X-Chunk-Sha256": digest, "X-Recording-Type": mime },
        contentType: "application/octet-stream"
      });
    });
  }

  function addRecordingNote(visitId, recording, what, chunks) {
    return add({
      visitId: visitId, kind: what, recording: recording,
      url: base(visitId) + "recordings/" + recording + "/" + what + "/",
      fields: what === "complete" ? { chunks: String(chunks) } : {}
    });
  }

  function addPhoto(visitId, file, kind) {
    return add({
      visitId: visitId, kind: "photo", photoKind: kind, name: "photo",
      url: base(visitId) + "photos/add/", file: file, fields: { kind: kind }
    });
  }

  // --- sending -------------------------------------------------------------------------------

  function send(item) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", item.url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      var body;
      if (item.kind === "chunk") {
        Object.keys(item.headers).forEach(function (h) { xhr.setRequestHeader(h, item.headers[h]); });
        xhr.setRequestHeader("Content-Type", item.contentType);
        body = item.body;
      } else {
        body = new FormData();
        Object.keys(item.fields || {}).forEach(function (f) { body.append(f, item.fields[f]); });
        if (item.file) { body.append("photo", item.file, "photo"); }
      }
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { emit("progress", { item: item, loaded: e.loaded, total: e.total }); }
      };
      xhr.onload = function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
        resolve({ status: xhr.status, data: data });
      };
      xhr.onerror = function () { resolve({ status: 0, data: null }); };
      xhr.ontimeout = function () { resolve({ status: 0, data: null }); };
      xhr.timeout = 120000;
      xhr.send(body);
    });
  }

  function nextItem() {
    return allItems().then(function (items) {
      items.sort(function (a, b) { return a.id - b.id; });
      for (var i = 0; i < items.length; i++) {
        if (!items[i].error) { return items[i]; }
      }
      return null;
    });
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = window.setTimeout(function () { retryTimer = null; kick(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 10000);
  }

  function pump() {
    return nextItem().then(function (item) {
      if (!item) { paused = ""; return null; }
      emit("sending", { item: item });
      return send(item).then(function (answer) {
        if (answer.status >= 200 && answer.status < 300) {
          paused = "";
          retryDelay = 1000;
          return remove(item.id).then(function () {
            emit("sent", { item: item, data: answer.data });
            notify();
            return pump();
          });
        }
        if (answer.status === 401) { paused = "logged_out"; return null; }
        if (answer.status === 403) { paused = "forbidden"; return null; }
        if (answer.status === 0 || answer.status >= 500 || answer.status === 429) {
          paused = "offline";
          scheduleRetry();
          return null;
        }
        // A piece of a recording the clerk already replaced: nothing is lost by dropping it.
        if (answer.data && answer.data.code === "recording_discarded") {
          return remove(item.id).then(function () { notify(); return pump(); });
        }
        // Refused: keep it on the tablet, marked, and go on with the rest.
        item.error = (answer.data && answer.data.message) || ("The server refused this (" + answer.status + ").");
        item.errorCode = (answer.data && answer.data.code) || String(answer.status);
        return put(item).then(function () {
          emit("refused", { item: item });
          notify();
          return pump();
        });
      });
    });
  }

  var again = false;

  function kick() {
    if (sending) { again = true; return; }
    sending = true;
    again = false;
    pump().catch(function (err) {
      paused = "offline";
      scheduleRetry();
      if (window.console) { console.warn("outbox", err); }
    }).then(function () {
      sending = false;
      notify();
      // Something was added while the last pass was finishing: go again.
      if (again && !paused) { kick(); }
    });
  }

  // --- status ----------------------------------------------------------------------------------

  function emit(type, detail) {
    document.dispatchEvent(new CustomEvent("outbox-" + type, { detail: detail }));
  }

  function summary() {
    return allItems().then(function (items) {
      var waiting = items.filter(function (i) { return !i.error; });
      var refused = items.filter(function (i) { return i.error; });
      return { waiting: waiting.length, refused: refused, items: items, paused: paused, sending: sending };
    });
  }

  function describe(s) {
    if (s.waiting === 0 && s.refused.length === 0) { return ""; }
    var n = s.waiting + (s.waiting === 1 ? " piece" : " pieces");
    var text;
    if (s.waiting === 0) { text = ""; }
    else if (s.paused === "logged_out") { text = n + " waiting on this tablet: they are sent after the next login."; }
    else if (s.paused === "forbidden") { text = n + " waiting: log in with a front-desk account to send them."; }
    else if (s.paused === "offline") { text = "No network: " + n + " waiting on this tablet, sent when it returns."; }
    else { text = "Sending " + n + "…"; }
    if (s.refused.length) {
      text += (text ? " " : "") + s.refused.length + " refused: " + s.refused[0].error;
    }
    return text;
  }

  function notify() {
    summary().then(function (s) {
      var text = describe(s);
      document.querySelectorAll("[data-outbox-status]").forEach(function (el) {
        el.textContent = text;
        el.hidden = !text;
        el.className = "outbox-status" + (s.paused ? " outbox-" + s.paused : "") + (s.refused.length ? " outbox-refused" : "");
      });
      listeners.forEach(function (fn) { fn(s); });
      emit("changed", s);
    });
  }

  /** Resolves when nothing for `visitId` is waiting (refused items do not count). */
  function drained(visitId) {
    return allItems().then(function (items) {
      return !items.some(function (i) { return i.visitId === visitId && !i.error; });
    });
  }

  /** Forget everything this tablet kept about a visit (after submit: no PHI stays behind). */
  function forgetVisit(visitId) {
    return allStates().then(function (states) {
      return Promise.all(states.filter(function (s) { return s.visitId === visitId; })
        .map(function (s) { return deleteState(s.key); }));
    }).then(function () {
      return allItems().then(function (items) {
        return Promise.all(items.filter(function (i) { return i.visitId === visitId && i.error; })
          .map(function (i) { return remove(i.id); }));
      });
    }).then(notify);
  }

  window.addEventListener("online", function () { retryDelay = 1000; kick(); });
  window.addEventListener("offline", function () { paused = "offline"; notify(); });

  window.IntakeOutbox = {
    addChunk: addChunk,
    addRecordingNote: addRecordingNote,
    addPhoto: addPhoto,
    kick: kick,
    summary: summary,
    drained: drained,
    forgetVisit: forgetVisit,
    getState: getState,
    setState: setState,
    allStates: allStates,
    deleteState: deleteState,
    onChange: function (fn) { listeners.push(fn); },
    describe: describe
  };

  document.addEventListener("DOMContentLoaded", function () { notify(); kick(); });
})();
