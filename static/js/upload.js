// The CSV import page: show how far the upload has gone; swap in a refused file's bad rows (status
// 400, which htmx would otherwise not swap); and say so when the server refuses a file as too large.
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
  if (e.detail.xhr.status === 400 && e.detail.target.id === "import-result") {
    e.detail.shouldSwap = true;
    e.detail.isError = false;
  }
});
