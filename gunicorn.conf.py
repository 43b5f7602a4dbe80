"""Gunicorn settings for production; gunicorn reads this file from the directory it is started in.

Run ``gunicorn`` from the repository root. ``WEB_CONCURRENCY``, ``GUNICORN_THREADS`` and ``GUNICORN_BIND``
override the defaults below; options on the command line override this file.
"""

import gc
import os


def _cores() -> int:
    # The cores this process may run on (a pinned container sees fewer than the host has).
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# The app to serve, so that the command needs no argument.
wsgi_app = "campaign_app:create_app()"
# Loopback by default: the TLS proxy in front is the only client (gunicorn's own PORT default binds 0.0.0.0).
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# Threaded workers: the main thread heartbeats to the master while a request thread streams a long export.
worker_class = "gthread"
# The usual 2 × cores + 1, capped: each process holds the app and its own database pool.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * _cores() + 1, 8)))
# Requests in flight per process; a streamed XLSX export holds one thread, not the whole worker.
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A worker silent this long is hung, not busy: gthread heartbeats every second even mid-download.
timeout = 30
# On restart or stop, an export already under way (about 20 s, longer when busy) may finish; below systemd's 90 s.
graceful_timeout = 60

# The app writes the access log itself, one line per request with its request id (campaign_app/observability), in
# the same form under gunicorn, `flask run` and the tests; gunicorn's own access log stays off. Its format is the
# app's all the same, so that an access log switched on for a while (--access-logfile -) is no different: the path
# without the query string (%(U)s, never %(r)s or %(q)s: the app puts no NIK in one, but a hand-typed address may),
# and no referrer (%(f)s holds the page's query string too).
accesslog = None
access_log_format = "request_id=%({x-request-id}o)s method=%(m)s path=%(U)s status=%(s)s duration_ms=%(M)s"


def post_worker_init(worker) -> None:
    """Once a worker has loaded the app: what start-up made (the app, its routes, translations, regions) lives as
    long as the process, so it is frozen out of the garbage collector's reach. A full collection walking it took
    96 ms inside a national dashboard request; frozen, 5-7 ms (``flask bench run`` freezes the same way)."""
    gc.freeze()
