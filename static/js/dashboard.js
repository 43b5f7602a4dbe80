// Each request of the dashboard names the query the filter form it shows was drawn for, so that the server knows
// whether the results must load the form again (campaign_app/reports/routes.py).
document.addEventListener("htmx:configRequest", (event) => {
  const form = document.getElementById("filters");
  if (form) event.detail.headers["X-Filters-For"] = form.dataset.query;
});
