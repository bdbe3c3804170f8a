"""The Login Kit authorization server: authlib's Flask server, on a unit of work and a clock it is given."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any
from typing import Protocol
from typing import TypeVar

from authlib.integrations.flask_oauth2 import AuthorizationServer
from flask import Response
from flask import json
from flask import request as flask_request

from auth_server.config import ServerConfig
from auth_server.domain.clock import Clock
from auth_server.oauth.grants import AuthorizationCodeGrant
from auth_server.oauth.grants import ClientCredentialsGrant
from auth_server.oauth.grants import Holder
from auth_server.oauth.grants import Introspection
from auth_server.oauth.grants import RefreshTokenGrant
from auth_server.oauth.grants import Revocation
from auth_server.oauth.grants import TikTokCodeChallenge
from auth_server.oauth.models import DEFAULT_SCOPE
from auth_server.oauth.models import AuthorizationCode
from auth_server.oauth.models import LoginQr
from auth_server.oauth.models import PartnerApp
from auth_server.oauth.models import Token
from auth_server.oauth.qr_code import QrCodeAuthorization
from auth_server.oauth.wire import TikTokRequest
from auth_server.oauth.wire import tiktok_body

T = TypeVar("T")

TIKTOK_PREFIX = "/v2/"  # routes under it speak TikTok's wire format; the others plain OAuth 2.0



class OAuthRepository(Protocol):
    """What the authorization server needs of the store's repository: its records by class."""

    def get(self, cls: type[T], key: str, *, lock: bool = False) -> T | None: ...
    def first_where(self, cls: type[T], *, lock: bool = False, **equal: object) -> T | None: ...
    def add(self, obj: object) -> None: ...


# One transaction: commits when the block ends, rolls back when it raises.
UnitOfWork = Callable[[], AbstractContextManager[OAuthRepository]]


class OAuthStore:
    """Partner apps, codes, tokens and QR codes in the world's database, each look-up its own transaction."""

    def __init__(self, unit_of_work: UnitOfWork, clock: Clock) -> None:
        self._unit_of_work = unit_of_work
        self._clock = clock

    def _now(self) -> datetime:
        return self._clock.now()

    def _read(self, find: Callable[[OAuthRepository], Any]) -> Any:
        with self._unit_of_work() as repo:
            found = find(repo)
        if found is not None:
            found.now = self._now()
        return found

    def partner_app(self, client_key: str) -> PartnerApp | None:
        with self._unit_of_work() as repo:
            return repo.get(PartnerApp, client_key)

    def code(self, code: str) -> AuthorizationCode | None:
        return self._read(lambda repo: repo.get(AuthorizationCode, code))

    def save_code(self, code: AuthorizationCode) -> None:
        with self._unit_of_work() as repo:
            repo.add(code)

    def claim_code(self, code: str) -> tuple[AuthorizationCode | None, bool]:
        """The code, and whether this call is the one that used it: checked and marked in one locked step,
        so that two racing exchanges cannot both see it unused."""
        with self._unit_of_work() as repo:
            found = repo.get(AuthorizationCode, code, lock=True)
            first = found is not None and found.used_at is None
            if found is not None:
                found.now = self._now()
                if first and not found.is_expired():
                    found.used_at = found.now
        return found, first

    def claim_refresh_token(self, refresh_token: str) -> Token | None:
        """The token, if its refresh token still works, revoked in the same locked step (strict rotation)."""
        with self._unit_of_work() as repo:
            found = repo.first_where(Token, refresh_token=refresh_token, lock=True)
            if found is None:
                return None
            found.now = now = self._now()
            if not found.refresh_usable():
                return None
            found.access_revoked_at = found.access_revoked_at or now
            found.refresh_revoked_at = now
        return found

    def token(self, access_token: str) -> Token | None:
        return self._read(lambda repo: repo.get(Token, access_token))

    def token_by_refresh(self, refresh_token: str) -> Token | None:
        return self._read(lambda repo: repo.first_where(Token, refresh_token=refresh_token))

    def save_token(self, token: Token) -> None:
        with self._unit_of_work() as repo:
            repo.add(token)

    def revoke(self, access_token: str, *, refresh: bool) -> None:
        with self._unit_of_work() as repo:
            found = repo.get(Token, access_token, lock=True)
            if found is None:
                return
            now = self._now()
            found.access_revoked_at = found.access_revoked_at or now
            if refresh:
                found.refresh_revoked_at = found.refresh_revoked_at or now

    def login_qr(self, token: str) -> LoginQr | None:
        return self._read(lambda repo: repo.get(LoginQr, token))

    def save_login_qr(self, qr: LoginQr) -> None:
        with self._unit_of_work() as repo:
            repo.add(qr)

    def change_login_qr(
        self, token: str, change: Callable[[LoginQr], AuthorizationCode | None]
    ) -> LoginQr | None:
        """Run ``change`` on the QR code under its row lock; a code it issues is saved in the same transaction.

        ``change`` may raise to leave the QR code as it was.
        """
        with self._unit_of_work() as repo:
            found = repo.get(LoginQr, token, lock=True)
            if found is None:
                return None
            found.now = self._now()
            issued = change(found)
            if issued is not None:
                repo.add(issued)
            return found


class LoginKitServer(AuthorizationServer):
    """One per app (never module-level, or repeated ``create_app`` calls would pile up grants)."""

    def __init__(self, unit_of_work: UnitOfWork, clock: Clock, config: ServerConfig) -> None:
        super().__init__()
        self.clock = clock
        self.config = config
        self.oauth_store = OAuthStore(unit_of_work, clock)
        self._query_client = self.oauth_store.partner_app
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
            "open_id": user.get_user_id() if user is not None else None,
            "scope": scope or "",
            "token_type": "Bearer",
        }
        if include_refresh_token:
            token["refresh_token"] = _user_token("rft.")
            token["refresh_expires_in"] = int(self.config.refresh_token_lifetime.total_seconds())
        return token

    def _store_token(self, token: dict[str, Any], request: Any) -> None:
        open_id = request.user.get_user_id() if request.user is not None else None
        self._keep(token, request.client.client_key, open_id)

    def _keep(self, token: dict[str, Any], client_key: str, open_id: str | None) -> None:
        self.oauth_store.save_token(
            Token(
                access_token=token["access_token"],
                refresh_token=token.get("refresh_token"),
                client_key=client_key,
                open_id=open_id,
                scope=token.get("scope", ""),
                issued_at=self.now(),
                expires_in=token["expires_in"],
                refresh_expires_in=token.get("refresh_expires_in"),
            )
        )

    def issue_token(self, client_key: str, open_id: str, scope: str) -> dict[str, Any]:
        """A user token for ``open_id``, issued to a partner app without a code (a link it was party to),
        limited to the scopes the app may ask for; in TikTok's wire shape."""
        app = self.oauth_store.partner_app(client_key)
        assert app is not None, "the partner app authenticated this request"
        allowed = " ".join(s for s in scope.split() if s in app.scopes) or DEFAULT_SCOPE
        token = self._generate_token("authorization_code", app, Holder(open_id), allowed)
        self._keep(token, client_key, open_id)
        return tiktok_body(token, self.now())

    # --- the wire -----------------------------------------------------------------------------------------

    def create_oauth2_request(self, request: Any) -> TikTokRequest:
        return TikTokRequest(flask_request)

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
