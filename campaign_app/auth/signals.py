"""What happens at sign-in, announced for whoever listens (the log, wired in ``create_app``)."""

from blinker import Namespace

_signals = Namespace()

# Sent with the user whose name and password were right (and who is active).
sign_in_accepted = _signals.signal("sign-in-accepted")
# Sent with ``username`` (normalised, as typed: it may be anything, a NIK typed in the wrong field included),
# ``reason`` ("unknown-user", "wrong-password", "inactive", or "throttled": a sign-in limit was spent, nothing was
# checked) and ``user`` (the account named, or None; always None when throttled).
sign_in_refused = _signals.signal("sign-in-refused")
# Sent with the user whose sessions ended, ``reason`` (as ``UserSession.ended_reason``: "signed-out", "everywhere",
# "administrator", "password", "deactivated", "device-revoked") and ``sessions`` (how many of them were live).
sessions_ended = _signals.signal("sessions-ended")
