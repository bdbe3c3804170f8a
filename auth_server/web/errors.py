"""Every refusal as JSON (or a page, on the screens), with a stable code: never a 500 or a stack trace."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask
from flask import Response
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import ServiceUnavailable

from auth_server.domain import codes
from auth_server.domain.codes import Kind
from auth_server.domain.errors import Refused
from auth_server.domain.repository import TransientConflict
from auth_server.oauth.wire import log_id
from auth_server.shop_partner.errors import ShopApiError
from auth_server.store import StoreClosed
from auth_server.web import context
from auth_server.web import sandboxing

log = logging.getLogger(__name__)

STATUS_OF_KIND = {Kind.RULE: 409, Kind.NOT_FOUND: 404, Kind.INVALID: 400, Kind.DENIED: 403, Kind.EXPIRED: 410,
                  Kind.UNAUTHENTICATED: 401}
SCREEN_PREFIXES = ("/app/", "/seller/")
SHOP_API_PREFIXES = ("/api/v2/token/", "/authorization/")  # TikTok Shop's token endpoints and signed API
TIMELINE_PAGE = "/_sim/"  # the controls' one page: a browser is answered a page there, an API client JSON
API_PREFIXES = ("/api/", "/_sim/", "/v2/", "/oauth/", "/.well-known/", *SHOP_API_PREFIXES)  # JSON, browser or not


class TikTokApiRefusal(Exception):
    """A refusal on TikTok's API (``/v2/user/info/``), answered in that API's envelope."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def wants_page() -> bool:
    """A page on the screens, and for a browser anywhere no API answers (a mistyped address); JSON for the rest."""
    path = request.path
    if path == TIMELINE_PAGE:
        return _browser_prefers_html()
    if path.startswith("/v2/auth/"):
        return request.accept_mimetypes.accept_html and not request.accept_mimetypes.accept_json
    return path.startswith(SCREEN_PREFIXES) or (not path.startswith(API_PREFIXES) and _browser_prefers_html())


def _browser_prefers_html() -> bool:
    # A browser names text/html before its */*; a client that sends no Accept, */* alone or JSON gets JSON.
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def error_page(status: int, code: str, message: str, *, heading: str | None = None,
               try_again: tuple[str, str] | None = None) -> tuple[str, int]:
    """The error as a page, with a way back: to the page before (the browser's history) and to the screen's home,
    and first to ``try_again`` (its address and label) when there is a page to try again on. Under ``/app/`` the
    page is in the app's frame."""
    home, home_name = _way_home()
    in_the_app = context.in_a_world() and request.path.startswith("/app/")
    heading = heading or ("Not found" if status == 404 else "Something went wrong")
    return render_template("error.html", status=status, code=code, message=message, heading=heading, home=home,
                           home_name=home_name, try_again=try_again,
                           layout="screens/base.html" if in_the_app else "base.html"), status


def _way_home() -> tuple[str, str]:
    if not context.in_a_world():  # an unknown sandbox: its pages lead nowhere, the main world's do
        return sandboxing.root_outside_sandbox() + "/", "Go to linksim's start page"
    if request.path.startswith("/app/"):
        return url_for("screens.home"), "Back to the app's home"
    if request.path.startswith("/seller/"):
        return url_for("seller_center.shops"), "Back to Seller Center"
    return url_for("landing.index"), "Go to linksim's start page"


def refusal_response(refusal: Refused) -> Any:
    status = STATUS_OF_KIND[refusal.kind]
    if wants_page():
        return error_page(status, refusal.code, refusal.violations[0].message)
    return jsonify(refusal.as_dict()), status


