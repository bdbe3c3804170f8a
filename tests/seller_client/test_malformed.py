"""Answers that are not what the API promises are one clear ServerError, never a KeyError or TypeError."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import responses

from seller_client import SellerClient
from seller_client import ServerError
from tests.seller_client.conftest import BASE
from tests.seller_client.conftest import add_token
from tests.seller_client.conftest import link_json

LINK_URL = f"{BASE}/api/links/lnk_1"
HTML = "<html><body><h1>502 Bad Gateway</h1></body></html>"


def broken_link(**changes: Any) -> dict[str, Any]:
    view = link_json()
    for name, value in changes.items():
        if value is None:
            view.pop(name)
        else:
            view[name] = value
    return view


def test_an_html_body_on_200_is_a_server_error(fake: responses.RequestsMock, seller: SellerClient) -> None:
    add_token(fake)
    fake.get(LINK_URL, body=HTML, content_type="text/html")
    with pytest.raises(ServerError, match=r"answered GET /api/links/lnk_1 with 200 and a body that is not JSON: "
                                          r"'<html><body><h1>502 Bad Gateway"):
        seller.get_link("lnk_1")


def test_an_html_refusal_is_a_server_error(fake: responses.RequestsMock, seller: SellerClient) -> None:
    add_token(fake)
    fake.get(LINK_URL, status=404, body=HTML, content_type="text/html")
    with pytest.raises(ServerError, match="not JSON") as error:
        seller.get_link("lnk_1")
    assert error.value.status == 404


def test_a_refusal_without_a_code_is_a_server_error(fake: responses.RequestsMock, seller: SellerClient) -> None:
    add_token(fake)
    fake.get(LINK_URL, status=409, json={"message": "no"})
    with pytest.raises(ServerError, match="refused GET /api/links/lnk_1 with 409 but no code"):
        seller.get_link("lnk_1")


def test_an_empty_body_is_a_server_error(fake: responses.RequestsMock, seller: SellerClient) -> None:
    add_token(fake)
    fake.get(LINK_URL, body="")
    with pytest.raises(ServerError, match="an empty body"):
        seller.get_link("lnk_1")


@pytest.mark.parametrize(("body", "complaint"), [
    (broken_link(state=None), "linksim's link has no 'state'"),
    (broken_link(link_id=None), "linksim's link has no 'link_id'"),
    (broken_link(consent_status=7), "linksim's link has 'consent_status' of the wrong type: 7"),
    (broken_link(refusals="none"), "linksim's link has 'refusals' of the wrong type"),
    (broken_link(refusals=[{"code": "x"}]), "linksim's link's refusal has no 'message'"),
    (broken_link(qr={"scan_url": "x"}), "linksim's link's qr has no 'png_url'"),
    (["a", "list"], "linksim sent list where link should be a JSON object"),
    ("text", "linksim sent str where link should be a JSON object"),
])
def test_a_link_of_the_wrong_shape_names_what_is_wrong(fake: responses.RequestsMock, seller: SellerClient,
                                                       body: Any, complaint: str) -> None:
    add_token(fake)
    fake.get(LINK_URL, json=body)
    with pytest.raises(ServerError) as error:
        seller.get_link("lnk_1")
    assert complaint in str(error.value)


CALLS: list[tuple[str, str, Any, Callable[[SellerClient], Any], str]] = [
    ("GET", "/api/shops/shop_1/linked-accounts", {"shop_id": "shop_1", "official": {"username": "x"},
                                                  "marketing": []},
     lambda c: c.linked_accounts("shop_1"), "official account has no 'open_id'"),
    ("GET", "/api/accounts/search", {"matches": []}, lambda c: c.search_accounts("maya"),
     "search result has no 'accounts'"),
    ("GET", "/api/shops/shop_1/marketing-criteria", {"eligible": "yes", "violations": []},
     lambda c: c.marketing_criteria("shop_1", "oid_1"), "'eligible' of the wrong type"),
    ("GET", "/api/invitations/inv_1", {"invitation_id": "inv_1"}, lambda c: c.get_invitation("inv_1"),
     "invitation has no 'shop_id'"),
    ("POST", "/api/shops/shop_1/name", {"shop_id": "shop_1"}, lambda c: c.rename_shop("shop_1", "New"),
     "shop has no 'name'"),
    ("POST", "/api/links/lnk_1/terms", {**link_json(state="active"), "token": {"access_token": "act.x"}},
     lambda c: c.accept_terms("lnk_1"), "token has no 'expires_in'"),
]


@pytest.mark.parametrize(("method", "path", "body", "call", "complaint"), CALLS, ids=[c[1] for c in CALLS])
def test_every_answer_is_checked(fake: responses.RequestsMock, seller: SellerClient, method: str, path: str,
                                 body: Any, call: Callable[[SellerClient], Any], complaint: str) -> None:
    add_token(fake)
    fake.add(method, f"{BASE}{path}", json=body)
    with pytest.raises(ServerError, match=complaint):
        call(seller)


@pytest.mark.parametrize(("kind", "body"), [("png", b"<svg/>"), ("svg", b"\x89PNG\r\n\x1a\n...")])
def test_an_image_that_is_not_what_was_asked_is_a_server_error(fake: responses.RequestsMock, seller: SellerClient,
                                                                kind: str, body: bytes) -> None:
    add_token(fake)
    fake.get(f"{BASE}/api/links/lnk_1/qr.{kind}", body=body)
    with pytest.raises(ServerError, match=f"is not an? {kind.upper()} image"):
        seller.qr_png("lnk_1") if kind == "png" else seller.qr_svg("lnk_1")
