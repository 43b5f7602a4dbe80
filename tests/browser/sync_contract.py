"""The server side of the sync contract of issue 15 (``POST /devices``, ``POST /sync/records``), in memory, for the
phone's tests until the ``sync`` branch's endpoint is merged: it stores each key once, answers a replay with its
first answer, and can be told to lose answers or to be busy, as a weak signal and a loaded server do."""

import re
import secrets
import threading
import time

from flask import Blueprint, Flask, jsonify, request
from flask_login import current_user

from campaign_app.access import public
from campaign_app.extensions import csrf

KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
KINDS = {"visit_started", "attendance", "signup", "visit_closed"}


class ContractServer:
    def __init__(self):
        self.tokens: set[str] = set()
        self.answers: dict[str, dict] = {}
        self.stored: list[dict] = []  # each record stored, once, in the order it arrived
        self.posts = 0
        self.busy = False  # answer 503 and store nothing
        self.lose_answers = 0  # store, then answer 503: the phone never hears the answer
        self.delay = 0.0
        self.lock = threading.Lock()

    def install(self, app: Flask) -> None:
        bp = Blueprint("sync_contract", __name__)

        @bp.post("/devices")
        @public
        def devices():
            if not current_user.is_authenticated:
                return jsonify(error="sign in"), 401
            token = secrets.token_urlsafe(32)
            self.tokens.add(token)
            return jsonify(device_id=len(self.tokens), token=token), 201

        @bp.post("/sync/records")
        @public
        def records():
            time.sleep(self.delay)
            with self.lock:
                self.posts += 1
                if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
                    return jsonify(error="unknown device"), 401
                if self.busy:
                    return jsonify(error="busy"), 503
                record = request.get_json(silent=True) or {}
                if not KEY.match(str(record.get("key", ""))) or record.get("kind") not in KINDS:
                    return jsonify(error="not a record", fields=["key", "kind"]), 422
                answer = self.answers.get(record["key"])
                if answer is None:
                    review = str(record.get("data", {}).get("nik", "")).endswith("0007")
                    answer = {"key": record["key"], "id": len(self.stored) + 1,
                              "status": "needs_review" if review else "received",
                              "reason": "NIK registered elsewhere" if review else ""}
                    self.answers[record["key"]] = answer
                    self.stored.append(record)
                if self.lose_answers:
                    self.lose_answers -= 1
                    return jsonify(error="lost"), 503
                return jsonify(answer)

        csrf.exempt(records)
        app.register_blueprint(bp)
