"""TikTok Shop's signatures: of an API call (shared/TIKTOK_WIRE.md 3.4) and of a webhook (3.7).

Plain functions of what was sent: a request's path, query, content type and raw body; no web framework.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime
from datetime import timedelta

UNSIGNED_PARAMETERS = frozenset({"sign", "access_token"})
TIMESTAMP_PAST = timedelta(minutes=5)  # a call's timestamp may lie up to 5 minutes back...
TIMESTAMP_FUTURE = timedelta(seconds=30)  # ...and up to 30 seconds ahead


def string_to_sign(path: str, query: Iterable[tuple[str, str]], body: bytes, secret: str, *,
                   content_type: str = "", with_body: bool = True) -> bytes:
    """``secret + path + key1value1key2value2... + body + secret``: the parameters sorted by key, ``sign`` and
    ``access_token`` left out, the body left out for ``multipart/form-data`` (or when ``with_body`` is false)."""
    pairs = sorted((key, value) for key, value in query if key not in UNSIGNED_PARAMETERS)
    text = path + "".join(key + value for key, value in pairs)
    signed_body = body if with_body and not content_type.lower().startswith("multipart/form-data") else b""
    return secret.encode() + text.encode() + signed_body + secret.encode()


def call_signature(path: str, query: Iterable[tuple[str, str]], body: bytes, secret: str, *,
                   content_type: str = "", with_body: bool = True) -> str:
    """The ``sign`` of an API call: lowercase hex HMAC-SHA256 of :func:`string_to_sign`, keyed with the secret."""
    message = string_to_sign(path, query, body, secret, content_type=content_type, with_body=with_body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.lower().encode(), expected.encode())


def webhook_signature(app_key: str, secret: str, body: bytes) -> str:
    """The ``Authorization`` header of a TikTok Shop webhook: hex HMAC-SHA256(app_secret, app_key + raw body)."""
    return hmac.new(secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


def login_kit_webhook_signature(client_secret: str, timestamp: int, body: bytes) -> str:
    """The ``TikTok-Signature`` header of a Login Kit developer webhook (1.8): ``t=<unix>,s=<hex>``, where ``s`` is
    HMAC-SHA256(client_secret, "<t>.<raw body>")."""
    digest = hmac.new(client_secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},s={digest}"


def timestamp_in_window(timestamp: int, now: datetime) -> bool:
    """Whether a call's ``timestamp`` (Unix seconds) lies in [now - 5 min, now + 30 s], both ends included."""
    now_s = int(now.timestamp())
    return now_s - int(TIMESTAMP_PAST.total_seconds()) <= timestamp <= now_s + int(TIMESTAMP_FUTURE.total_seconds())
