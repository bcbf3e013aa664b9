// Signing out deletes what the attempt pages kept in this browser: the attempt
// journals (journal.js) and the offline copies of attempt pages. The server's
// Clear-Site-Data header does the same where the browser honours it (HTTPS).
(function () {
  "use strict";
  var form = document.getElementById("sign-out");
  function forgetCopies() {
    if (window.caches) {
      caches.keys().then(function (names) {
        names.forEach(function (name) { if (name.indexOf("vhcv-") === 0) caches.delete(name); });
      }).catch(function () {});
    }
  }
  // Nobody is signed in here (a session ended without signing out: the browser
  // closed, the time ran out): no copy of anyone's attempt page stays for the next.
  if (!form) { forgetCopies(); return; }
  form.addEventListener("submit", function () {
    try {
      var store = window.localStorage;
      // The mark tells the open attempt pages of this browser (a `storage` event,
      // journal.js's SIGNED_OUT) to drop their journals and not write them back.
      store.setItem("vhcv.signed-out", String(Date.now()));
      for (var i = store.length - 1; i >= 0; i--) {
        var name = store.key(i);
        if (name && name.indexOf("vhcv.journal.") === 0) store.removeItem(name);
      }
      store.removeItem("vhcv.signed-out");
    } catch (e) { /* storage blocked: nothing was kept */ }
    if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
      navigator.serviceWorker.getRegistrations().then(function (all) {
        all.forEach(function (registration) { registration.unregister(); });
      }).catch(function () {});
    }
    forgetCopies();
  });
})();
