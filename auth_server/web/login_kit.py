"""TikTok Login Kit v2 over HTTP, wire-compatible with TikTok's (paths with and without the slash).

- ``GET|POST /v2/auth/authorize/``: the consent screen, then the redirect with ``code``, ``scopes``, ``state``;
- ``POST /v2/oauth/token/``: authorization code (PKCE), refresh token (rotated), client credentials;
- ``POST /v2/oauth/revoke/``: revoke an access token;
- ``GET /v2/user/info/?fields=...``: the fields asked for (v2's and the legacy ``avatar_url_200``); a field whose
  scope was not granted is refused ``scope_not_authorized``, an unknown one ``invalid_params``.
"""

from __future__ import annotations

from typing import Any
from typing import cast

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from auth_server.domain.accounts import Account
from auth_server.domain.accounts import Verification
from auth_server.domain.operation import Operation
from auth_server.oauth.grants import Holder
from auth_server.oauth.identifiers import open_id_for
from auth_server.oauth.identifiers import union_id_for
from auth_server.oauth.models import DEFAULT_SCOPE
from auth_server.oauth.models import PartnerApp
from auth_server.oauth.models import Token
from auth_server.oauth.records import OAuthRepository
from auth_server.oauth.wire import log_id
from auth_server.web import context
from auth_server.web import guard
from auth_server.web import request_recording
from auth_server.web.browser_session import signed_in
from auth_server.web.errors import error_page
from auth_server.web.errors import tiktok_api_error
from auth_server.web.standard_oauth import issuer

bp = Blueprint("login_kit", __name__)

