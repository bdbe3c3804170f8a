"""What the timeline page shows of a world, read in one reading transaction: its parties, its flows (links and
invitations) with the steps a developer may force on each, and its domain events after a cursor, in words.

The page asks every second, so the events come in pieces: the first answer has the latest ones, each later one
those after the page's cursor. A cursor names an event by its number and a digest of it: when the world started
over (a reset), the event under that number is another one, and the answer starts again from the latest events
(``replace``). Nothing here settles what came due: watching a world never changes it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from auth_server.control.redaction import redact
from auth_server.domain.accounts import Account
from auth_server.domain.errors import Refused
from auth_server.domain.events import Event
from auth_server.domain.events import plain
from auth_server.domain.links import Channel
from auth_server.domain.links import Invitation
from auth_server.domain.links import InvitationState
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.repository import Repository
from auth_server.domain.shops import Shop
from auth_server.web.control.event_words import Names
from auth_server.web.control.event_words import changes_in_words
from auth_server.web.control.event_words import sentence
from auth_server.web.control.flows import next_link_action
from auth_server.web.page_text import readable_message
from auth_server.web.page_text import shop_time

EVENTS_PER_ANSWER = 500
FLOWS_SHOWN = 200  # the latest links and invitations; a world of thousands shows its newest
PARTIES_SHOWN = 500
# Events re-sent before the cursor: on PostgreSQL an event may commit after one numbered later, and still shows.
OVERLAP = 10
CURSOR = re.compile(r"([0-9]{1,12})-([0-9a-f]{10})")

LINK_ACTIONS = {"scan": "Scan the QR code", "authorize": "Authorize", "deny": "Deny", "expire": "Expire now",
                "accept_terms": "Accept the terms", "approve": "Approve the review", "reject": "Reject the review",
                "hold_review": "Hold the review"}
INVITATION_ACTIONS = {"accept": "Accept", "decline": "Decline", "expire": "Expire now"}


@dataclass(frozen=True)
class Cursor:
    """The last event a page holds: its number, and a digest that tells it from another event of that number."""

    seq: int
    digest: str

    @classmethod
    def parse(cls, text: str) -> Cursor:
        found = CURSOR.fullmatch(text)
        if found is None:
            raise ValueError("give the cursor the last answer named (such as 12-0a1b2c3d4e), or leave it out")
        return cls(int(found.group(1)), found.group(2))

    @classmethod
    def of(cls, event: Event) -> Cursor:
        assert event.seq is not None
        return cls(event.seq, _digest(event))

    def __str__(self) -> str:
        return f"{self.seq}-{self.digest}"


def _digest(event: Event) -> str:
    fingerprint = f"{event.seq}|{event.at.isoformat()}|{event.kind}|{event.subject_type}:{event.subject_id}"
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    replace: bool  # the page drops the events it holds: a first answer, or the world started over
    earlier: bool  # older events were left out
    more: bool  # newer events were left out: ask again at once


def events_after(repo: Repository, cursor: Cursor | None) -> EventPage:
    if cursor is not None:
        read = list(repo.events(after_seq=max(0, cursor.seq - OVERLAP)))
        at_cursor = next((event for event in read if event.seq == cursor.seq), None)
        if at_cursor is not None and _digest(at_cursor) == cursor.digest:
            newer = [event for event in read if event.seq is not None and event.seq > cursor.seq]
            older = [event for event in read if event.seq is not None and event.seq <= cursor.seq]
            return EventPage(older + newer[:EVENTS_PER_ANSWER], replace=False, earlier=False,
                             more=len(newer) > EVENTS_PER_ANSWER)
    start = repo.event_seq_back(EVENTS_PER_ANSWER)
    return EventPage(list(repo.events(after_seq=start)), replace=True, earlier=start > 0, more=False)


def feed(repo: Repository, now: datetime, cursor: Cursor | None,
         partner_apps: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The world as the page shows it (``partner_apps``: Login Kit's and TikTok Shop's, read by the caller): the
    first parties and the newest flows, and how many there are, so that a world of 100,000 answers as quickly as
    the demo's."""
    shops = list(repo.shops(limit=PARTIES_SHOWN))
    accounts = list(repo.accounts(limit=PARTIES_SHOWN))
    sellers = {seller_id: repo.seller(seller_id) for seller_id in {shop.seller_id for shop in shops}}
    links = list(repo.latest_links(FLOWS_SHOWN))
    invitations = list(repo.latest_invitations(FLOWS_SHOWN))
    page = events_after(repo, cursor)
    names = _names(repo, accounts, shops, links, invitations, page.events)
    last = page.events[-1] if page.events else None
    return {
        "now": now.isoformat(),
        "now_text": clock_text(now),
        "cursor": str(Cursor.of(last)) if last is not None else None,
        "replace": page.replace,
        "earlier": page.earlier,
        "more": page.more,
        "events": [event_view(event, names) for event in page.events],
        "flows": [link_view(link, names, _scanned_by(repo, link)) for link in links]
        + [invitation_view(invitation, names) for invitation in invitations],
        "flow_count": repo.count_of(Link) + repo.count_of(Invitation),
        "shops": [shop_view(shop, sellers.get(shop.seller_id)) for shop in shops],
        "accounts": [account_view(account) for account in accounts],
        "partner_apps": list(partner_apps),
        "party_count": {"shops": repo.count_of(Shop), "accounts": repo.count_of(Account)},
    }


