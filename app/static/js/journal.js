// The attempt journal: the choices of one attempt, kept in this browser's
// localStorage until the server acknowledges them, so that neither a dropped
// connection nor a reload loses a choice. One key per user and attempt,
// "vhcv.journal.<user id>.<attempt id>", holding {next, entries: [{seq, position,
// choices, late}], acked: {position: {seq, choices}}, deadline, end, heard}: `next`
// is the next sequence number, entries are in the order they were made, `acked` is
// the last choice the server acknowledged per question, `deadline` the server's
// deadline (this browser's clock) as last heard, at `heard`, and `end` the same
// deadline on the server's clock — so that a reload from an offline copy of the
// page shows what the server holds and keeps the time counting; `prediction` ({value}) is a contest
// round's prediction typed and not yet acknowledged (prediction.js). The server
// keeps, per question, the choice with the highest number, so a late retry of an
// older choice never overwrites a newer one.
// The result page reads what was left and clears it; signing out clears all of it
// (sign-out.js, and the server's Clear-Site-Data header), and an open attempt page
// does not write its journal back (attempt.js).
(function () {
  "use strict";
  var PREFIX = "vhcv.journal.";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }  // blocked
  }

  function keyFor(userId, attemptId) { return PREFIX + userId + "." + attemptId; }

  function load(key) {
    var store = storage();
    var data = null;
    try { data = JSON.parse(store ? store.getItem(key) : "null"); } catch (e) { data = null; }
    if (!data || !Array.isArray(data.entries)) data = { next: 1, entries: [] };
    if (!data.acked || typeof data.acked !== "object") data.acked = {};
    return data;
  }

  function save(key, data) {
    var store = storage();
    if (!store) return false;
    try {
      store.setItem(key, JSON.stringify(data));  // kept until the attempt ends
      return true;
    } catch (e) { return false; }  // full or blocked: the page still sends at once
  }

  // Whether the browser holds the journal `key` (a sign-out in another tab may
  // have removed it).
  function held(key) {
    var store = storage();
    try { return !!store && store.getItem(key) !== null; } catch (e) { return false; }
  }

  function clear(key) {
    var store = storage();
    if (store) store.removeItem(key);
  }

  // A journal of another user (a shared computer whose last user did not sign
  // out) is never read here and is removed.
  function forgetOthers(userId) {
    var store = storage();
    if (!store) return;
    var mine = PREFIX + userId + ".";
    for (var i = store.length - 1; i >= 0; i--) {
      var name = store.key(i);
      if (name && name.indexOf(PREFIX) === 0 && name.indexOf(mine) !== 0) store.removeItem(name);
    }
  }

  window.VHCVJournal = {
    keyFor: keyFor, load: load, save: save, held: held, clear: clear, forgetOthers: forgetOthers,
    // set, then removed, by sign-out.js around its clearing of the journals: the
    // open attempt pages hear of it (a `storage` event) and keep nothing
    SIGNED_OUT: "vhcv.signed-out"
  };
})();
