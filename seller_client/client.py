"""``SellerClient``: every action of linksim's linking API (``/api/...``), as a seller's tool drives it."""

from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any
from typing import Literal
from urllib.parse import quote

import requests

from seller_client.auth import ClientCredentials
from seller_client.errors import SellerRefused
from seller_client.errors import ServerError
from seller_client.models import AccountMatch
from seller_client.models import AffiliateInvitation
from seller_client.models import Criteria
from seller_client.models import Invitation
from seller_client.models import Link
from seller_client.models import LinkedAccounts
from seller_client.models import OrgMemberRemoval
from seller_client.models import Shop
from seller_client.models import Token
from seller_client.polling import OnChange
from seller_client.polling import poll_link
from seller_client.transport import Transport
from seller_client.transport import parse_retry_after

DEFAULT_URL = "http://127.0.0.1:8765"
DEMO_CLIENT_KEY = "linksim_demo_key"  # the partner app of the demo data (README, "Point your TikTok client")
DEMO_CLIENT_SECRET = "linksim_demo_secret"
TOKEN_REFUSED = "partner_token_invalid"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _seg(value: str) -> str:
    """One path segment: an id with a slash or a space must not change the route."""
    return quote(value, safe="")


class SellerClient:
    """A seller's tool talking to one linksim server as one partner app.

    One client per thread: it keeps the partner token and a ``requests.Session``. ``clock`` and ``sleep``
    are injectable so tests control token expiry, backoff and polling without waiting.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        client_key: str = DEMO_CLIENT_KEY,
        client_secret: str = DEMO_CLIENT_SECRET,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self.transport = Transport(base_url, timeout=timeout, retries=retries, backoff=backoff, sleep=sleep,
                                   session=session)
        self.credentials = ClientCredentials(self.transport, client_key, client_secret, clock=clock)

    @property
    def base_url(self) -> str:
        return self.transport.base_url

    # --- the calls -------------------------------------------------------------------------------------------

    def _send(self, method: str, path: str, *, json: Any = None,
              params: dict[str, str] | None = None) -> requests.Response:
        """The 2xx answer to an authenticated call; a refused token is renewed and the call sent once more."""
        for renewed in (False, True):
            response = self.transport.send(method, path, json=json, params=params,
                                           headers={"Authorization": self.credentials.bearer()})
            if 200 <= response.status_code < 300:
                return response
            refusal = self.transport.refusal_of(response)
            if refusal.code == TOKEN_REFUSED and not renewed:
                self.credentials.invalidate()  # expired or revoked on the server's clock, not ours
                continue
            raise refusal
        raise AssertionError("unreachable")  # pragma: no cover

    def _json(self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None) -> object:
        return self.transport.decode(self._send(method, path, json=json, params=params))

    def _link(self, method: str, path: str, json: Any = None) -> Link:
        return Link.from_json(self._json(method, path, json=json))

    # --- official accounts -----------------------------------------------------------------------------------

    def start_official_link(self, shop_id: str, via: Literal["qr", "app"] = "qr", username: str | None = None,
                            agreed: bool = True, *, link_id: str | None = None) -> Link:
        """Start an official link: a QR code to scan (``via="qr"``), or a request to ``username``'s app."""
        body: dict[str, Any] = {"via": via}
        if via == "app":
            body.update(username=username, agreed=agreed)
        if link_id is not None:
            body["link_id"] = link_id
        return self._link("POST", f"/api/shops/{_seg(shop_id)}/official-link", body)

    def get_link(self, link_id: str) -> Link:
        return self._link("GET", f"/api/links/{_seg(link_id)}")

    def _poll_link(self, link_id: str) -> tuple[Link, float | None]:
        response = self._send("GET", f"/api/links/{_seg(link_id)}")
        return Link.from_json(self.transport.decode(response)), parse_retry_after(response.headers.get("Retry-After"))

    def qr_png(self, link_id: str) -> bytes:
        """The QR code of a link that waits for consent, as a PNG image."""
        data = self._send("GET", f"/api/links/{_seg(link_id)}/qr.png").content
        if not data.startswith(PNG_SIGNATURE):
            raise ServerError(f"linksim's qr.png for {link_id} is not a PNG image")
        return data

    def qr_svg(self, link_id: str) -> bytes:
        """The QR code of a link that waits for consent, as an SVG image."""
        data = self._send("GET", f"/api/links/{_seg(link_id)}/qr.svg").content
        if b"<svg" not in data[:2048]:
            raise ServerError(f"linksim's qr.svg for {link_id} is not an SVG image")
        return data

    def accept_terms(self, link_id: str, accepted: bool = True) -> Link:
        """Agree to the terms and click "Link This Account" (or decline them); the review starts.

        The answer carries ``token``: a user token for the linked account, scoped to what the seller sees.
        """
        return self._link("POST", f"/api/links/{_seg(link_id)}/terms", {"accepted": accepted})

    def link_token(self, link_id: str) -> Token:
        """The seller's token of an established link (E4): a user token of the linked account, scoped to what the
        seller sees. Issued once the link is active, whatever made it so, and the same on every call; only the
        partner app that started the link gets it. Before that: ``link_not_active``."""
        return Token.from_json(self._json("GET", f"/api/links/{_seg(link_id)}/token"))

    def decide_review(self, link_id: str, approve: bool) -> Link:
        """Decide a review by hand (a shop in manual review, or a scenario forcing the outcome)."""
        return self._link("POST", f"/api/links/{_seg(link_id)}/review", {"approve": approve})

    def create_organization_account(self, shop_id: str, username: str, *, nickname: str | None = None,
                                    email: str | None = None, phone: str | None = None,
                                    members: Sequence[str] = ()) -> Link:
        """Create an organization account for the seller's entity, linked as the shop's official account."""
        body: dict[str, Any] = {"username": username, "members": list(members)}
        body.update({k: v for k, v in {"nickname": nickname, "email": email, "phone": phone}.items() if v is not None})
        return self._link("POST", f"/api/shops/{_seg(shop_id)}/organization-accounts", body)

    # --- what the seller sees, unlinking, renaming ---------------------------------------------------------

    def linked_accounts(self, shop_id: str) -> LinkedAccounts:
        return LinkedAccounts.from_json(self._json("GET", f"/api/shops/{_seg(shop_id)}/linked-accounts"))

    def unlink(self, shop_id: str, open_id: str) -> Link:
        """Unlink an account (only once the market's waiting time has passed); the answer is the ended link."""
        return self._link("POST", f"/api/shops/{_seg(shop_id)}/unlink", {"open_id": open_id})

    def rename_shop(self, shop_id: str, name: str) -> Shop:
        """Rename the shop; the official account's name follows."""
        return Shop.from_json(self._json("POST", f"/api/shops/{_seg(shop_id)}/name", json={"name": name}))

    # --- marketing accounts ----------------------------------------------------------------------------------

    def search_accounts(self, q: str) -> list[AccountMatch]:
        """Accounts by username (exact, with or without @) or nickname; no match is a refusal (account_not_found)."""
        return AccountMatch.list_from_json(self._json("GET", "/api/accounts/search", params={"q": q}))

    def find_account(self, name: str) -> AccountMatch:
        """The account whose username is ``name`` (with or without @)."""
        username = name.removeprefix("@")
        for account in self.search_accounts(username):
            if account.username == username:
                return account
        raise SellerRefused("account_not_found", f"No account has the username @{username}.", [], 404)

    def marketing_criteria(self, shop_id: str, open_id: str) -> Criteria:
        """Whether the account meets every criterion to be invited as a marketing account, and which it fails."""
        return Criteria.from_json(self._json("GET", f"/api/shops/{_seg(shop_id)}/marketing-criteria",
                                             params={"open_id": open_id}))

    def invite_marketing_account(self, shop_id: str, open_id: str, *, invitation_id: str | None = None) -> Invitation:
        """Invite the account as a marketing account; it accepts or declines in the app within 7 days."""
        body = {"open_id": open_id, **({"invitation_id": invitation_id} if invitation_id else {})}
        return Invitation.from_json(self._json("POST", f"/api/shops/{_seg(shop_id)}/marketing-invitations", json=body))

    def get_invitation(self, invitation_id: str) -> Invitation:
        return Invitation.from_json(self._json("GET", f"/api/invitations/{_seg(invitation_id)}"))

    # --- affiliate creators, organization members ----------------------------------------------------------

    def invite_affiliate(self, shop_id: str, open_id: str, commission_rate: str | float, *,
                         invitation_id: str | None = None) -> AffiliateInvitation:
        """Invite a creator to promote the shop's products for ``commission_rate`` percent (above 0, at most 80);
        it accepts or declines in the app. No slot, no quota, no link."""
        body: dict[str, Any] = {"open_id": open_id, "commission_rate": str(commission_rate)}
        if invitation_id is not None:
            body["invitation_id"] = invitation_id
        return AffiliateInvitation.from_json(
            self._json("POST", f"/api/shops/{_seg(shop_id)}/affiliate-invitations", json=body))

    def get_affiliate_invitation(self, invitation_id: str) -> AffiliateInvitation:
        return AffiliateInvitation.from_json(self._json("GET", f"/api/affiliate-invitations/{_seg(invitation_id)}"))

    def remove_org_member(self, open_id: str, contact: str) -> OrgMemberRemoval:
        """Remove a member (an email or phone) from an organization account: it can no longer sign in by passcode."""
        return OrgMemberRemoval.from_json(
            self._json("POST", f"/api/organization-accounts/{_seg(open_id)}/members/remove", json={"contact": contact}))

    # --- waiting ---------------------------------------------------------------------------------------------

    def wait_for_consent(self, link_id: str, interval: float = 1.0, timeout: float = 300.0,
                         on_status: OnChange | None = None) -> Link:
        """Poll the link until the holder has answered: consent_status confirmed, refused or expired.

        ``on_status(link)`` is called on each new consent status (new, scanned, confirmed...). Waits
        ``Retry-After`` between polls when the server sends it, else ``interval``. Raises WaitTimeout.
        """
        return poll_link(lambda: self._poll_link(link_id), done=lambda link: link.consent_done,
                         watch=lambda link: link.consent_status, interval=interval, timeout=timeout,
                         clock=self.clock, sleep=self.sleep, on_change=on_status, waiting_for="the holder's consent")

    def wait_for_review(self, link_id: str, interval: float = 1.0, timeout: float = 60.0,
                        on_state: OnChange | None = None) -> Link:
        """Poll the link until its review ends (active or refused), or it waits for a manual decision."""
        return poll_link(lambda: self._poll_link(link_id), done=lambda link: link.review_done,
                         watch=lambda link: link.state, interval=interval, timeout=timeout, clock=self.clock,
                         sleep=self.sleep, on_change=on_state, waiting_for="the review")
