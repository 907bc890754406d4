// The new-event form's live count: each message's characters, encoding and SMS parts, as the
// server measures them (the same rule the preview and the sending use), while it is typed.
"use strict";
(function () {
  var fields = document.querySelectorAll("textarea[data-measure]");
  Array.prototype.forEach.call(fields, function (field) {
    var output = document.getElementById(field.getAttribute("data-measure"));
    var timer = null;
    var asked = 0;
    function measure() {
      var ticket = ++asked;
      // An empty message is an error only once someone tries to create the event: the server
      // says so then. Before anything is typed there is nothing to count.
      if (field.value.trim() === "") {
        output.textContent = "";
        output.className = "hint count";
        return;
      }
      fetch("/console/events/measure?text=" + encodeURIComponent(field.value), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (length) {
          if (!length || ticket !== asked) return;
          var text = length.characters + " characters · " + length.encoding + " · " + length.parts +
            (length.parts === 1 ? " SMS part" : " SMS parts");
          if (length.warning) text += " · long: costly and less reliable";
          if (length.problem) text += " · " + length.problem;
          output.textContent = text;
          output.className = length.problem ? "hint count error" : "hint count";
        })
        .catch(function () { output.textContent = ""; });
    }
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(measure, 200);
    });
    measure();
  });
})();
