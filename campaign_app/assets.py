"""Fingerprinted static files: URLs carry a content hash and are cached for a year. The favicon, at the address
browsers ask for it without being told (/favicon.ico), is cached for a week."""

import hashlib
from pathlib import Path

from flask import Flask, request, send_from_directory

ONE_YEAR = 365 * 24 * 3600
# The favicon's address carries no fingerprint: a week, so that a new one shows within days.
ONE_WEEK = 7 * 24 * 3600


def init_app(app: Flask) -> None:
    from campaign_app.access import public

    send_static = app.view_functions["static"]

    def static_file(filename):
        response = send_static(filename=filename)
        # Read the (small) file whole, so that compression closes it instead of leaking the handle.
        response.direct_passthrough = False
        response.make_sequence()
        return response

    app.view_functions["static"] = public(static_file)

    def favicon():
        # 188 bytes, asked for once a week instead of a 2 KB error page on every first visit.
        response = send_from_directory(app.static_folder or "static", "favicon.ico", max_age=ONE_WEEK)
        response.cache_control.public = True
        response.direct_passthrough = False
        response.make_sequence()
        return response

    app.add_url_rule("/favicon.ico", "favicon", public(favicon))

    digests: dict[str, str] = {}

    def digest(filename: str) -> str:
        if app.debug or filename not in digests:
            path = Path(app.static_folder, filename)
            try:
                digests[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            except OSError:
                digests[filename] = "missing"
        return digests[filename]

    @app.url_defaults
    def add_fingerprint(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["v"] = digest(values["filename"])

    @app.after_request
    def cache_fingerprinted(response):
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") == digest(filename):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        else:
            response.cache_control.no_cache = True
        return response
