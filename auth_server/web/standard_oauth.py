"""The endpoints generic OAuth libraries look for, in plain OAuth 2.0 shapes (space-separated scopes,
4xx errors): RFC 8414 metadata, a token endpoint, RFC 7009 revocation and RFC 7662 introspection.
The authorization endpoint is TikTok's, which accepts ``client_id`` as well as ``client_key``.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import yaml
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import url_for

from auth_server.web import context

bp = Blueprint("standard_oauth", __name__)


def issuer() -> str:
    """This server's issuer identifier, as the request reached it (RFC 8414's ``issuer``, RFC 9207's ``iss``)."""
    return str(url_for("landing.index", _external=True)).rstrip("/")


@bp.get("/.well-known/oauth-authorization-server")
def metadata() -> Any:
    document = AuthorizationServerMetadata({
        "issuer": issuer(),
        "authorization_endpoint": url_for("login_kit.authorize", _external=True),
        "token_endpoint": url_for("standard_oauth.token", _external=True),
        "revocation_endpoint": url_for("standard_oauth.revoke", _external=True),
        "introspection_endpoint": url_for("standard_oauth.introspect", _external=True),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "scopes_supported": ["user.info.basic", "user.info.profile", "user.info.stats", "video.list",
                             "video.upload", "video.publish"],
        "service_documentation": issuer() + "/",
        "authorization_response_iss_parameter_supported": context.config().authorization_response_iss,
    })
    # RFC 8414 wants https everywhere, and authlib lets plain http pass on loopback only; a simulator serves plain
    # http on purpose, under any host (a proxy, a container's name). The scheme aside, the document must be valid.
    AuthorizationServerMetadata({key: "https://" + value.removeprefix("http://") if _plain_url(value) else value
                                 for key, value in document.items()}).validate()
    return jsonify(dict(document))


def _plain_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith("http://")


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI document of the JSON endpoints (auth_server/openapi.yaml)."""
    return Response(openapi_json(), mimetype="application/json")


@functools.cache
def openapi_json() -> bytes:
    """The document as JSON, made once per process (parsing its YAML is the cost)."""
    text = resources.files("auth_server").joinpath("openapi.yaml").read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when there: 27 ms rather than 190
    return json.dumps(yaml.load(text, Loader=loader), ensure_ascii=False).encode("utf-8")


@bp.post("/oauth/token", strict_slashes=False)
def token() -> Any:
    return context.login_kit().create_token_response()


@bp.post("/oauth/revoke", strict_slashes=False)
def revoke() -> Any:
    return context.login_kit().create_endpoint_response("revocation")


@bp.post("/oauth/introspect", strict_slashes=False)
def introspect() -> Any:
    return context.login_kit().create_endpoint_response("introspection")
