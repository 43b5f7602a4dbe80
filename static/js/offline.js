// The officer's phone without signal (issue 15): the service worker, "prepare for offline", records captured into
// an outbox in IndexedDB, and their sync, one record per request, with the phone's device credential.
// Records live in IndexedDB only (never in a cache): a new service worker, a closed tab or a restart keeps them.
(function () {
  "use strict";
  var body = document.body;
  var officer = body.dataset.officer;
  var PAGES = "jangkau-pages";
  var RETRY = 60000;  // a sync that could not finish tries again after a minute, while the page is open

  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () {});
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

  // A one-time key as the server makes them (secrets.token_urlsafe(24)): 32 characters of [A-Za-z0-9_-].
  function newKey() {
    var bytes = crypto.getRandomValues(new Uint8Array(24));
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_");
  }
  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  // The day in WITA, as the server counts a visit's day.
  function witaDay() {
    return new Intl.DateTimeFormat("en-CA", {timeZone: "Asia/Makassar"}).format(new Date());
  }

  // --- what is on the phone, sent, and needing review -------------------------------------------------------
  var panel = document.getElementById("phone-records");
  var pending = 0;
  // A visit page seen with signal tells the phone the visit's status: a visit started or closed online shows so on
  // the copy stored before (which shows the visit as it was when prepared).
  var seen = document.querySelector("[data-visit-status]");
  var live = seen && !document.querySelector("[data-offline-start]");
  var known = live ? setMeta("visit:" + seen.dataset.visitId, seen.dataset.visitStatus)
    : seen ? meta("visit:" + seen.dataset.visitId) : Promise.resolve(null);
  // A visit started or closed through htmx is not loaded again: the phone learns its status from the swap.
  document.addEventListener("htmx:afterSwap", function () {
    var now = document.querySelector("[data-visit-status]");
    if (now && live) setMeta("visit:" + now.dataset.visitId, now.dataset.visitStatus);
  });
  function show() {
    return Promise.all([all("outbox"), all("sent"), known]).then(function (found) {
      var waiting = mine(found[0]), sent = mine(found[1]);
      pending = waiting.length;
      applyVisitState(found[0].concat(found[1]), live ? null : found[2]);
      if (!panel) return;
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
    });
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
  function pack() { return meta("pack:" + officer); }

  function nikCheck(nik, districts) {
    return self.JangkauNik ? self.JangkauNik.check(nik, districts, new Date().getFullYear()) : {valid: true, errors: []};
  }
  function signupProblems(form, data, thePack) {
    var d = form.dataset, problems = [];
    var nik = nikCheck(data.nik, thePack && thePack.districts);
    nik.errors.forEach(function (why) {
      problems.push(fill(why === "format" ? d.nikFormat : why === "district" ? d.nikDistrict : d.nikBirth,
                         {code: (nik.nik || "").slice(0, 6).replace(/(..)(..)(..)/, "$1.$2.$3")}));
    });
    if (!(data.full_name || "").trim()) problems.push(d.needName);
    if (!data.occupation) problems.push(d.needOccupation);
    if (!(data.declared_income || "").trim()) problems.push(d.needIncome);
    if (!data.consent) problems.push(d.needConsent);
    return problems;
  }
  function masked(nik) {
    var digits = String(nik || "").replace(/\D/g, "");
    return digits.length === 16 ? digits.slice(0, 6) + "••••••" + digits.slice(12) : "";
  }

  var capture = {
    signup: function (form, visitId) {
      var data = formData(form);
      return pack().then(function (thePack) {
        var problems = signupProblems(form, data, thePack);
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

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList.contains("signout")) return signOut(event, form);
    var kind = form.dataset.offline;
    if (!kind || navigator.onLine || !capture[kind]) return;
    // No signal: the record goes to the outbox; htmx (listening on the form) never hears of the submit.
    event.preventDefault();
    event.stopPropagation();
    var visitId = parseInt(form.dataset.visit, 10);
    Promise.resolve().then(function () { return capture[kind](form, visitId); }).catch(function () {
      // The phone's storage refused it (full, or private browsing): nothing kept, what was typed stays in the form.
      notice(form, panel ? panel.dataset.notStored : "", "error");
    });
  }, true);

  // The NIK and the contribution as they are typed: what the phone can work out it shows at once, online too, and
  // the server is asked only for what the phone cannot know (a NIK's registration, a programme's places left).
  // Without signal it is never asked. htmx:confirm, not beforeRequest: a request stopped there never began.
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt, form = elt.closest && elt.closest("form[data-offline]");
    if (!form) return;
    var ask = navigator.onLine && (elt.id === "nik" ? nikOnPhone(elt, true)
      : !(event.detail.target && event.detail.target.id === "preview" && previewOnPhone(form, pageRates())));
    if (!ask) event.preventDefault();
  });
  function showNik(form, nik, thePack) {
    var where = document.getElementById("nik-check"), p = document.createElement("p");
    where.textContent = "";
    if (!nik) return;
    p.className = nik.valid ? "hint" : "err";
    p.textContent = nik.valid ? fill(form.dataset.nikReads, {sex: nik.sex === "P" ? form.dataset.female : form.dataset.male,
                                                             date: nik.birth_date})
      : signupProblems(form, {nik: nik.nik, full_name: "-", occupation: "-", declared_income: "-", consent: "y"},
                       thePack).join(" ");
    where.appendChild(p);
    if (nik.valid && form.sex && !form.sex.value) form.sex.value = nik.sex;
    if (nik.valid && form.birth_date && !form.birth_date.value) form.birth_date.value = nik.birth_date;
  }
  // Online: true when the server is to be asked about this NIK (``paused``: the officer stopped typing); only a NIK
  // the phone finds valid, once for the same NIK, sex and birth date (the server's answer stays shown).
  var answers = {};  // the server's answer for each NIK, sex and birth date asked about
  function nikOnPhone(input, paused) {
    if (!self.JangkauNik) return paused;
    var form = input.form, nik = nikCheck(input.value, null);
    var key = [nik.nik, form.sex && form.sex.value, form.birth_date && form.birth_date.value].join("|");
    var typing = nik.errors[0] === "format" && nik.nik.length < 16 && /^[0-9]*$/.test(nik.nik);
    if (!nik.nik || (typing && !paused)) { showNik(form, null); return false; }
    if (!nik.valid) { showNik(form, nik); return false; }
    if (input.dataset.asked === key) {
      if (!paused && key in answers) document.getElementById("nik-check").replaceChildren(answers[key].cloneNode(true));
      return false;
    }
    if (paused) input.dataset.asked = key; else showNik(form, nik);
    return paused;
  }
  document.addEventListener("htmx:afterRequest", function (event) {
    var input = event.detail.elt;
    if (input.id !== "nik") return;
    // Not answered (no network, a timeout, an error): the same NIK may be asked again.
    if (!event.detail.successful) delete input.dataset.asked;
    else {
      var kept = document.createDocumentFragment();
      document.getElementById("nik-check").childNodes.forEach(function (n) { kept.appendChild(n.cloneNode(true)); });
      answers[input.dataset.asked] = kept;
    }
  });
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.id !== "nik" || !input.form || !input.form.dataset.offline) return;
    if (navigator.onLine) return nikOnPhone(input, false);
    pack().then(function (thePack) {
      var nik = nikCheck(input.value, thePack && thePack.districts);
      showNik(input.form, nik.nik.length < 16 && nik.errors[0] === "format" ? null : nik, thePack);
    });
  });

  // The monthly contribution worked out on the phone, from the rate table of the page or of the offline pack, as
  // campaign_app/signups/contributions.py does (in whole units of the rates' five decimals: no float rounding).
  function share(income, rate) {
    var units = Math.round(parseFloat(rate) * 100000);
    return Math.floor((income * units + 50000) / 100000);
  }
  function rupiah(amount) { return "Rp" + amount.toLocaleString("id-ID"); }
  function pageRates() {
    var element = document.getElementById("rates");
    try { return element ? JSON.parse(element.dataset.rates) : null; } catch (e) { return null; }
  }
  // Shows the contribution and says true, or says false for the server to answer: an income written another way
  // (its message is the server's), or a subsidy programme chosen (its places left are the server's).
  function previewOnPhone(form, r) {
    var where = document.getElementById("preview"), typed = form.declared_income.value;
    var amount = /^\s*(rp\.?\s*)?([1-9][0-9]{0,2}(\.[0-9]{3})+|[1-9][0-9]*)\s*$/i.exec(typed);
    var income = amount && parseInt(amount[2].replace(/\./g, ""), 10), p = document.createElement("p");
    if (!r || !where || (form.payer && form.payer.value === "subsidy" && form.subsidy_programme.value)) return false;
    p.className = "hint";
    if (typed.trim() && !(income <= 1000000000)) return false;
    if (!typed.trim()) {
      if (!document.getElementById("rates")) return false;
      p.textContent = document.getElementById("rates").dataset.typeIncome;
    } else {
      var jkk = Math.min(Math.max(share(income, r.jkk_rate), r.jkk_minimum), r.jkk_maximum);
      var jht = form.with_jht && form.with_jht.checked ? share(income, r.jht_rate) : 0;
      var text = fill(form.dataset.eachMonth, {jkk: rupiah(jkk), jkm: rupiah(r.jkm_flat)});
      var total = document.createElement("strong");
      p.textContent = (jht ? text + " + " + fill(form.dataset.jht, {jht: rupiah(jht)}) : text) + " = ";
      total.textContent = rupiah(jkk + r.jkm_flat + jht);
      p.appendChild(total);
    }
    where.textContent = "";
    where.appendChild(p);
    return true;
  }
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (!form || form.dataset.offline !== "signup" || !form.declared_income) return;
    if (event.target !== form.declared_income && event.target !== form.with_jht) return;
    var r = pageRates();
    if (r || navigator.onLine) return previewOnPhone(form, r);
    pack().then(function (thePack) { previewOnPhone(form, thePack && thePack.rates); });
  });

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

  // --- prepare for offline ---------------------------------------------------------------------------------
  var prepare = document.getElementById("prepare");
  function prepareForOffline() {
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
      return setMeta("pack:" + officer, thePack).then(function () { return caches.open(PAGES); }).then(function (cache) {
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
  if (prepare) {
    prepare.hidden = false;
    prepare.querySelector("button").addEventListener("click", prepareForOffline);
  }

  // --- sign-out, export ------------------------------------------------------------------------------------
  var leaving = false;
  function signOut(event, form) {
    if (leaving) return;
    event.preventDefault();
    if (pending && panel && !window.confirm(fill(panel.dataset.signOut, {n: pending}))) return;
    // What the phone stored of the officer's pages goes with them; their records stay until sent.
    leaving = true;
    var done = function () { form.submit(); };
    Promise.all([caches.delete(PAGES), setMeta("pack:" + officer, undefined)]).then(done, done);
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
  if (panel) {
    panel.querySelector("[data-send]").addEventListener("click", function () { sync(); });
    panel.querySelector("[data-export]").addEventListener("click", exportRecords);
  }

  window.addEventListener("online", function () { sync(); });
  window.addEventListener("offline", function () { show(); });
  sync();
  // For the browser tests: the records on the phone, read as the page reads them.
  self.JangkauOutbox = {all: all, sync: sync, show: show};
})();
