// The officer's phone (issue 15), on every page of an officer and every page signed out: the service worker, how
// many records wait on the phone, the warning before signing out with records not sent. What else the phone does is
// in outbox.js (the sync, capture without signal, prepare for offline, the export), loaded only when there is
// something for it to do: a record to send, no device credential yet, no signal, a stored page, a button pressed.
// A first visit on EDGE pays for this file alone. Records live in IndexedDB only (never in a cache): a new service
// worker, a closed tab or a restart keeps them.
(function () {
  "use strict";
  var body = document.body;
  var officer = body.dataset.officer;
  var outboxUrl = document.currentScript && document.currentScript.dataset.outbox;
  var PAGES = "jangkau-pages";

  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () {});
  // A page's content swapped in by htmx (the sign-up form, in the answer to saving attendance) lists its scripts,
  // which htmx would not run (htmx-config's allowScriptTags): each is loaded here, once, in their order.
  var ran = {};
  document.querySelectorAll("script[src]").forEach(function (script) { ran[script.src] = true; });
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("[data-scripts]").forEach(function (list) {
      list.dataset.scripts.split(" ").forEach(function (url) {
        var script = document.createElement("script");
        script.src = url;
        if (ran[script.src]) return;
        ran[script.src] = true;
        script.async = false;
        document.head.appendChild(script);
      });
    });
  });
  // Signed out (a session expired in the village), the page still sends what waits on the phone: the device
  // credential, not the session, signs each record.
  if (!window.indexedDB) return;

  // --- IndexedDB: outbox (records not sent), sent (answers kept to show), meta (device, pack) -----------------
  var opened = null;
  function database() {
    if (!opened) opened = new Promise(function (resolve, reject) {
      var request = indexedDB.open("jangkau", 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("outbox", {keyPath: "key"});
        db.createObjectStore("sent", {keyPath: "key"});
        db.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return opened;
  }
  // One transaction over ``stores``; resolves once it is committed (so a record is on disk before we say so).
  function transaction(stores, mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(stores, mode), result;
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
        result = work.apply(null, stores.map(function (name) { return tx.objectStore(name); }));
      });
    });
  }
  function all(store) { return transaction([store], "readonly", function (s) { return s.getAll(); }); }
  function meta(key) { return transaction(["meta"], "readonly", function (s) { return s.get(key); }); }
  function setMeta(key, value) {
    return transaction(["meta"], "readwrite", function (s) { return value === undefined ? s.delete(key) : s.put(value, key); });
  }
  function mine(records) { return records.filter(function (r) { return String(r.officer) === officer; }); }
  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }

  // --- outbox.js, when there is something for it to do ------------------------------------------------------
  var loading = null;
  function outbox() {
    if (!loading) loading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = outboxUrl;
      script.onload = function () { resolve(self.JangkauOutbox); };
      script.onerror = function () { loading = null; reject(new Error("outbox.js")); };
      document.head.appendChild(script);
    });
    return loading;
  }
  function sync() { return outbox().then(function (o) { return o.sync(); }); }

  // --- what is on the phone, sent, and needing review -------------------------------------------------------
  var panel = document.getElementById("phone-records");
  var pending = 0;
  var shown = [];  // what outbox.js shows besides, from the same records (a stored page's visit state)
  // A visit page seen with signal tells the phone the visit's status: a visit started or closed online shows so on
  // the copy stored before (which shows the visit as it was when prepared).
  var seen = document.querySelector("[data-visit-status]");
  var live = seen && !document.querySelector("[data-offline-start]");
  var known = live ? setMeta("visit:" + seen.dataset.visitId, seen.dataset.visitStatus)
    : seen ? meta("visit:" + seen.dataset.visitId) : Promise.resolve(null);
  // A visit started or closed through htmx is not loaded again: the phone learns its status from the swap (closed
  // from the sign-up form, a page that showed no status: the server's answer is live too).
  document.addEventListener("htmx:afterSwap", function () {
    var now = document.querySelector("[data-visit-status]");
    if (now && (live || !seen)) setMeta("visit:" + now.dataset.visitId, now.dataset.visitStatus);
  });
  function show() {
    return Promise.all([all("outbox"), all("sent"), known]).then(function (found) {
      var waiting = mine(found[0]), sent = mine(found[1]);
      pending = waiting.length;
      shown.forEach(function (more) { more(found[0].concat(found[1]), live ? null : found[2]); });
      if (!panel) return found;
      var d = panel.dataset;
      var review = sent.filter(function (r) { return r.status === "needs_review"; });
      var attention = waiting.filter(function (r) { return r.state === "attention"; });
      var line = [fill(d.onPhone, {n: waiting.length}),
                  fill(d.sent, {received: sent.length - review.length, review: review.length})];
      if (attention.length) line.push(fill(d.attention, {n: attention.length}));
      panel.querySelector("[data-line]").textContent = line.join(" · ");
      var list = panel.querySelector("[data-problems]");
      list.textContent = "";
      attention.concat(review).forEach(function (r) {
        var item = document.createElement("li");
        item.textContent = (r.label || r.kind) + ": " + (r.reason || (r.error && r.error.error) || "");
        list.appendChild(item);
      });
      panel.querySelector("[data-export]").hidden = !waiting.length;
      panel.hidden = false;
      return found;
    });
  }

  // --- capture without signal: outbox.js keeps the record ------------------------------------------------------
  // Without signal, or a page stored for it, outbox.js is loaded at once (from the service worker's shell): a form
  // sent then is kept without waiting for it.
  var capturing = document.querySelector("form[data-offline]");
  if (capturing && (!navigator.onLine || document.querySelector("[data-offline-start]"))) outbox();
  window.addEventListener("offline", function () { if (capturing) outbox(); });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList.contains("signout")) return signOut(event, form);
    var kind = form.dataset.offline;
    if (!kind || navigator.onLine) return;
    // No signal: the record goes to the outbox; htmx (listening on the form) never hears of the submit.
    event.preventDefault();
    event.stopPropagation();
    outbox().then(function (o) { return o.capture(kind, form); }, function () {
      // outbox.js could not be had (no signal and no service worker): nothing kept, what was typed stays.
      if (panel) window.alert(panel.dataset.notStored);
    });
  }, true);

  // --- sign-out ------------------------------------------------------------------------------------------------
  var leaving = false;
  function signOut(event, form) {
    if (leaving) return;
    event.preventDefault();
    if (pending && panel && !window.confirm(fill(panel.dataset.signOut, {n: pending}))) return;
    // What the phone stored of the officer's pages goes with them; their records stay until sent.
    leaving = true;
    var done = function () { form.submit(); };
    Promise.all([window.caches ? caches.delete(PAGES) : null, setMeta("pack:" + officer, undefined)]).then(done, done);
  }

  var prepare = document.getElementById("prepare");
  if (prepare) {
    prepare.hidden = false;
    prepare.querySelector("button").addEventListener("click", function () {
      outbox().then(function (o) { o.prepare(prepare); });
    });
  }
  if (panel) {
    panel.querySelector("[data-send]").addEventListener("click", sync);
    panel.querySelector("[data-export]").addEventListener("click", function () {
      outbox().then(function (o) { o.exportRecords(); });
    });
  }
  // The network back: outbox.js, if loaded, syncs at once (as the page came back); else only if a record waits.
  window.addEventListener("online", function () {
    if (loading) return sync();
    show().then(function (found) { if (found[0].length) sync(); });
  });
  window.addEventListener("offline", function () { show(); });
  // A record to send, or the signed-in officer's device credential still to ask for (once after sign-in: a phone
  // that later never gets a signal still has it for the file it exports): outbox.js syncs.
  Promise.all([show(), officer ? meta("device:" + officer) : true]).then(function (found) {
    var waiting = found[0][0].some(function (r) { return r.state !== "attention"; });
    if (navigator.onLine && (waiting || !found[1])) sync();
  });

  // For outbox.js and signup.js, and the browser tests (the records on the phone, read as the page reads them).
  self.JangkauPhone = {all: all, meta: meta, setMeta: setMeta, transaction: transaction, mine: mine, fill: fill,
                       show: show, shown: shown, panel: panel, officer: officer, pages: PAGES};
  self.JangkauOutbox = self.JangkauOutbox || {all: all, show: show, sync: sync};
})();
