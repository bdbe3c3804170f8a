"""The app's Scan tab over HTTP: a picture of a QR code uploaded, decoded on the server and opened; its link pasted;
each picture it cannot take answered by a page that says why and leads back to the Scan tab, never a 500."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import qrcode
from flask.testing import FlaskClient
from PIL import Image

from auth_server.web.qr_reading import MAX_PICTURE_BYTES
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import csrf_of
from tests.login_kit.test_login_qr import get_qrcode
from tests.login_kit.test_official_qr import seller as seller  # fixture: a partner app's bearer token
from tests.login_kit.test_official_qr import shop as shop  # fixture: the shop that partner app acts for
from tests.login_kit.test_official_qr import start


def png_of(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_png(text: str) -> bytes:
    return png_of(qrcode.make(text, box_size=8, border=4).get_image())


def upload(browser: Browser, content: bytes | None, filename: str = "qr.png") -> Any:
    """Choose the file on the Scan tab and tap Scan picture (no file chosen: an empty part, as a browser sends)."""
    page = browser.client.get("/app/scan")
    assert page.status_code == 200, page.get_data(as_text=True)
    # The body is written here: the test client spools a large one to a file it never closes.
    boundary = "linksim-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{csrf_of(page.get_data(as_text=True))}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="picture"; '
            f'filename="{filename if content is not None else ""}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + (content or b"") + \
        f"\r\n--{boundary}--\r\n".encode()
    return browser.client.post("/app/scan/picture", data=body,
                               content_type=f"multipart/form-data; boundary={boundary}")


def refused_with(response: Any, status: int, code: str) -> str:
    """The refusal is a page in the app's frame, with its code and a way back to the Scan tab."""
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert response.mimetype == "text/html"
    assert f'data-testid="error" data-code="{code}"' in page
    assert 'data-testid="phone-frame"' in page
    assert 'href="/app/scan" data-testid="error-try-again"' in page
    return page


@pytest.fixture
def signed_in(browser: Browser) -> Browser:
    browser.sign_in()
    return browser


def test_a_picture_of_a_seller_center_qr_code_opens_its_consent(signed_in: Browser, seller, shop) -> None:  # noqa: ANN001
    link = start(signed_in.client, seller)
    answer = upload(signed_in, qr_png(link["qr"]["scan_url"]))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    target = urlsplit(answer.headers["Location"])
    assert target.path == "/app/scan"
    assert parse_qs(target.query)["token"] == parse_qs(urlsplit(link["qr"]["scan_url"]).query)["token"]
    consent = signed_in.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f'data-testid="scan-consent" data-link-id="{link["link_id"]}"' in consent


def test_the_png_the_api_serves_scans_as_its_scan_url(signed_in: Browser, seller, shop) -> None:  # noqa: ANN001
    link = start(signed_in.client, seller)
    png = signed_in.client.get(urlsplit(link["qr"]["png_url"]).path, headers=seller)
    assert png.status_code == 200 and png.mimetype == "image/png"
    answer = upload(signed_in, png.data)
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["token"] == \
        parse_qs(urlsplit(link["qr"]["scan_url"]).query)["token"]


def test_a_jpeg_photo_of_the_code_is_read_too(signed_in: Browser, seller, shop) -> None:  # noqa: ANN001
    link = start(signed_in.client, seller)
    photo = io.BytesIO()
    qrcode.make(link["qr"]["scan_url"], box_size=8, border=4).get_image().convert("RGB").save(photo, format="JPEG")
    assert upload(signed_in, photo.getvalue(), "photo.jpg").status_code == 302


def test_a_picture_of_a_login_kit_qr_code_opens_the_login_consent(signed_in: Browser, client: FlaskClient) -> None:
    scan_url = get_qrcode(client)["scan_qrcode_url"]
    answer = upload(signed_in, qr_png(scan_url))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    target = urlsplit(answer.headers["Location"])
    assert target.path == "/app/login-qr"
    assert parse_qs(target.query)["qr_token"] == parse_qs(urlsplit(scan_url).query)["qr_token"]


def test_no_picture_chosen_is_qr_picture_missing(signed_in: Browser) -> None:
    refused_with(upload(signed_in, None), 400, "qr_picture_missing")


