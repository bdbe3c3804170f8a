"""Login Kit with QR code, for desktop and TV apps [DOC: doc/login-kit-qr-code-authorization].

The partner's server asks for a QR code, swaps ``client_ticket=tobefilled`` in the scan URL for a ticket of
its own, draws the QR code and polls it. The holder scans it with the TikTok app and taps Authorize; the
next poll carries the authorization code, which the partner exchanges at ``/v2/oauth/token/`` as usual.

.. code-block:: http

    POST /v2/oauth/get_qrcode/
    Content-Type: application/x-www-form-urlencoded

    client_key=aw7nk86b7czitwc9&scope=user.info.basic,video.list&state=xyz

    {"scan_qrcode_url": "aweme://authorize?authType=100&client_key=aw7nk86b7czitwc9&client_ticket=tobefilled&...",
     "token": "VJ5JCKGJGRSWNMFWHQH4W5NKY943Q97D..."}

    POST /v2/oauth/check_qrcode/
    Content-Type: application/x-www-form-urlencoded

    client_key=aw7nk86b7czitwc9&client_secret=...&token=VJ5JCKGJGRSWNMFWHQH4W5NKY943Q97D...

    {"client_ticket": "", "status": "new"}

This module is protocol only: it reads form values and returns bodies, raises authlib's ``OAuth2Error``
for the partner's calls and :class:`QrCodeRefused` for the app's screen, and never touches Flask.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.errors import AccessDeniedError
from authlib.oauth2.rfc6749.errors import InvalidClientError
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.errors import InvalidScopeError
from authlib.oauth2.rfc6749.errors import UnauthorizedClientError
from werkzeug.datastructures import MultiDict

from auth_server.domain.token_digests import token_digest
from auth_server.oauth.identifiers import new_authorization_code
from auth_server.oauth.models import DEFAULT_SCOPE
from auth_server.oauth.models import AuthorizationCode
from auth_server.oauth.models import LoginQr
from auth_server.oauth.models import PartnerApp
from auth_server.oauth.models import QrStatus
from auth_server.oauth.records import ServerParts
from auth_server.oauth.wire import comma_scopes
from auth_server.oauth.wire import oauth_values

SCAN_URL = "aweme://authorize"
TICKET_PLACEHOLDER = "tobefilled"
MAX_TICKET_LENGTH = 512  # "URL-safe, less than 512 characters when URL-encoded"


class QrCodeRefused(Exception):
    """The app will not take a scanned QR code; the screen shows ``code`` with ``status``."""

    code = "qr_unreadable"
    status = 400
    message = "The QR code could not be read. Ask the device that shows it for a new QR code and scan it again."


class QrUnreadable(QrCodeRefused):
    """An unknown token, or a scan URL without its ``client_ticket``. A subclass of :exc:`QrCodeRefused`."""


class QrExpired(QrCodeRefused):
    """Scanned or answered after ``qr_code_lifetime``. A subclass of :exc:`QrCodeRefused`."""

    code = "qr_expired"
    status = 410
    message = "This QR code has expired. Ask the device that shows it for a new QR code and scan it again."


class QrAlreadyUsed(QrCodeRefused):
    """Scanned after the holder already tapped Authorize or Cancel. A subclass of :exc:`QrCodeRefused`."""

    code = "qr_already_used"
    status = 409
    message = "This QR code has already been used. Ask the device that shows it for a new QR code."


def new_qr_token() -> str:
    """Shaped like TikTok's: upper-case letters and digits (48 of them, base32)."""
    return base64.b32encode(secrets.token_bytes(30)).decode()


def qr_redirect_uri(app: PartnerApp) -> str | None:
    """Where a confirmed QR code sends its code: the first registered redirect URI without a wildcard port.

    An explicit loopback URI (``http://127.0.0.1:8080/callback/``) qualifies; ``http://127.0.0.1:*/...`` does
    not, since the code must name one exact URI for the token call to repeat.
    """
    return next((uri for uri in app.redirect_uris if "*" not in uri), None)


def scan_url(app: PartnerApp, qr: LoginQr, token: str) -> str:
    """The ``aweme://`` URL for the QR code of ``token``. ``qr_token`` tells the simulated app which QR code it
    scanned."""
    query = urlencode([("authType", "100"), ("client_key", app.client_key), ("client_ticket", TICKET_PLACEHOLDER),
                       ("scope", comma_scopes(qr.scope)), ("qr_token", token)])
    return f"{SCAN_URL}?{query}"


