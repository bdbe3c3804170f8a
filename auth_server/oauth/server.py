"""The Login Kit authorization server: authlib's Flask server, on a unit of work and a clock it is given."""

from __future__ import annotations

import binascii
import secrets
from datetime import datetime
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.errors import InvalidClientError
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from flask import Response
from flask import json
from flask import request as flask_request

from auth_server.config import ServerConfig
from auth_server.domain.clock import Clock
from auth_server.domain.token_digests import token_digest
from auth_server.oauth.grants import AuthorizationCodeGrant
from auth_server.oauth.grants import ClientCredentialsGrant
from auth_server.oauth.grants import Holder
from auth_server.oauth.grants import Introspection
from auth_server.oauth.grants import RefreshTokenGrant
from auth_server.oauth.grants import Revocation
from auth_server.oauth.grants import TikTokCodeChallenge
from auth_server.oauth.identifiers import open_id_for
from auth_server.oauth.models import DEFAULT_SCOPE
from auth_server.oauth.models import PartnerApp
from auth_server.oauth.models import Token
from auth_server.oauth.qr_code import QrCodeAuthorization
from auth_server.oauth.records import OAuthStore
from auth_server.oauth.records import UnitOfWork
from auth_server.oauth.wire import TikTokRequest
from auth_server.oauth.wire import in_tiktoks_words
from auth_server.oauth.wire import oauth_values
from auth_server.oauth.wire import tiktok_body

TIKTOK_PREFIX = "/v2/"  # routes under it speak TikTok's wire format; the others plain OAuth 2.0
FORM = "application/x-www-form-urlencoded"  # the one body TikTok's OAuth endpoints take (TIKTOK_WIRE 1.3)


