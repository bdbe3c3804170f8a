"""Every kind of refusal becomes a SellerRefused with the code, message, violations and HTTP status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import responses

from seller_client import SellerClient
from seller_client import SellerRefused
from seller_client import Violation
from tests.seller_client.conftest import BASE
from tests.seller_client.conftest import add_token
from tests.seller_client.conftest import refusal_json

CASES: list[tuple[int, str, str, str, Callable[[SellerClient], Any]]] = [
    (409, "POST", "/api/shops/shop_1/official-link", "shop_not_active", lambda c: c.start_official_link("shop_1")),
    (404, "GET", "/api/links/nope", "link_not_found", lambda c: c.get_link("nope")),
    (400, "POST", "/api/links/lnk_1/review", "invalid_input", lambda c: c.decide_review("lnk_1", approve=True)),
    (403, "POST", "/api/links/lnk_1/terms", "terms_not_accepted", lambda c: c.accept_terms("lnk_1", False)),
    (410, "GET", "/api/links/lnk_1/qr.png", "qr_expired", lambda c: c.qr_png("lnk_1")),
    (409, "POST", "/api/shops/shop_1/unlink", "unlink_too_early", lambda c: c.unlink("shop_1", "oid_1")),
    (409, "POST", "/api/shops/shop_1/marketing-invitations", "marketing_slots_full",
     lambda c: c.invite_marketing_account("shop_1", "oid_1")),
    (404, "GET", "/api/accounts/search", "account_not_found", lambda c: c.search_accounts("nobody")),
]


@pytest.mark.parametrize(("status", "method", "path", "code", "call"), CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_a_refusal_carries_its_code_message_violations_and_status(
    fake: responses.RequestsMock, seller: SellerClient, status: int, method: str, path: str, code: str,
    call: Callable[[SellerClient], Any],
) -> None:
    add_token(fake)
    fake.add(method, f"{BASE}{path}", status=status, json=refusal_json(code, "What to do next."))
    with pytest.raises(SellerRefused) as refused:
        call(seller)
    assert (refused.value.code, refused.value.message, refused.value.status) == (code, "What to do next.", status)
    assert refused.value.violations == [Violation(code, "What to do next.", ("O1",))]


def test_a_401_that_is_not_about_the_token_is_not_retried(fake: responses.RequestsMock, seller: SellerClient) -> None:
    add_token(fake)
    fake.get(f"{BASE}/api/links/lnk_1", status=401, json=refusal_json("invalid_client"))
    with pytest.raises(SellerRefused) as refused:
        seller.get_link("lnk_1")
    assert refused.value.status == 401 and refused.value.code == "invalid_client"


def test_every_violation_is_kept_not_only_the_first(fake: responses.RequestsMock, seller: SellerClient) -> None:
    add_token(fake)
    fake.post(f"{BASE}/api/shops/shop_1/marketing-invitations", status=409,
              json=refusal_json("identity_not_verified", "Verify first.", "marketing_slots_full"))
    with pytest.raises(SellerRefused) as refused:
        seller.invite_marketing_account("shop_1", "oid_1")
    assert refused.value.codes == ["identity_not_verified", "marketing_slots_full"]
    assert "identity_not_verified: Verify first.; marketing_slots_full" in str(refused.value)


def test_a_refusal_without_violations_still_lists_its_code(fake: responses.RequestsMock, seller: SellerClient) -> None:
    add_token(fake)
    fake.get(f"{BASE}/api/links/lnk_1", status=404, json={"code": "invalid_request", "message": "Not Found"})
    with pytest.raises(SellerRefused) as refused:
        seller.get_link("lnk_1")
    assert refused.value.violations == [Violation("invalid_request", "Not Found")]


def test_ids_are_quoted_so_they_cannot_change_the_route(fake: responses.RequestsMock, seller: SellerClient) -> None:
    add_token(fake)
    fake.get(f"{BASE}/api/links/a%2Fb%20c", status=404, json=refusal_json("link_not_found"))
    with pytest.raises(SellerRefused):
        seller.get_link("a/b c")
