"""Security headers on every response: a strict Content-Security-Policy, no MIME sniffing, no framing, a
same-origin Referer, and HSTS when the request came over HTTPS.

The policy allows no inline script or style and no ``eval``: every script and stylesheet is a file of ours under
static/, and htmx is configured for it in base.html (``allowEval``, ``allowScriptTags`` and
``includeIndicatorStyles`` off; its indicator style is in app.css).
"""

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
))
# A year; subdomains are left out: the agency's other hosts are not ours to commit to HTTPS.
HSTS = "max-age=31536000"

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Old phone browsers that ignore CSP's frame-ancestors still honour this.
    "X-Frame-Options": "DENY",
    # Not no-referrer: Flask-WTF checks that an HTTPS form post's Referer is our own origin. Same-origin sends it
    # to us alone, so no URL of ours reaches another site.
    "Referrer-Policy": "same-origin",
}
# What only a document obeys: an answer to htmx is swapped into a page that came with them (the page's policy is
# the one the browser applies to what is swapped in), so it goes without them, ~380 bytes less on each answer.
DOCUMENT_ONLY = frozenset({"Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"})
# Static files that are no document (a script, a stylesheet, an icon) go without them too: a browser applies none of
# them to a file the page loads; a static file a browser could open as a document (HTML, SVG) keeps them.
STATIC_ENDPOINTS = frozenset({"static", "favicon"})
STATIC_DOCUMENTS = frozenset({"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml"})


def init_app(app: Flask) -> None:
    """Add the headers to every response the app sends, error pages, redirects and static files included; an
    answer to an htmx request (HX-Request, which only a script of the page itself can send) carries only those
    that are not ``DOCUMENT_ONLY``, and so does a static file that is no document."""

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        swapped_in = request.headers.get("HX-Request") == "true"
        if swapped_in:
            # A cache must never hand this answer, without the page's headers, to a navigation.
            response.vary.add("HX-Request")
        no_document = swapped_in or (request.endpoint in STATIC_ENDPOINTS
                                     and response.mimetype not in STATIC_DOCUMENTS)
        for name, value in HEADERS.items():
            if not (no_document and name in DOCUMENT_ONLY):
                response.headers.setdefault(name, value)
        # request.is_secure reads the scheme ProxyFix set from X-Forwarded-Proto when the proxy is trusted.
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