def _names(repo: Repository, accounts: list[Account], shops: list[Shop], links: list[Link],
           invitations: list[Invitation], events: list[Event]) -> Names:
    """The names of the parties the answer shows or its flows and events name: read in one statement each, and any
    other one when it is asked for."""
    open_ids = {i.open_id for i in invitations} | {event.data["open_id"] for event in events
                                                   if isinstance(event.data.get("open_id"), str)}
    open_ids |= {holder for link in links for holder in (link.open_id, link.expected_open_id) if holder}
    open_ids |= {event.subject_id for event in events if event.subject_type == "account"}
    shop_ids = {link.shop_id for link in links} | {i.shop_id for i in invitations} | {
        event.data["shop_id"] for event in events if isinstance(event.data.get("shop_id"), str)}
    known_shops = {shop.shop_id: shop.name for shop in shops}
    named_shops = repo.shops(shop_ids - set(known_shops)) if shop_ids - set(known_shops) else []

    def look_up(kind: str, key: str) -> str | None:
        if kind == "account":
            return repo.usernames([key]).get(key)
        if kind == "shop":
            return next((shop.name for shop in repo.shops([key])), None)
        invitation = repo.invitation(key)
        return invitation.open_id if invitation is not None else None

    return Names({**{a.open_id: a.username for a in accounts}, **repo.usernames(open_ids)},
                 {**known_shops, **{shop.shop_id: shop.name for shop in named_shops}},
                 {i.invitation_id: i.open_id for i in invitations}, look_up)


def clock_text(now: datetime) -> str:
    """``Monday 2 March 2026, 09:05:00 UTC``."""
    return f"{now.astimezone(UTC):%A %-d %B %Y, %H:%M:%S} UTC"


def event_view(event: Event, names: Names) -> dict[str, Any]:
    """The event as the journal shows it (secrets masked), with its flow and its words."""
    return {**redact(event.as_dict()), "flow": flow_of(event), "at_text": shop_time(event.at),
            "words": sentence(event, names), "changes_text": changes_in_words(event, names)}


def flow_of(event: Event) -> str | None:
    """The link or invitation the event belongs to (an account's upgrade names the link that caused it)."""
    if event.subject_type in ("link", "invitation"):
        return event.subject_id
    link_id = event.data.get("link_id")
    return link_id if isinstance(link_id, str) else None


