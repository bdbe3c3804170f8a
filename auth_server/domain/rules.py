"""Every linking rule of RULES.md, each in one function named after what it checks.

A rule looks at the facts of a request and returns a :class:`Violation` when the
request breaks it, or ``None``. The checks run every rule that applies and collect
all the violations, so that a refusal names every reason at once.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Generic
from typing import TypeVar

from auth_server.domain import codes
from auth_server.domain.accounts import Account
from auth_server.domain.accounts import Standing
from auth_server.domain.accounts import Verification
from auth_server.domain.clock import format_duration
from auth_server.domain.errors import Violation
from auth_server.domain.links import Link
from auth_server.domain.links import Role
from auth_server.domain.policies import Policy
from auth_server.domain.shops import Product
from auth_server.domain.shops import Seller
from auth_server.domain.shops import Shop
from auth_server.domain.shops import ShopStatus
from auth_server.domain.sign_in_guesses import locked_until

Facts = TypeVar("Facts", contravariant=True)  # a rule about a shop is also a rule about a link to it


@dataclass(frozen=True)
class Rule(Generic[Facts]):
    """A named check: ``ids`` are the rule numbers in RULES.md it implements."""

    ids: tuple[str, ...]
    check: Callable[[Facts], Violation | None]

    @property
    def name(self) -> str:
        return self.check.__name__


def _collect(rules: Iterable[Rule[Facts]], facts: Facts) -> list[Violation]:
    found = (rule.check(facts) for rule in rules)
    return [v for v in found if v is not None]


# --- linking ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ShopFacts:
    """What the rules need to know to tell whether ``shop`` can take a new link in ``role`` at all."""

    role: Role
    shop: Shop
    policy: Policy
    now: datetime
    shop_links: Sequence[Link]  # links that hold a slot at this shop
    usernames: Mapping[str, str] = field(default_factory=dict)  # of the accounts of shop_links, to name them

    @property
    def candidate_open_id(self) -> str | None:
        return None


@dataclass(frozen=True, kw_only=True)
class LinkFacts(ShopFacts):
    """What the rules need to know about a request to link ``account`` to ``shop`` in ``role``."""

    seller: Seller
    account: Account
    account_links: Sequence[Link]  # links of this account that hold a slot, at any shop
    marketing_history: Sequence[Link]  # every marketing link of this account that became active
    last_unlinked_at: datetime | None  # when a link of this account last ended by an unlink

    @property
    def candidate_open_id(self) -> str | None:
        return self.account.open_id

    def held_at_this_shop(self) -> Link | None:
        return next((link for link in self.account_links if link.shop_id == self.shop.shop_id), None)


def shop_is_active(f: ShopFacts) -> Violation | None:
    if f.shop.status is not ShopStatus.ACTIVE:
        return Violation.of(codes.SHOP_NOT_ACTIVE, status=f.shop.status.value.replace("_", " "))
    return None


def shop_region_is_eligible(f: ShopFacts) -> Violation | None:
    eligible = f.policy.eligible_regions
    if eligible is not None and f.shop.region not in eligible:
        return Violation.of(codes.SHOP_REGION_NOT_ELIGIBLE, region=f.shop.region, market=f.policy.market)
    return None


def official_slot_is_free(f: ShopFacts) -> Violation | None:
    if f.role is not Role.OFFICIAL:
        return None
    holder = next((link for link in f.shop_links if link.role is Role.OFFICIAL), None)
    if holder is not None and holder.open_id != f.candidate_open_id:
        name = f.usernames.get(holder.open_id or "")
        return Violation.of(codes.OFFICIAL_SLOT_TAKEN, holder=f"@{name}" if name else holder.open_id,
                            holder_open_id=holder.open_id)
    return None


def account_not_already_in_role(f: LinkFacts) -> Violation | None:
    held = f.held_at_this_shop()
    if held is not None and held.role is f.role:
        return Violation.of(codes.ALREADY_LINKED, role=f.role.value)
    return None


def account_not_official_elsewhere(f: LinkFacts) -> Violation | None:
    if f.role is not Role.OFFICIAL:
        return None
    elsewhere = next(
        (link for link in f.account_links if link.role is Role.OFFICIAL and link.shop_id != f.shop.shop_id), None
    )
    if elsewhere is not None:
        return Violation.of(codes.ACCOUNT_LINKED_ELSEWHERE, other_shop=elsewhere.shop_id)
    return None


def account_region_matches_shop(f: LinkFacts) -> Violation | None:
    if f.role in f.policy.region_must_match and f.account.region != f.shop.region:
        return Violation.of(codes.REGION_MISMATCH, account_region=f.account.region, shop_region=f.shop.region)
    return None


def identity_is_verified(f: LinkFacts) -> Violation | None:
    if f.account.verification is not Verification.VERIFIED:
        return Violation.of(codes.IDENTITY_NOT_VERIFIED, verification=f.account.verification.value)
    return None


def account_has_one_role_per_shop(f: LinkFacts) -> Violation | None:
    held = f.held_at_this_shop()
    if held is not None and held.role is not f.role:
        return Violation.of(codes.SAME_ACCOUNT_BOTH_ROLES, held_role=held.role.value)
    return None


def account_in_good_standing(f: LinkFacts) -> Violation | None:
    if f.role in f.policy.holder_checks_for and f.account.standing is Standing.RESTRICTED:
        return Violation.of(codes.ACCOUNT_RESTRICTED)
    return None


def holder_is_of_age(f: LinkFacts) -> Violation | None:
    if f.role not in f.policy.holder_checks_for:
        return None
    age = f.account.age_on(f.now.date())
    if age is not None and age < f.policy.minimum_age:
        return Violation.of(codes.UNDERAGE, age=age, minimum_age=f.policy.minimum_age)
    return None


def organization_entity_matches_seller(f: LinkFacts) -> Violation | None:
    if f.account.is_organization and f.account.entity_id != f.seller.entity_id:
        return Violation.of(
            codes.ENTITY_MISMATCH, account_entity=f.account.entity_id, seller_entity=f.seller.entity_id
        )
    return None


def marketing_slot_is_free(f: ShopFacts) -> Violation | None:
    if f.role is not Role.MARKETING:
        return None
    taken = sum(1 for link in f.shop_links if link.role is Role.MARKETING)
    if taken >= f.policy.marketing_slots_per_shop:
        return Violation.of(codes.MARKETING_SLOTS_FULL, limit=f.policy.marketing_slots_per_shop)
    return None


def shop_not_in_probation(f: ShopFacts) -> Violation | None:
    if f.role is Role.MARKETING and f.shop.in_probation(f.now):
        assert f.shop.probation_until is not None
        return Violation.of(codes.SHOP_IN_PROBATION, until=f.shop.probation_until.isoformat())
    return None


def marketing_quota_has_room(f: LinkFacts) -> Violation | None:
    if f.role is not Role.MARKETING:
        return None
    window_start = f.now - f.policy.marketing_link_window
    # A link made exactly one window ago still counts; one made a second earlier does not.
    in_window = sorted(
        link.activated_at for link in f.marketing_history if link.activated_at and link.activated_at >= window_start
    )
    limit = f.policy.marketing_links_per_account
    if len(in_window) >= limit:
        # Room opens one second after the oldest counted link leaves the window.
        allowed_at = in_window[len(in_window) - limit] + f.policy.marketing_link_window + timedelta(seconds=1)
        return Violation.of(
            codes.MARKETING_LINK_QUOTA_EXCEEDED,
            count=len(in_window),
            limit=limit,
            window_days=f.policy.marketing_link_window.days,
            allowed_at=allowed_at.isoformat(),
        )
    return None


def relink_wait_has_passed(f: LinkFacts) -> Violation | None:
    if f.last_unlinked_at is None or not f.policy.relink_wait:
        return None
    allowed_at = f.last_unlinked_at + f.policy.relink_wait
    if f.now < allowed_at:
        return Violation.of(
            codes.RELINK_WAIT_PENDING,
            unlinked_at=f.last_unlinked_at.isoformat(),
            allowed_at=allowed_at.isoformat(),
            remaining=format_duration(allowed_at - f.now),
        )
    return None


SHOP_RULES: tuple[Rule[ShopFacts], ...] = (
    Rule(("O1",), shop_is_active),
    Rule(("O1",), shop_region_is_eligible),
    Rule(("O2",), official_slot_is_free),
    Rule(("M1",), marketing_slot_is_free),
    Rule(("M2",), shop_not_in_probation),
)

LINK_RULES: tuple[Rule[LinkFacts], ...] = (
    *SHOP_RULES,
    Rule(("O2", "M1"), account_not_already_in_role),
    Rule(("O3", "O8"), account_not_official_elsewhere),
    Rule(("O4",), account_region_matches_shop),
    Rule(("O5", "M6"), identity_is_verified),
    Rule(("O6", "M4"), account_has_one_role_per_shop),
    Rule(("O7",), account_in_good_standing),
    Rule(("O7",), holder_is_of_age),
    Rule(("O8",), organization_entity_matches_seller),
    Rule(("M3",), marketing_quota_has_room),
    Rule(("U3",), relink_wait_has_passed),
)


def check_shop(facts: ShopFacts) -> list[Violation]:
    """Every violation that stops ``facts.shop`` from starting a link in ``facts.role``, whoever the account."""
    return _collect(SHOP_RULES, facts)


def check_link(facts: LinkFacts) -> list[Violation]:
    """Every violation of the linking rules; an empty list means the link is allowed."""
    return _collect(LINK_RULES, facts)


# --- consent -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ConsentFacts:
    role: Role
    policy: Policy
    granted: frozenset[str]


def every_permission_granted(f: ConsentFacts) -> Violation | None:
    if f.role is not Role.OFFICIAL:
        return None
    missing = [p for p in f.policy.official_permissions if p not in f.granted]
    if missing:
        return Violation.of(codes.CONSENT_INCOMPLETE, missing=", ".join(missing), missing_permissions=missing)
    return None


CONSENT_RULES: tuple[Rule[ConsentFacts], ...] = (Rule(("O10",), every_permission_granted),)


def answered_by_named_account(expected_username: str, answering_username: str) -> Violation:
    """O10: the Seller-app request goes to the account the seller named; another account's answer is refused."""
    return Violation.of(codes.ACCOUNT_MISMATCH, expected=expected_username, actual=answering_username)


