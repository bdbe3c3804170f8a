"""The payload of a consent QR code: signed, and no older than its link (the web layer draws the code as an image).

It is an itsdangerous token (salted per purpose) that names the flow, the link, the role and the
scopes. It has no clock of its own: the link it names owns the QR code's expiry (the market's ``qr_lifetime``,
``Link.consent_expires_at``), so a scan answers ``qr_expired`` exactly when the link says it expired, and a
market that gives a QR code ten minutes gets ten. Whether it was already used is the link's state too: the
domain refuses a second use.
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer

from auth_server.domain import codes
from auth_server.domain.errors import Refused

OFFICIAL_QR_SALT = "linksim.consent.official-qr"


class ConsentTokens:
    """Signs and reads the payloads of consent QR codes."""

    def __init__(self, secret_key: str, *, namespace: str = "") -> None:
        salt = f"{OFFICIAL_QR_SALT}.{namespace}" if namespace else OFFICIAL_QR_SALT
        self._serializer = URLSafeSerializer(secret_key, salt=salt)

    def sign(self, *, link_id: str, role: str, scopes: list[str], client_key: str | None) -> str:
        return str(self._serializer.dumps({"flow": "official_qr", "link": link_id, "role": role, "scopes": scopes,
                                           "client": client_key}))

    def read(self, token: str) -> dict[str, Any]:
        """The payload; a forged or damaged token is ``qr_unreadable`` (an old one is the link's to refuse)."""
        try:
            payload = self._serializer.loads(token)
        except BadSignature:
            raise Refused.because(codes.QR_UNREADABLE) from None
        if not isinstance(payload, dict) or payload.get("flow") != "official_qr" or "link" not in payload:
            raise Refused.because(codes.QR_UNREADABLE)
        return payload
