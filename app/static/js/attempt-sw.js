// The attempt pages' service worker (served at /attempts/sw.js, scope /attempts/):
// a reload of an attempt page without network shows the copy this browser last
// received of it, with its styles and scripts, and the page's script puts the
// journal's unsent choices back on it. With a network every request goes to the
// server as usual (a copy is only kept, never served instead); saves, submissions
// and every other page pass through untouched. The result page deletes the
// attempt's copy; signing out deletes all (Clear-Site-Data).
"use strict";

var ATTEMPT_PAGE = /^\/attempts\/(\d+)$/;
var STATIC = "vhcv-static";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function networkThenCopy(request, cacheName) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(cacheName).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    // The copy was kept for this browser's own session: its Vary is not a reason
    // to pass it over.
    return caches.match(request, { ignoreVary: true }).then(function (copy) {
      return copy || Response.error();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var page = ATTEMPT_PAGE.exec(url.pathname);
  if (page && request.mode === "navigate") {
    event.respondWith(networkThenCopy(request, "vhcv-attempt-" + page[1]));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(networkThenCopy(request, STATIC));
  }
});