def check_consent(facts: ConsentFacts) -> list[Violation]:
    return _collect(CONSENT_RULES, facts)


# --- unlinking ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class UnlinkFacts:
    link: Link
    policy: Policy
    now: datetime
    official_unbinds_so_far: int  # completed official unlinks at this shop, over its whole life


def unlink_wait_has_passed(f: UnlinkFacts) -> Violation | None:
    assert f.link.activated_at is not None
    wait = f.policy.unlink_wait(f.link.role)
    allowed_at = f.link.activated_at + wait
    # Exactly the waiting time after the link became active is allowed; a second less is not.
    if f.now < allowed_at:
        return Violation.of(
            codes.UNLINK_TOO_EARLY,
            role=f.link.role.value,
            linked_at=f.link.activated_at.isoformat(),
            wait=format_duration(wait),
            allowed_at=allowed_at.isoformat(),
            remaining=format_duration(allowed_at - f.now),
        )
    return None


def official_unbind_limit_not_reached(f: UnlinkFacts) -> Violation | None:
    limit = f.policy.official_unbinds_per_shop
    if f.link.role is Role.OFFICIAL and limit is not None and f.official_unbinds_so_far >= limit:
        return Violation.of(
            codes.UNBIND_LIMIT_REACHED, count=f.official_unbinds_so_far, limit=limit, market=f.policy.market
        )
    return None