def link_view(link: Link, names: Names, scanned_by: str | None) -> dict[str, Any]:
    holder = link.open_id or link.expected_open_id or scanned_by
    actions = link_actions(link)
    return {
        "type": "link", "id": link.link_id, "state": link.state.value, "role": link.role.value,
        "channel": link.channel.value, "shop_id": link.shop_id, "shop": names.shop(link.shop_id),
        "account": names.account(holder) if holder else None,
        "title": f"{link.role.value.capitalize()} link of {names.shop(link.shop_id)}",
        "created_at": plain(link.created_at), "created_text": shop_time(link.created_at),
        "created_by": names.actor(link.created_by),
        "due": _link_due(link),
        "refusals": [readable_message(violation) for violation in link.refusals()],
        "next": _next_link_action(link),
        "needs_holder": link.state is LinkState.PENDING_CONSENT and holder is None,
        "actions": [{"action": name, "label": LINK_ACTIONS[name]} for name in actions],
    }


def link_actions(link: Link) -> list[str]:
    """What /_sim/flows may force on the link now, besides ``next``."""
    if link.state is LinkState.PENDING_CONSENT:
        scan = ["scan"] if link.channel is Channel.QR and link.scanned_at is None else []
        return [*scan, "authorize", "deny", "expire"]
    if link.state is LinkState.CONSENTED:
        return ["accept_terms"]
    if link.state is LinkState.PENDING_REVIEW:
        return ["approve", "reject", "hold_review"]
    return []


def _next_link_action(link: Link) -> str | None:
    try:
        return next_link_action(link)
    except Refused:  # the flow ended: nothing comes next
        return None


def _link_due(link: Link) -> str | None:
    if link.state is LinkState.PENDING_CONSENT and link.consent_expires_at is not None:
        return f"expires {shop_time(link.consent_expires_at)}"
    if link.state is LinkState.PENDING_REVIEW:
        return f"review decided {shop_time(link.review_due_at)}" if link.review_due_at else "review decided by hand"
    return None


def _scanned_by(repo: Repository, link: Link) -> str | None:
    if link.open_id or link.expected_open_id or link.scanned_at is None or link.state is not LinkState.PENDING_CONSENT:
        return None
    scans = [e for e in repo.events(subject_type="link", subject_id=link.link_id) if e.kind == "link.scanned"]
    return str(scans[-1].data["open_id"]) if scans else None


def invitation_view(invitation: Invitation, names: Names) -> dict[str, Any]:
    pending = invitation.state is InvitationState.PENDING
    return {
        "type": "invitation", "id": invitation.invitation_id, "state": invitation.state.value,
        "shop_id": invitation.shop_id, "shop": names.shop(invitation.shop_id),
        "account": names.account(invitation.open_id),
        "title": f"Invitation from {names.shop(invitation.shop_id)} to {names.account(invitation.open_id)}",
        "created_at": plain(invitation.created_at), "created_text": shop_time(invitation.created_at),
        "created_by": None,
        "due": f"expires {shop_time(invitation.expires_at)}" if pending else None,
        "link_id": invitation.link_id,
        "refusals": [],
        "next": "accept" if pending else None,
        "needs_holder": False,
        "actions": [{"action": name, "label": label} for name, label in INVITATION_ACTIONS.items()] if pending else [],
    }


def shop_view(shop: Shop, seller: Any) -> dict[str, Any]:
    return {"shop_id": shop.shop_id, "name": shop.name, "region": shop.region, "status": shop.status.value,
            "seller": seller.name if seller is not None else shop.seller_id}


def account_view(account: Account) -> dict[str, Any]:
    return {"open_id": account.open_id, "username": account.username, "nickname": account.nickname,
            "type": account.account_type.value, "region": account.region}


def apps_view(login_kit: Sequence[Any], tiktok_shop: Sequence[Any]) -> list[dict[str, Any]]:
    """The partner apps by product: Login Kit's ``PartnerApp`` and TikTok Shop's ``ShopApp``."""
    return ([{"product": "Login Kit", "name": app.name, "key": app.client_key} for app in login_kit]
            + [{"product": "TikTok Shop", "name": app.name, "key": app.app_key} for app in tiktok_shop])
