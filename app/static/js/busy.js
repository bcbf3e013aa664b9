// Forms marked data-busy="message": on submit, show the message in a polite live
// region, disable the button so it is not pressed twice, and count the seconds, so a
// long import (20,000 rows take a few seconds) visibly progresses.
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var status = form.querySelector(".busy-status");
      var button = form.querySelector("button[type=submit]");
      var started = Date.now();
      if (button) { button.disabled = true; }
      if (!status) return;
      function show() {
        var seconds = Math.round((Date.now() - started) / 1000);
        status.textContent = form.getAttribute("data-busy") + " (" + seconds + " s)";
      }
      show();
      setInterval(show, 1000);
    });
  });
})();
