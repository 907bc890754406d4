// An event's delivery counts, refreshed every few seconds while the alerts go out; and the
// countdown to a drafted event's automatic start.
"use strict";
(function () {
  var left = document.getElementById("auto-start-left");
  if (!left) return;
  var until = Number(left.getAttribute("data-until")) * 1000;
  function tick() {
    var seconds = Math.max(0, Math.round((until - Date.now()) / 1000));
    if (seconds === 0) {
      left.textContent = "no time";
      return;
    }
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor(seconds / 60) % 60;
    left.textContent = (hours > 0 ? hours + " h " : "") + (hours > 0 || minutes > 0 ? minutes + " min " : "") + (seconds % 60) + " s";
    setTimeout(tick, 1000);
  }
  tick();
})();
(function () {
  var box = document.getElementById("deliveries");
  if (!box || !box.getAttribute("data-live")) return;
  var rows = document.getElementById("delivery-rows");
  var updated = document.getElementById("deliveries-updated");
  var empty = document.getElementById("deliveries-empty");
  var state = document.getElementById("event-state");
  var queued = document.getElementById("queued-notice");
  var pace = document.getElementById("pace");
  function cell(label, text) {
    var td = document.createElement("td");
    td.setAttribute("data-label", label);
    td.textContent = String(text);
    return td;
  }
  function refresh() {
    if (document.hidden) return;
    fetch(box.getAttribute("data-live"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer) return;
        var fresh = document.createDocumentFragment();
        answer.deliveries.forEach(function (delivery) {
          var tr = document.createElement("tr");
          tr.appendChild(cell("Alert", delivery.alert));
          tr.appendChild(cell("Status", delivery.status));
          tr.appendChild(cell("Messages", delivery.count));
          tr.appendChild(cell("Maybe twice", delivery.maybe_sent));
          fresh.appendChild(tr);
        });
        rows.replaceChildren(fresh);
        if (empty) empty.hidden = answer.deliveries.length > 0;
        if (state) state.textContent = answer.state;
        (answer.tallies || []).forEach(function (tally) {
          var count = document.getElementById(tally.id);
          if (count) count.textContent = String(tally.count);
        });
        if (pace) {
          pace.textContent = answer.pace || "";
          pace.hidden = !answer.pace;
        }
        // "N alerts queued" is stale once nothing waits: the counts above say the rest.
        if (queued && !answer.deliveries.some(function (d) { return d.status === "queued" || d.status === "sending"; })) {
          queued.remove();
          queued = null;
        }
        updated.textContent = "Updated " + new Date().toLocaleTimeString() + ".";
      })
      .catch(function () { updated.textContent = "Could not refresh; the counts shown may be old."; });
  }
  refresh();
  setInterval(refresh, 3000);
})();
