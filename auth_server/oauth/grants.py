"""The grants and endpoints of the Login Kit server, on authlib.

authlib does the protocol; these classes say where things are kept (the store, through the server)
and add what TikTok does differently: PKCE challenges in hex as well as base64url, the granted
``scopes`` on the redirect, strict refresh-token rotation.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidGrantError
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.errors import InvalidScopeError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from auth_server.domain.token_digests import token_digest
from auth_server.oauth.identifiers import new_authorization_code
from auth_server.oauth.identifiers import open_id_for
from auth_server.oauth.models import AuthorizationCode
from auth_server.oauth.models import PartnerApp
from auth_server.oauth.models import Token
from auth_server.oauth.records import ServerParts
from auth_server.oauth.wire import comma_scopes

CLIENT_AUTH_METHODS = ["client_secret_post", "client_secret_basic"]


class Holder:
    """The account holder as authlib sees a user."""

    def __init__(self, open_id: str) -> None:
        self.open_id = open_id

    def get_user_id(self) -> str:
        return self.open_id


def s256_matches(code_verifier: str, code_challenge: str) -> bool:
    """TikTok's desktop docs ask for hex(SHA256(verifier)); RFC 7636 clients send base64url: accept both."""
    hexed = hashlib.sha256(code_verifier.encode()).hexdigest()
    return hmac.compare_digest(hexed, code_challenge.lower()) or hmac.compare_digest(
        create_s256_code_challenge(code_verifier), code_challenge
    )


class TikTokCodeChallenge(CodeChallenge):
    """PKCE (RFC 7636), S256 only; optional for web apps, checked whenever a challenge was sent."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    CODE_CHALLENGE_METHODS = {"S256": s256_matches}

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if data.get("code_challenge") and data.get("code_challenge_method", "S256") != "S256":
            raise InvalidRequestError("code_challenge_method should always be set to S256.")
        super().validate_code_challenge(grant, redirect_uri)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    server: ServerParts

    def generate_authorization_code(self) -> str:
        return new_authorization_code()

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        scope = getattr(request, "granted_scope", None) or request.scope
        self.server.oauth_store.save_code(
            AuthorizationCode(
                code_digest=token_digest(code),
                client_key=request.client.client_key,
                open_id=request.user.get_user_id(),
                redirect_uri=request.payload.redirect_uri or "",
                scope=scope,
                expires_at=self.server.now() + self.server.config.code_lifetime,
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method") if data.get("code_challenge") else None,
            )
        )

    def query_authorization_code(self, code: str, client: PartnerApp) -> AuthorizationCode | None:
        """The code, if it may still be exchanged: it is spent with the token it gives, in one transaction
        (:meth:`save_token`). A code presented again revokes the tokens it gave (RFC 6749 4.1.2)."""
        store = self.server.oauth_store
        found = store.code(code)
        if found is None or found.client_key != client.client_key:
            return None
        if found.used_at is not None:
            store.revoke_issued_from(found)
            raise InvalidGrantError("Authorization code has been used.")
        if found.is_expired():
            raise InvalidGrantError("Authorization code is expired.")
        return found

    def save_token(self, token: dict[str, Any]) -> None:
        """Spend the code and keep the token it gives, in one transaction; a racing exchange that spent it first
        wins, and this one is a replay."""
        code: AuthorizationCode = self.request.authorization_code
        if not self.server.oauth_store.spend_code(code, self.server.token_record(token, self.request)):
            self.server.oauth_store.revoke_issued_from(code)
            raise InvalidGrantError("Authorization code has been used.")

    def validate_token_request(self) -> None:
        """authlib's checks, with TikTok's answer to a redirect URI that is not the code's (TIKTOK_WIRE 1.3)."""
        try:
            super().validate_token_request()
        except InvalidGrantError as error:
            if "redirect_uri" in (error.description or ""):
                raise InvalidRequestError("Redirect_uri is not matched with the uri when requesting code.") from None
            raise

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Nothing left to do: the code was spent with its token (:meth:`save_token`)."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Holder:
        return Holder(authorization_code.open_id)

    def create_authorization_response(
        self, redirect_uri: str, grant_user: Any
    ) -> tuple[int, str, list[tuple[str, str]]]:
        """authlib's redirect, plus ``scopes``: the comma-separated scopes the holder granted."""
        status, body, headers = super().create_authorization_response(redirect_uri, grant_user)
        if grant_user is None:
            return status, body, headers
        granted = getattr(self.request, "granted_scope", None) or self.request.scope
        return status, body, [(k, _with_query(v, scopes=comma_scopes(granted)) if k == "Location" else v)
                              for k, v in headers]


