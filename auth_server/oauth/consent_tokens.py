"""The payload of a consent QR code: signed and expiring (the web layer draws the code as an image).

It is an itsdangerous token (salted per purpose) that names the flow, the link, the role and the
scopes. Its age is measured on the simulator's clock, not the wall clock, so a test that moves time moves
the QR code's expiry too. Whether it was already used is the link's state: the domain refuses a second use.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer

from auth_server.domain import codes
from auth_server.domain.clock import Clock
from auth_server.domain.errors import Refused

OFFICIAL_QR_SALT = "linksim.consent.official-qr"


class _ClockSigner(TimestampSigner):
    """A timestamp signer that reads the simulated clock."""

    def __init__(self, *args: Any, clock: Clock, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock.now().timestamp())


class ConsentTokens:
    """Signs and reads the payloads of consent QR codes."""

    def __init__(self, secret_key: str, clock: Clock, *, namespace: str = "") -> None:
        salt = f"{OFFICIAL_QR_SALT}.{namespace}" if namespace else OFFICIAL_QR_SALT
        self._serializer = URLSafeTimedSerializer(
            secret_key, salt=salt, signer=_ClockSigner, signer_kwargs={"clock": clock}
        )

    def sign(self, *, link_id: str, role: str, scopes: list[str], client_key: str | None) -> str:
        return str(self._serializer.dumps({"flow": "official_qr", "link": link_id, "role": role, "scopes": scopes,
                                           "client": client_key}))

    def read(self, token: str, max_age: timedelta) -> dict[str, Any]:
        """The payload; a forged or damaged token is ``qr_unreadable``, an old one ``qr_expired``."""
        try:
            payload = self._serializer.loads(token, max_age=int(max_age.total_seconds()))
        except SignatureExpired as expired:  # a subclass of BadSignature: it must come first
            when = expired.date_signed + max_age if expired.date_signed else None
            raise Refused.because(codes.QR_EXPIRED, expired_at=when.isoformat() if when else "(unknown)") from None
        except BadSignature:
            raise Refused.because(codes.QR_UNREADABLE) from None
        if not isinstance(payload, dict) or payload.get("flow") != "official_qr" or "link" not in payload:
            raise Refused.because(codes.QR_UNREADABLE)
        return payload

