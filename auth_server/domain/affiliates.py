"""Affiliate creators, showcases, LIVE sessions and video product tags: what a linked or unlinked account shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from auth_server.domain.links import InvitationState


@dataclass(kw_only=True, eq=False)
class AffiliateInvitation:
    """A seller's offer to a creator to promote its products for a commission (no slot, no quota)."""

    invitation_id: str
    shop_id: str
    open_id: str
    commission_rate: Decimal  # a percentage
    state: InvitationState
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None = None


class ShowcaseSource(StrEnum):
    OWN_SHOP = "own_shop"  # a marketing account adds its shop's product by hand
    AFFILIATE_INVITATION = "affiliate_invitation"
    MARKETPLACE = "marketplace"  # the Product Marketplace


@dataclass(kw_only=True, eq=False)
class ShowcaseItem:
    open_id: str
    product_id: str
    source: ShowcaseSource
    added_at: datetime
    id: int | None = None


@dataclass(kw_only=True, eq=False)
class LiveSession:
    open_id: str
    started_at: datetime
    mirror_of: str | None = None  # the open id whose LIVE this one mirrors
    ended_at: datetime | None = None
    id: int | None = None


@dataclass(kw_only=True, eq=False)
class VideoProductTag:
    """A shop's product tagged in a video the account posts: the video sales channel a link opens (E3)."""

    video_id: str
    open_id: str
    product_id: str
    shop_id: str
    tagged_at: datetime
