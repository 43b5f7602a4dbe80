// The NIK rules of campaign_app/signups/nik.py (check_nik, with lokal-id's parse_nik), on the phone, so that a
// sign-up captured without signal is checked as the server will check it. tests/nik_cases.json holds the cases both
// must agree on (tests/unit/test_nik_cases.py for the server, tests/browser/test_offline.py for this file).
(function (root) {
  "use strict";
  // Python's str.isspace(), which the server strips (with "." and "-") before reading the digits.
  var SEPARATORS = /[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000.\-]/g;
  var DIGIT = /^\p{Nd}$/u;  // str.isdigit() for the digits people type (any script's decimal digits)

  function realDate(year, month, day) {
    var d = new Date(Date.UTC(year, month - 1, day));
    return day >= 1 && d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day
      ? d.toISOString().slice(0, 10) : null;
  }

  // raw: the NIK as typed; districts: {"7271": "0102…"} from the offline pack (null: not checked);
  // referenceYear: the year a two-digit birth year is read against (this year, as on the server).
  function check(raw, districts, referenceYear) {
    var nik = String(raw == null ? "" : raw).replace(SEPARATORS, "");
    var chars = Array.from(nik);
    var result = {nik: nik, valid: false, errors: [], sex: null, birth_date: null, district_code: null};
    if (chars.length !== 16 || !chars.every(function (c) { return DIGIT.test(c); })) {
      result.errors.push("format");
      return result;
    }
    var code = chars.slice(0, 2).join("") + "." + chars.slice(2, 4).join("") + "." + chars.slice(4, 6).join("");
    if (districts) {
      var listed = districts[code.slice(0, 5).replace(".", "")] || "";
      var own = code.slice(6);
      var known = false;
      for (var i = 0; i < listed.length; i += 2) if (listed.substr(i, 2) === own) known = true;
      if (!known) result.errors.push("district");
    }
    var birth = null, sex = null;
    if (/^[0-9]{16}$/.test(nik)) {
      var day = parseInt(nik.substr(6, 2), 10), month = parseInt(nik.substr(8, 2), 10);
      var yy = parseInt(nik.substr(10, 2), 10);
      sex = day > 40 ? "P" : "L";
      if (day > 40) day -= 40;
      var year = yy <= referenceYear % 100 ? 2000 + yy : 1900 + yy;
      birth = realDate(year, month, day);
    }
    if (birth === null) result.errors.push("birth_date");
    if (result.errors.length) return result;
    result.valid = true;
    result.sex = sex;
    result.birth_date = birth;
    result.district_code = code;
    return result;
  }

  root.JangkauNik = {check: check};
})(self);
