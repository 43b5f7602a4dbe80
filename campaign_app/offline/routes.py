"""The installable app: the web app manifest, the service worker at the root scope, the page it shows offline, and
the officer's offline pack."""

import hashlib
import json
from pathlib import Path

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from campaign_app import clock
from campaign_app.access import public, roles
from campaign_app.models import Role, Visit
from campaign_app.models.people import utcnow
from campaign_app.offline import bp, service
from campaign_app.static_text import without_comments

THEME = "#0b6b4f"


def _revalidated(response: Response) -> Response:
    # Asked again on every use: a new service worker or manifest reaches phones on their next page.
    response.cache_control.no_cache = True
    return response


@bp.get("/manifest.webmanifest")
@public
def manifest():
    manifest = {
        "name": "Jangkau · Pendaftaran pekerja", "short_name": "Jangkau", "lang": "id",
        "description": "Pendaftaran pekerja bukan penerima upah ke BPJS Ketenagakerjaan, juga tanpa sinyal.",
        "start_url": "/", "scope": "/", "display": "standalone", "orientation": "portrait",
        "theme_color": THEME, "background_color": "#f6f7f9",
        "icons": [{"src": url_for("static", filename=f"icons/jangkau-{size}.png"), "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any maskable"} for size in (192, 512)],
    }
    return _revalidated(Response(json.dumps(manifest, ensure_ascii=False), mimetype="application/manifest+json"))


@bp.get("/sw.js")
@public
def service_worker():
    """The service worker, served from the root so that its scope is the whole app; the shell's fingerprinted
    addresses are written at its head, so a new deploy of any of them is a new worker (and a new cache)."""
    shell = [url_for("offline.offline_page"), *(url_for("static", filename=name) for name in service.SHELL_FILES)]
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    code = without_comments(Path(current_app.static_folder or "static", "js", "sw.js").read_text(encoding="utf-8"),
                            ".js")
    head = f"var VERSION = {json.dumps(version)};\nvar SHELL = {json.dumps(shell)};\n"
    response = Response(head + code, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    # Each page's registration asks again: an unchanged worker is a 304 of a few hundred bytes, not 1.5 KB on EDGE.
    response.add_etag()
    return _revalidated(response.make_conditional(request))


@bp.get("/offline")
@public
def offline_page():
    """What a page not stored on the phone shows without signal, in both languages (it is cached once for all)."""
    return _revalidated(Response(render_template("offline/offline.html")))


def _visit_pages(visit: Visit) -> list[str]:
    # The copies kept offline show what a started visit needs even before it starts (``offline=1``).
    return [url_for("fieldwork.visit", visit_id=visit.id), url_for("signups.new", visit_id=visit.id)]


@bp.get("/field/offline-pack")
@roles(Role.OFFICER)
def offline_pack():
    pack = service.offline_pack(current_user, clock.today(), utcnow(), _visit_pages)
    response = jsonify(pack)
    response.cache_control.no_store = True
    return response
