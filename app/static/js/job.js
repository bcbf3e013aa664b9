// A job's page: while it is queued or running, ask its state every second and move
// the progress bar (announcing every tenth to screen readers; the texts, in the
// reader's language, come written from the server); reload the page when
// the state changes (it then shows the download or the reason). Without this script
// the page refreshes itself every 10 s.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  if (!url) return;
  var state = box.getAttribute("data-state");
  var bar = document.getElementById("job-progress");
  var count = document.getElementById("job-count");
  var stage = document.getElementById("job-stage");
  var announcer = document.getElementById("job-announce");
  var tenth = -1;
  var failures = 0;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("status " + r.status);  // e.g. signed out
        return r.json();
      })
      .then(function (data) {
        failures = 0;
        if (data.state !== state) { window.location.reload(); return; }
        if (data.total) {
          bar.max = data.total;
          bar.value = data.done;
          bar.textContent = data.percent_text;
          count.textContent = data.count_text;
          if (Math.floor(data.percent / 10) !== tenth) {
            tenth = Math.floor(data.percent / 10);
            announcer.textContent = data.percent_text;
          }
        }
        if (stage && data.stage) stage.textContent = "— " + data.stage;
        setTimeout(poll, 1000);
      })
      .catch(function () {
        failures += 1;
        if (failures >= 5) { window.location.reload(); return; }  // the page says why
        setTimeout(poll, 3000);
      });
  }
  setTimeout(poll, 1000);
})();