class LoginKitServer(AuthorizationServer):
    """One per app (never module-level, or repeated ``create_app`` calls would pile up grants)."""

    def __init__(self, unit_of_work: UnitOfWork, clock: Clock, config: ServerConfig, *,
                 reading: UnitOfWork | None = None) -> None:
        super().__init__()
        self.clock = clock
        self.config = config
        self.oauth_store = OAuthStore(unit_of_work, clock, reading=reading)
        self._save_token = self._store_token
        self.register_token_generator("default", self._generate_token)
        self.register_grant(AuthorizationCodeGrant, [TikTokCodeChallenge(required=False)])
        self.register_grant(RefreshTokenGrant)
        self.register_grant(ClientCredentialsGrant)
        self.register_endpoint(Revocation)
        self.register_endpoint(Introspection)
        self.qr_codes = QrCodeAuthorization(self)

    def now(self) -> datetime:
        return self.clock.now()

    def query_client(self, client_id: str) -> PartnerApp | None:
        return self.oauth_store.partner_app(client_id)

    # --- tokens -------------------------------------------------------------------------------------------

    def _generate_token(
        self,
        grant_type: str,
        client: PartnerApp,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        if grant_type == "client_credentials":
            client_token = {
                "access_token": "clt." + secrets.token_hex(16) + secrets.token_urlsafe(24).replace("-", "x"),
                "expires_in": int(self.config.client_token_lifetime.total_seconds()),
                "token_type": "Bearer",
            }
            return {**client_token, "scope": scope} if scope else client_token
        token: dict[str, Any] = {
            "access_token": _user_token("act."),
            "expires_in": int(self.config.access_token_lifetime.total_seconds()),
            "open_id": open_id_for(client.client_key, user.get_user_id()) if user is not None else None,
            "scope": scope or "",
            "token_type": "Bearer",
        }
        if include_refresh_token:
            token["refresh_token"] = _user_token("rft.")
            token["refresh_expires_in"] = int(self.config.refresh_token_lifetime.total_seconds())
        return token

    def _store_token(self, token: dict[str, Any], request: Any) -> None:
        self.oauth_store.save_token(self.token_record(token, request))

    def token_record(self, token: dict[str, Any], request: Any) -> Token:
        """The record of a token issued to the request's client, for its user (if any)."""
        open_id = request.user.get_user_id() if request.user is not None else None
        return self._record(token, request.client.client_key, open_id)

    def _record(self, token: dict[str, Any], client_key: str, open_id: str | None) -> Token:
        """The record kept of a token answer: its tokens' digests, never the tokens."""
        refresh_token = token.get("refresh_token")
        return Token(
            access_token_digest=token_digest(token["access_token"]),
            refresh_token_digest=token_digest(refresh_token) if refresh_token else None,
            client_key=client_key,
            open_id=open_id,
            scope=token.get("scope", ""),
            issued_at=self.now(),
            expires_in=token["expires_in"],
            refresh_expires_in=token.get("refresh_expires_in"),
        )

    def issue_token(self, client_key: str, open_id: str, scope: str) -> dict[str, Any]:
        """A user token for the account ``open_id``, issued to a partner app without a code (a link it was party
        to), limited to the scopes the app may ask for; in TikTok's wire shape, so its ``open_id`` is the app's
        (:func:`~auth_server.oauth.identifiers.open_id_for`)."""
        app = self.oauth_store.partner_app(client_key)
        assert app is not None, "the partner app authenticated this request"
        allowed = " ".join(s for s in scope.split() if s in app.scopes) or DEFAULT_SCOPE
        token = self._generate_token("authorization_code", app, Holder(open_id), allowed)
        self.oauth_store.save_token(self._record(token, client_key, open_id))
        return tiktok_body(token, self.now())

    # --- the wire -----------------------------------------------------------------------------------------

    def create_token_response(self, request: Any = None) -> Response:
        """authlib's, in one transaction: the client's look-up, the code's or the refresh token's, and the token
        kept (one write lock per request, not one per step)."""
        with self.oauth_store.one_transaction():
            response: Response = super().create_token_response(request)
        return response

    def authenticate_client(self, request: Any, methods: Any, endpoint: str = "token") -> PartnerApp:
        """authlib's, with HTTP Basic credentials that are not base64 of UTF-8 text refused as bad client
        credentials (authlib's decoder would raise out of the request)."""
        try:
            client: PartnerApp = super().authenticate_client(request, methods, endpoint)
        except (UnicodeDecodeError, binascii.Error):
            raise InvalidClientError(
                description="The HTTP Basic credentials are not base64 of UTF-8 client_key:client_secret.",
                status_code=401) from None
        return client

    def create_oauth2_request(self, request: Any) -> TikTokRequest:
        return TikTokRequest(flask_request)

    def refuse_unless_form(self) -> Response | None:
        """A body of another type (JSON, multipart) is refused by name, rather than read as a form without fields
        (which authlib would answer ``unsupported_grant_type``). A request without a body passes."""
        sent = flask_request.mimetype
        if not sent or sent == FORM:
            return None
        return self.handle_response(*InvalidRequestError(
            f"The Content-Type must be {FORM}, not {sent}: send the parameters as a form.")())

    def handle_error_response(self, request: Any, error: OAuth2Error) -> Response:
        """On TikTok's paths, in TikTok's words (:func:`~auth_server.oauth.wire.in_tiktoks_words`)."""
        if flask_request.path.startswith(TIKTOK_PREFIX):
            basic = flask_request.authorization is not None and flask_request.authorization.type == "basic"
            error = in_tiktoks_words(error, oauth_values(flask_request.values), basic)
        response: Response = super().handle_error_response(request, error)
        return response

    def handle_response(self, status_code: int, payload: Any, headers: Any) -> Response:
        """TikTok routes answer in TikTok's shape (commas, ``log_id``, errors with the configured status)."""
        if isinstance(payload, dict) and flask_request.path.startswith(TIKTOK_PREFIX):
            payload = tiktok_body(payload, self.now())
            if "error" in payload:
                status_code = self.config.oauth_error_status
                headers = [(k, v) for k, v in headers if k.lower() != "www-authenticate"]
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        return Response(payload, status=status_code, headers=headers)


def _user_token(prefix: str) -> str:
    """Shaped like TikTok's: 32 hex digits, letters and digits, then ``!`` and four digits."""
    return f"{prefix}{secrets.token_hex(16)}{secrets.token_urlsafe(24).replace('-', 'x').replace('_', 'y')}" \
           f"!{secrets.randbelow(10_000):04d}"
