// The CSV import page: show how far the upload has gone, and say so when the server refuses a file as too large.
// (A refused file's bad rows come back as 422, which base.html's htmx-config swaps like any refused form.)
document.addEventListener("htmx:xhr:progress", function (e) {
  var bar = document.getElementById("upload-progress");
  if (bar && e.detail.lengthComputable) {
    bar.hidden = false;
    bar.value = Math.round(e.detail.loaded / e.detail.total * 100);
  }
});
document.addEventListener("htmx:beforeSwap", function (e) {
  var tooLarge = document.getElementById("upload-too-large");
  if (tooLarge) tooLarge.hidden = e.detail.xhr.status !== 413;
});
