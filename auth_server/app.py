"""The Flask application factory: the simulator behind TikTok's Login Kit and the consent screens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask import Response
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFProtect

from auth_server.config import ServerConfig
from auth_server.simulator import Simulator
from auth_server.web import app_api
from auth_server.web import context
from auth_server.web import control
from auth_server.web import errors
from auth_server.web import fault_injection
from auth_server.web import landing
from auth_server.web import linking_api
from auth_server.web import login_kit
from auth_server.web import login_kit_qr
from auth_server.web import page_text
from auth_server.web import request_recording
from auth_server.web import sandboxing
from auth_server.web import screens
from auth_server.web import seller_center
from auth_server.web import shop_partner
from auth_server.web import standard_oauth
from auth_server.web import webhook_dispatch
from auth_server.web.url_rules import BuiltWhenFirstUsed
from auth_server.worlds import MAIN
from auth_server.worlds import HostedWorld
from auth_server.worlds import Worlds


class JsonBodies(DefaultJSONProvider):
    """Flask's JSON, with keys in the order the code gives them (a link's id first, not alphabetical); a body
    nested too deep for Python's parser, or with a lone surrogate (``"\\ud800"``: no character, and no UTF-8 to
    store or journal), is invalid JSON like any other."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON body nests too deep") from None
        if not _encodable(value):
            raise ValueError("the JSON body holds a lone surrogate escape (such as \\ud800), which is no character: "
                             "send text that UTF-8 can encode")
        return value


def _encodable(value: Any) -> bool:
    """Whether every string in ``value`` (keys too) can be written as UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def create_app(
    simulator: Simulator | None = None,
    config: ServerConfig | None = None,
    *,
    test_config: Mapping[str, Any] | None = None,
) -> Flask:
    """Build the app around ``simulator`` (by default: in-memory SQLite and a manual clock)."""
    config = config or ServerConfig()
    simulator = simulator or Simulator.in_memory()
    app = Flask(__name__)
    app.url_rule_class = BuiltWhenFirstUsed  # before any rule is added
    app.json = JsonBodies(app)
    app.config.from_mapping(
        SECRET_KEY=config.secret_key,
        MAX_CONTENT_LENGTH=config.max_body_bytes,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # the consent screens live as long as the session; time is simulated anyway
    )
    if test_config is not None:
        app.config.update(test_config)

    main = HostedWorld.around(MAIN, simulator, config)
    context.install(app, simulator, config, Worlds(main, config, limit=config.max_sandboxes))
    app.wsgi_app = sandboxing.SandboxPrefix(app.wsgi_app)  # type: ignore[method-assign]
    app.before_request(sandboxing.select_world)  # registered first, so it runs before every other hook
    if config.request_journal:
        request_recording.install(app)  # stamps each request next, and records it once answered

    app.before_request(fault_injection.apply_faults)  # after select_world: a fault belongs to the request's world
    csrf = CSRFProtect(app)
    app.register_blueprint(landing.bp)
    app.register_blueprint(screens.bp)
    app.register_blueprint(login_kit.bp)
    app.register_blueprint(login_kit_qr.bp)
    app.register_blueprint(standard_oauth.bp)
    app.register_blueprint(linking_api.bp)
    app.register_blueprint(app_api.bp)
    app.register_blueprint(seller_center.bp)
    app.register_blueprint(shop_partner.bp)
    for blueprint in control.BLUEPRINTS:
        app.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    csrf.exempt(linking_api.bp)  # a seller's tool authenticates with a bearer token, not a browser session
    csrf.exempt(app_api.bp)  # so does the app on the holder's phone
    for machine_facing in (login_kit.token, login_kit.revoke, login_kit.user_info, login_kit_qr.get_qrcode,
                           login_kit_qr.check_qrcode, standard_oauth.token, standard_oauth.revoke,
                           standard_oauth.introspect, shop_partner.token_get, shop_partner.token_refresh):
        csrf.exempt(machine_facing)  # partner apps call these with credentials, not a browser session
    errors.register(app)
    page_text.register(app)
    app.after_request(no_framing)
    app.after_request(no_referrer)
    app.after_request(no_store)
    webhook_dispatch.install(app)  # after the worlds: a restarted server resumes the webhooks its store holds
    return app


def no_framing(response: Response) -> Response:
    """No page of linksim's may be framed by another site (RFC 9700 4.16, clickjacking): sign-in, consent and
    Seller Center included."""
    if response.mimetype == "text/html":
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    return response


def no_referrer(response: Response) -> Response:
    """No answer hands its address on in a Referer (RFC 9700 4.2.4): a page or a redirect may carry a code, a QR
    token or a state in its URL, and the next site it leads to must not read it there."""
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def no_store(response: Response) -> Response:
    """JSON answers are not to be cached: they carry tokens, sessions and codes (RFC 6749 5.1), or a world's
    state that the next request may change."""
    if response.mimetype == "application/json":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def config_of(app: Flask) -> ServerConfig | None:
    """The settings a linksim app was made with; None for an app that :func:`create_app` did not make."""
    return context.config(app) if context.CONFIG in app.extensions else None
