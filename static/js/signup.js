// The sign-up form on the phone, online too: the NIK read and the contribution worked out as they are typed, the
// server asked only for what the phone cannot know (a NIK's registration, a programme's places left), and without
// signal never. Loaded by the sign-up page, after nik.js; the offline pack comes from phone.js.
(function () {
  "use strict";
  var P = self.JangkauPhone;
  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  function pack() { return P ? P.meta("pack:" + P.officer) : Promise.resolve(null); }

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

  // htmx:confirm, not beforeRequest: a request stopped there never began.
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

  self.JangkauSignup = {problems: signupProblems};
})();
