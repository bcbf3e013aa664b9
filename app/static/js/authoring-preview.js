// The module editor's live preview: the body is sent (with the form's CSRF token)
// to the server, which renders it with the learner page's own pipeline.
(function () {
  "use strict";
  var form = document.getElementById("module-editor");
  var target = document.getElementById("module-preview");
  if (!form || !target || !window.fetch) return;
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var sent = 0;

  function refresh() {
    var number = ++sent;
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { if (number === sent) target.innerHTML = html; })
      .catch(function () {});
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  });
})();
