"""Login Kit in a real browser: the sign-in form, the consent screen, and the redirect to the partner app."""

from __future__ import annotations

import shutil
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import requests

from auth_server.oauth.identifiers import open_id_for
from tests.browser.conftest import Chrome
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET

SCOPE = "user.info.basic,user.info.profile"
REVIEWER_COPY = Path("/tmp/linksim-consent.png")
AUTHORIZE_RED = (0xE0, 0x17, 0x3F)  # the Authorize button's colour, #e0173f in base.html (white on it: 4.8:1)


def authorize_url(base_url: str, callback: str) -> str:
    query = {"client_key": CLIENT_KEY, "response_type": "code", "scope": SCOPE, "redirect_uri": callback,
             "state": "xyz"}
    return f"{base_url}/v2/auth/authorize/?{urlencode(query)}"


def open_the_consent_screen(phone: Chrome, base_url: str, callback: str) -> None:
    """Open the partner app's authorize URL signed out, and sign in on the form it sends the browser to."""
    phone.open(authorize_url(base_url, callback))
    phone.find("sign-in-form")
    phone.sign_in_on_the_form()
    phone.find("consent")


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_sign_in_and_authorize_lands_on_the_callback_with_code_scopes_and_state(
        chrome: Callable[..., Chrome], live_server: str, closed_port: int, holder) -> None:  # noqa: ANN001
    callback = f"http://127.0.0.1:{closed_port}/callback/"
    phone = chrome("holder")

    open_the_consent_screen(phone, live_server, callback)
    assert phone.find("consent-app").text.startswith("Partner App ")
    assert phone.find("consent-account").text == "@holder"
    phone.click("authorize")

    landed = query_of(phone.wait_for_url(callback))  # nothing serves the callback: the URL is what counts
    assert set(landed) == {"code", "scopes", "state"}
    assert landed["scopes"] == [SCOPE] and landed["state"] == ["xyz"]
    token = requests.post(f"{live_server}/v2/oauth/token/", timeout=10, data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "authorization_code",
        "code": landed["code"][0], "redirect_uri": callback}).json()
    assert token.get("open_id") == open_id_for(CLIENT_KEY, holder.open_id), token  # the app's own open id


def test_cancel_lands_on_the_callback_with_access_denied(
        chrome: Callable[..., Chrome], live_server: str, closed_port: int) -> None:
    callback = f"http://127.0.0.1:{closed_port}/callback/"
    phone = chrome("holder")

    open_the_consent_screen(phone, live_server, callback)
    phone.click("cancel")

    landed = query_of(phone.wait_for_url(callback))
    assert landed["error"] == ["access_denied"] and landed["state"] == ["xyz"]
    assert "code" not in landed


def test_a_screenshot_of_the_consent_screen_is_a_png_a_person_can_look_at(
        chrome: Callable[..., Chrome], live_server: str, closed_port: int, tmp_path: Path) -> None:
    phone = chrome("holder")
    open_the_consent_screen(phone, live_server, f"http://127.0.0.1:{closed_port}/callback/")
    phone.find("authorize")

    screenshot = tmp_path / "consent.png"
    assert phone.driver.save_screenshot(str(screenshot))

    width, height, colours = png_colours(screenshot.read_bytes())
    assert width >= 300 and height >= 300, (width, height)
    assert AUTHORIZE_RED in colours, "the screenshot does not show the Authorize button"
    assert len(colours) > 10, "the screenshot is nearly one flat colour: the page was not drawn"
    shutil.copyfile(screenshot, REVIEWER_COPY)


def png_colours(data: bytes) -> tuple[int, int, set[tuple[int, ...]]]:
    """Width, height and the RGB colours of a PNG, after checking the file is a whole PNG: the signature,
    every chunk's CRC, IHDR first, IEND last, and IDAT data that inflates to exactly the rows IHDR says."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    chunks: list[tuple[bytes, bytes]] = []
    offset = 8
    while offset < len(data):
        assert offset + 12 <= len(data), "a truncated chunk"
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind, body = data[offset + 4:offset + 8], data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        assert len(body) == length and zlib.crc32(kind + body) == crc, f"a bad {kind!r} chunk"
        chunks.append((kind, body))
        offset += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND", [kind for kind, _ in chunks]
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, "Chromium writes 8-bit RGB(A), not interlaced"
    pixel = 3 if colour_type == 2 else 4
    stride = width * pixel
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(raw) == height * (stride + 1), "the pixel data does not match the size in IHDR"
    colours: set[tuple[int, ...]] = set()
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        row = unfilter(raw[start], bytearray(raw[start + 1:start + 1 + stride]), previous, pixel)
        colours.update(tuple(row[x:x + 3]) for x in range(0, stride, pixel))
        previous = row
    return width, height, colours


def unfilter(kind: int, row: bytearray, previous: bytearray, pixel: int) -> bytearray:
    """Undo one row's PNG filter (None, Sub, Up, Average, Paeth)."""
    if kind == 0:
        return row
    if kind == 2:
        return bytearray((a + b) & 0xFF for a, b in zip(row, previous, strict=True))
    assert kind in (1, 3, 4), f"unknown PNG filter {kind}"
    for i in range(len(row)):
        left = row[i - pixel] if i >= pixel else 0
        up = previous[i]
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (left + up) // 2) & 0xFF
        else:
            up_left = previous[i - pixel] if i >= pixel else 0
            guess = left + up - up_left
            by_left, by_up, by_up_left = abs(guess - left), abs(guess - up), abs(guess - up_left)
            nearest = left if by_left <= by_up and by_left <= by_up_left else up if by_up <= by_up_left else up_left
            row[i] = (row[i] + nearest) & 0xFF
    return row
