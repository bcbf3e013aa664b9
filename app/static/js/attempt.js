// Quiz attempt page. The server decides: this script shows its remaining time, keeps
// every choice in the attempt's journal (journal.js) and sends the journal in order
// until the server acknowledges each choice — through dropped connections, with
// growing pauses, and at once when the browser is online again — and submits when
// the server's time is up, after the journal is sent. A choice that cannot reach
// the server before the deadline plus its grace is shown as not counted. Without
// this script the page's own form posts do the same work.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  var timer = document.getElementById("timer");
  var config = document.getElementById("attempt-config");
  if (!form || !timer || !config || !window.VHCVJournal) return;
  config = JSON.parse(config.textContent);
  var T = config.texts;
  var Journal = window.VHCVJournal;
  var answerUrl = form.getAttribute("data-answer-url");
  var attemptToken = form.getAttribute("data-token");
  var statusUrl = timer.getAttribute("data-status-url");
  var announcer = document.getElementById("announcer");
  var banner = document.getElementById("connection");
  var deadline = Date.now() + 1000 * parseInt(timer.getAttribute("data-remaining"), 10);
  var graceMs = 1000 * config.grace;
  var warned = {};
  var finishing = false;   // the time is up
  var draining = false;    // a button was pressed: the form is posted once all is sent
  var submitted = false;
  var reaching = false;    // waiting for the server to submit after the time is up
  var online = navigator.onLine !== false;
  var sending = null;      // the entry on its way to the server
  var pause = 0;           // ms before the next try after a failure
  var retryTimer = null;
  var afterDrain = null;   // what to do once the journal is empty

  // --- The journal --------------------------------------------------------------
  Journal.forgetOthers(config.user);
  var journal = Journal.load(config.journal);
  var stored = {};  // position → sequence number of the choice the server holds
  document.querySelectorAll(".navigator a[data-seq]").forEach(function (a) {
    stored[a.getAttribute("data-position")] = parseInt(a.getAttribute("data-seq"), 10) || 0;
  });
  Object.keys(stored).forEach(function (p) { journal.next = Math.max(journal.next, stored[p] + 1); });
  // What the server already holds (or something newer) leaves the journal.
  journal.entries = journal.entries.filter(function (e) { return e.late || e.seq > (stored[e.position] || 0); });
  Journal.save(config.journal, journal);

  function pending() { return journal.entries.filter(function (e) { return !e.late; }); }
  function pendingFor(position) {
    return journal.entries.some(function (e) { return !e.late && e.position === position; });
  }

  function record(position, choices) {
    // An unsent older choice of the same question is replaced (not the one on its way).
    journal.entries = journal.entries.filter(function (e) {
      return e.position !== position || e === sending || e.late;
    });
    var entry = { seq: journal.next++, position: position, choices: choices };
    journal.entries.push(entry);
    Journal.save(config.journal, journal);
    return entry;
  }

  function settle(entry) {
    journal.entries = journal.entries.filter(function (e) { return e.seq !== entry.seq; });
    Journal.save(config.journal, journal);
  }

  // --- What the cadre sees ------------------------------------------------------
  function announce(text) { announcer.textContent = text; }

  function mark(position, text, kind) {
    var state = document.getElementById("state-" + position);
    if (state) {
      state.textContent = text;
      state.className = "save-state " + kind;
    }
    var nav = document.getElementById("nav-" + position);
    if (!nav) return;
    nav.classList.toggle("pending", kind === "pending" || kind === "saving");
    nav.classList.toggle("late", kind === "late");
    if (kind === "saved") {
      nav.classList.add("answered");
      nav.classList.remove("unanswered");
      document.getElementById("answered-count").textContent =
        document.querySelectorAll(".navigator a.answered").length;
    }
  }

  function showConnection() {
    var waiting = pending().length;
    var text = "";
    if (!online) text = T.offline + (waiting ? " " + T.waiting.replace("{n}", waiting) : "");
    if ((finishing || draining) && !submitted && waiting) {
      text = (online ? T.draining : T.draining_offline) + " " + text;
    }
    banner.textContent = text;
    banner.hidden = !text;
    banner.classList.toggle("offline", !online);
  }

  function setOnline(value) {
    if (online === value) return;
    online = value;
    showConnection();
    if (value) { announce(T.back_online); resync(); }
  }

  // --- Sending ------------------------------------------------------------------
  function flush() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (sending || submitted) return;
    var entry = pending()[0];
    if (!entry) { showConnection(); if (afterDrain) afterDrain(); return; }
    if (Date.now() > deadline + graceMs) { lateAll(); return; }
    sending = entry;
    var body = new URLSearchParams();  // urlencoded: a small body, parsed at once
    body.append("t", attemptToken);
    body.append("position", entry.position);
    body.append("seq", entry.seq);
    entry.choices.forEach(function (c) { body.append("choice", c); });
    if (online) mark(entry.position, T.saving, "saving");
    fetch(answerUrl, { method: "POST", body: body, credentials: "same-origin",
                       headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (d) { return [r.status, d]; }); })
      .then(function (answer) { sending = null; answered(entry, answer[0], answer[1]); })
      .catch(function () { sending = null; unreachable(entry); });
  }

  function answered(entry, status, data) {
    setOnline(true);
    if (status === 200) {
      pause = 0;
      settle(entry);
      stored[entry.position] = Math.max(stored[entry.position] || 0, entry.seq);
      deadline = Date.now() + 1000 * data.remaining;
      if (!pendingFor(entry.position)) {
        if (data.stored) {
          var at = new Date(data.saved_at).toLocaleTimeString("vi-VN");
          mark(entry.position, T.saved + " " + at, "saved");
          announce(T.saved_question.replace("{n}", entry.position));
        } else {
          mark(entry.position, T.newer_kept, "failed");
        }
      }
      flush();
    } else if (status === 409) {  // too late, or already submitted: the server decides
      lateAll(data.error);
      resync();
    } else if (status === 429 || status >= 500) {  // busy: the same choice again later
      mark(entry.position, data.error || T.pending, "pending");
      retry();
    } else {  // refused for good (no such question, signed out…): say so, keep nothing
      settle(entry);
      if (!pendingFor(entry.position)) mark(entry.position, "✗ " + data.error, "failed");
      announce(data.error);
      flush();
    }
  }

  function unreachable(entry) {
    setOnline(false);
    if (!pendingFor(entry.position)) return;
    mark(entry.position, T.pending, "pending");
    retry();
  }

  function retry() {
    showConnection();
    pause = Math.min(pause ? pause * 2 : 1000, 15000);
    retryTimer = setTimeout(flush, pause);
  }

  // Past the deadline plus grace: what is still in the journal will not count.
  function lateAll(message) {
    var positions = [];
    journal.entries.forEach(function (e) {
      if (e.late) return;
      e.late = true;
      positions.push(e.position);
      mark(e.position, T.late, "late");
    });
    Journal.save(config.journal, journal);
    if (positions.length) {
      var text = T.late_summary.replace("{list}", positions.join(", "));
      banner.textContent = text;
      banner.hidden = false;
      announce(message ? message + " " + text : text);
    }
    if (finishing) submitWhenReachable();
  }

  // --- Time ---------------------------------------------------------------------
  function show(seconds) {
    var s = Math.max(0, Math.round(seconds));
    timer.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    if (s <= 300) timer.parentNode.classList.add("low");
    [[300, T.five_minutes], [60, T.one_minute]].forEach(function (w) {
      if (s <= w[0] && s > w[0] - 30 && !warned[w[0]]) { warned[w[0]] = true; announce(w[1]); }
    });
    if (s === 0) timeUp();
    if (pending().length && Date.now() > deadline + graceMs) lateAll();
  }

  function tick() { show((deadline - Date.now()) / 1000); }

  function resync() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        setOnline(true);
        if (data.state === "finished") { leave(data.result_url); return; }
        deadline = Date.now() + 1000 * data.remaining;
        tick();
        flush();
      })
      .catch(function () { setOnline(false); });
  }

  function leave(url) {
    submitted = true;
    window.location = url;
  }

  // The time is up: no more choices; send what the journal holds, then submit.
  function timeUp() {
    if (finishing) return;
    finishing = true;
    form.querySelectorAll("fieldset.question").forEach(function (f) { f.disabled = true; });
    announce(T.time_up);
    afterDrain = function () { submitAuto(); };
    showConnection();
    flush();
  }

  function submitAuto() {
    if (submitted) return;
    submitted = true;
    document.getElementById("auto-submit").submit();
  }

  // After the deadline plus grace with choices unsent: submit as soon as the
  // server answers again (it grades what arrived in time).
  function submitWhenReachable() {
    if (submitted || reaching) return;
    reaching = true;
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.state === "finished") leave(data.result_url);
        else submitAuto();
      })
      .catch(function () {
        setOnline(false);
        reaching = false;
        setTimeout(submitWhenReachable, 5000);
      });
  }

  // --- The page -----------------------------------------------------------------
  function choicesOf(fieldset) {
    var picked = [];
    fieldset.querySelectorAll("input:checked").forEach(function (input) { picked.push(input.value); });
    return picked;
  }

  // A reload (online or not) puts the journal's unsent choices back on the page.
  journal.entries.forEach(function (e) {
    var fieldset = document.getElementById("q" + e.position);
    if (fieldset) {
      fieldset.querySelectorAll("input").forEach(function (input) {
        input.checked = e.choices.indexOf(input.value) !== -1;
      });
    }
    mark(e.position, e.late ? T.late : T.pending, e.late ? "late" : "pending");
  });

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (!fieldset || finishing) return;
    var position = fieldset.getAttribute("data-position");
    record(position, choicesOf(fieldset));
    mark(position, online ? T.saving : T.pending, online ? "saving" : "pending");
    showConnection();
    flush();
  });

  // "Nộp bài" and the page buttons post the form once the journal is sent; the
  // form's choices are numbered after the journal's.
  var formSeq = document.createElement("input");
  formSeq.type = "hidden";
  formSeq.name = "seq";
  form.appendChild(formSeq);
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    formSeq.value = journal.next++;
    Journal.save(config.journal, journal);
    if (!pending().length) return;
    event.preventDefault();
    draining = true;
    afterDrain = function () {
      afterDrain = null;
      if (button && button.name) {
        var go = document.createElement("input");
        go.type = "hidden";
        go.name = button.name;
        go.value = button.value;
        form.appendChild(go);
      }
      submitted = true;
      form.submit();
    };
    showConnection();
    flush();
  });

  window.addEventListener("online", function () { setOnline(true); flush(); });
  window.addEventListener("offline", function () { setOnline(false); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") resync();
  });

  // Keep a copy of this page for a reload without network (the service worker
  // serves it only then, and only to this browser; cleared at the end and at sign-out).
  if ("serviceWorker" in navigator && window.caches) {
    navigator.serviceWorker.register(config.worker, { scope: config.scope }).then(function () {
      if (navigator.serviceWorker.controller) return;  // it keeps its pages itself
      var urls = [window.location.href];
      document.querySelectorAll("link[rel=stylesheet], script[src]").forEach(function (el) {
        urls.push(el.href || el.src);
      });
      caches.open(config.cache).then(function (cache) { return cache.addAll(urls); }).catch(function () {});
    }).catch(function () {});
  }

  setInterval(tick, 1000);
  setInterval(function () { if (online) resync(); }, 30000);
  showConnection();
  tick();
  flush();
})();
