"""A TikTok Shop client written only from the documentation (shared/TIKTOK_WIRE.md 3.3 to 3.5), with ``requests``.

It shares no code with the server: when both agree, the server follows the documents and not only itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

import requests

AUTHORIZED_SHOPS_PATH = "/authorization/202309/shops"
ACCESS_TOKEN_HEADER = "x-tts-access-token"


def sign(path: str, params: dict[str, str], secret: str, body: bytes = b"") -> str:
    """``sign-your-api-request``: the parameters but ``sign`` and ``access_token``, sorted by key and written
    ``{key}{value}``, after the path and before the body; wrapped in the secret; HMAC-SHA256 keyed with it."""
    pairs = "".join(f"{key}{params[key]}" for key in sorted(params) if key not in ("sign", "access_token"))
    wrapped = secret.encode() + path.encode() + pairs.encode() + body + secret.encode()
    return hmac.new(secret.encode(), wrapped, hashlib.sha256).hexdigest()


def signed_params(path: str, app_key: str, secret: str, timestamp: int | str, body: bytes = b"",
                  **extra: str) -> dict[str, str]:
    """The query of a signed call: ``app_key``, ``timestamp``, any ``extra``, and their ``sign``."""
    params = {"app_key": app_key, "timestamp": str(timestamp), **extra}
    return {**params, "sign": sign(path, params, secret, body)}


class DocumentedShopClient:
    """An app's side of the flow: trade the redirect's code for tokens, refresh them, list the authorized shops.

    ``base_url`` stands for both of TikTok's hosts (auth and API): linksim serves them on one.
    """

    def __init__(self, base_url: str, app_key: str, app_secret: str, *,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self.app_secret = app_secret
        self.session = session or requests.Session()

    def get_token(self, auth_code: str, *, json_body: bool = False) -> dict[str, Any]:
        """``GET /api/v2/token/get`` as documented; ``json_body``: POST the same parameters as JSON, as some do."""
        return self._token("get", {"auth_code": auth_code, "grant_type": "authorized_code"}, json_body)

    def refresh_token(self, refresh_token: str, *, json_body: bool = False) -> dict[str, Any]:
        return self._token("refresh", {"refresh_token": refresh_token, "grant_type": "refresh_token"}, json_body)

    def _token(self, endpoint: str, params: dict[str, str], json_body: bool) -> dict[str, Any]:
        url = f"{self.base_url}/api/v2/token/{endpoint}"
        params = {"app_key": self.app_key, "app_secret": self.app_secret, **params}
        response = (self.session.post(url, json=params, timeout=10) if json_body
                    else self.session.get(url, params=params, timeout=10))
        answer: dict[str, Any] = response.json()
        return answer

    def authorized_shops(self, access_token: str, timestamp: int, *, signed_path: str | None = None,
                         body: dict[str, Any] | None = None) -> requests.Response:
        """``GET /authorization/202309/shops``, signed over ``signed_path`` (by default the path sent) and the
        JSON ``body`` if one is given."""
        raw = json.dumps(body).encode() if body is not None else b""
        path = self.base_path + AUTHORIZED_SHOPS_PATH
        params = signed_params(signed_path or path, self.app_key, self.app_secret, timestamp, raw)
        return self.session.get(self.base_url + AUTHORIZED_SHOPS_PATH, params=params, data=raw or None, timeout=10,
                                headers={ACCESS_TOKEN_HEADER: access_token, "content-type": "application/json"})

    @property
    def base_path(self) -> str:
        """The path part of ``base_url`` (a sandbox's ``/sandboxes/<id>``, or nothing)."""
        return urlsplit(self.base_url).path.rstrip("/")


def webhook_verified(app_key: str, app_secret: str, raw_body: bytes, authorization: str) -> bool:
    """A TikTok Shop webhook's ``Authorization`` header: hex HMAC-SHA256 keyed with the app secret, of the app key
    followed by the raw body."""
    expected = hmac.new(app_secret.encode(), app_key.encode() + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, authorization)
