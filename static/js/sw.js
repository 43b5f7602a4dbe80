// Jangkau's service worker (served as /sw.js, which writes VERSION and SHELL above this line).
// It keeps the app shell (CSS, JS, icons, the offline page) and answers a navigation without signal with the page
// the officer prepared, or the offline page. Records never live here: they are in IndexedDB (static/js/phone.js),
// so a new worker, which drops the old shell, cannot lose one.
"use strict";
var SHELL_CACHE = "jangkau-shell-" + VERSION;
var PAGES_CACHE = "jangkau-pages";  // filled by "prepare for offline"; kept across versions
var NETWORK_WAIT = 8000;  // a page slower than this on a weak signal is answered from the phone

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(SHELL);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("jangkau-shell-") === 0 && name !== SHELL_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function stored(request) {
  // Pages vary on the cookie and on HX-Request: the copy stored is the whole page, whatever the headers now.
  return caches.open(PAGES_CACHE).then(function (cache) { return cache.match(request.url, {ignoreVary: true}); });
}

function offlinePage(status) {
  return caches.match(SHELL[0], {ignoreVary: true}).then(function (page) {
    return page ? new Response(page.body, {status: status || 200, headers: page.headers}) : Response.error();
  });
}

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (r) { clearTimeout(timer); resolve(r); }, function (e) { clearTimeout(timer); reject(e); });
  });
}

function navigation(request) {
  // A form sent without signal: say so rather than the browser's error page.
  if (request.method !== "GET") return fetch(request).catch(function () { return offlinePage(503); });
  var network = fetch(request);
  return stored(request).then(function (copy) {
    // A page prepared is shown when the network fails or dawdles; any other page waits for the network as long as
    // it takes, and only a failure shows the offline page.
    if (!copy) return network.catch(function () { return offlinePage(); });
    return withTimeout(network, NETWORK_WAIT).catch(function () { return copy; });
  });
}

function shellFile(request) {
  // Fingerprinted: a copy is right forever. A page stored before a deploy names the old fingerprint: any version
  // of the file is better than none.
  return caches.match(request, {ignoreVary: true}).then(function (hit) {
    return hit || fetch(request).catch(function () {
      return caches.match(request, {ignoreSearch: true, ignoreVary: true}).then(function (old) {
        return old || Response.error();
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigation(request));
  } else if (request.method === "GET" && url.pathname.indexOf("/static/") === 0) {
    event.respondWith(shellFile(request));
  }
  // Everything else (htmx fragments, the pack, sync) goes to the network as it is: an answer from a cache there
  // would pass a stale figure for a fresh one.
});
