// Quiz attempt page. The server decides: this script only shows its remaining time,
// saves each choice at once, and submits when the server's time is up. Without it the
// page's own form posts do the same work.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  var timer = document.getElementById("timer");
  if (!form || !timer) return;
  var token = form.querySelector("input[name=csrf_token]").value;
  var answerUrl = form.getAttribute("data-answer-url");
  var attemptToken = form.getAttribute("data-token");
  var statusUrl = timer.getAttribute("data-status-url");
  var announcer = document.getElementById("announcer");
  var deadline = Date.now() + 1000 * parseInt(timer.getAttribute("data-remaining"), 10);
  var warned = {};
  var submitting = false;

  function announce(text) { announcer.textContent = text; }

  function show(seconds) {
    var s = Math.max(0, Math.round(seconds));
    timer.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    if (s <= 300) timer.parentNode.classList.add("low");
    [[300, "Còn 5 phút."], [60, "Còn 1 phút."]].forEach(function (w) {
      if (s <= w[0] && s > w[0] - 30 && !warned[w[0]]) { warned[w[0]] = true; announce(w[1]); }
    });
    if (s === 0) submit();
  }

  function submit() {
    if (submitting) return;
    submitting = true;
    announce("Hết giờ. Đang nộp bài…");
    document.getElementById("auto-submit").submit();
  }

  function tick() { show((deadline - Date.now()) / 1000); }

  function resync() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.state === "finished") { window.location = data.result_url; return; }
        deadline = Date.now() + 1000 * data.remaining;
        tick();
      })
      .catch(function () {});
  }

  function mark(position, text, ok) {
    var state = document.getElementById("state-" + position);
    state.textContent = text;
    state.className = "save-state " + (ok ? "saved" : "failed");
    var nav = document.getElementById("nav-" + position);
    if (ok && nav) {
      nav.classList.add("answered");
      nav.classList.remove("unanswered");
      document.getElementById("answered-count").textContent =
        document.querySelectorAll(".navigator a.answered").length;
    }
  }

  function save(fieldset) {
    var position = fieldset.getAttribute("data-position");
    var body = new URLSearchParams();  // urlencoded: a small body, parsed at once
    body.append("t", attemptToken);
    body.append("position", position);
    fieldset.querySelectorAll("input:checked").forEach(function (input) {
      body.append("choice", input.value);
    });
    mark(position, "Đang lưu…", false);
    fetch(answerUrl, { method: "POST", body: body, credentials: "same-origin",
                       headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (d) { return [r.ok, d, r.status]; }); })
      .then(function (result) {
        if (result[0]) {
          var at = new Date(result[1].saved_at);
          mark(position, "✓ Đã lưu lúc " + at.toLocaleTimeString("vi-VN"), true);
          announce("Đã lưu câu " + position + ".");
          deadline = Date.now() + 1000 * result[1].remaining;
        } else {
          mark(position, "✗ " + result[1].error, false);
          announce(result[1].error);
          if (result[2] === 409) resync();  // too late or submitted: the server decides
        }
      })
      .catch(function () {
        mark(position, "✗ Chưa lưu được (mất kết nối?). Chọn lại để thử lần nữa, hoặc bấm “Lưu”.", false);
      });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (fieldset) save(fieldset);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") resync();
  });
  setInterval(tick, 1000);
  setInterval(resync, 30000);
  tick();
})();