# What each user-info field shows, and the scope it needs (TikTok's table, after the 2024 scope migration).
USER_FIELDS: dict[str, str] = {
    "open_id": "user.info.basic",
    "union_id": "user.info.basic",
    "avatar_url": "user.info.basic",
    "avatar_url_100": "user.info.basic",
    "avatar_large_url": "user.info.basic",
    "display_name": "user.info.basic",
    "bio_description": "user.info.profile",
    "profile_deep_link": "user.info.profile",
    "is_verified": "user.info.profile",
    "username": "user.info.profile",
    "follower_count": "user.info.stats",
    "following_count": "user.info.stats",
    "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}
# Login Kit v1's documented fields that v2 dropped, still asked for by published clients (passport-tiktok-auth
# 1.0.12 always asks for avatar_url_200): served, with the scope the v1 field had.
LEGACY_USER_FIELDS: dict[str, str] = {
    "avatar_url_200": "user.info.basic",
}
SERVED_USER_FIELDS = {**USER_FIELDS, **LEGACY_USER_FIELDS}
SCOPE_NOT_AUTHORIZED = "The user did not authorize the scope required for completing this request."
SCOPE_DESCRIPTIONS = {
    "user.info.basic": "Access your profile info (avatar, display name)",
    "user.info.profile": "Read your profile details (username, bio, verified badge)",
    "user.info.stats": "Read your statistics (followers, likes, videos)",
    "video.list": "Read your public videos",
    "video.upload": "Upload videos to your drafts",
    "video.publish": "Publish videos on your behalf",
}


@bp.route("/v2/auth/authorize", methods=["GET", "POST"], strict_slashes=False)
def authorize() -> Any:
    server = context.login_kit()
    account = signed_in()
    try:
        grant = server.get_consent_grant(end_user=Holder(account.open_id) if account else None)
    except OAuth2Error as error:
        if getattr(error, "redirect_uri", None):
            return _to_client(server.handle_error_response(None, error))
        # Without a trustworthy redirect URI there is nowhere to send the error but the page itself.
        return error_page(400, error.error, error.get_error_description() or error.error)
    except ValueError:  # authlib could not quote a parameter in its error text (non-ASCII, quotes)
        return error_page(400, "invalid_request", "A parameter of the request holds characters it may not.")
    if account is None:
        return redirect(url_for("screens.sign_in", next=request.full_path))
    # user.info.basic is always part of a Login Kit authorization, asked for or not.
    requested = list(dict.fromkeys([DEFAULT_SCOPE, *(grant.request.scope.split() if grant.request.scope else [])]))
    if request.method == "GET":
        return render_template(
            "login_kit/consent.html",
            app=grant.client,
            account=account,
            scopes=[(s, SCOPE_DESCRIPTIONS.get(s, s), s == DEFAULT_SCOPE) for s in requested],
        )
    if request.form.get("decision") != "authorize":
        return _to_client(server.create_authorization_response(grant=grant, grant_user=None))
    chosen = set(request.form.getlist("granted_scope")) | {DEFAULT_SCOPE}
    grant.request.granted_scope = " ".join(s for s in requested if s in chosen)
    return _to_client(server.create_authorization_response(grant=grant, grant_user=Holder(account.open_id)))


def _to_client(response: Response) -> Response:
    """The authorization response, a code or an error on the client's redirect URI; naming the issuer (RFC 9207)
    when the server's ``authorization_response_iss`` setting is on (TikTok's names none)."""
    location = response.headers.get("Location")
    if location and context.config().authorization_response_iss:
        response.headers["Location"] = add_params_to_uri(location, [("iss", issuer())])
    return response


@bp.post("/v2/oauth/token", strict_slashes=False)
def token() -> Any:
    server = context.login_kit()
    return server.refuse_unless_form() or server.create_token_response()


@bp.post("/v2/oauth/revoke", strict_slashes=False)
def revoke() -> Any:
    server = context.login_kit()
    return server.refuse_unless_form() or server.create_endpoint_response("revocation")


@bp.get("/v2/user/info", strict_slashes=False)
def user_info() -> Any:
    oauth_store = context.login_kit().oauth_store

    def read(op: Operation) -> tuple[Token, PartnerApp | None, Account]:
        with oauth_store.joining(cast(OAuthRepository, op.repo)):  # the store's repository: the records' too
            token = guard.require_user_token()
            app = oauth_store.partner_app(token.client_key)
        assert token.open_id is not None
        return token, app, op.require_account(token.open_id)

    token, app, account = context.service().read_together(read)  # the token, its app and its account: one read
    request_recording.tag(account=account.open_id, partner_app=token.client_key)
    fields = [f.strip() for f in request.args.get("fields", "").split(",") if f.strip()]
    if not fields:
        return tiktok_api_error("invalid_params",
                                "The fields parameter is required, such as fields=open_id,display_name.", 400)
    unknown = [f for f in fields if f not in SERVED_USER_FIELDS]
    if unknown:
        return tiktok_api_error("invalid_params", f"Unknown fields: {', '.join(unknown)}.", 400)
    granted = set(token.scope.split())
    missing = {f: SERVED_USER_FIELDS[f] for f in fields if SERVED_USER_FIELDS[f] not in granted}
    if missing:
        needs = "; ".join(f"{scope} ({', '.join(f for f in missing if missing[f] == scope)})"
                          for scope in dict.fromkeys(missing.values()))
        return tiktok_api_error("scope_not_authorized", f"{SCOPE_NOT_AUTHORIZED} Not granted: {needs}.", 401)
    assert app is not None, "a token's app outlives it"
    values = _user_fields(account, app, request.host_url)
    user = {f: values[f] for f in dict.fromkeys(fields)}
    return jsonify({"data": {"user": user}, "error": {"code": "ok", "message": "", "log_id": log_id(context.now())}})


def _user_fields(account: Account, app: PartnerApp, host_url: str) -> dict[str, Any]:
    avatar = account.avatar_url or f"{host_url}static/avatar.svg"
    return {
        "open_id": open_id_for(app.client_key, account.open_id),
        "union_id": union_id_for(app.developer_id, account.open_id),
        "avatar_url": avatar,
        "avatar_url_100": avatar,
        "avatar_url_200": avatar,
        "avatar_large_url": avatar,
        "display_name": account.nickname,
        "bio_description": "",
        "profile_deep_link": f"https://www.tiktok.com/@{account.username}",
        "is_verified": account.verification is Verification.VERIFIED,
        "username": account.username,
        "follower_count": account.followers,
        "following_count": 0,
        "likes_count": 0,
        "video_count": 0,
    }
