// The prediction field of the attempt page: its value is saved as soon as it
// changes (the page's form carries it too, and saves it on the next move when this
// did not reach the server; so does the timer's submit), and again when the
// network comes back after a save that did not reach the server. Enter saves it
// instead of posting the page.
// As it is typed, the value is kept in the attempt's journal (journal.js: its
// `prediction`, {value}) until the server acknowledges it: a reload without
// network (the page's offline copy) puts it back in the field, said not yet
// saved, and it is sent when the network is back, or with the page's form.
(function () {
  "use strict";
  var input = document.getElementById("prediction-input");
  var csrf = document.getElementById("csrf_token");
  if (!input || !csrf || !input.getAttribute("data-url") || !window.fetch) return;
  var status = document.getElementById("prediction-status");
  var shown = document.querySelector("input[name=prediction_shown]");
  var missing = document.getElementById("prediction-missing");
  var T = JSON.parse(input.getAttribute("data-texts"));
  var config = document.getElementById("attempt-config");
  var Journal = window.VHCVJournal;
  var key = config && Journal ? JSON.parse(config.textContent).journal : null;

  // The journal keeps the value typed while the server holds another one.
  function keep() {
    if (!key) return;
    var value = input.value.trim();
    var journal = Journal.load(key);
    if (value && value !== shown.value) journal.prediction = { value: value };
    else delete journal.prediction;
    Journal.save(key, journal);
  }

  function save() {
    var value = input.value.trim();
    if (value === shown.value) return;
    status.textContent = T.saving;
    var body = new URLSearchParams();
    body.append("csrf_token", csrf.value);
    body.append("prediction", value);
    fetch(input.getAttribute("data-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (answer) { return [response.status, answer]; });
      })
      .then(function (answer) {
        if (answer[0] === 200 && answer[1].saved) {
          shown.value = String(answer[1].prediction);
          // As the server read it (1.500 → 1500): the field's own check (a whole
          // number) then lets the page's form go.
          if (input.value.trim() === value) input.value = shown.value;
          if (missing) missing.hidden = true;
          status.textContent = T.saved;
          keep();
        } else {
          status.textContent = answer[1].error || T.failed;
        }
      })
      .catch(function () { status.textContent = T.failed; });
  }

  // A reload: the value typed and not acknowledged goes back in the field (the
  // page, perhaps an older offline copy, came without it).
  var kept = key ? Journal.load(key).prediction : null;
  if (kept && typeof kept.value === "string" && kept.value !== shown.value) {
    input.value = kept.value;
    status.textContent = T.restored;
    if (navigator.onLine !== false) save();
  } else {
    keep();
  }

  input.addEventListener("input", keep);
  input.addEventListener("change", save);
  window.addEventListener("online", save);  // nothing to do when it was saved
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); save(); }
  });
})();
