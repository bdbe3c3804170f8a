"""What a QR code's text opens in the TikTok app, for the app's API and its Scan screen alike: a Seller Center link's
consent (``.../app/scan?token=...``, on any host: the code's signature says which world it belongs to) or a Login
Kit QR login (``aweme://authorize?...``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from flask import request
from flask import url_for

from auth_server.oauth.qr_code import SCAN_URL
from auth_server.web.sandboxing import path_inside_world

MAX_SCAN_URL = 4096  # far more than a QR code holds at a size a phone reads


@dataclass(frozen=True)
class ScanTarget:
    kind: Literal["official_link", "login_kit"]
    query: dict[str, str]


def scan_target(scan_url: str) -> ScanTarget | None:
    """What ``scan_url`` opens, or None when it is no code of linksim's (another site's, or damaged)."""
    if len(scan_url) > MAX_SCAN_URL:
        return None
    try:
        parts = urlsplit(scan_url.strip())
    except ValueError:  # urlsplit refuses a malformed host, such as an unclosed "["
        return None
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    if f"{parts.scheme}://{parts.netloc}" == SCAN_URL:
        return ScanTarget("login_kit", query)
    if path_inside_world(parts.path) == url_for("screens.scan")[len(request.script_root):] and query.get("token"):
        return ScanTarget("official_link", query)
    return None
