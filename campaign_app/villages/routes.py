import re
from dataclasses import dataclass

from flask import Response, abort, current_app, request, stream_with_context, url_for
from flask_babel import get_locale
from flask_login import current_user

from campaign_app import clock
from campaign_app.access import may, roles, visible_branch_ids
from campaign_app.answers import REFUSED, refusal, saving, success
from campaign_app.i18n import gettext as _
from campaign_app.models import District, Province, Regency, Role, Village
from campaign_app.rendering import render
from campaign_app.villages import bp, scope, service
from campaign_app.villages.exporter import village_csv
from campaign_app.villages.forms import ImportForm, VillageForm, VillageSearchForm, WhereNextFilters
from campaign_app.villages.importer import MAX_ROWS, ImportRefused, import_villages, result_message
from campaign_app.villages.lapsing import lapse_counts, lapse_standing, lapsing_participants
from campaign_app.villages.ranking import where_next as rank_villages
from campaign_app.villages.values import FIELDS

STAFF = (Role.ADMIN, Role.COORDINATOR, Role.MANAGER)
EDITORS = (Role.ADMIN, Role.COORDINATOR)
PROVINCE_CODE = re.compile(r"^\d{2}$")
REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")
DISTRICT_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
# Visits listed on one page of a village's page.
VISITS_PER_PAGE = 10


def _branch_ids() -> set[int] | None:
    return visible_branch_ids(current_user)


def _page() -> int:
    return request.args.get("page", 1, type=int)


def _load_village(village_code: str) -> Village:
    village = scope.visible_village(_branch_ids(), village_code)
    if village is None:
        abort(404)
    return village


@dataclass
class Scope:
    """Where in the region hierarchy the registry is browsing; None above the level chosen."""

    province: Province | None = None
    regency: Regency | None = None
    district: District | None = None

    @property
    def params(self) -> dict[str, str]:
        """The query argument that names this scope (the most precise level only)."""
        for name in ("district", "regency", "province"):
            area = getattr(self, name)
            if area is not None:
                return {name: area.code}
        return {}


def _scope(branch_ids) -> Scope:
    """The scope named by the query string; a malformed or unseen region answers 404, like any record."""
    district, regency, province = (request.args.get(name, "") for name in ("district", "regency", "province"))
    if district:
        found = scope.visible_district(branch_ids, district) if DISTRICT_CODE.fullmatch(district) else None
        if found is None:
            abort(404)
        return Scope(found.regency.province, found.regency, found)
    if regency:
        found = scope.visible_regency(branch_ids, regency) if REGENCY_CODE.fullmatch(regency) else None
        if found is None:
            abort(404)
        return Scope(found.province, found)
    if province:
        found = scope.visible_province(branch_ids, province) if PROVINCE_CODE.fullmatch(province) else None
        if found is None:
            abort(404)
        return Scope(found)
    return Scope()


@bp.get("/")
@roles(*STAFF)
def index():
    branch_ids = _branch_ids()
    filters = VillageSearchForm(formdata=request.args)
    filters.validate()
    # A search that cannot be used is shown with its message and ignored.
    query = filters.q.data if not filters.q.errors else ""
    where = _scope(branch_ids)
    villages = areas = None
    area_kind = None
    if query or where.district:
        villages = service.search_villages(
            branch_ids, today=clock.today(), query=query, page=_page(), per_page=current_app.config["PAGE_SIZE"],
            regency_code=where.regency.code if where.regency else None,
            district_code=where.district.code if where.district else None,
        )
    elif where.regency:
        areas, area_kind = service.district_areas(branch_ids, where.regency.code), "district"
    else:
        regencies = service.regency_areas(branch_ids, where.province.code if where.province else None)
        provinces = service.province_areas(regencies)
        if where.province is None and len(provinces) > 1:
            areas, area_kind = provinces, "province"
        else:
            areas, area_kind = [area for _code, _name, area in regencies], "regency"
    params = {**where.params, **({"q": query} if query else {})}
    return render("villages/index.html", fragment="results", filters=filters, where=where, villages=villages,
                  areas=areas, area_kind=area_kind, params=params, may_edit=may("villages.edit"),
                  fragment_context=lambda: {"announce": True})