def test_a_file_that_is_no_picture_is_qr_picture_unreadable(signed_in: Browser) -> None:
    refused_with(upload(signed_in, b"%PDF-1.7 not a picture at all", "qr.pdf"), 400, "qr_picture_unreadable")


def test_a_picture_in_another_format_is_qr_picture_unreadable(signed_in: Browser) -> None:
    gif = io.BytesIO()
    qrcode.make("https://example.com/").get_image().convert("L").save(gif, format="GIF")
    refused_with(upload(signed_in, gif.getvalue(), "qr.gif"), 400, "qr_picture_unreadable")


def test_a_png_cut_short_is_qr_picture_unreadable(signed_in: Browser) -> None:
    whole = qr_png("https://example.com/")
    refused_with(upload(signed_in, whole[: len(whole) // 2]), 400, "qr_picture_unreadable")


def test_a_file_over_the_size_limit_is_qr_picture_too_large(signed_in: Browser) -> None:
    page = refused_with(upload(signed_in, b"\x89PNG" + b"\0" * MAX_PICTURE_BYTES), 413, "qr_picture_too_large")
    assert "larger than 4 MB" in page


def test_a_request_far_over_the_size_limit_is_refused_before_it_is_read(signed_in: Browser) -> None:
    refused_with(upload(signed_in, b"\0" * (MAX_PICTURE_BYTES + 256 * 1024)), 413, "qr_picture_too_large")


def test_the_size_limit_of_a_picture_leaves_other_requests_their_own(signed_in: Browser) -> None:
    page = signed_in.client.get("/app/scan").get_data(as_text=True)
    answer = signed_in.client.post("/app/scan/link", data={"scan_url": "x" * 100_000, "csrf_token": csrf_of(page)})
    assert answer.status_code == 413
    assert 'data-code="request_entity_too_large"' in answer.get_data(as_text=True)


def test_a_small_file_of_too_many_pixels_is_qr_picture_too_large(signed_in: Browser) -> None:
    huge = png_of(Image.new("1", (6000, 5000), 1))  # 30 megapixels of white: a few kB compressed
    assert len(huge) < 100_000
    refused_with(upload(signed_in, huge), 413, "qr_picture_too_large")


def test_a_picture_with_no_qr_code_is_qr_code_not_found(signed_in: Browser) -> None:
    refused_with(upload(signed_in, png_of(Image.new("RGB", (400, 300), "white"))), 422, "qr_code_not_found")


def test_a_picture_of_two_different_qr_codes_is_qr_code_not_found(signed_in: Browser) -> None:
    both = Image.new("L", (900, 450), 255)
    both.paste(qrcode.make("https://example.com/one").get_image().convert("L"), (0, 0))
    both.paste(qrcode.make("https://example.com/two").get_image().convert("L"), (450, 0))
    page = refused_with(upload(signed_in, png_of(both)), 422, "qr_code_not_found")
    assert "2 different QR codes" in page


def test_a_qr_code_of_another_site_is_qr_code_not_linksim(signed_in: Browser) -> None:
    page = refused_with(upload(signed_in, qr_png("https://example.com/menu")), 400, "qr_code_not_linksim")
    assert "https://example.com/menu" in page


def test_a_pasted_scan_link_opens_its_consent(signed_in: Browser, seller, shop) -> None:  # noqa: ANN001
    link = start(signed_in.client, seller)
    page = signed_in.client.get("/app/scan").get_data(as_text=True)
    answer = signed_in.client.post("/app/scan/link", data={"scan_url": link["qr"]["scan_url"],
                                                           "csrf_token": csrf_of(page)})
    assert answer.status_code == 302
    assert urlsplit(answer.headers["Location"]).path == "/app/scan"


def test_an_empty_scan_link_is_scan_link_missing(signed_in: Browser) -> None:
    page = signed_in.client.get("/app/scan").get_data(as_text=True)
    refused_with(signed_in.client.post("/app/scan/link", data={"scan_url": " ", "csrf_token": csrf_of(page)}),
                 400, "scan_link_missing")


def test_the_scan_tab_asks_a_signed_out_holder_to_sign_in_first(browser: Browser) -> None:
    answer = browser.client.get("/app/scan")
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["next"] == ["/app/scan?"]
