// Counts the seconds the module page is visible, reports them to the server every
// few seconds of reading (and when the page is hidden), and counts down the reading
// time still needed between reports. The server decides how much time counts and
// when "read" is accepted; the page shows what it answers.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("reading-config").textContent);
  var note = document.getElementById("reading-note");
  var refused = document.getElementById("reading-refused");
  var form = document.getElementById("complete-form");
  var token = form.elements.csrf_token.value;
  var remaining = config.remaining; // the server's word at its last answer
  var pending = 0; // visible milliseconds not reported yet
  var visible = document.visibilityState === "visible";
  var last = performance.now();
  var sending = false;

  function count() {
    var now = performance.now();
    // A tick comes every second; a longer wait (the device slept) counts as one.
    if (visible) pending += Math.min(Math.max(now - last, 0), 2000);
    last = now;
  }

  function show() {
    var left = Math.max(0, remaining - Math.floor(pending / 1000));
    note.setAttribute("data-remaining", String(left));
    var text = left > 0
      ? config.messages.left.replace("{n}", String(Math.ceil(left / 60)))
      : config.messages.enough;
    if (note.textContent.trim() !== text) note.textContent = text;
    if (left === 0) refused.hidden = true;
  }

  // The whole seconds not reported yet, taken out of `pending` and counted as
  // reported until the server answers (a beacon's answer is never read).
  function take() {
    var seconds = Math.floor(pending / 1000);
    pending -= seconds * 1000;
    remaining -= seconds;
    return seconds;
  }

  function giveBack(seconds) {
    pending += seconds * 1000;
    remaining += seconds;
  }

  function body(seconds) {
    var data = new FormData();
    data.append("csrf_token", token);
    data.append("seconds", String(seconds));
    return data;
  }

  function report() {
    if (sending || pending < 1000) return;
    var seconds = take();
    sending = true;
    fetch(config.report_url, {
      method: "POST", body: body(seconds), credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (answer) {
      remaining = answer.remaining_seconds;
    }).catch(function () {
      giveBack(seconds); // told again next time (the server bounds it)
    }).then(function () {
      sending = false;
      show();
    });
  }

  // The page is being hidden or left: send what was read since the last report.
  function reportLeaving() {
    if (pending < 1000) return;
    var data = body(take());
    if (!(navigator.sendBeacon && navigator.sendBeacon(config.report_url, data))) {
      fetch(config.report_url, {
        method: "POST", body: data, credentials: "same-origin", keepalive: true
      }).catch(function () {});
    }
  }

  setInterval(function () {
    count();
    if (pending >= config.report_every * 1000) report();
    show();
  }, 1000);

  document.addEventListener("visibilitychange", function () {
    count();
    visible = document.visibilityState === "visible";
    if (!visible) reportLeaving();
    show();
  });
  window.addEventListener("pagehide", function () {
    count();
    reportLeaving();
  });

  // "Tôi đã đọc xong": sent with the time not reported yet, without leaving the
  // page; too early, the server's answer is shown here and the reader stays put.
  form.addEventListener("submit", function (event) {
    count();
    form.elements.seconds.value = String(take());
    if (!window.fetch) return;
    event.preventDefault();
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (answer.next) {
          window.location.assign(answer.next);
          return;
        }
        if (typeof answer.remaining_seconds === "number") {
          remaining = answer.remaining_seconds;
        }
        refused.textContent = answer.message;
        refused.hidden = false;
        show();
      });
    }).catch(function () {
      form.submit(); // no usable answer: let the browser post the form itself
    });
  });

  show();
})();