@bp.get("/where-next")
@roles(*STAFF)
def where_next():
    branch_ids = _branch_ids()
    regencies = scope.regency_options(branch_ids)
    args = request.args.copy()
    chosen = args.get("regency", "")
    districts = scope.district_options(branch_ids, chosen) if chosen in dict(regencies) else []
    if not args.get("district", "").startswith(f"{chosen}."):
        # Left over from the regency chosen before: forgotten, not an error.
        args.pop("district", None)
    filters = WhereNextFilters(regencies, districts, formdata=args)
    filters.validate()
    # A filter that is not one of the choices is shown as an error and ignored.
    regency = filters.regency.data if not filters.regency.errors else ""
    district = filters.district.data if regency and not filters.district.errors else ""
    ranking = rank_villages(branch_ids, clock.today(), regency_code=regency or None, district_code=district or None,
                            page=_page(), per_page=current_app.config["PAGE_SIZE"], standing=lapse_standing())
    params = {key: value for key, value in (("regency", regency), ("district", district)) if value}
    schedule = "visits.create" if "visits.create" in current_app.view_functions else "visits.index"
    page = {"page": ranking.page} if ranking.page > 1 else {}
    # After a swap, the address bar keeps the filters in force, without a district forgotten on the way.
    return render("villages/where_next.html", fragment="ranking", filters=filters, ranking=ranking,
                  params=params, schedule_endpoint=schedule if may(schedule) else None,
                  push_url=url_for("villages.where_next", **params, **page),
                  fragment_context=lambda: {"announce": True})


@bp.get("/export.csv")
@roles(*STAFF)
def export_csv():
    decimal_comma = get_locale().language == "id"
    filename = f"{_('villages')}-{clock.today().isoformat()}.csv"
    response = Response(stream_with_context(village_csv(_branch_ids(), decimal_comma)),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _import_page(form, status: int = 200, refused: ImportRefused | None = None, result: str | None = None):
    # An htmx upload swaps in the result only; the page itself always comes whole.
    fragment = "result" if request.method == "POST" else None
    return render("villages/import.html", fragment=fragment, form=form, refused=refused, result=result,
                  fields=FIELDS, max_rows=MAX_ROWS, max_megabytes=current_app.config["MAX_CONTENT_LENGTH"] // 2**20,
                  status=status)


@bp.route("/import", methods=["GET", "POST"])
@roles(*EDITORS)
def import_csv():
    form = ImportForm()
    if request.method == "GET":
        return _import_page(form)
    if not form.validate_on_submit():
        return _import_page(form, REFUSED)
    with saving() as done:
        result = import_villages(form.file.data.stream, _branch_ids(), actor=current_user)
    if not done:
        # Refused whole, before anything was written.
        return _import_page(form, REFUSED, refused=done.refused)
    message = result_message(result)
    return success(url_for("villages.import_csv"), message,
                 swap=lambda: _import_page(ImportForm(formdata=None), result=message))


def _village_page(village: Village, lapsing_page: int | None = None):
    """The village's page; with ``lapsing_page``, that page of its participants lapsing listed too (for htmx, the
    list alone)."""
    branch_ids = _branch_ids()
    standing = lapse_standing()
    counts = lapse_counts(village.code, branch_ids, standing) if standing else None
    lapsing = None
    if standing and counts and counts.total and lapsing_page is not None:
        lapsing = lapsing_participants(village.code, branch_ids, standing, page=lapsing_page,
                                       per_page=current_app.config["PAGE_SIZE"])

    def whole_page() -> dict:
        visit_page = _page() if lapsing_page is None else 1
        return {"progress": service.village_progress(village, clock.today()),
                "visits": service.village_visits(branch_ids, village.code, page=visit_page,
                                                 per_page=VISITS_PER_PAGE)}

    return render("villages/show.html", fragment="lapsing" if lapsing_page is not None else None,
                  page_context=whole_page, village=village, standing=standing, lapse_counts=counts, lapsing=lapsing,
                  may_edit=may("villages.edit"), may_open_visit=may("visits.show"),
                  may_open_signup=may("signups.show"))


@bp.get("/<village_code>")
@roles(*STAFF)
def show(village_code: str):
    return _village_page(_load_village(village_code))


@bp.get("/<village_code>/lapsing")
@roles(*STAFF)
def lapsing(village_code: str):
    """The village's page with its participants lapsing listed (htmx: the list alone)."""
    return _village_page(_load_village(village_code), lapsing_page=_page())


def _saved_values_form(village: Village) -> VillageForm:
    """The edit form filled with what is stored, ignoring any posted data."""
    values = {name: getattr(village, name) for name in FIELDS}
    values["access_class"] = village.access_class or ""
    return VillageForm(formdata=None, **values)


@bp.route("/<village_code>/edit", methods=["GET", "POST"])
@roles(*EDITORS)
def edit(village_code: str):
    village = _load_village(village_code)
    if request.method == "GET":
        return render("villages/edit.html", village=village, form=_saved_values_form(village))
    form = VillageForm()
    if form.validate_on_submit():
        with saving(form) as done:
            service.update_village(village, **{name: form[name].data for name in FIELDS})
        if done:
            return success(url_for("villages.show", village_code=village.code),
                         _("Saved what the campaign knows of %(name)s.", name=village.name))
    return refusal("villages/edit.html", village=village, form=form)
