// Quiz attempt page. The server decides: this script shows its remaining time, keeps
// every choice in the attempt's journal (journal.js) and sends the journal in order
// until the server acknowledges each choice — through dropped connections, with
// growing pauses, and at once when the browser is online again — and submits when
// the server's time is up, after the journal is sent. A choice that cannot reach
// the server before the deadline plus its grace is shown as not counted. A flag
// ("come back to it") is sent at once; the page's form carries it again on the next
// move. Without this script the page's own form posts do the same work: the
// navigator's buttons and the page buttons post the page before moving.
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
  var flagUrl = form.getAttribute("data-flag-url");
  var csrfToken = document.getElementById("csrf_token").value;
  var announcer = document.getElementById("announcer");
  var banner = document.getElementById("connection");
  var graceMs = 1000 * config.grace;
  var TIMEOUT_MS = 10000;  // a request not answered by then counts as failed
  var warned = {};
  var finishing = false;   // the time is up
  var draining = false;    // a button was pressed: the form is posted once all is sent
  var submitted = false;
  var reaching = false;    // waiting for the server before posting
  var online = navigator.onLine !== false;
  var sending = null;      // the entry on its way to the server
  var pause = 0;           // ms before the next try after a failure
  var retryTimer = null;
  var afterDrain = null;   // what to do once the journal is empty
  var gone = {};           // sequence numbers this page settled (not to be taken back)
  var lateNotice = "";     // which choices will not count, once the time is past
  var signedOut = "";      // the session ended since the page came (the server's words):
                           // choices stay in the journal, sent after a new sign-in and reload
                           // — unless this browser signed out (forget)
  var written = false;     // this page wrote the journal into the browser's storage
  var cleared = false;     // and it was removed since (a sign-out in this browser, the
                           // attempt's end in another tab): it is not written back
  var syncing = false;     // asking the server's state: the journal waits for it
  var busy = 0;            // answers in a row not the app's (5xx, a proxy's page)
  var unkept = false;      // the browser would not keep the journal (storage full
                           // or blocked): waiting choices live in this page only

  // The page without this script says when the time is up and that its clock
  // does not run; with it, the clock counts down.
  document.getElementById("timer-label").textContent = T.remaining;
  document.getElementById("timer-static").hidden = true;
  // Each choice is saved as it is made only with this script (without it, when the
  // page's form is sent): the page says so only then.
  document.getElementById("saved-at-once").hidden = false;

  // A question scrolled to (a skip link, the navigator, a link of the confirm
  // page) comes out below the sticky timer bar, whatever its height on this screen.
  var bar = document.getElementById("quiz-bar");
  function padForBar() {
    document.documentElement.style.scrollPaddingTop = (bar.offsetHeight + 12) + "px";
  }
  padForBar();
  window.addEventListener("resize", padForBar);

  // --- The journal --------------------------------------------------------------
  Journal.forgetOthers(config.user);
  var journal = Journal.load(config.journal);
  var stored = {};  // position → sequence number of the choice the server holds
  document.querySelectorAll(".navigator [data-seq]").forEach(function (a) {
    stored[a.getAttribute("data-position")] = parseInt(a.getAttribute("data-seq"), 10) || 0;
  });
  // The server's deadline: from this page, counted from now; or as the journal
  // holds it (this browser's clock) when this is an older copy of the page (a
  // reload without network) and the journal heard the server since. A copy with
  // the journal's own deadline (`end`) may be one the worker fetched a moment
  // after the page the journal heard: the earlier of the two counts, so counting
  // a copy's remaining time from now never gives back the time spent since it was
  // served. `heard`, `served_at` and `end` are on the server's clock.
  var remaining = parseInt(timer.getAttribute("data-remaining"), 10);
  var deadline = Date.now() + 1000 * remaining;
  var heard = config.served_at;
  var end = config.served_at + 1000 * remaining;
  if (journal.deadline && journal.heard > config.served_at) {
    deadline = journal.deadline;
    heard = journal.heard;
    end = journal.end || end;
  } else if (journal.deadline && Math.abs((journal.end || 0) - end) < 1500) {
    deadline = Math.min(deadline, journal.deadline);
  }

  // The server said `seconds` remain at `at` (its clock, ms; 0 when unknown).
  function hear(seconds, at) {
    deadline = Date.now() + 1000 * seconds;
    heard = Math.max(heard, at || 0);
    if (at) end = at + 1000 * seconds;
    if (seconds > 0) revive();
  }

  // The server says time remains (this browser's clock ran ahead, or the deadline
  // was moved later; it says 0, never less, once the deadline has passed): the
  // choices held as late are sent after all (the server decides what is in time).
  function revive() {
    var any = false;
    journal.entries.forEach(function (e) {
      if (!e.late) return;
      delete e.late;
      any = true;
      mark(e.position, T.pending, "pending");
    });
    if (!any) return;
    noteLate();
    persist();
  }

  function persist() {
    if (cleared) return;
    if (written && !Journal.held(config.journal)) {
      // Cleared by another tab: what waits lives in this page only.
      cleared = true;
      unkept = true;
      showConnection();
      return;
    }
    // Another tab of the same attempt may have written meanwhile: keep its entries.
    var disk = Journal.load(config.journal);
    journal.next = Math.max(journal.next, disk.next || 1);
    var known = {};
    journal.entries.forEach(function (e) { known[e.seq] = true; });
    disk.entries.forEach(function (e) {
      if (!known[e.seq] && !gone[e.seq] && e.seq > (stored[e.position] || 0)) journal.entries.push(e);
    });
    journal.entries.sort(function (a, b) { return a.seq - b.seq; });
    Object.keys(disk.acked).forEach(function (p) {
      if (!journal.acked[p] || disk.acked[p].seq > journal.acked[p].seq) journal.acked[p] = disk.acked[p];
    });
    journal.deadline = deadline;
    journal.end = end;
    journal.heard = Math.max(heard, disk.heard || 0);
    // The prediction typed and not yet saved is prediction.js's: as it wrote it.
    if (disk.prediction) journal.prediction = disk.prediction;
    else delete journal.prediction;
    var kept = Journal.save(config.journal, journal);
    written = written || kept;
    if (kept === unkept) { unkept = !kept; showConnection(); }
  }

  // This browser signed out (in another tab, whose sign-out.js clears every
  // journal, so that none is left to whoever signs in next): this page writes the
  // journal no more and drops it, sends nothing and takes no more choices. A new
  // sign-in shows the attempt again, with what the server holds.
  function forget() {
    if (signedOut === T.signed_out_here) return;
    cleared = true;
    clearTimeout(retryTimer);
    pending().forEach(function (e) { mark(e.position, T.unsent_signed_out, "failed"); });
    journal = { next: journal.next, entries: [], acked: {} };
    form.querySelectorAll("fieldset.question").forEach(function (f) { f.disabled = true; });
    signedOut = T.signed_out_here;
    announce(signedOut);
    showConnection();
  }

  // The server holds choice number `seq` for `position`: this browser numbers its
  // next choices past it (numbers order one browser's choices, not two devices').
  function learn(position, seq) {
    stored[position] = Math.max(stored[position] || 0, seq || 0);
    journal.next = Math.max(journal.next, stored[position] + 1);
  }

  function pending() { return journal.entries.filter(function (e) { return !e.late; }); }
  function pendingFor(position) {
    return journal.entries.some(function (e) { return !e.late && e.position === position; });
  }

  function record(position, choices) {
    persist();
    // An unsent older choice of the same question is replaced (not the one on its way).
    journal.entries = journal.entries.filter(function (e) {
      var keep = e.position !== position || e === sending || e.seq === (sending && sending.seq) || e.late;
      if (!keep) gone[e.seq] = true;
      return keep;
    });
    // `base`: the number of the server's choice this page knew when this one was made
    var entry = { seq: journal.next++, position: position, choices: choices, base: stored[position] || 0 };
    journal.entries.push(entry);
    persist();
    return entry;
  }

  function settle(entry) {
    gone[entry.seq] = true;
    journal.entries = journal.entries.filter(function (e) { return e.seq !== entry.seq; });
    persist();
  }

  // --- What the cadre sees ------------------------------------------------------
  function announce(text) { announcer.textContent = text; }

  // `answered`, for a saved choice: whether it has any option ticked (unticking
  // every box of a question saves it as unanswered).
  function mark(position, text, kind, answered) {
    // a choice waiting that this browser could not keep: it lives in the page only
    if (kind === "pending" && unkept) text = T.pending_unkept;
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
      nav.classList.toggle("answered", !!answered);
      nav.classList.toggle("unanswered", !answered);
      document.getElementById("answered-count").textContent =
        document.querySelectorAll(".navigator .answered").length;
    }
    describe(nav);
  }

  // The navigator button's name for a screen reader: its number, state and flag.
  function describe(nav) {
    var words = nav.classList.contains("late") ? T.state_late
      : nav.classList.contains("pending") ? T.state_pending
      : nav.classList.contains("answered") ? T.state_answered : T.state_unanswered;
    var label = T.question + " " + nav.getAttribute("data-position") + ", " + words;
    if (nav.getAttribute("data-flagged") === "1") label += ", " + T.state_flagged;
    nav.setAttribute("aria-label", label);
  }

  function showFlag(position, on) {
    var nav = document.getElementById("nav-" + position);
    if (!nav) return;
    nav.setAttribute("data-flagged", on ? "1" : "0");
    nav.classList.toggle("flagged", on);
    describe(nav);
  }

  // A flag is sent at once (no journal): if it does not arrive, the page's form
  // sends it with the next move (its box is in the form).
  function sendFlag(box) {
    var position = box.getAttribute("data-flag");
    var on = box.checked;
    showFlag(position, on);
    var body = new URLSearchParams();
    body.append("csrf_token", csrfToken);
    body.append("position", position);
    body.append("flagged", on ? "1" : "0");
    var failed = T.flag_failed.replace("{n}", position);
    request(flagUrl, { method: "POST", body: body })
      .then(function (answer) {
        if (answer[0] === 200) {
          if (box.checked === on) announce((on ? T.flagged_question : T.unflagged_question).replace("{n}", position));
        } else {
          announce(answer[1].error || failed);
          if (answer[0] === 409) resync();
        }
      })
      .catch(function () { setOnline(false); announce(failed); });
  }

  function waitingText(count) {
    return (count === 1 ? T.waiting_one : T.waiting).replace("{n}", count);
  }

  function showConnection() {
    var waiting = pending().length;
    var text = lateNotice;
    if ((finishing || draining) && !submitted && (waiting || !online)) {
      // The time is up (the page submits), or a button was pressed (it moves on);
      // offline, choices are said to wait only when some do.
      if (finishing) text += " " + (online ? T.submitting : T.submitting_offline);
      else text += " " + (online ? T.draining : waiting ? T.draining_offline : T.leaving_offline);
    }
    var away = unkept ? T.offline_unkept : busy >= 2 ? T.unreachable : T.offline;
    // signed out, nothing is sent until a new sign-in, network or not; the time
    // up, no choice is made any more: offline is said only of those still waiting
    if (signedOut) text += " " + signedOut + (waiting ? " " + waitingText(waiting) : "");
    else if (!online && (waiting || !finishing)) text += " " + away + (waiting ? " " + waitingText(waiting) : "");
    banner.textContent = text.trim();
    banner.hidden = !text.trim();
    banner.classList.toggle("offline", !online);
  }

  function setOnline(value) {
    if (online === value) return;
    online = value;
    showConnection();
    if (value) { announce(T.back_online); resync(); }
  }

  // fetch with a time limit: a request left hanging (a lossy link, a captive
  // portal) must not hold the journal back.
  function request(url, options) {
    var controller = window.AbortController ? new AbortController() : null;
    var timeout = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    options = options || {};
    options.credentials = "same-origin";
    options.headers = { Accept: "application/json" };
    if (controller) options.signal = controller.signal;
    // The limit holds until the body is read: an answer whose body stalls after
    // its headers (a lossy link, a captive portal) fails too, and is tried again.
    return fetch(url, options).then(function (r) {
      // redirected: to the sign-in page, for the session has ended
      var status = r.redirected ? 401 : r.status;
      return r.json().catch(function (error) {
        if (controller && controller.signal.aborted) throw error;  // timed out
        return {};  // not JSON: not the app's answer
      }).then(function (d) { return [status, d]; });
    }).then(function (answer) { clearTimeout(timeout); return answer; },
      function (error) { clearTimeout(timeout); throw error; });
  }

  // --- Sending ------------------------------------------------------------------
  function flush() {
    if (syncing) return;  // resync sends the journal once it knows the server's numbers
    clearTimeout(retryTimer);
    retryTimer = null;
    if (sending || submitted) return;
    var entry = pending()[0];
    if (!entry) { showConnection(); if (afterDrain) afterDrain(); return; }
    if (Date.now() > deadline + graceMs) { lateAll(); if (afterDrain) afterDrain(); return; }
    if (signedOut) { showConnection(); return; }
    sending = entry;
    var body = new URLSearchParams();  // urlencoded: a small body, parsed at once
    body.append("t", attemptToken);
    body.append("position", entry.position);
    body.append("seq", entry.seq);
    entry.choices.forEach(function (c) { body.append("choice", c); });
    if (online) mark(entry.position, T.saving, "saving");
    request(answerUrl, { method: "POST", body: body })
      .then(function (answer) { sending = null; answered(entry, answer[0], answer[1]); })
      .catch(function () { sending = null; unreachable(entry); });
  }

  function answered(entry, status, data) {
    // 5xx, or not the app's answer (a proxy's page): the choice is kept and sent
    // again; in a row, the server is said to be out of reach
    if (status !== 401 && (status >= 500 || typeof data.saved !== "boolean")) { troubled(entry); return; }
    busy = 0;
    setOnline(true);
    if (status === 200) {
      pause = 0;
      // made knowing all this page knew of the question's saved choice, and not
      // before a newer one of another tab of this browser
      var fresh = (entry.base || 0) === (stored[entry.position] || 0) &&
        (data.stored || !ownNewer(entry.position, data.stored_seq));
      learn(entry.position, data.stored ? entry.seq : data.stored_seq);
      hear(data.remaining, Date.parse(data.saved_at));
      if (data.stored) journal.acked[entry.position] = { seq: entry.seq, choices: entry.choices };
      settle(entry);  // and the acknowledgement kept (persist)
      if (data.stored) {
        if (!pendingFor(entry.position)) showSaved(entry, data.saved_at);
      } else if (!pendingFor(entry.position)) {
        overtaken(entry, fresh, data);
      }
      flush();
    } else if (status === 409) {  // too late, or already submitted: the server decides
      lateAll(data.error);
      resync();
    } else if (status === 401) {  // the session ended: keep the choice for a new sign-in
      // (kept only in this page when the browser cannot keep the journal: say so),
      // unless the journal was cleared: this browser signed out
      if (cleared) { forget(); return; }
      signedOut = unkept ? T.signed_out_unkept : data.error || T.signed_out;
      mark(entry.position, T.pending, "pending");
      announce(signedOut);
      showConnection();
    } else if (status === 429) {  // too many saves: kept, sent again later
      mark(entry.position, T.pending, "pending");
      retry();
    } else {  // refused for good (no such question or option): say so, keep nothing
      settle(entry);
      if (!pendingFor(entry.position)) mark(entry.position, "✗ " + data.error, "failed");
      announce(data.error);
      flush();
    }
  }

  // The choice the server holds, numbered `seq`, is another tab's of this browser:
  // the journal the tabs share (read again) has its acknowledgement. Made after
  // this page's, it stays.
  function ownNewer(position, seq) {
    persist();
    var acked = journal.acked[position];
    return !!acked && acked.seq >= (seq || 0);
  }

  function showSaved(entry, savedAt) {
    var at = new Date(savedAt).toLocaleTimeString(document.documentElement.lang || "vi");
    var some = entry.choices.length > 0;
    mark(entry.position, some ? T.saved + " " + at : T.cleared.replace("{t}", at), "saved", some);
    announce((some ? T.saved_question : T.cleared_question).replace("{n}", entry.position));
  }

  // Another page (a second device) saved a choice numbered above this one's. Made
  // after this page last heard of the question's saved choice, this one is the
  // cadre's latest here: it is sent again, numbered past the other (later
  // acknowledgement wins). Made before this page heard of the other one (a resync
  // told it, e.g. back online), the other stays: the page shows it and says so.
  function overtaken(entry, fresh, data) {
    if (fresh) {
      record(entry.position, entry.choices);
      return;
    }
    var choices = (data.stored_choices || []).map(String);
    journal.acked[entry.position] = { seq: data.stored_seq, choices: choices };
    persist();
    showChoices(entry.position, choices);
    mark(entry.position, T.newer_shown, "saved", choices.length > 0);
    announce(T.newer_shown_question.replace("{n}", entry.position));
  }

  function troubled(entry) {
    busy += 1;
    if (busy >= 2) setOnline(false);
    mark(entry.position, T.pending, "pending");
    retry();
  }

  function unreachable(entry) {
    busy = 0;
    setOnline(false);
    if (pendingFor(entry.position)) mark(entry.position, T.pending, "pending");
    retry();
  }

  function retry() {
    showConnection();
    pause = Math.min(pause ? pause * 2 : 1000, 15000);
    retryTimer = setTimeout(flush, pause);
  }

  // Past the deadline plus grace: what is still in the journal will not count
  // (the choice on its way, if any, is the server's to take or refuse).
  function lateAll(message) {
    var positions = [];
    journal.entries.forEach(function (e) {
      if (e.late || e === sending) return;
      e.late = true;
      positions.push(e.position);
      mark(e.position, T.late, "late");
    });
    persist();
    if (positions.length) {
      noteLate();
      showConnection();
      if (message) announce(message);
    }
    if (finishing) whenReachable(submitAuto);
  }

  function noteLate() {
    var late = journal.entries.filter(function (e) { return e.late; })
      .map(function (e) { return parseInt(e.position, 10); })
      .filter(function (p, i, all) { return all.indexOf(p) === i; })
      .sort(function (a, b) { return a - b; });
    // The form by the count of questions (English: question 3, questions 3, 5); the
    // plural alone from a page saved offline by an earlier version.
    var summary = (late.length === 1 && T.late_summary_one) || T.late_summary;
    lateNotice = late.length ? summary.replace("{list}", late.join(", ")) : "";
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

  // Ask the server's time and numbers; the journal is sent after (flush waits).
  function resync() {
    if (syncing) return;
    syncing = true;
    request(statusUrl)
      .then(function (answer) {
        syncing = false;
        var data = answer[1];
        if (answer[0] !== 200) { flush(); return; }
        busy = 0;  // the app answered: the server's trouble is over
        setOnline(true);
        if (data.state === "finished") { leave(data.result_url); return; }
        hear(data.remaining, Date.parse(data.now));
        heardNumbers(data.seqs || {});
        persist();
        tick();
        flush();
      })
      .catch(function () { syncing = false; setOnline(false); flush(); });
  }

  // The numbers the server holds, from a resync: one above what this page knew is
  // another page's choice (this browser's other tab: its journal has it).
  function heardNumbers(seqs) {
    Object.keys(seqs).forEach(function (p) {
      if (seqs[p] <= (stored[p] || 0)) return;
      learn(p, seqs[p]);
      if (pendingFor(p)) return;  // sent next; refused, the page shows the other
      var acked = journal.acked[p];
      if (acked && acked.seq === seqs[p]) {
        showChoices(p, acked.choices);
        mark(p, T.saved_before, "saved", acked.choices.length > 0);
      } else {
        mark(p, T.newer_kept, "failed");
      }
    });
  }

  function leave(url) {
    submitted = true;
    if (window.caches) caches.delete(config.cache).catch(function () {});
    window.location = url;
  }

  // Run `then` once the server answers (the network may be down): a form is
  // posted only then, so that the browser never shows its own error page. A later
  // wish replaces an earlier one, except that the time being up wins over a button.
  var wish = null;
  function whenReachable(then) {
    if (submitted) return;
    if (!(wish === submitAuto && then !== submitAuto)) wish = then;
    if (reaching) return;
    reaching = true;
    request(statusUrl)
      .then(function (answer) {
        reaching = false;
        var data = answer[1];
        if (answer[0] === 401) {  // the session ended: said, as a save's 401; no post
          wish = null;
          signedOut = signedOut || data.error || T.signed_out;
          announce(signedOut);
          showConnection();
          return;
        }
        // busy (5xx, 429); any other refusal (403, 404…) goes on: the post is answered
        if (answer[0] >= 500 || answer[0] === 429) { showConnection(); retryReach(); return; }
        setOnline(true);
        if (data.state === "finished") { leave(data.result_url); return; }
        if (wish === submitAuto && data.remaining > 0) {
          // The server still has time (this browser's clock ran ahead): go on.
          hear(data.remaining, Date.parse(data.now));
          resume();
          return;
        }
        var then = wish;
        wish = null;
        then();
      })
      .catch(function () {
        reaching = false;
        setOnline(false);
        showConnection();
        retryReach();
      });
  }

  function retryReach() {
    setTimeout(function () { if (wish) whenReachable(wish); }, 3000);
  }

  function resume() {
    finishing = false;
    wish = null;
    afterDrain = null;
    form.querySelectorAll("fieldset.question").forEach(function (f) { f.disabled = false; });
    persist();
    showConnection();
    tick();
    flush();  // the choices revived (hear) are sent now
  }

  // The time is up: no more choices; send what the journal holds, then submit.
  function timeUp() {
    if (finishing) return;
    finishing = true;
    form.querySelectorAll("fieldset.question").forEach(function (f) { f.disabled = true; });
    announce(T.time_up);
    afterDrain = function () { afterDrain = null; whenReachable(submitAuto); };
    showConnection();
    flush();
  }

  // The timer's form carries the prediction the page's field holds (a contest
  // round's) when it was typed here and not saved yet — the field not left, or its
  // save lost to the network: it is saved if it arrives in time, and never holds
  // the end back. A value as the page came (perhaps an older copy, reloaded
  // offline) is not sent: it would overwrite one saved since.
  // Another tab of the attempt may have written choices to the journal while this
  // page waited for the server: they are sent first, then `then` runs again.
  function othersFirst(then) {
    persist();
    if (!pending().length) return false;
    afterDrain = function () { afterDrain = null; whenReachable(then); };
    flush();
    return true;
  }

  function submitAuto() {
    if (submitted || othersFirst(submitAuto)) return;
    submitted = true;
    var auto = document.getElementById("auto-submit");
    var typed = document.getElementById("prediction-input");
    var shown = form.querySelector("input[name=prediction_shown]");
    if (typed && shown && typed.value.trim() && typed.value.trim() !== shown.value.trim()) {
      var carried = document.createElement("input");
      carried.type = "hidden";
      carried.name = "prediction";
      carried.value = typed.value.trim();
      auto.appendChild(carried);
    }
    auto.submit();
  }

  // --- The page -----------------------------------------------------------------
  function optionsOf(fieldset) {
    return fieldset.querySelectorAll('input[name="q' + fieldset.getAttribute("data-position") + '"]');
  }

  function choicesOf(fieldset) {
    var picked = [];
    fieldset.querySelectorAll('input[name="q' + fieldset.getAttribute("data-position") + '"]:checked').forEach(function (input) { picked.push(input.value); });
    return picked;
  }

  function showChoices(position, choices) {
    var fieldset = document.getElementById("q" + position);
    if (!fieldset) return;
    optionsOf(fieldset).forEach(function (input) {
      input.checked = choices.indexOf(input.value) !== -1;
    });
  }

  // What the server acknowledged after this copy of the page was made, then the
  // journal's unsent choices, go back on the page (a reload, online or not).
  Object.keys(journal.acked).forEach(function (position) {
    var acked = journal.acked[position];
    if (acked.seq > (stored[position] || 0)) {
      stored[position] = acked.seq;
      showChoices(position, acked.choices);
      mark(position, T.saved_before, "saved", acked.choices.length > 0);
    } else {
      delete journal.acked[position];  // the page is newer
    }
  });
  Object.keys(stored).forEach(function (p) { learn(p, stored[p]); });
  journal.entries = journal.entries.filter(function (e) { return e.late || e.seq > (stored[e.position] || 0); });
  journal.entries.forEach(function (e) {
    showChoices(e.position, e.choices);
    mark(e.position, e.late ? T.late : T.pending, e.late ? "late" : "pending");
  });
  noteLate();
  persist();

  form.addEventListener("change", function (event) {
    if (event.target.hasAttribute("data-flag")) { sendFlag(event.target); return; }
    var fieldset = event.target.closest("fieldset.question");
    if (!fieldset || finishing) return;
    var position = fieldset.getAttribute("data-position");
    record(position, choicesOf(fieldset));
    mark(position, online ? T.saving : T.pending, online ? "saving" : "pending");
    showConnection();
    flush();
  });

  // "Nộp bài" and the page buttons post the form once the journal is sent and the
  // server answers; the form saves no choice again (sayShown).
  var go = document.createElement("input");
  go.type = "hidden";
  form.appendChild(go);
  var pressed = null;  // the button of the submit (event.submitter is not everywhere)
  document.querySelectorAll("#attempt-form button[type=submit], button[form=attempt-form]").forEach(function (b) {
    b.addEventListener("click", function () { pressed = b; });
  });
  // A question of this page, picked in the navigator: no need to post the page.
  document.querySelectorAll(".navigator button[data-position]").forEach(function (b) {
    b.addEventListener("click", function (event) {
      var fieldset = document.getElementById("q" + b.getAttribute("data-position"));
      if (!fieldset) return;
      event.preventDefault();
      fieldset.scrollIntoView();
      var first = optionsOf(fieldset)[0];
      if (first && !first.disabled) first.focus({ preventScroll: true });
    });
  });
  // Every choice of the page has gone through the journal before its form is
  // posted: the form says each question is as the page shows it, so that it
  // saves no choice again (it would put this page's back over a newer one of
  // another device), only the flags, the prediction and the move.
  function sayShown() {
    form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
      var name = "shown" + fieldset.getAttribute("data-position");
      var input = form.querySelector('input[name="' + name + '"]');
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        form.appendChild(input);
      }
      input.value = choicesOf(fieldset).join(",");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (submitted || finishing) return;
    var button = event.submitter || pressed;
    draining = true;
    var post = function () {
      if (othersFirst(post)) return;
      sayShown();
      if (button && button.name) { go.name = button.name; go.value = button.value; }
      submitted = true;
      form.submit();
    };
    afterDrain = function () { afterDrain = null; whenReachable(post); };
    showConnection();
    flush();
  });

  // Signing out in another tab: sign-out.js sets its mark before clearing the journals.
  window.addEventListener("storage", function (event) {
    if (event.key === Journal.SIGNED_OUT && event.newValue) forget();
  });
  window.addEventListener("online", function () { setOnline(true); flush(); });
  window.addEventListener("offline", function () { busy = 0; setOnline(false); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") resync();
  });

  // Keep a copy of this page for a reload without network (the service worker
  // serves it only then, and only to this browser; cleared at the end and at sign-out).
  if ("serviceWorker" in navigator && window.caches) {
    navigator.serviceWorker.register(config.worker, { scope: config.scope }).then(function () {
      // The worker keeps a copy of each page it serves; this one it may not have
      // served (the first load, before it was installed).
      var urls = [window.location.href];
      document.querySelectorAll("link[rel=stylesheet], script[src]").forEach(function (el) {
        urls.push(el.href || el.src);
      });
      return caches.open(config.cache).then(function (cache) {
        return cache.match(window.location.href, { ignoreVary: true }).then(function (copy) {
          return copy || cache.addAll(urls);
        });
      });
    }).catch(function () {});
  }

  setInterval(tick, 1000);
  setInterval(function () { if (online) resync(); }, 30000);
  showConnection();
  tick();
  flush();
})();
