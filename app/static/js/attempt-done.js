// Result page: the attempt is over. Choices still in the attempt's journal (see
// journal.js) whose number the server does not hold — nor a newer one — never
// arrived before the deadline: say which questions, then delete the journal and the
// attempt page's offline copy from this browser.
(function () {
  "use strict";
  var data = document.getElementById("attempt-done");
  var notice = document.getElementById("not-counted");
  if (!data || !notice || !window.VHCVJournal) return;
  data = JSON.parse(data.textContent);
  var Journal = window.VHCVJournal;
  Journal.forgetOthers(data.user);
  var lost = {};
  Journal.load(data.journal).entries.forEach(function (e) {
    if (e.seq > (data.stored[e.position] || 0)) lost[e.position] = true;
  });
  var positions = Object.keys(lost).sort(function (a, b) { return a - b; });
  if (positions.length) {
    // The notice's form by the count of questions (English: question 3, questions 3, 5).
    var text = (positions.length === 1 && notice.getAttribute("data-text-one")) ||
      notice.getAttribute("data-text");
    notice.textContent = text.replace("{list}", positions.join(", "));
    notice.hidden = false;
  }
  Journal.clear(data.journal);
  if (window.caches) caches.delete(data.cache).catch(function () {});
})();
