"""Sellers, their shops and the shops' products."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from enum import StrEnum


class ShopStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    ACTIVE = "active"
    SUSPENDED = "suspended"


class ReviewMode(StrEnum):
    """How the review of a new link ends: approved after a delay, decided by hand, or rejected."""

    AUTO = "auto"
    MANUAL = "manual"
    REJECT = "reject"


@dataclass(kw_only=True, eq=False)
class Seller:
    seller_id: str
    name: str
    entity_id: str  # the seller's entity qualification (a company registration, for instance)


@dataclass(kw_only=True, eq=False)
class Shop:
    shop_id: str
    seller_id: str
    name: str
    region: str
    market: str
    status: ShopStatus = ShopStatus.ACTIVE
    probation_until: datetime | None = None
    review_mode: ReviewMode | None = None  # None: the market's default
    review_delay: timedelta | None = None  # None: the market's default
    shopping_bag_delay: timedelta | None = None  # None: the market's default
    created_at: datetime | None = None

    def in_probation(self, now: datetime) -> bool:
        return self.probation_until is not None and now < self.probation_until


@dataclass(kw_only=True, eq=False)
class Product:
    product_id: str
    shop_id: str
    title: str
    in_marketplace: bool = False  # offered to affiliate creators in the Product Marketplace
