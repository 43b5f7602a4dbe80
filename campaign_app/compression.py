"""Answers compressed for a slow link: brotli where the browser takes it, at levels where it never comes out larger
than gzip would; static files compressed once at the highest levels; refusals and error pages as well as successes.

Measured on htmx.min.js (52,182 B): gzip 6 gives 16,896 B, brotli 4 (Flask-Compress's default) 17,445 B, brotli 11
15,259 B; on pages of 2 to 6 KB brotli 5 is 7 to 15 % under gzip 6 for the time gzip takes. Flask-Compress leaves any
status outside 2xx uncompressed (an error page, a refused form's 422); here every status with a body is compressed.
Streamed answers (CSV exports) are still Flask-Compress's.
"""

import gzip

import brotli
from flask import Flask, Response, current_app, request

from campaign_app.extensions import compress

# Pages and fragments, compressed for each request: levels where brotli beats gzip and costs about what gzip does.
PAGE_LEVELS = {"br": 5, "gzip": 6}
# Static files, compressed once per file and process: the smallest either algorithm makes.
STATIC_LEVELS = {"br": 11, "gzip": 9}
ALGORITHMS = ("br", "gzip")
# No body to compress: No Content, Not Modified; a range of a file is sent as it is stored.
NO_BODY = frozenset({204, 206, 304})


def compressed(data: bytes, algorithm: str, level: int) -> bytes:
    """``data`` compressed with ``algorithm`` ("br" or "gzip") at ``level``."""
    if algorithm == "br":
        return brotli.compress(data, quality=level)
    return gzip.compress(data, level, mtime=0)


def init_app(app: Flask) -> None:
    # Flask-Compress compresses only what streams; the hook below takes everything else.
    app.config["COMPRESS_REGISTER"] = False
    compress.init_app(app)
    static_copies: dict[tuple[str, str, str], bytes] = {}

    def static_copy(response: Response, algorithm: str) -> bytes:
        """A static file's compressed bytes, made once per version of the file (its ETag) and process."""
        key = (request.path, response.get_etag()[0] or "", algorithm)
        if key not in static_copies:
            static_copies[key] = compressed(response.get_data(), algorithm, STATIC_LEVELS[algorithm])
        return static_copies[key]

    @app.after_request
    def compress_response(response: Response) -> Response:
        if response.is_streamed:
            return compress.after_request(response)
        if response.mimetype not in current_app.config["COMPRESS_MIMETYPES"]:
            return response
        response.vary.add("Accept-Encoding")
        # The browser's preference first; brotli on a tie.
        qualities = {name: request.accept_encodings.quality(name) for name in ALGORITHMS}
        accepted = sorted((name for name in ALGORITHMS if qualities[name] > 0), key=lambda name: -qualities[name])
        # A static file is compressed once, whatever its size: only a smaller copy is sent.
        static = request.endpoint == "static" and response.status_code == 200
        if (not accepted or response.status_code in NO_BODY or "Content-Encoding" in response.headers
                or (not static and (response.content_length or 0) < current_app.config["COMPRESS_MIN_SIZE"])):
            return response
        response.direct_passthrough = False
        if static:
            algorithm, body = min(((name, static_copy(response, name)) for name in accepted),
                                  key=lambda pair: len(pair[1]))
            if len(body) >= len(response.get_data()):
                return response
        else:
            algorithm = accepted[0]
            body = compressed(response.get_data(), algorithm, PAGE_LEVELS[algorithm])
        response.set_data(body)
        response.headers["Content-Encoding"] = algorithm
        etag, weak = response.get_etag()
        if etag:
            # The compressed copy is another representation: another validator, as Flask-Compress marks it.
            response.set_etag(f"{etag}:{algorithm}", weak=weak)
            if request.method in ("GET", "HEAD"):
                response.make_conditional(request)
        return response
