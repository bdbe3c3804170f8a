"""One unit of work of the linking service: the repository, the time, and what the flows share.

An :class:`Operation` lives for one transaction. It looks things up (refusing with a clear code
when they are missing), builds the facts the rules read, moves links through their states, applies
the side effects of an established link (E1-E3, E5), and settles what came due on the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta
from functools import partial
from typing import Any

from auth_server.domain import codes
from auth_server.domain import rules
from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AccountType
from auth_server.domain.accounts import OrgMember
from auth_server.domain.accounts import Verification
from auth_server.domain.accounts import VerificationOutcome
from auth_server.domain.affiliates import AffiliateInvitation
from auth_server.domain.affiliates import ShowcaseSource
from auth_server.domain.errors import Refused
from auth_server.domain.errors import Violation
from auth_server.domain.events import Event
from auth_server.domain.events import plain
from auth_server.domain.inputs import clean_username
from auth_server.domain.inputs import username_from_shop_name
from auth_server.domain.inputs import valid_id
from auth_server.domain.inputs import valid_text
from auth_server.domain.links import HOLDING_STATES
from auth_server.domain.links import Channel
from auth_server.domain.links import Invitation
from auth_server.domain.links import InvitationState
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.domain.links import partner_key_of
from auth_server.domain.partner_access import SellerAuthorizedApp
from auth_server.domain.partner_access import may_act_for
from auth_server.domain.partner_access import no_authorizations
from auth_server.domain.policies import Markets
from auth_server.domain.policies import Policy
from auth_server.domain.repository import Repository
from auth_server.domain.shops import ReviewMode
from auth_server.domain.shops import Seller
from auth_server.domain.shops import Shop


class Operation:
    """The state of one unit of work: the repository, the time, and the helpers the flows share."""

    def __init__(self, repo: Repository, now: datetime, *, markets: Markets, ids: Callable[[str], str],
                 seller_authorized_app: SellerAuthorizedApp = no_authorizations) -> None:
        self.repo = repo
        self.now = now
        self.markets = markets
        self.ids = ids  # makes up ids: "lnk" -> "lnk_3f9a..."
        self.seller_authorized_app = seller_authorized_app

    # look-ups that refuse with a clear code when nothing is found, or when the actor may not act for it
    def require_shop(self, shop_id: str, *, lock: bool = False, actor: str | None = None) -> Shop:
        """The shop; one that ``actor`` (a partner app) may not act for is refused ``partner_app_not_authorized``."""
        shop = self.repo.shop(valid_text(shop_id, "shop_id"), lock=lock)
        if shop is None:
            raise Refused.because(codes.SHOP_NOT_FOUND, shop_id=shop_id)
        if actor is not None:
            self.require_acting_for(actor, [shop.seller_id], f"the shop {shop.shop_id}")
        return shop

    def require_acting_for(self, actor: str, seller_ids: Sequence[str], subject: str) -> None:
        """Refuse a partner app that none of ``seller_ids`` authorized (or still authorizes) acting on
        ``subject``, something of theirs."""
        if not may_act_for(actor, seller_ids, self.seller_authorized_app, self.repo, self.now):
            raise Refused.because(codes.PARTNER_APP_NOT_AUTHORIZED, client_key=partner_key_of(actor),
                                  subject=subject, seller_id=" or ".join(seller_ids) or "(none)")

    def require_seller(self, seller_id: str) -> Seller:
        seller = self.repo.seller(seller_id)
        assert seller is not None, "a foreign key ties every shop to its seller"
        return seller

    def require_account(self, open_id: str, *, lock: bool = False) -> Account:
        account = self.repo.account(valid_text(open_id, "open_id"), lock=lock)
        if account is None:
            raise Refused.because(codes.ACCOUNT_NOT_FOUND, query=open_id)
        return account

    def require_account_by_username(self, username: str) -> Account:
        wanted = clean_username(valid_text(username, "username"))
        account = self.repo.account_by_username(wanted)
        if account is None:
            raise Refused.because(codes.ACCOUNT_NOT_FOUND, query=f"@{wanted}")
        return account

    def require_org_account(self, open_id: str, *, actor: str | None = None) -> Account:
        """The organization account; a partner app acts on it for a seller of its entity who authorized the app."""
        account = self.require_account(open_id, lock=True)
        if not account.is_organization:
            raise Refused.because(codes.NOT_AN_ORGANIZATION, username=account.username)
        if actor is not None:
            sellers = [seller for seller in dict.fromkeys(shop.seller_id for shop in self.repo.shops())
                       if self.require_seller(seller).entity_id == account.entity_id]
            self.require_acting_for(actor, sellers, f"the organization account @{account.username}")
        return account

    def active_member(self, account: Account, contact: str) -> OrgMember | None:
        contact = valid_text(contact, "contact")
        return next((m for m in self.repo.org_members(account.open_id) if m.contact == contact and m.active), None)

    def require_member(self, account: Account, contact: str) -> OrgMember:
        member = self.active_member(account, contact)
        if member is None:
            raise Refused.because(codes.NOT_AN_ORG_MEMBER, contact=contact, username=account.username)
        return member

    def require_link(self, link_id: str, *, lock: bool = False, actor: str | None = None) -> Link:
        """The link; one that ``actor`` may not see (another partner app's) is not found, as if it did not exist,
        and the partner app that started it acts on it only while the shop's seller authorizes the app."""
        link = self.repo.link(valid_text(link_id, "link_id"), lock=lock)
        if link is None or (actor is not None and not link.seen_by(actor)):
            raise Refused.because(codes.LINK_NOT_FOUND, link_id=link_id)
        if actor is not None:
            self.require_shop(link.shop_id, actor=actor)
        return link

    def require_pending(self, invitation: Invitation | AffiliateInvitation) -> None:
        if invitation.state is InvitationState.PENDING:
            return
        if invitation.state is InvitationState.DECLINED:
            raise Refused.because(codes.INVITATION_DECLINED)
        if invitation.state is InvitationState.EXPIRED:
            raise Refused.because(codes.INVITATION_EXPIRED, expired_at=invitation.expires_at.isoformat())
        raise Refused.because(codes.INVITATION_ALREADY_ANSWERED, state=invitation.state.value)

    def policy(self, shop: Shop) -> Policy:
        return self.markets[shop.market]

    @staticmethod
    def refuse_if(violations: list[Violation]) -> None:
        if violations:
            raise Refused(violations)

    # facts for the rules
    def shop_facts(self, shop: Shop, role: Role) -> rules.ShopFacts:
        shop_links = self.repo.holding_links(shop_id=shop.shop_id)
        return rules.ShopFacts(
            role=role, shop=shop, policy=self.policy(shop), now=self.now,
            shop_links=shop_links, usernames=self._usernames(shop_links),
        )

    def _usernames(self, links: Sequence[Link]) -> dict[str, str]:
        return self.repo.usernames({link.open_id for link in links if link.open_id})

    def link_facts(self, shop: Shop, account: Account, role: Role) -> rules.LinkFacts:
        shop_links = self.repo.holding_links(shop_id=shop.shop_id)
        history = self.repo.links(open_id=account.open_id)  # the account's three facts below, from one read
        unlinked = [link.ended_at for link in history if link.state is LinkState.UNLINKED and link.ended_at]
        return rules.LinkFacts(
            role=role,
            shop=shop,
            policy=self.policy(shop),
            now=self.now,
            shop_links=shop_links,
            usernames=self._usernames(shop_links),
            seller=self.require_seller(shop.seller_id),
            account=account,
            account_links=[link for link in history if link.state in HOLDING_STATES],
            marketing_history=[link for link in history if link.role is Role.MARKETING and link.activated_at],
            last_unlinked_at=max(unlinked, default=None),
        )

    def change_account(self, open_id: str, attribute: str, value: Any, actor: str) -> Account:
        """Set one of an account's settings, journaled as ``account.<attribute>_changed`` when it changes."""
        account = self.require_account(open_id, lock=True)
        before = getattr(account, attribute)
        if before != value:
            setattr(account, attribute, value)
            self.record(actor, f"account.{attribute}_changed", "account", open_id,
                        changes={attribute: [plain(before), plain(value)]})
        return account

    # the journal
    def record(
        self,
        actor: str,
        kind: str,
        subject_type: str,
        subject_id: str,
        *,
        changes: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> None:
        self.repo.add(Event(at=at or self.now, actor=actor, kind=kind, subject_type=subject_type,
                            subject_id=subject_id, changes=changes or {}, data=data or {}))

    # links
    def unused_id(self, wanted: str | None, prefix: str, lookup: Callable[[str], object | None]) -> str:
        if wanted is None:
            return self.ids(prefix)
        if lookup(valid_id(wanted)) is not None:
            raise Refused.because(codes.ID_TAKEN, id=wanted)
        return wanted

    def new_link(
        self, shop: Shop, role: Role, channel: Channel, *, actor: str, open_id: str | None = None,
        link_id: str | None = None,
    ) -> Link:
        policy = self.policy(shop)
        link = Link(
            link_id=self.unused_id(link_id, "lnk", self.repo.link),
            shop_id=shop.shop_id,
            role=role,
            channel=channel,
            state=LinkState.PENDING_CONSENT,
            created_at=self.now,
            open_id=open_id,
            consent_expires_at=self.now + policy.qr_lifetime if channel in (Channel.QR, Channel.APP_TOGGLE) else None,
            created_by=actor,
        )
        self.repo.add(link)
        self.record(actor, "link.started", "link", link.link_id,
                    data={"shop_id": shop.shop_id, "role": role.value, "channel": channel.value})
        return link

    def refusal_if_consent_closed(self, link: Link) -> Refused | None:
        """None while the link waits for consent; else the refusal to give.

        A link whose consent time ran out is expired here first, so the refusal and the journal agree.
        """
        if link.state is LinkState.PENDING_CONSENT and link.consent_expires_at and self.now >= link.consent_expires_at:
            self.expire_link(link)
        if link.state is LinkState.PENDING_CONSENT:
            return None
        if link.state is LinkState.EXPIRED:
            code = codes.QR_EXPIRED if link.channel is Channel.QR else codes.CONSENT_EXPIRED
            assert link.consent_expires_at is not None
            return Refused.because(code, expired_at=link.consent_expires_at.isoformat())
        if link.channel is Channel.QR:
            return Refused.because(codes.QR_ALREADY_USED)
        return Refused.because(codes.LINK_NOT_AWAITING, state=link.state.value, action="take consent")

    def expire_link(self, link: Link) -> None:
        assert link.consent_expires_at is not None
        self.end_link(link, LinkState.EXPIRED, "simulator", [], at=link.consent_expires_at)

    def finish_refused(self, link: Link, actor: str, violations: list[Violation]) -> Refused:
        """End ``link`` as refused for these reasons; return the refusal to raise once that is committed."""
        self.end_link(link, LinkState.REFUSED, actor, violations)
        return Refused(violations)

    def end_link(
        self, link: Link, state: LinkState, actor: str, violations: list[Violation], *, at: datetime | None = None
    ) -> None:
        before = link.state
        link.state = state
        link.ended_at = at or self.now
        link.ended_by = actor
        link.marketing_slot = None
        link.refusal_codes = [v.code for v in violations]
        link.refusal_details = [plain(v.details) for v in violations]
        self.record(actor, f"link.{state.value}", "link", link.link_id, at=at,
                    changes={"state": [before.value, state.value]},
                    data={"shop_id": link.shop_id, "open_id": link.open_id, "role": link.role.value,
                          "codes": link.refusal_codes})

    def free_marketing_slot(self, shop: Shop) -> int:
        taken = {link.marketing_slot for link in self.repo.holding_links(shop_id=shop.shop_id, role=Role.MARKETING)}
        limit = self.policy(shop).marketing_slots_per_shop
        free = next((slot for slot in range(1, limit + 1) if slot not in taken), None)
        if free is None:
            raise Refused.because(codes.MARKETING_SLOTS_FULL, limit=limit)
        return free

    def start_review(self, link: Link, shop: Shop, actor: str) -> None:
        """The link takes its slot and waits for review; auto and reject modes end after the delay."""
        policy = self.policy(shop)
        mode = shop.review_mode or policy.review_mode
        delay = shop.review_delay if shop.review_delay is not None else policy.review_delay
        before = link.state
        link.state = LinkState.PENDING_REVIEW
        link.review_mode = mode  # a later change of the shop's settings applies to later reviews
        link.review_due_at = None if mode is ReviewMode.MANUAL else self.now + delay
        self.repo.flush()  # the unique indexes check the slot now, not at commit
        self.record(actor, "link.pending_review", "link", link.link_id,
                    changes={"state": [before.value, LinkState.PENDING_REVIEW.value]},
                    data={"review_mode": mode.value, "review_due_at": plain(link.review_due_at)})
        self.settle_link(link)

    def activate(self, link: Link, actor: str, *, at: datetime | None = None) -> None:
        """The link is established: the account is upgraded (E1), renamed (E2) and gets its storefront (E3)."""
        at = at or self.now
        before = link.state
        link.state = LinkState.ACTIVE
        link.activated_at = at
        link.review_due_at = None
        self.repo.flush()
        assert link.open_id is not None
        shop = self.require_shop(link.shop_id, lock=True)
        account = self.require_account(link.open_id, lock=True)
        self.record(actor, "link.active", "link", link.link_id, at=at,
                    changes={"state": [before.value, LinkState.ACTIVE.value]},
                    data={"shop_id": link.shop_id, "open_id": link.open_id, "role": link.role.value})
        if account.account_type is AccountType.PERSONAL:
            account.account_type = AccountType.BUSINESS
            self.record("simulator", "account.upgraded_to_business", "account", account.open_id, at=at,
                        changes={"account_type": [AccountType.PERSONAL.value, AccountType.BUSINESS.value]},
                        data={"link_id": link.link_id, "rule": "E1"})
        if link.role is Role.OFFICIAL:
            self.sync_name(account, shop, at=at)
            self.drop_affiliate_products(account, shop, at=at)
        visible_at = at + self.bag_delay(shop)
        self.record("simulator", "account.storefront_added", "account", account.open_id, at=at, data={
            "shop_id": shop.shop_id,
            "storefront": storefront(link.role),
            "sales_channels": ["video", "live", storefront(link.role)],
            "shopping_bag_visible_from": visible_at.isoformat(),
            "rule": "E3",
        })

    def sync_name(self, account: Account, shop: Shop, *, at: datetime | None = None) -> None:
        """E2: the official account's nickname becomes the shop name, and its username too where that is free."""
        changes: dict[str, list[str]] = {}
        if account.nickname != shop.name:
            changes["nickname"] = [account.nickname, shop.name]
            account.nickname = shop.name
        wanted = username_from_shop_name(shop.name)
        if wanted and wanted != account.username:
            holder = self.repo.account_by_username(wanted)
            if holder is None:
                changes["username"] = [account.username, wanted]
                account.username = wanted
        if changes:
            self.record("simulator", "account.renamed", "account", account.open_id, at=at, changes=changes,
                        data={"reason": "name_sync", "shop_id": shop.shop_id, "rule": "E2"})

    def bag_delay(self, shop: Shop) -> timedelta:
        return shop.shopping_bag_delay if shop.shopping_bag_delay is not None else self.policy(shop).shopping_bag_delay

    def add_member(self, account: Account, contact: str, actor: str) -> OrgMember:
        contact = valid_text(contact, "contact")
        member = OrgMember(open_id=account.open_id, contact=contact, added_at=self.now)
        self.repo.add(member)
        self.record(actor, "org.member_added", "account", account.open_id, data={"contact": contact})
        return member

    def close_invitation(
        self,
        invitation: Invitation | AffiliateInvitation,
        state: InvitationState,
        kind: str,
        *,
        subject_type: str = "invitation",
        data: dict[str, Any] | None = None,
        actor: str = "app",
        at: datetime | None = None,
    ) -> None:
        before = invitation.state
        invitation.state = state
        invitation.answered_at = at or self.now
        self.record(actor, kind, subject_type, invitation.invitation_id, at=at,
                    changes={"state": [before.value, state.value]}, data=data)

    # identity verification
    def set_verification(
        self, account: Account, state: Verification, actor: str, *, at: datetime | None = None
    ) -> None:
        before = account.verification
        account.verification = state
        self.record(actor, f"verification.{state.value}", "account", account.open_id, at=at,
                    changes={"verification": [before.value, state.value]})

    def settle_verification(self, account: Account, *, decided_at: datetime | None = None) -> None:
        """End a pending verification that came due, as the account's outcome setting says.

        It ends at its due time, or at ``decided_at`` when the outcome was decided later than that.
        """
        due = account.verification_due_at
        if account.verification is not Verification.PENDING or due is None or self.now < due:
            return
        outcome = account.verification_outcome
        if outcome is VerificationOutcome.STAY_PENDING:
            return
        account.verification_due_at = None
        state = Verification.VERIFIED if outcome is VerificationOutcome.PASS else Verification.FAILED
        self.set_verification(account, state, "simulator", at=max(due, decided_at) if decided_at else due)

    # showcases and LIVE
    def official_link_of(self, open_id: str) -> Link | None:
        """The link that makes this account an official account (or is about to, in review)."""
        return next(iter(self.repo.holding_links(open_id=open_id, role=Role.OFFICIAL)), None)

    def refuse_affiliate_products_for_official(self, open_id: str) -> None:
        """E5: an official account cannot display Product Marketplace (affiliate) products."""
        if self.official_link_of(open_id) is not None:
            raise Refused.because(codes.OFFICIAL_ACCOUNT_NO_AFFILIATE_PRODUCTS)

    def drop_affiliate_products(self, account: Account, shop: Shop, *, at: datetime) -> None:
        """E5 for an account that becomes official: other shops' products leave its showcase."""
        dropped = []
        for item in self.repo.showcase(account.open_id):
            product = self.repo.product(item.product_id)
            if product is not None and product.shop_id != shop.shop_id:
                self.repo.remove(item)
                dropped.append(item.product_id)
        if dropped:
            self.record("simulator", "showcase.products_removed", "account", account.open_id, at=at,
                        data={"product_ids": dropped, "reason": "official_account", "rule": "E5"})

    def showcase_source(self, account: Account, product: Any) -> ShowcaseSource:
        linked_here = any(
            link.shop_id == product.shop_id and link.state is LinkState.ACTIVE
            for link in self.repo.holding_links(open_id=account.open_id)
        )
        if linked_here:
            # A marketing account adds its shop's products by hand; an official one has them on its Shop Page.
            return ShowcaseSource.OWN_SHOP
        self.refuse_affiliate_products_for_official(account.open_id)
        accepted = any(
            i.shop_id == product.shop_id and i.state is InvitationState.ACCEPTED
            for i in self.repo.affiliate_invitations(open_id=account.open_id)
        )
        if accepted:
            return ShowcaseSource.AFFILIATE_INVITATION
        if product.in_marketplace:
            if not account.affiliate_signed_up:
                raise Refused.because(codes.AFFILIATE_SIGNUP_REQUIRED)
            return ShowcaseSource.MARKETPLACE
        raise Refused.because(codes.PRODUCT_NOT_AVAILABLE, username=account.username, product_id=product.product_id)

    def mirroring_violations(self, account: Account, mirrored: Account) -> list[Violation]:
        other_live = self.repo.live_session(mirrored.open_id)
        if other_live is None:
            return []
        mine = {link.shop_id: link for link in self.repo.holding_links(open_id=account.open_id)}
        for theirs in self.repo.holding_links(open_id=mirrored.open_id):
            if theirs.shop_id in mine and {theirs.role, mine[theirs.shop_id].role} == {Role.OFFICIAL, Role.MARKETING}:
                violation = rules.live_mirroring_allowed(self.policy(self.require_shop(theirs.shop_id)),
                                                         mirrored.username)
                if violation is not None:
                    return [violation]
        return []

    # the clock
    def anything_due(self) -> bool:
        """Whether :meth:`settle` has something to apply (asked without the write lock)."""
        return self.repo.anything_due(self.now)

    def settle(self) -> None:
        """Apply every transition that came due on the clock, in the order they came due, each at its time."""
        due: list[tuple[datetime, str, Callable[[], None]]] = []
        for account in self.repo.accounts_due_for_verification(self.now):
            assert account.verification_due_at is not None
            due.append((account.verification_due_at, account.open_id, partial(self.settle_verification, account)))
        for link in self.repo.links_due(self.now):
            when = link.review_due_at if link.state is LinkState.PENDING_REVIEW else link.consent_expires_at
            assert when is not None
            due.append((when, link.link_id, partial(self.settle_link, link)))
        for invitation in self.repo.invitations_due(self.now):
            expire = partial(self.close_invitation, invitation, InvitationState.EXPIRED, "invitation.expired",
                             actor="simulator", at=invitation.expires_at)
            due.append((invitation.expires_at, invitation.invitation_id, expire))
        for affiliate in self.repo.affiliate_invitations_due(self.now):
            expire = partial(self.close_invitation, affiliate, InvitationState.EXPIRED, "affiliate.expired",
                             actor="simulator", subject_type="affiliate_invitation", at=affiliate.expires_at)
            due.append((affiliate.expires_at, affiliate.invitation_id, expire))
        for _, _, apply in sorted(due, key=lambda item: item[:2]):
            apply()

    def settle_link(self, link: Link) -> None:
        if link.state is LinkState.PENDING_CONSENT:
            if link.consent_expires_at is not None and self.now >= link.consent_expires_at:
                self.expire_link(link)
            return
        if link.state is not LinkState.PENDING_REVIEW or link.review_due_at is None:
            return
        if self.now < link.review_due_at:
            return
        due = link.review_due_at
        if link.review_mode is ReviewMode.REJECT:
            self.end_link(link, LinkState.REFUSED, "reviewer", [Violation.of(codes.REVIEW_REJECTED)], at=due)
        else:
            self.activate(link, "reviewer", at=due)



def storefront(role: Role) -> str:
    return "shop_page" if role is Role.OFFICIAL else "showcase"
