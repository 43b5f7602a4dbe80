// Every htmx request ends in something the person sees where they are looking. While it is on its way, a bar at the
// top of the screen moves and the form's button turns (app.css: .sending, .htmx-request). Saved: the confirmation
// scrolled into view, focus on the form's first field. Refused: focus on the first field in error, its message in
// view. Not sent (no network, no answer within htmx's timeout, an error it does not swap): the #failure bar of
// base.html, fixed at the bottom of the screen, in the page's language, with a button that sends it again; what was
// typed stays as it was.
(function () {
  "use strict";
  var sending = 0, failed = null, failedFrom = null;
  function bar() { return document.getElementById("failure"); }
  function busy(change) {
    sending = Math.max(0, sending + change);
    document.documentElement.classList.toggle("sending", sending > 0);
  }
  function say(kind, detail) {
    var failure = bar();
    if (!failure) return;
    failure.querySelector("[role=alert]").textContent = failure.dataset[kind];
    // Only what may go through on a second try is offered again; a refusal needs the page reloaded.
    failed = kind === "refused" ? null : detail;
    failedFrom = detail.requestConfig ? detail.requestConfig.elt : null;
    failure.querySelector("button").hidden = failed === null;
    failure.hidden = false;
  }
  function retry() {
    var detail = failed, config = detail && detail.requestConfig, elt = config && config.elt;
    bar().hidden = true;
    failed = null;
    if (!elt || !elt.isConnected) return;
    if (elt.tagName === "FORM") {
      // The form as it stands now, through htmx's own submit, with the button that sent it the first time.
      var event = config.triggeringEvent, submitter = event && event.submitter;
      if (elt.requestSubmit) elt.requestSubmit(submitter && submitter.form === elt ? submitter : undefined);
      else htmx.trigger(elt, "submit");
    } else {
      htmx.ajax(config.verb, config.path, {source: elt, target: detail.target}).catch(function () {});
    }
  }
  // Uploads (data-no-timeout) may take minutes on 2G: only they wait longer than htmx-config's timeout.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.closest("[data-no-timeout]")) event.detail.timeout = 0;
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var detail = event.detail, elt = detail.requestConfig.elt, failure = bar();
    // The bar stays through what runs by itself (the NIK check as it is typed); it goes when what failed is sent
    // again, or a form is sent, whose own outcome will show.
    if (failure && (elt === failedFrom || elt.tagName === "FORM")) failure.hidden = true;
    busy(1);
    // The last save's confirmation says nothing about this one: it goes as this one is sent.
    if (detail.requestConfig.verb !== "get" && detail.requestConfig.elt.tagName === "FORM" && detail.target) {
      detail.target.querySelectorAll(".flash.success").forEach(function (old) { old.remove(); });
    }
  });
  document.addEventListener("htmx:afterRequest", function () { busy(-1); });
  document.addEventListener("htmx:sendError", function (event) { say("network", event.detail); });
  document.addEventListener("htmx:timeout", function (event) { say("timeout", event.detail); });
  document.addEventListener("htmx:responseError", function (event) {
    say(event.detail.xhr.status >= 500 ? "server" : "refused", event.detail);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail, config = detail.requestConfig, area = event.target;
    if (!config || config.verb === "get" || config.elt.tagName !== "FORM" || detail.shown || !area.isConnected) return;
    detail.shown = true;
    var invalid = area.querySelector("[aria-invalid=true]");
    var news = area.querySelector(".flash.success, [role=alert]");
    if (invalid) {
      invalid.focus();
      (invalid.closest(".field") || invalid).scrollIntoView({block: "center"});
    } else if (news) {
      var first = area.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
      if (first && news.classList.contains("success")) first.focus({preventScroll: true});
      news.scrollIntoView({block: "start"});
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("#failure button")) retry();
  });
})();