class QrCodeAuthorization:
    """The QR code flow on the Login Kit server's store, clock and settings."""

    def __init__(self, server: ServerParts) -> None:
        self.server = server

    # --- the partner's calls --------------------------------------------------------------------------------

    def get_qrcode(self, form: Mapping[str, str]) -> dict[str, Any]:
        """``POST /v2/oauth/get_qrcode/``: ``client_key`` and ``scope`` (a comma list), ``state`` optional.

        There is no ``client_secret`` here: "client_key ... scope ... state", per TikTok's table and curl.
        Refusals: ``invalid_request`` (a missing field), ``invalid_client`` (an unknown ``client_key``),
        ``unauthorized_client`` (the app may not use codes, or has no redirect URI without a wildcard port),
        ``invalid_scope`` (a scope the app may not ask for).
        """
        values = oauth_values(MultiDict(form))
        _require(values, "client_key", "scope")
        app = self.server.oauth_store.partner_app(values["client_key"])
        if app is None:
            raise InvalidClientError("The client_key is unknown.")
        redirect_uri = qr_redirect_uri(app)
        if not app.check_grant_type("authorization_code") or redirect_uri is None:
            raise UnauthorizedClientError(
                "This app cannot use QR code authorization: it needs the authorization_code grant and a "
                "registered redirect URI without a wildcard port."
            )
        scope = app.get_allowed_scope(values["scope"])
        if scope is None:
            refused = sorted(set(values["scope"].split()) - set(app.scopes))
            named = ", ".join(s for s in refused if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s)
            raise InvalidScopeError(f"The app may not ask for: {named or 'some of these scopes'}.")
        now, token = self.server.now(), new_qr_token()
        qr = LoginQr(
            token_digest=token_digest(token),
            client_key=app.client_key,
            scope=scope,
            redirect_uri=redirect_uri,
            state=values.get("state") or None,
            created_at=now,
            expires_at=now + self.server.config.qr_code_lifetime,
        )
        self.server.oauth_store.save_login_qr(qr)
        return {"scan_qrcode_url": scan_url(app, qr, token), "token": token}

    def check_qrcode(self, form: Mapping[str, str]) -> dict[str, Any]:
        """``POST /v2/oauth/check_qrcode/``: ``client_key``, ``client_secret`` and ``token``, all required.

        The statuses, as TikTok documents them:

        - ``new``: not scanned yet (``client_ticket`` is ``""``);
        - ``scanned``: the holder scanned it; ``client_ticket`` is the ticket from the scanned URL;
        - ``confirmed``: the holder tapped Authorize. The answer carries ``redirect_uri`` (the app's first
          redirect URI without a wildcard, with ``code`` and ``state`` in its query) and, as some clients
          read them there, top-level ``code`` and ``state``. The code is issued by this answer, so that it is
          never kept but as a digest; it lives ``code_lifetime`` from the holder's Authorize;
        - ``utilised``: ``confirmed`` was already answered once. The code itself stays valid until it is
          exchanged or its own lifetime (``code_lifetime``) ends;
        - ``expired``: ``qr_code_lifetime`` passed, on the simulated clock, before the holder answered
          (``client_ticket`` is ``""``). An answer given in time is never turned into ``expired``.

        **Cancel.** TikTok documents no status for a holder who taps Cancel, and none of the five fits: so
        every later poll answers with the error trio ``{"error": "access_denied", "error_description": ...,
        "log_id": ...}``, the category TikTok's OAuth error list and its SDKs use for a holder who declines.
        A client learns at once that this QR code will not be confirmed, instead of polling a ``scanned`` QR
        code until it expires. The refusal, like a confirmation, is final.

        Other refusals: ``invalid_request`` (a missing field; a token that is unknown or another app's),
        ``invalid_client`` (an unknown ``client_key`` or a wrong ``client_secret``).
        """
        _require(form, "client_key", "client_secret", "token")
        app = self.server.oauth_store.partner_app(form["client_key"])
        if app is None or not app.check_client_secret(form["client_secret"]):
            raise InvalidClientError("Client authentication failed: check client_key and client_secret.")
        status, code = "", ""

        def poll(qr: LoginQr) -> AuthorizationCode | None:
            nonlocal status, code
            if qr.client_key != app.client_key:
                raise _unknown_token()
            status = poll_status(qr)
            if status != "confirmed":
                return None
            qr.delivered_at = qr.now  # the next poll answers utilised
            code = new_authorization_code()
            return self._code_of(qr, code)

        qr = self.server.oauth_store.change_login_qr(form["token"], poll)
        if qr is None:
            raise _unknown_token()
        if status == "cancelled":
            raise AccessDeniedError("The user cancelled the authorization in the TikTok app.")
        if status in ("new", "expired"):
            return {"client_ticket": "", "status": status}
        if status == "confirmed":
            state = qr.state or ""
            params = [("code", code), ("state", state)] if state else [("code", code)]
            return {"client_ticket": qr.client_ticket, "redirect_uri": add_params_to_uri(qr.redirect_uri, params),
                    "status": status, "code": code, "state": state}
        return {"client_ticket": qr.client_ticket, "status": status}

    # --- the holder's app -----------------------------------------------------------------------------------

    def scan(self, token: str, open_id: str, client_ticket: str | None) -> LoginQr:
        """The holder scanned the QR code: it becomes ``scanned``, with the ticket from the scanned URL."""

        def scanned(qr: LoginQr) -> None:
            _record_scan(qr, open_id, client_ticket)

        return self._change(token, scanned)

    def confirm(self, token: str, open_id: str, client_ticket: str | None, chosen: Iterable[str]) -> LoginQr:
        """Authorize: the scopes asked for and left on (``user.info.basic`` always) are granted; the first
        ``confirmed`` poll carries their code (:meth:`check_qrcode`)."""
        kept = set(chosen) | {DEFAULT_SCOPE}

        def confirmed(qr: LoginQr) -> None:
            _record_scan(qr, open_id, client_ticket)
            qr.status, qr.confirmed_at = QrStatus.CONFIRMED, qr.now or self.server.now()
            qr.granted_scope = " ".join(s for s in qr_scopes(qr) if s in kept)

        return self._change(token, confirmed)

    def _code_of(self, qr: LoginQr, code: str) -> AuthorizationCode:
        """The record of ``code``, issued for what the holder granted: an ordinary :class:`AuthorizationCode` for
        the QR code's redirect URI, so the token endpoint's authorization_code grant takes it like any other."""
        assert qr.open_id is not None and qr.confirmed_at is not None, "a confirmed QR code was answered"
        qr.code_digest = token_digest(code)
        return AuthorizationCode(code_digest=qr.code_digest, client_key=qr.client_key, open_id=qr.open_id,
                                 redirect_uri=qr.redirect_uri, scope=qr.granted_scope or DEFAULT_SCOPE,
                                 expires_at=qr.confirmed_at + self.server.config.code_lifetime)

    def cancel(self, token: str, open_id: str, client_ticket: str | None) -> LoginQr:
        """Cancel: the QR code is refused for good; check_qrcode answers ``access_denied`` (see there)."""

        def cancelled(qr: LoginQr) -> None:
            _record_scan(qr, open_id, client_ticket)
            qr.status = QrStatus.CANCELLED

        return self._change(token, cancelled)

    def _change(self, token: str, change: Callable[[LoginQr], AuthorizationCode | None]) -> LoginQr:
        qr = self.server.oauth_store.change_login_qr(token, change) if token else None
        if qr is None:
            raise QrUnreadable()
        return qr


