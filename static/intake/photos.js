// Photos: camera capture, a kind per photo, a local preview with an upload progress bar while
// the outbox sends it, then the server's list (re-encoded, metadata stripped) replaces it.
(function () {
  "use strict";
  var intake = document.getElementById("intake");
  var input = document.getElementById("photo-input");
  var pending = document.getElementById("photo-pending");
  if (!intake || !window.IntakeOutbox) { return; }
  var outbox = window.IntakeOutbox;
  var visitId = Number(intake.dataset.visit);
  // The tablet remembers which intake is open (its number only), to offer "continue" after a
  // crash or reload; forgotten on submit.
  outbox.setState("current-visit", { visitId: visitId, url: intake.dataset.base });
  if (!input || !pending) { return; }
  var previews = {};  // outbox item id -> preview element

  function kind() {
    var checked = document.querySelector("input[name=photo-kind]:checked");
    return checked ? checked.value : "other";
  }

  function preview(file, label) {
    var fig = document.createElement("figure");
    fig.className = "thumb pending";
    var img = document.createElement("img");
    img.src = URL.createObjectURL(file);
    img.alt = label + " photo (sending)";
    var cap = document.createElement("figcaption");
    cap.textContent = label;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    fig.appendChild(img);
    fig.appendChild(cap);
    fig.appendChild(bar);
    pending.appendChild(fig);
    return fig;
  }

  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files || []);
    var k = kind();
    var label = document.querySelector("input[name=photo-kind]:checked");
    label = label ? label.parentNode.textContent.trim() : k;
    files.forEach(function (file) {
      var fig = preview(file, label);
      outbox.addPhoto(visitId, file, k).then(function (id) { previews[id] = fig; });
    });
    input.value = "";
  });

  document.addEventListener("outbox-progress", function (e) {
    var fig = previews[e.detail.item.id];
    if (fig) { fig.querySelector("progress").value = Math.round(100 * e.detail.loaded / e.detail.total); }
  });

  function done(id) {
    var fig = previews[id];
    if (!fig) { return; }
    URL.revokeObjectURL(fig.querySelector("img").src);
    fig.remove();
    delete previews[id];
  }

  // Refresh the server's list once no photo of this visit is still on its way (one request,
  // not one per photo: htmx drops a trigger that arrives while the last one is in flight).
  var refresh = null;
  function refreshWhenIdle() {
    window.clearTimeout(refresh);
    refresh = window.setTimeout(function () {
      outbox.summary().then(function (s) {
        var busy = s.items.some(function (i) { return i.kind === "photo" && i.visitId === visitId && !i.error; });
        if (busy) { refreshWhenIdle(); return; }
        document.body.dispatchEvent(new Event("photos-changed"));
      });
    }, 250);
  }

  document.addEventListener("outbox-sent", function (e) {
    if (e.detail.item.kind !== "photo" || e.detail.item.visitId !== visitId) { return; }
    var fig = previews[e.detail.item.id];
    if (fig) { fig.classList.add("sent"); fig.querySelector("progress").value = 100; }
    refreshWhenIdle();
  });

  // The server's thumbnails replace the local previews of photos it has.
  document.body.addEventListener("htmx:afterSwap", function () {
    Object.keys(previews).forEach(function (id) {
      if (previews[id].classList.contains("sent")) { done(id); }
    });
  });

  document.addEventListener("outbox-refused", function (e) {
    var fig = previews[e.detail.item.id];
    if (!fig) { return; }
    fig.classList.add("refused");
    var msg = document.createElement("p");
    msg.className = "error";
    msg.textContent = e.detail.item.error;
    fig.appendChild(msg);
  });
})();
