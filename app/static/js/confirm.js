// The confirm page's "Nộp bài". The form is posted only once the server answers
// (its status), so that without network the browser never shows its own error page:
// the page stays, says so, and tries again until the server answers. When the time
// runs out on this page it submits the same way (the server, which alone decides,
// may still have time: then it waits). Past the deadline plus grace it says that
// the attempt is graded on what was saved in time, and still tries. Without this
// script the form is a plain post.
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  var config = document.getElementById("submit-config");
  var said = document.getElementById("submit-state");
  if (!form || !config || !said || !window.fetch) return;
  config = JSON.parse(config.textContent);
  var T = config.texts;
  var deadline = Date.now() + 1000 * config.remaining;
  var graceMs = 1000 * config.grace;
  var pressed = false;  // "Nộp bài" was pressed
  var auto = false;     // the time is up here (the server's "by the timer")
  var trying = false;
  var sent = false;
  var retryTimer = null;

  function say(text) {
    said.textContent = text;
    said.hidden = !text;
  }

  function post() {
    sent = true;
    clearInterval(clock);
    if (auto) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "auto";
      field.value = "1";
      form.appendChild(field);
    }
    form.submit();
  }

  function status() {
    var controller = window.AbortController ? new AbortController() : null;
    var timeout = controller ? setTimeout(function () { controller.abort(); }, 10000) : null;
    var options = { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } };
    if (controller) options.signal = controller.signal;
    return fetch(config.status, options).then(function (r) {
      clearTimeout(timeout);
      if (r.redirected) return {};  // to the sign-in page: the post goes there too
      // the server answered but refused (403, 404…): the post gets its own answer
      if (!r.ok && r.status < 500) return {};
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }, function (error) { clearTimeout(timeout); throw error; });
  }

  function reach() {
    clearTimeout(retryTimer);
    if (sent || trying || !(pressed || auto)) return;
    trying = true;
    status().then(function (data) {
      trying = false;
      if (data.state === "finished") { sent = true; window.location = data.result_url; return; }
      if (typeof data.remaining === "number") deadline = Date.now() + 1000 * data.remaining;
      if (data.remaining > 0) auto = false;  // this browser's clock ran ahead
      if (!pressed && !auto) { say(""); return; }
      post();
    }).catch(function () {
      trying = false;
      say(Date.now() > deadline + graceMs ? T.too_late : T.offline);
      retryTimer = setTimeout(reach, 3000);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    pressed = true;
    reach();
  });
  window.addEventListener("online", reach);
  var clock = setInterval(function () {
    if (sent || auto || Date.now() < deadline) return;
    auto = true;
    say(T.time_up);
    reach();
  }, 1000);
})();