UNLINK_RULES: tuple[Rule[UnlinkFacts], ...] = (
    Rule(("U1", "U2", "M9"), unlink_wait_has_passed),
    Rule(("U2",), official_unbind_limit_not_reached),
)


def check_unlink(facts: UnlinkFacts) -> list[Violation]:
    return _collect(UNLINK_RULES, facts)


# --- signing in -------------------------------------------------------------------------------------------


def password_sign_in_is_open(account: Account, now: datetime) -> Violation | None:
    """Too many wrong passwords lock an account's password sign-in for a while (sign_in_guesses)."""
    until = locked_until(account, now)
    if until is not None:
        return Violation.of(codes.SIGN_IN_LOCKED, username=account.username, until=until.isoformat(),
                            remaining=format_duration(until - now))
    return None


# --- what linked accounts may do ---------------------------------------------------------------------------


def official_name_is_unlocked(account: Account, official_at: Shop | None) -> Violation | None:
    """E2: the holder cannot rename an official account; its name follows the shop name."""
    if official_at is not None:
        return Violation.of(codes.OFFICIAL_NAME_LOCKED, username=account.username, shop_name=official_at.name)
    return None


def live_mirroring_allowed(policy: Policy, other_live_username: str | None) -> Violation | None:
    """M10: in some markets two owned accounts of a shop may not mirror one LIVE at the same time."""
    if other_live_username is not None and not policy.live_mirroring_allowed:
        return Violation.of(codes.LIVE_MIRRORING_NOT_ALLOWED, other=other_live_username, market=policy.market)
    return None


def video_channel_is_unlocked(account: Account, product: Product, shop: Shop, linked_to_shop: bool) -> Violation | None:
    """E3: a link opens the shop's video sales channel to the account; no other account tags its products."""
    if not linked_to_shop:
        return Violation.of(codes.VIDEO_CHANNEL_LOCKED, username=account.username, product_id=product.product_id,
                            shop_id=shop.shop_id, shop_name=shop.name)
    return None
