"""TikTok Shop's errors: a numeric code, a message, and the HTTP status it comes with (shared/TIKTOK_WIRE.md 3.3, 3.6).

TikTok documents several messages under one code (36009004 covers a missing signature, an unknown app key and a
timestamp out of its window): each refusal here is one such pair. Where the documents give no code (a wrong app
secret on the token endpoint, a refresh token that does not work), linksim's choice is marked as such below and in
docs/tiktok-shop-partner.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ShopRefusal:
    code: int
    message: str
    http_status: int = 200  # TikTok Shop answers most errors with HTTP 200 and a non-zero code


class ShopApiError(Exception):
    """A refusal in TikTok Shop's envelope: ``{"code": ..., "message": ..., "request_id": ...}``."""

    def __init__(self, refusal: ShopRefusal, **details: Any) -> None:
        self.refusal = refusal
        self.code = refusal.code
        self.message = refusal.message.format(**details) if details else refusal.message
        self.http_status = refusal.http_status
        super().__init__(f"{self.code}: {self.message}")


# The token endpoints (3.3)
INVALID_AUTH_CODE = ShopRefusal(36004004, "invalid auth code")  # expired, used or wrong: as TikTok words it
# linksim's choices (undocumented): the same family of codes, with messages that say what to fix
INVALID_REFRESH_TOKEN = ShopRefusal(36004004, "invalid refresh token: it expired, was already used (rotation) or "
                                              "its authorization was removed; have the seller authorize the app again")
INVALID_APP_CREDENTIALS = ShopRefusal(36004005, "invalid app_key or app_secret: use the app key and secret shown on "
                                                "the app's page (the data file's partner_apps[].shop)")
INVALID_GRANT_TYPE = ShopRefusal(36004006, "invalid grant_type: {expected} is the only value this endpoint takes")

# Signed calls (3.6)
INVALID_SIGNATURE = ShopRefusal(106001, "Invalid credentials. The sign query parameter is invalid. For more "
                                        "details: https://m.tiktok.shop/s/AIu6dbFhs2XW", 401)
EXPIRED_CREDENTIALS = ShopRefusal(105002, "Expired credentials. The access_token or x-tts-access-token header has "
                                          "expired; refresh it at /api/v2/token/refresh")
DEAUTHORIZED = ShopRefusal(105001, "access token is invalid; detail:your token has been deauthorized")
MISSING_SIGNATURE = ShopRefusal(36009004, "Missing signature. Add the sign query parameter")
MISSING_APP_KEY = ShopRefusal(36009004, "Missing app_key. Add the app_key query parameter")
INVALID_APP_KEY = ShopRefusal(36009004, "Invalid app_key. No app has the app_key {app_key}")
MISSING_TIMESTAMP = ShopRefusal(36009004, "Missing timestamp. Add the timestamp query parameter (Unix seconds)")
INVALID_TIMESTAMP = ShopRefusal(36009004, "Invalid timestamp. It must lie between 5 minutes before and 30 seconds "
                                          "after the world's clock, {now} ({now_iso}); it is {timestamp}. A client "
                                          "that signs with the real time needs the clock there: POST /_sim/clock "
                                          "{{\"set\": \"now\"}}")
MISSING_ACCESS_TOKEN = ShopRefusal(36009004, "Invalid x-tts-access-token. Send the access token in the "
                                             "x-tts-access-token header")
INVALID_ACCESS_TOKEN = ShopRefusal(36009004, "Invalid x-tts-access-token. The access token is not known")
UNEXPECTED_SHOP_CIPHER = ShopRefusal(36009004, "Unexpected shop_cipher. This API takes no shop_cipher")
WRONG_USER_TYPE = ShopRefusal(101000, "Invalid query or header. The x-tts-access-token belongs to a {actual}, and "
                                      "this API serves {expected}s")
TOKEN_OF_ANOTHER_APP = ShopRefusal(101000, "Invalid query or header. The x-tts-access-token was issued to another "
                                           "app than {app_key}")
SCOPE_MISSING = ShopRefusal(105005, "Access denied. The authorization lacks the scope {scope}: add its package to "
                                    "the app and have the seller authorize again")