def _with_query(uri: str, **extra: str) -> str:
    parts = urlsplit(uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in extra]
    return urlunsplit(parts._replace(query=urlencode([*query, *extra.items()])))


class RefreshTokenGrant(grants.RefreshTokenGrant):
    """Refresh with strict rotation: the old refresh token (and its access token) stop working."""

    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: ServerParts

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        """The token, if its refresh token may be spent. A refused request (another app's credentials, a scope wider
        than granted) changes nothing; a spent refresh token presented again revokes its whole chain (RFC 9700
        4.14). It is spent with the new token, in one transaction (:meth:`save_token`)."""
        store = self.server.oauth_store
        found = store.token_by_refresh(refresh_token)
        if found is None or not found.check_client(self.request.client):
            raise InvalidGrantError("Refresh token is invalid or expired.")
        if not found.refresh_usable():
            if found.refresh_revoked_at is not None:
                store.revoke_family(found.family or found.access_token_digest)
            raise InvalidGrantError("Refresh token is invalid or expired.")
        self._validate_token_scope(found)
        return found

    def save_token(self, token: dict[str, Any]) -> None:
        """Spend the refresh token and keep the new pair, in one transaction; a racing refresh that spent it first
        wins, and this one is a reuse."""
        old: Token = self.request.refresh_token
        if not self.server.oauth_store.rotate_refresh(old, self.server.token_record(token, self.request)):
            self.server.oauth_store.revoke_family(old.family or old.access_token_digest)
            raise InvalidGrantError("Refresh token is invalid or expired.")

    def authenticate_user(self, refresh_token: Token) -> Holder | None:
        return Holder(refresh_token.open_id) if refresh_token.open_id else None

    def revoke_old_credential(self, refresh_token: Token) -> None:
        """Nothing left to do: the old pair was revoked with the new one's saving (:meth:`save_token`)."""


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    """A client access token (``clt.``), for the Research and Commercial Content APIs."""

    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def validate_requested_scope(self) -> None:
        """authlib leaves this grant's scopes unchecked: only those the app may ask for are allowed."""
        scope = self.request.payload.scope
        if scope and self.request.client.get_allowed_scope(scope) is None:
            raise InvalidScopeError("The app may not ask for one of these scopes.")


class Revocation(RevocationEndpoint):
    """RFC 7009; also TikTok's ``/v2/oauth/revoke/``, which takes the access token as ``token``."""

    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS
    server: ServerParts

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        store = self.server.oauth_store
        if token_type_hint == "refresh_token":
            return store.token_by_refresh(token_string)
        return store.token(token_string) or store.token_by_refresh(token_string)

    def revoke_token(self, token: Token, request: Any) -> None:
        self.server.oauth_store.revoke(token, refresh=True)


class Introspection(IntrospectionEndpoint):
    """RFC 7662: any partner app may ask about its own tokens."""

    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS
    server: ServerParts

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        store = self.server.oauth_store
        return store.token(token_string) or store.token_by_refresh(token_string)

    def check_permission(self, token: Token, client: PartnerApp, request: Any) -> bool:
        return token.check_client(client)

    def introspect_token(self, token: Token) -> dict[str, Any]:
        """RFC 7662's answer; the holder is named by the open id the token's app sees."""
        open_id = open_id_for(token.client_key, token.open_id) if token.open_id else None
        return {
            "active": True,
            "client_id": token.client_key,
            "token_type": "Bearer",
            "scope": token.scope,
            "sub": open_id,
            "open_id": open_id,
            "iat": int(token.issued_at.timestamp()),
            "exp": int(token.expires_at.timestamp()),
        }
