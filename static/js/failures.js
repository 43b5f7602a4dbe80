// A request htmx could not complete (no network, a timeout, an error it does not swap) is said where the person is
// looking: the #failure bar of base.html, fixed at the bottom of the screen, in the page's language.
(function () {
  "use strict";
  function say(kind) {
    var bar = document.getElementById("failure");
    if (!bar) return;
    bar.textContent = bar.dataset[kind];
    bar.hidden = false;
  }
  document.addEventListener("htmx:sendError", function () { say("network"); });
  document.addEventListener("htmx:timeout", function () { say("timeout"); });
  document.addEventListener("htmx:responseError", function (event) {
    say(event.detail.xhr.status >= 500 ? "server" : "refused");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var bar = document.getElementById("failure");
    if (bar) bar.hidden = true;
  });
})();
