"""TikTok Login Kit with QR code over HTTP (see :mod:`auth_server.oauth.qr_code` for the protocol).

- ``POST /v2/oauth/get_qrcode/``: a QR code for a partner app: ``{scan_qrcode_url, token}``;
- ``POST /v2/oauth/check_qrcode/``: its status: ``new``, ``scanned``, ``confirmed`` (with the code),
  ``utilised``, ``expired``; ``access_denied`` once the holder tapped Cancel;
- ``GET|POST /app/login-qr?qr_token=...&client_ticket=...``: what the simulated TikTok app opens when it
  scans the ``aweme://authorize?...`` URL (:func:`app_path`): the consent screen, Authorize and Cancel.

Both TikTok paths answer with and without the trailing slash, in TikTok's shape (errors as
``{error, error_description, log_id}`` with the configured status).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from authlib.consts import default_json_headers
from authlib.oauth2 import OAuth2Error
from flask import Blueprint
from flask import Response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from auth_server.oauth.models import DEFAULT_SCOPE
from auth_server.oauth.qr_code import SCAN_URL
from auth_server.oauth.qr_code import QrCodeRefused
from auth_server.oauth.qr_code import qr_scopes
from auth_server.web import context
from auth_server.web.browser_session import signed_in
from auth_server.web.errors import error_page
from auth_server.web.login_kit import SCOPE_DESCRIPTIONS

bp = Blueprint("login_kit_qr", __name__)
SCREEN_PATH = "/app/login-qr"


def app_path(scan_qrcode_url: str) -> str:
    """Where the simulated app opens a scanned ``aweme://authorize?...`` URL: this server's screen, same query."""
    parts = urlsplit(scan_qrcode_url)
    if f"{parts.scheme}://{parts.netloc}" != SCAN_URL:
        raise ValueError(f"not a Login Kit scan URL: {scan_qrcode_url}")
    return f"{SCREEN_PATH}?{parts.query}"


@bp.post("/v2/oauth/get_qrcode", strict_slashes=False)
def get_qrcode() -> Response:
    return _tiktok_answer(lambda flow: flow.get_qrcode(request.form))


@bp.post("/v2/oauth/check_qrcode", strict_slashes=False)
def check_qrcode() -> Response:
    return _tiktok_answer(lambda flow: flow.check_qrcode(request.form))


def _tiktok_answer(call: Any) -> Response:
    server = context.login_kit()
    try:
        body = call(context.login_kit_qr())
    except OAuth2Error as error:
        return server.handle_error_response(None, error)
    return server.handle_response(200, body, default_json_headers)


@bp.route(SCREEN_PATH, methods=["GET", "POST"])
def scan() -> Any:
    """The app after scanning: sign in first, then the QR code is ``scanned``; Authorize or Cancel answers it."""
    account = signed_in()
    if account is None:
        return redirect(url_for("screens.sign_in", next=request.full_path))
    flow = context.login_kit_qr()
    token, ticket = request.args.get("qr_token", ""), request.args.get("client_ticket")
    if request.method == "GET":
        qr = flow.scan(token, account.open_id, ticket)
        app = context.login_kit().oauth_store.partner_app(qr.client_key)
        return render_template(
            "login_kit_qr/consent.html",
            app=app,
            account=account,
            scopes=[(s, SCOPE_DESCRIPTIONS.get(s, s), s == DEFAULT_SCOPE) for s in qr_scopes(qr)],
            answered=None,
        )
    if request.form.get("decision") == "authorize":
        qr = flow.confirm(token, account.open_id, ticket, request.form.getlist("granted_scope"))
    else:
        qr = flow.cancel(token, account.open_id, ticket)
    app = context.login_kit().oauth_store.partner_app(qr.client_key)
    return render_template("login_kit_qr/consent.html", app=app, account=account, scopes=[], answered=qr.status.value)


@bp.errorhandler(QrCodeRefused)
def refused(error: QrCodeRefused) -> Any:
    return error_page(error.status, error.code, error.message)