def http_error_response(error: HTTPException) -> Any:
    code = (error.name or "error").lower().replace(" ", "_")
    message = error.description or error.name
    status = error.code or 500
    if wants_page():
        return error_page(status, code, message)
    if request.path.startswith("/v2/oauth/"):
        return tiktok_oauth_error("invalid_request" if status < 500 else "server_error", message, status)
    if request.path.startswith(SHOP_API_PREFIXES):
        # TikTok Shop's own shape: 36009010 "invalid method", 36009009 "invalid path" (shared/TIKTOK_WIRE.md 3.6)
        shop_code = 36009010 if status == 405 else 36009009 if status == 404 else 36009003
        return jsonify({"code": shop_code, "message": message, "request_id": shop_request_id()}), status
    if request.path.startswith(("/api/", "/_sim/")):
        # Shaped like every refusal of these APIs, with a code named after the HTTP error.
        return refusal_json(code, message), status
    if request.path.startswith("/v2/"):
        return tiktok_api_error("invalid_params" if status < 500 else "internal_error", message, status)
    return jsonify({"code": code, "message": message}), status


def http_error_with_its_headers(error: HTTPException) -> Response:
    """:func:`http_error_response`, keeping the headers HTTP asks of the error: a 405's ``Allow`` (RFC 9110 15.5.6)."""
    response = make_response(http_error_response(error))
    allowed = dict(error.get_headers()).get("Allow")
    if allowed:
        response.headers["Allow"] = allowed
    return response


def refusal_json(code: str, message: str) -> Response:
    """A refusal of the linking and control APIs for a code outside the catalogue (an HTTP or OAuth error)."""
    return jsonify({"code": code, "message": message,
                    "violations": [{"code": code, "message": message, "rules": [], "details": {}}]})


def tiktok_oauth_error(error: str, description: str, status: int) -> tuple[Response, int]:
    """An OAuth error as TikTok's ``/v2/oauth/`` endpoints answer it."""
    body = {"error": error, "error_description": description, "log_id": log_id(context.now())}
    return jsonify(body), status


def tiktok_api_error(code: str, message: str, status: int) -> Response:
    """An error as TikTok's API answers it (``/v2/user/info/``): its envelope, with ``data`` empty."""
    body = {"data": {}, "error": {"code": code, "message": message, "log_id": log_id(context.now())}}
    response = jsonify(body)
    response.status_code = status
    return response


def tiktok_api_refusal_response(refusal: TikTokApiRefusal) -> Response:
    return tiktok_api_error(refusal.code, refusal.message, refusal.status)


def shop_api_error_response(error: ShopApiError) -> Response:
    """A refusal of TikTok Shop's token endpoints and API: ``{code, message, request_id}``, most with HTTP 200."""
    response = jsonify({"code": error.code, "message": error.message, "request_id": shop_request_id()})
    response.status_code = error.http_status
    return response


def shop_request_id() -> str:
    """Shaped like TikTok Shop's: the time on the world's clock, then 20 hexadecimal digits."""
    return context.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(10).upper()


def closed_store_response(_: StoreClosed) -> Any:
    # A request that was under way when its sandbox was deleted: the sandbox is gone, as for any later one.
    return refusal_response(Refused.because(codes.SANDBOX_NOT_FOUND, sandbox=context.world().id))


def busy_store_response(_: TransientConflict) -> Any:
    # A transaction that kept colliding with concurrent ones (a world starting over in another process): nothing of it
    # was kept, and sending it again is all there is to do.
    response = make_response(http_error_response(ServiceUnavailable(
        "The database was busy with a concurrent change (a world starting over, perhaps) and nothing was done: "
        "send the request again.")))
    response.headers["Retry-After"] = "1"
    return response


def unexpected_error(error: Exception) -> Any:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return http_error_response(InternalServerError("linksim failed on this request; the server log says why."))


def register(app: Flask) -> None:
    app.register_error_handler(Refused, refusal_response)
    app.register_error_handler(TikTokApiRefusal, tiktok_api_refusal_response)
    app.register_error_handler(ShopApiError, shop_api_error_response)
    app.register_error_handler(HTTPException, http_error_with_its_headers)
    app.register_error_handler(StoreClosed, closed_store_response)
    app.register_error_handler(TransientConflict, busy_store_response)
    app.register_error_handler(Exception, unexpected_error)