def qr_scopes(qr: LoginQr) -> list[str]:
    """The scopes a QR code asks for, in order."""
    return qr.scope.split() if qr.scope else [DEFAULT_SCOPE]


def poll_status(qr: LoginQr) -> str:
    """check_qrcode's status for the QR code now, or ``cancelled``, which is answered as ``access_denied``."""
    if qr.status is QrStatus.CONFIRMED:
        return "utilised" if qr.delivered_at is not None else "confirmed"
    if qr.status is QrStatus.CANCELLED:
        return "cancelled"
    return "expired" if qr.is_expired() else qr.status.value


def _record_scan(qr: LoginQr, open_id: str, client_ticket: str | None) -> None:
    if qr.status not in (QrStatus.NEW, QrStatus.SCANNED):
        raise QrAlreadyUsed()
    if qr.is_expired():
        raise QrExpired()
    if not client_ticket or len(client_ticket) > MAX_TICKET_LENGTH:
        raise QrUnreadable()
    qr.status, qr.open_id, qr.client_ticket = QrStatus.SCANNED, open_id, client_ticket


def _require(values: Mapping[str, str], *names: str) -> None:
    missing = [name for name in names if not values.get(name)]
    if missing:
        raise InvalidRequestError(f"The request is missing: {', '.join(missing)}.")


def _unknown_token() -> InvalidRequestError:
    return InvalidRequestError("The token is unknown: call get_qrcode for a new QR code.")

