"""The partner app's client access token (``clt.``), from ``POST /v2/oauth/token/`` with
``grant_type=client_credentials``: fetched when first needed, reused, and renewed before it expires or
as soon as linksim says it is no longer valid.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from seller_client.errors import SellerRefused
from seller_client.errors import Violation
from seller_client.models import Token
from seller_client.transport import Transport

TOKEN_PATH = "/v2/oauth/token/"
RENEW_MARGIN = 60.0  # renew this long before the expiry, so a token never runs out between check and use


class ClientCredentials:
    """Holds the partner app's token; ``bearer()`` gives a valid one, ``invalidate()`` drops a refused one."""

    def __init__(self, transport: Transport, client_key: str, client_secret: str, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.transport = transport
        self.client_key = client_key
        self.client_secret = client_secret
        self.clock = clock
        self._token: Token | None = None
        self._renew_at = 0.0

    @property
    def token(self) -> Token | None:
        return self._token

    def bearer(self) -> str:
        """The ``Authorization`` header value, fetching a new token if there is none or it is about to expire."""
        if self._token is None or self.clock() >= self._renew_at:
            self._token = self.fetch()
            lifetime = self._token.expires_in
            self._renew_at = self.clock() + max(0.0, lifetime - min(RENEW_MARGIN, lifetime / 10))
        return f"Bearer {self._token.access_token}"

    def invalidate(self) -> None:
        self._token = None

    def fetch(self) -> Token:
        """A new token; wrong credentials are a SellerRefused with TikTok's OAuth error code (``invalid_client``)."""
        response = self.transport.send("POST", TOKEN_PATH, data={
            "client_key": self.client_key, "client_secret": self.client_secret, "grant_type": "client_credentials"})
        body = self.transport.json_of(response)
        # TikTok answers OAuth errors with HTTP 200 and {error, error_description, log_id}.
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            code = body["error"]
            message = body.get("error_description")
            text = message if isinstance(message, str) and message else code
            raise SellerRefused(code, text, [Violation(code, text)], response.status_code)
        if not 200 <= response.status_code < 300:
            raise self.transport.refusal_of(response)
        return Token.from_json(body)
