"""Links (bindings) between a shop and a TikTok account, and invitations to become one."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from enum import StrEnum
from typing import Any

from auth_server.domain.errors import Violation
from auth_server.domain.shops import ReviewMode


class Role(StrEnum):
    OFFICIAL = "official"
    MARKETING = "marketing"


class Channel(StrEnum):
    """How consent is collected."""

    QR = "qr"  # Seller Center web: the holder scans a QR code and taps Authorize (O9)
    APP_TOGGLE = "app_toggle"  # Seller app: the holder turns on every permission toggle (O10)
    INVITATION = "invitation"  # marketing accounts: the holder accepts an invitation (M5)
    ORGANIZATION = "organization"  # an organization account created from Seller Center (O8)


class LinkState(StrEnum):
    PENDING_CONSENT = "pending_consent"  # waiting for the account holder
    CONSENTED = "consented"  # the holder agreed; waiting for the seller to accept the terms
    PENDING_REVIEW = "pending_review"  # holds its slot while TikTok reviews it
    ACTIVE = "active"
    UNLINKED = "unlinked"
    REFUSED = "refused"  # a rule, the holder, or the review said no
    EXPIRED = "expired"  # nobody answered in time

    @property
    def holds_slot(self) -> bool:
        return self in HOLDING_STATES


HOLDING_STATES = (LinkState.PENDING_REVIEW, LinkState.ACTIVE)
PARTNER = "partner:"


def partner_actor(client_key: str) -> str:
    """How a link and the journal name a partner app acting through the linking API: ``partner:<client_key>``."""
    return f"{PARTNER}{client_key}"


def partner_key_of(actor: str) -> str | None:
    """The client key of the partner app ``actor`` names; None for any other actor (the seller, a reviewer)."""
    return actor.removeprefix(PARTNER) if actor.startswith(PARTNER) else None


@dataclass(kw_only=True, eq=False)
class Link:
    link_id: str
    shop_id: str
    role: Role
    channel: Channel
    state: LinkState
    created_at: datetime
    open_id: str | None = None  # unknown for a QR link until someone scans it
    expected_open_id: str | None = None  # the Seller-app flow names the account in advance
    marketing_slot: int | None = None  # 1..N while a marketing link holds a slot
    consent_expires_at: datetime | None = None
    scanned_at: datetime | None = None
    granted_permissions: list[str] = field(default_factory=list)
    consented_at: datetime | None = None
    terms_accepted_at: datetime | None = None
    review_mode: ReviewMode | None = None  # fixed when the review starts
    review_due_at: datetime | None = None
    activated_at: datetime | None = None
    ended_at: datetime | None = None
    refusal_codes: list[str] = field(default_factory=list)
    refusal_details: list[dict[str, Any]] = field(default_factory=list)  # the facts of each code, in its order
    created_by: str = "seller"
    ended_by: str | None = None

    def refusals(self) -> list[Violation]:
        """Why the link ended refused, each reason with the facts it names: the seller is shown what the holder was."""
        details = self.refusal_details + [{}] * (len(self.refusal_codes) - len(self.refusal_details))
        return [Violation.of(code, **facts) for code, facts in zip(self.refusal_codes, details, strict=False)]

    def seen_by(self, actor: str) -> bool:
        """A partner app sees only the links it started; the seller's own tools and the simulator see every one."""
        return not actor.startswith(PARTNER) or self.created_by == actor


class InvitationState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    REFUSED = "refused"  # accepted, but a rule no longer allowed the link


@dataclass(kw_only=True, eq=False)
class Invitation:
    """A seller's invitation to link an account as a marketing account (M5)."""

    invitation_id: str
    shop_id: str
    open_id: str
    state: InvitationState
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None = None
    link_id: str | None = None
