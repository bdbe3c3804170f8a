"""wait_for_consent and wait_for_review: poll at the interval (or the server's Retry-After), report each
change, stop when the holder has answered or the review has ended, give up at the timeout."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from responses.registries import OrderedRegistry

from seller_client import Link
from seller_client import SellerClient
from seller_client import WaitTimeout
from tests.seller_client.conftest import BASE
from tests.seller_client.conftest import FakeTime
from tests.seller_client.conftest import add_token
from tests.seller_client.conftest import link_json

LINK_URL = f"{BASE}/api/links/lnk_1"


@pytest.fixture
def ordered() -> Any:
    """Answers replayed in the order registered: a script of what the seller sees at each poll."""
    with responses.RequestsMock(registry=OrderedRegistry) as mock:
        yield mock


def script(mock: responses.RequestsMock, *statuses: str, headers: dict[str, str] | None = None) -> None:
    add_token(mock)
    for status in statuses:
        fields: dict[str, Any] = {"consent_status": status}
        if status == "confirmed":
            fields.update(state="consented", open_id="oid_1")
        elif status in ("expired", "refused"):
            fields.update(state=status)
        mock.get(LINK_URL, json=link_json(**fields), headers=headers or {})


def test_it_polls_at_the_interval_and_reports_each_new_status(ordered: responses.RequestsMock,
                                                              seller: SellerClient, fake_time: FakeTime) -> None:
    script(ordered, "new", "new", "scanned", "scanned", "confirmed")
    seen: list[str] = []
    link = seller.wait_for_consent("lnk_1", interval=2.0, timeout=60, on_status=lambda seen_link: seen.append(
        seen_link.consent_status))
    assert link.consent_status == "confirmed" and link.open_id == "oid_1"
    assert seen == ["new", "scanned", "confirmed"]
    assert fake_time.sleeps == [2.0, 2.0, 2.0, 2.0]


def test_retry_after_from_the_server_replaces_the_interval(ordered: responses.RequestsMock, seller: SellerClient,
                                                           fake_time: FakeTime) -> None:
    script(ordered, "new", "scanned", headers={"Retry-After": "5"})
    ordered.get(LINK_URL, json=link_json(consent_status="confirmed", state="consented"))
    seller.wait_for_consent("lnk_1", interval=1.0, timeout=60)
    assert fake_time.sleeps == [5.0, 5.0]


@pytest.mark.parametrize("final", ["expired", "refused"])
def test_it_stops_when_the_code_expires_or_the_holder_cancels(ordered: responses.RequestsMock, seller: SellerClient,
                                                              fake_time: FakeTime, final: str) -> None:
    script(ordered, "new", final)
    link = seller.wait_for_consent("lnk_1", interval=1.0, timeout=60)
    assert link.state == final and fake_time.sleeps == [1.0]


def test_it_stops_when_the_link_has_moved_past_the_consent(ordered: responses.RequestsMock,
                                                           seller: SellerClient) -> None:
    add_token(ordered)
    ordered.get(LINK_URL, json=link_json(state="active", consent_status="utilised"))
    assert seller.wait_for_consent("lnk_1").state == "active"


def test_it_gives_up_at_the_timeout_without_sleeping_past_it(ordered: responses.RequestsMock, seller: SellerClient,
                                                             fake_time: FakeTime) -> None:
    script(ordered, "new", "scanned", "scanned", "scanned")  # the last poll is at the deadline
    with pytest.raises(WaitTimeout, match="gave up after 5s waiting for the holder's consent") as waited:
        seller.wait_for_consent("lnk_1", interval=2.0, timeout=5.0)
    assert fake_time.sleeps == [2.0, 2.0, 1.0]
    assert waited.value.link.consent_status == "scanned"


def test_the_review_is_followed_until_it_ends(ordered: responses.RequestsMock, seller: SellerClient,
                                              fake_time: FakeTime) -> None:
    add_token(ordered)
    pending = link_json(state="pending_review", consent_status="utilised", review_due_at="2026-03-02T10:00:00+00:00")
    ordered.get(LINK_URL, json=pending)
    ordered.get(LINK_URL, json=link_json(state="active", consent_status="utilised"))
    states: list[str] = []
    link = seller.wait_for_review("lnk_1", interval=3.0, on_state=lambda seen_link: states.append(seen_link.state))
    assert link.state == "active" and states == ["pending_review", "active"] and fake_time.sleeps == [3.0]


def test_a_manual_review_is_not_waited_for(ordered: responses.RequestsMock, seller: SellerClient,
                                           fake_time: FakeTime) -> None:
    add_token(ordered)
    ordered.get(LINK_URL, json=link_json(state="pending_review", consent_status="utilised", review_due_at=None))
    assert seller.wait_for_review("lnk_1").state == "pending_review" and fake_time.sleeps == []


@pytest.mark.parametrize(("interval", "timeout"), [(0, 10), (-1, 10), (1, -1)])
def test_a_bad_interval_or_timeout_is_a_value_error(seller: SellerClient, interval: float, timeout: float) -> None:
    with pytest.raises(ValueError):
        seller.wait_for_consent("lnk_1", interval=interval, timeout=timeout)


def test_link_done_properties() -> None:
    assert not Link.from_json(link_json(consent_status="scanned")).consent_done
    assert Link.from_json(link_json(state="consented", consent_status="confirmed")).consent_done
