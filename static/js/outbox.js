// What the officer's phone does besides counting (phone.js loads this file when there is something to do): the sync
// of the outbox, one record per request with the phone's device credential; records captured without signal;
// "prepare for offline"; the export for a phone that never gets a signal; what a stored page of a visit shows.
(function () {
  "use strict";
  var P = self.JangkauPhone, all = P.all, meta = P.meta, setMeta = P.setMeta, transaction = P.transaction;
  var fill = P.fill, mine = P.mine, show = P.show, panel = P.panel, officer = P.officer;
  var body = document.body;
  var RETRY = 60000;  // a sync that could not finish tries again after a minute, while the page is open

  // A one-time key as the server makes them (secrets.token_urlsafe(24)): 32 characters of [A-Za-z0-9_-].
  function newKey() {
    var bytes = crypto.getRandomValues(new Uint8Array(24));
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_");
  }
  // The day in WITA, as the server counts a visit's day.
  function witaDay() {
    return new Intl.DateTimeFormat("en-CA", {timeZone: "Asia/Makassar"}).format(new Date());
  }
  function say(text, kind) {
    if (!panel) return;
    var status = panel.querySelector("[data-status]");
    status.textContent = text || "";
    status.className = kind ? "flash " + kind : "";
  }

  // --- the device credential and the sync -------------------------------------------------------------------
  function csrfToken() {
    try { return JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return null; }
  }
  function request(url, options) {
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, 20000);
    options.signal = abort.signal;
    options.credentials = "same-origin";
    return fetch(url, options).finally(function () { clearTimeout(timer); });
  }
  // The phone's credential for an officer: asked for once after sign-in (the session signs that request); the
  // records of an officer signed out are sent with the credential they had.
  function device(who) {
    return meta("device:" + who).then(function (known) {
      if (known) return known.token;
      var token = csrfToken();
      if (String(who) !== officer || !token || !navigator.onLine) return null;
      return request("/devices", {method: "POST", headers: {"X-CSRFToken": token}}).then(function (response) {
        if (response.status !== 201) return null;
        return response.json().then(function (issued) {
          return setMeta("device:" + who, issued).then(function () { return issued.token; });
        });
      });
    });
  }

  var syncing = false, again = false, retry = null;
  function sync() {
    // Asked again while sending (the button, the network back): one more round once this one ends.
    if (syncing) again = true;
    if (syncing || !navigator.onLine) return show();
    syncing = true;
    again = false;
    clearTimeout(retry);
    // The signed-in officer's credential is asked for at once, before anything waits: a phone that later never
    // gets a signal still has it for the file it exports.
    var tokens = {};
    if (officer) tokens[officer] = device(officer).catch(function () { return null; });
    return all("outbox").then(function (records) {
      var queue = records.filter(function (r) { return r.state !== "attention"; });
      if (!queue.length) return "done";
      // Capture order: a visit is started before its sign-ups, and quotas are spent as the officer spent them.
      queue.sort(function (a, b) { return a.captured_at < b.captured_at ? -1 : a.captured_at > b.captured_at ? 1 : a.seq - b.seq; });
      say(panel && panel.dataset.sending);
      return queue.reduce(function (chain, record) {
        return chain.then(function (outcome) {
          if (outcome !== "sent") return outcome;
          if (!(record.officer in tokens)) tokens[record.officer] = device(record.officer);
          return tokens[record.officer].then(function (token) {
            // An officer with no credential on this phone: their records wait for them to sign in here.
            return token ? send(record, token) : "sent";
          });
        });
      }, Promise.resolve("sent"));
    }).then(function (outcome) {
      if (outcome === "sent" || outcome === "done") say("");
      else if (outcome === "signin") say(panel && panel.dataset.signIn, "error");
      else { say(panel && panel.dataset.unsent, "warning"); retry = setTimeout(sync, RETRY); }
    }, function () {
      say(panel && panel.dataset.unsent, "warning");
      retry = setTimeout(sync, RETRY);
    }).then(function () {
      syncing = false;
      return again ? sync() : show();
    });
  }
  function send(record, token) {
    var sent = {key: record.key, kind: record.kind, visit_id: record.visit_id, captured_at: record.captured_at,
                data: record.data};
    return request("/sync/records", {
      method: "POST", body: JSON.stringify(sent),
      headers: {"Content-Type": "application/json", "Authorization": "Bearer " + token},
    }).then(function (response) {
      if (response.status === 200) return response.json().then(function (answer) {
        // Only an answer naming this record's key and the id it was stored under lets it leave the phone.
        if (answer.key !== record.key || answer.id == null) return "unsent";
        return transaction(["outbox", "sent"], "readwrite", function (outbox, kept) {
          outbox.delete(record.key);
          kept.put({key: record.key, kind: record.kind, visit_id: record.visit_id, officer: record.officer,
                    label: record.label, id: answer.id, status: answer.status, reason: answer.reason || "",
                    sent_at: new Date().toISOString()});
        }).then(function () { return "sent"; });
      });
      if (response.status === 401) return setMeta("device:" + record.officer, undefined).then(function () { return "signin"; });
      if (response.status === 422) return response.json().catch(function () { return {}; }).then(function (error) {
        // Never storable as sent: kept on the phone, shown as needing attention, not sent again by itself.
        record.state = "attention";
        record.error = error;
        return transaction(["outbox"], "readwrite", function (outbox) { outbox.put(record); })
          .then(function () { return "sent"; });
      });
      return "unsent";  // 429, 5xx, anything else: later
    }, function () { return "unsent"; });
  }

  // --- capture without signal ------------------------------------------------------------------------------
  var seq = 0;
  function store(kind, visitId, data, label) {
    var record = {key: newKey(), kind: kind, visit_id: visitId, captured_at: new Date().toISOString(), data: data,
                  officer: officer, label: label || "", state: "pending", seq: Date.now() * 100 + (seq++ % 100)};
    // One record, one transaction: it is on the phone once this resolves.
    return transaction(["outbox"], "readwrite", function (outbox) { outbox.add(record); }).then(function () {
      show();
      return record;
    });
  }
  function formData(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrf_token" || name === "form_key") return;
      if (name in data) data[name] = [].concat(data[name], value);
      else data[name] = value;
    });
    return data;
  }
  function notice(form, text, kind) {
    document.querySelectorAll("[data-offline-notice]").forEach(function (old) { old.remove(); });
    if (!text) return;
    var p = document.createElement("p");
    p.className = "flash " + kind;
    p.setAttribute("role", kind === "error" ? "alert" : "status");
    p.setAttribute("data-offline-notice", "");
    p.tabIndex = -1;
    p.textContent = text;
    form.parentNode.insertBefore(p, form);
    p.scrollIntoView({block: "center"});
    p.focus();
  }
  function masked(nik) {
    var digits = String(nik || "").replace(/\D/g, "");
    return digits.length === 16 ? digits.slice(0, 6) + "••••••" + digits.slice(12) : "";
  }

  var captures = {
    signup: function (form, visitId) {
      var data = formData(form);
      return meta("pack:" + officer).then(function (thePack) {
        // signup.js, loaded with the form, holds the checks the phone can make.
        var problems = self.JangkauSignup ? self.JangkauSignup.problems(form, data, thePack) : [];
        if (problems.length) return notice(form, problems.join(" "), "error");
        // The rate table the phone showed: the server stores the sign-up for review if another was in force.
        if (thePack && thePack.rates) data.rate_table_id = thePack.rates.id;
        var label = (data.full_name || "").trim() + " " + masked(data.nik);
        return store("signup", visitId, data, label).then(function () {
          form.reset();
          notice(form, fill(form.dataset.savedOffline, {name: label}), "success");
        });
      });
    },
    visit_started: function (form, visitId) {
      return store("visit_started", visitId, {}, form.dataset.label).then(function (record) {
        notice(form, fill(form.dataset.savedOffline, {time: record.captured_at && new Date(record.captured_at)
          .toLocaleTimeString("id-ID", {timeZone: "Asia/Makassar", hour: "2-digit", minute: "2-digit"})}), "success");
      });
    },
    attendance: function (form, visitId) {
      var data = formData(form);
      data.obstacles = [].concat(data.obstacles || []);
      var counts = ["women", "men"].every(function (name) {
        return /^\s*[0-9]{1,4}\s*$/.test(data[name] || "") && parseInt(data[name], 10) <= 5000;
      });
      if (!counts) return notice(form, form.dataset.needCounts, "error");
      return store("attendance", visitId, data, form.dataset.label).then(function () {
        notice(form, form.dataset.savedOffline, "success");
      });
    },
    visit_closed: function (form, visitId) {
      return store("visit_closed", visitId, {}, form.dataset.label).then(function () {
        notice(form, form.dataset.savedOffline, "success");
      });
    },
  };
  // A form sent without signal (phone.js stopped it): the record goes to the outbox.
  function capture(kind, form) {
    if (!captures[kind]) return Promise.resolve();
    var visitId = parseInt(form.dataset.visit, 10);
    return Promise.resolve().then(function () { return captures[kind](form, visitId); }).catch(function () {
      // The phone's storage refused it (full, or private browsing): nothing kept, what was typed stays in the form.
      notice(form, panel ? panel.dataset.notStored : "", "error");
    });
  }

  // The stored copy of a visit's page shows what the phone knows: started or closed without signal.
  function applyVisitState(records, status) {
    var started = document.querySelectorAll("[data-offline-start]");
    var visitId = started.length && parseInt(started[0].dataset.offlineStart, 10);
    if (!visitId) return;
    var kinds = records.filter(function (r) { return r.visit_id === visitId; }).map(function (r) { return r.kind; });
    if (status === "in_progress" || status === "done") kinds.push("visit_started");
    if (status === "done") kinds.push("visit_closed");
    var day = document.querySelector("[data-offline-day]");
    var isStarted = kinds.indexOf("visit_started") >= 0, closed = kinds.indexOf("visit_closed") >= 0;
    if (day) {
      var today = day.dataset.offlineDay === witaDay() && !isStarted;
      day.hidden = !today;
      document.querySelectorAll("[data-offline-not-day]").forEach(function (e) { e.hidden = today || isStarted; });
    }
    started.forEach(function (section) { section.hidden = !isStarted || closed; });
    document.querySelectorAll("[data-offline-closed]").forEach(function (e) { e.hidden = !closed; });
  }
  P.shown.push(applyVisitState);

  // --- prepare for offline ---------------------------------------------------------------------------------
  function prepareForOffline(prepare) {
    var d = prepare.dataset, result = prepare.querySelector("[data-result]");
    result.className = "hint";
    result.textContent = d.preparing;
    if (!("caches" in window) || !navigator.serviceWorker) {
      result.textContent = d.unsupported;
      return Promise.resolve();
    }
    var persisted = navigator.storage && navigator.storage.persist ? navigator.storage.persist() : Promise.resolve(false);
    var pages = ["/"], failed = [];
    return persisted.then(function () {
      return request("/field/offline-pack", {method: "GET", headers: {"Accept": "application/json"}});
    }).then(function (response) {
      if (!response.ok) throw new Error("/field/offline-pack");
      return response.json();
    }).then(function (thePack) {
      thePack.visits.forEach(function (v) { pages = pages.concat(v.pages); });
      return setMeta("pack:" + officer, thePack).then(function () { return caches.open(P.pages); }).then(function (cache) {
        // One page at a time: a weak signal carries one answer better than several at once.
        return pages.reduce(function (chain, url) {
          return chain.then(function () {
            return request(url + (url === "/" ? "" : "?offline=1"), {method: "GET"}).then(function (response) {
              if (!response.ok || response.redirected) throw new Error(url);
              return cache.put(url, response);
            }).catch(function () { failed.push(url); });
          });
        }, Promise.resolve()).then(function () { return navigator.serviceWorker.ready; }).then(function () {
          // The self-test: each page is read back from the phone, as the service worker will without signal.
          return Promise.all(pages.map(function (url) {
            return cache.match(url, {ignoreVary: true}).then(function (hit) {
              if (!hit && failed.indexOf(url) < 0) failed.push(url);
            });
          }));
        }).then(function () {
          result.className = failed.length ? "flash error" : "flash success";
          result.textContent = failed.length ? fill(d.failed, {pages: failed.join(", ")})
            : fill(d.ready, {n: thePack.visits.length});
        });
      });
    }).catch(function (error) {
      result.className = "flash error";
      result.textContent = fill(d.failed, {pages: error.message});
    });
  }

  // The file an administrator imports at /sync/import for a phone that will never get a signal: a JSON array of
  // the records as they would have been sent, each with the phone's device id.
  function exportRecords() {
    Promise.all([all("outbox"), meta("device:" + officer)]).then(function (found) {
      var deviceId = found[1] ? found[1].device_id : null;
      var out = mine(found[0]).map(function (r) {
        return {key: r.key, kind: r.kind, visit_id: r.visit_id, captured_at: r.captured_at, data: r.data,
                device_id: deviceId};
      });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([JSON.stringify(out, null, 1)], {type: "application/json"}));
      link.download = "jangkau-records-" + new Date().toISOString().slice(0, 10) + ".json";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  show();
  self.JangkauOutbox = {all: all, show: show, sync: sync, capture: capture, prepare: prepareForOffline,
                        exportRecords: exportRecords};
})();
