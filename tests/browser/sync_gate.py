"""Between the phone and the real sync endpoint: a server too busy to answer, and answers lost on the way back (the
record stored, the phone told nothing), as a weak signal and a loaded server do. It counts the records posted."""

import threading

from werkzeug.wrappers import Response

BUSY = Response('{"error": "busy"}', status=503, mimetype="application/json")


class SyncGate:
    """WSGI middleware around the app: only ``POST /sync/records`` is touched."""

    def __init__(self, app):
        self.app = app
        self.busy = False  # answer 503, store nothing
        self.lose_answers = 0  # store, then answer 503 in place of the answer
        self.posts = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/sync/records" or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        with self.lock:
            self.posts += 1
            busy = self.busy
            lose = self.lose_answers > 0
            if lose and not busy:
                self.lose_answers -= 1
        if busy:
            return BUSY(environ, start_response)
        if lose:
            answered = Response.from_app(self.app, environ)
            answered.close()
            return BUSY(environ, start_response)
        return self.app(environ, start_response)
