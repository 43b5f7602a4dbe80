"""Fingerprinted static files: URLs carry a content hash and are cached for a year. The favicon, at the address
browsers ask for it without being told (/favicon.ico), is cached for a week. Our scripts and stylesheets go without
their comments (static_text.py), and every static file without the headers nothing on a phone reads."""

import hashlib
from pathlib import Path

from flask import Flask, Response, request, send_from_directory

from campaign_app.static_text import stripped, without_comments

ONE_YEAR = 365 * 24 * 3600
# The favicon's address carries no fingerprint: a week, so that a new one shows within days.
ONE_WEEK = 7 * 24 * 3600
# What a browser does not need of a static answer (~150 bytes of each on EDGE): a file name for a download it never
# makes, a date when the ETag and a year's cache already decide, ranges of files a few KB long, and Expires beside
# max-age.
UNREAD_HEADERS = ("Content-Disposition", "Last-Modified", "Accept-Ranges", "Expires")


def _trimmed(response: Response) -> Response:
    """``response`` read whole (so that compression closes the file instead of leaking the handle), without the
    headers nothing reads."""
    response.direct_passthrough = False
    response.make_sequence()
    for name in UNREAD_HEADERS:
        response.headers.pop(name, None)
    return response


def init_app(app: Flask) -> None:
    from campaign_app.access import public

    send_static = app.view_functions["static"]

    texts: dict[tuple[str, str], bytes] = {}

    def static_file(filename):
        response = _trimmed(send_static(filename=filename))
        if response.status_code in (200, 206) and stripped(filename):
            # Made once per version of the file (its ETag) and process. A range of the file as stored would not be
            # a range of what is sent: the whole is sent instead (a server may ignore Range).
            key = (filename, response.get_etag()[0] or "")
            if key not in texts:
                texts[key] = without_comments(response.get_data(as_text=True), Path(filename).suffix).encode()
            response.status_code = 200
            response.headers.pop("Content-Range", None)
            response.set_data(texts[key])
        return response

    app.view_functions["static"] = public(static_file)

    def favicon():
        # 188 bytes, asked for once a week instead of a 2 KB error page on every first visit.
        response = _trimmed(send_from_directory(app.static_folder or "static", "favicon.ico", max_age=ONE_WEEK))
        response.cache_control.public = True
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
