"""The linking flows: each public method is one thing a seller, an account holder or the simulator does.

Every method runs in one unit of work (one transaction). It reads the clock once,
settles whatever came due on the simulated clock since the last call (reviews,
expiries, verification outcomes), applies the rules, and records what changed in
the journal. A refusal raises :class:`Refused` with every violation found; when a
refusal also ends a flow (a denied consent, a rule that fails at the last step),
the ending is committed before the refusal is raised, and nothing half-made is left.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from auth_server.domain import codes
from auth_server.domain import rules
from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AccountType
from auth_server.domain.accounts import AppFault
from auth_server.domain.accounts import OrgMember
from auth_server.domain.accounts import Passcode
from auth_server.domain.accounts import Standing
from auth_server.domain.accounts import Verification
from auth_server.domain.accounts import VerificationOutcome
from auth_server.domain.accounts import hash_secret
from auth_server.domain.accounts import secret_matches
from auth_server.domain.affiliates import AffiliateInvitation
from auth_server.domain.affiliates import LiveSession
from auth_server.domain.affiliates import ShowcaseItem
from auth_server.domain.affiliates import ShowcaseSource
from auth_server.domain.clock import Clock
from auth_server.domain.errors import Refused
from auth_server.domain.errors import Violation
from auth_server.domain.journal import Event
from auth_server.domain.journal import plain
from auth_server.domain.links import Channel
from auth_server.domain.links import Invitation
from auth_server.domain.links import InvitationState
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.domain.policies import Markets
from auth_server.domain.policies import Policy
from auth_server.domain.repository import Repository
from auth_server.domain.repository import SlotConflict
from auth_server.domain.repository import TransientConflict
from auth_server.domain.repository import UnitOfWork
from auth_server.domain.shops import ReviewMode
from auth_server.domain.shops import Seller
from auth_server.domain.shops import Shop
from auth_server.domain.shops import ShopStatus

# Which refusal a unique index stands for, when the database catches a race the row locks did not.
_CONFLICT_CODES = {
    "one_official_per_shop": codes.OFFICIAL_SLOT_TAKEN,
    "one_official_shop_per_account": codes.ACCOUNT_LINKED_ELSEWHERE,
    "one_role_per_shop": codes.SAME_ACCOUNT_BOTH_ROLES,
    "marketing_slot": codes.MARKETING_SLOTS_FULL,
}

MAX_COMMISSION_RATE = Decimal(80)
TRANSIENT_RETRIES = 5


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


class LinkingService:
    def __init__(
        self,
        unit_of_work: UnitOfWork,
        clock: Clock,
        markets: Markets,
        *,
        ids: Callable[[str], str] = new_id,
        passcodes: Callable[[], str] = lambda: f"{secrets.randbelow(10**6):06d}",
    ) -> None:
        self.unit_of_work = unit_of_work
        self.clock = clock
        self.markets = markets
        self._ids = ids
        self._passcodes = passcodes

    # --- plumbing ------------------------------------------------------------------------------------------

    def _transaction(self, body: Callable[[_Operation], Any]) -> Any:
        """Run ``body`` in one transaction, again (up to a limit) when it collides with another one.

        A collision is a deadlock or a write that a unique index refused because a concurrent
        transaction got there first: nothing was written, so the whole body runs again from a fresh
        read, and then sees the winner and answers as the rules say.
        """
        for attempt in range(1, TRANSIENT_RETRIES + 1):
            try:
                with self.unit_of_work() as repo:
                    return body(_Operation(self, repo, self.clock.now()))
            except (TransientConflict, SlotConflict) as collision:
                if attempt < TRANSIENT_RETRIES:
                    continue
                if isinstance(collision, SlotConflict):
                    raise Refused.because(_CONFLICT_CODES[collision.invariant]) from collision
                raise
        raise AssertionError("unreachable")

    def _run(self, body: Callable[[_Operation], Any]) -> Any:
        """Settle what came due on the clock, then run ``body`` as one operation.

        Settling runs in a transaction of its own, so that its locks never interleave with the
        operation's (link, then shop, then account). A refusal that ``body`` *returns* is raised
        after the commit: the flow's ending is kept, and the caller is told why.
        """
        self._transaction(lambda op: op.settle())
        result = self._transaction(body)
        if isinstance(result, Refused):
            raise result
        return result

    # --- the seller: official accounts ----------------------------------------------------------------------

    def start_official_link(self, shop_id: str, *, link_id: str | None = None, actor: str = "seller") -> Link:
        """Seller Center shows a QR code (O9): a link waits for whoever scans it and taps Authorize.

        ``link_id`` names the link (scripts that want stable ids); by default one is made up.
        """
        def body(op: _Operation) -> Link:
            shop = op.require_shop(shop_id, lock=True)
            op.refuse_if(rules.check_shop(op.shop_facts(shop, Role.OFFICIAL)))
            return op.new_link(shop, Role.OFFICIAL, Channel.QR, actor=actor, link_id=link_id)

        return self._run(body)

    def request_app_consent(
        self, shop_id: str, username: str, *, agreed: bool = True, link_id: str | None = None, actor: str = "seller"
    ) -> Link:
        """Seller app (O10): the seller names the account and ticks the agreement; the request goes to the app."""

        def body(op: _Operation) -> Link:
            if not agreed:
                raise Refused.because(codes.TERMS_NOT_ACCEPTED)
            shop = op.require_shop(shop_id, lock=True)
            account = op.require_account_by_username(username)
            op.refuse_if(rules.check_shop(op.shop_facts(shop, Role.OFFICIAL)))
            link = op.new_link(shop, Role.OFFICIAL, Channel.APP_TOGGLE, actor=actor, link_id=link_id)
            link.expected_open_id = account.open_id
            link.terms_accepted_at = op.now
            return link

        return self._run(body)

    def scan(self, link_id: str, open_id: str) -> Link:
        """The holder scans the QR code while logged in as ``open_id``; the app shows the consent screen."""

        def body(op: _Operation) -> Link | Refused:
            link = op.require_link(link_id, lock=True)
            refusal = op.consent_still_open(link)
            if refusal is not None:
                return refusal
            account = op.require_account(open_id)
            if account.app_fault is AppFault.QR_UNREADABLE:
                raise Refused.because(codes.QR_UNREADABLE)
            if link.scanned_at is None:
                link.scanned_at = op.now
                op.record("app", "link.scanned", "link", link.link_id, data={"open_id": open_id})
            return link

        return self._run(body)

    def give_consent(
        self,
        link_id: str,
        open_id: str,
        *,
        authorize: bool = True,
        permissions: list[str] | None = None,
    ) -> Link:
        """The holder taps Authorize (QR) or sets the toggles and taps Continue (Seller app), or Cancel.

        For a QR link ``permissions`` defaults to every permission the consent screen asks for. Cancel
        (``authorize=False``) ends the link as refused with ``consent_denied``, which the seller then sees.
        """

        def body(op: _Operation) -> Link | Refused:
            link = op.require_link(link_id, lock=True)
            refusal = op.consent_still_open(link)
            if refusal is not None:
                return refusal
            account = op.require_account(open_id, lock=True)
            shop = op.require_shop(link.shop_id)
            policy = op.policy(shop)
            expected = op.require_account(link.expected_open_id) if link.expected_open_id else None
            # Only the named account may answer, Authorize or Cancel alike; a stranger leaves the request open.
            mismatch = (
                [rules.answered_by_named_account(expected.username, account.username)]
                if expected is not None and expected.open_id != account.open_id
                else []
            )
            if authorize and account.app_fault is AppFault.AUTHORIZATION_FAILED:
                raise Refused.because(codes.AUTHORIZATION_FAILED)  # nothing changes: the holder can try again
            if not authorize:
                op.refuse_if(mismatch)
                # The holder's Cancel succeeds; the seller sees the link refused with consent_denied.
                op.end_link(link, LinkState.REFUSED, "app", [Violation.of(codes.CONSENT_DENIED)])
                return link
            granted = list(policy.official_permissions) if permissions is None else list(permissions)
            consent_violations = rules.check_consent(
                rules.ConsentFacts(role=link.role, policy=policy, granted=frozenset(granted))
            )
            op.refuse_if(mismatch + consent_violations if mismatch else [])
            link_violations = rules.check_link(op.link_facts(shop, account, link.role))
            if link_violations:
                link.open_id = account.open_id
                return op.finish_refused(link, "app", consent_violations + link_violations)
            # A missing toggle can still be turned on: the request stays open for another answer.
            op.refuse_if(consent_violations)
            link.open_id = account.open_id
            link.state = LinkState.CONSENTED
            link.consented_at = op.now
            link.scanned_at = link.scanned_at or op.now
            link.granted_permissions = granted
            op.record(
                "app",
                "link.consented",
                "link",
                link.link_id,
                changes={"state": [LinkState.PENDING_CONSENT.value, LinkState.CONSENTED.value]},
                data={"open_id": account.open_id, "permissions": granted},
            )
            return link

        return self._run(body)

    def accept_terms(self, link_id: str, *, accepted: bool = True, actor: str = "seller") -> Link:
        """The seller agrees to the terms and clicks "Link This Account" (or "Link"); the review starts."""

        def body(op: _Operation) -> Link | Refused:
            link = op.require_link(link_id, lock=True)
            if link.state is not LinkState.CONSENTED:
                raise Refused.because(codes.LINK_NOT_AWAITING, state=link.state.value, action="accept the terms")
            if not accepted:
                raise Refused.because(codes.TERMS_NOT_ACCEPTED)
            shop = op.require_shop(link.shop_id, lock=True)
            assert link.open_id is not None
            account = op.require_account(link.open_id, lock=True)
            violations = rules.check_link(op.link_facts(shop, account, link.role))
            if violations:
                return op.finish_refused(link, actor, violations)
            link.terms_accepted_at = link.terms_accepted_at or op.now
            op.start_review(link, shop, actor)
            return link

        return self._run(body)

    def decide_review(self, link_id: str, *, approve: bool, actor: str = "reviewer") -> Link:
        """Decide a review by hand (manual review mode, or to force an outcome in a scenario)."""

        def body(op: _Operation) -> Link | Refused:
            link = op.require_link(link_id, lock=True)
            if link.state is not LinkState.PENDING_REVIEW:
                raise Refused.because(codes.LINK_NOT_AWAITING, state=link.state.value, action="be reviewed")
            if approve:
                op.activate(link, actor)
            else:
                op.end_link(link, LinkState.REFUSED, actor, [Violation.of(codes.REVIEW_REJECTED)])
            return link

        return self._run(body)

    # --- the seller: organization accounts ------------------------------------------------------------------

    def create_organization_account(
        self,
        shop_id: str,
        *,
        username: str,
        nickname: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        members: list[str] = (),  # type: ignore[assignment]
        actor: str = "seller",
    ) -> Link:
        """Create an organization account for the seller's entity and link it as the official account (O8)."""

        def body(op: _Operation) -> Link:
            wanted = valid_username(username)
            if op.repo.account_by_username(wanted) is not None:
                raise Refused.because(codes.ORG_CONVERSION_NOT_SUPPORTED, username=wanted)
            shop = op.require_shop(shop_id, lock=True)
            seller = op.require_seller(shop.seller_id)
            account = Account(
                open_id=self._ids("org"),
                username=wanted,
                nickname=nickname or shop.name,
                region=shop.region,
                email=email,
                phone=phone,
                account_type=AccountType.ORGANIZATION,
                verification=Verification.VERIFIED,
                entity_id=seller.entity_id,
                created_at=op.now,
            )
            op.refuse_if(rules.check_link(op.link_facts(shop, account, Role.OFFICIAL)))
            op.repo.add(account)
            op.record(actor, "account.created", "account", account.open_id, data={
                "account_type": account.account_type.value, "entity_id": seller.entity_id, "username": wanted,
            })
            for contact in dict.fromkeys([c for c in (email, phone, *members) if c]):
                op.add_member(account, contact, actor)
            link = op.new_link(shop, Role.OFFICIAL, Channel.ORGANIZATION, actor=actor, open_id=account.open_id)
            link.state = LinkState.CONSENTED
            link.consented_at = link.terms_accepted_at = op.now
            op.start_review(link, shop, actor)
            return link

        return self._run(body)

    def link_organization_account(self, shop_id: str, open_id: str, *, actor: str = "seller") -> Link:
        """Link an existing organization account to a shop as its official account, with no QR code."""

        def body(op: _Operation) -> Link:
            shop = op.require_shop(shop_id, lock=True)
            account = op.require_account(open_id, lock=True)
            if not account.is_organization:
                raise Refused.because(
                    codes.INVALID_INPUT,
                    field="open_id",
                    problem=f"@{account.username} is not an organization account; link it by QR code",
                )
            op.refuse_if(rules.check_link(op.link_facts(shop, account, Role.OFFICIAL)))
            link = op.new_link(shop, Role.OFFICIAL, Channel.ORGANIZATION, actor=actor, open_id=account.open_id)
            link.state = LinkState.CONSENTED
            link.consented_at = link.terms_accepted_at = op.now
            op.start_review(link, shop, actor)
            return link

        return self._run(body)

    def add_org_member(self, open_id: str, contact: str, *, actor: str = "seller") -> OrgMember:
        def body(op: _Operation) -> OrgMember:
            account = op.require_org_account(open_id)
            return op.active_member(account, contact) or op.add_member(account, contact, actor)

        return self._run(body)

    def remove_org_member(self, open_id: str, contact: str, *, actor: str = "seller") -> None:
        def body(op: _Operation) -> None:
            member = op.require_member(op.require_org_account(open_id), contact)
            member.removed_at = op.now
            op.record(actor, "org.member_removed", "account", open_id, data={"contact": contact})

        self._run(body)

    def request_passcode(self, username: str, contact: str) -> str:
        """Send a one-time passcode to a member of an organization account ("get OTP"); returns the code.

        A real TikTok sends the code by email or text message; the simulator hands it over.
        """

        def body(op: _Operation) -> str:
            account = op.require_account_by_username(username)
            if not account.is_organization:
                raise Refused.because(codes.INVALID_CREDENTIALS)
            op.require_member(account, contact)
            code = self._passcodes()
            policy = self.markets.default  # an organization account belongs to no market of its own
            op.repo.add(
                Passcode(
                    open_id=account.open_id,
                    contact=contact,
                    code_hash=hash_secret(code),
                    expires_at=op.now + policy.passcode_lifetime,
                )
            )
            op.record("app", "org.passcode_sent", "account", account.open_id, data={"contact": contact})
            return code

        return self._run(body)

    def sign_in_with_passcode(self, username: str, contact: str, code: str) -> Account:
        def body(op: _Operation) -> Account:
            account = op.require_account_by_username(username)
            if not account.is_organization:
                raise Refused.because(codes.INVALID_CREDENTIALS)
            op.require_member(account, contact)
            passcode = op.repo.latest_passcode(account.open_id, contact)
            if passcode is None or passcode.used_at is not None or not secret_matches(code, passcode.code_hash):
                raise Refused.because(codes.INVALID_CREDENTIALS)
            if op.now >= passcode.expires_at:
                raise Refused.because(codes.PASSCODE_EXPIRED)
            passcode.used_at = op.now
            op.record("app", "account.signed_in", "account", account.open_id, data={"method": "passcode",
                                                                                       "contact": contact})
            return account

        return self._run(body)

    # --- the seller: marketing accounts ---------------------------------------------------------------------

    def search_accounts(self, query: str) -> list[Account]:
        """Search by username (exact, with or without @) or nickname (every match: nicknames are not unique)."""

        def body(op: _Operation) -> list[Account]:
            text = valid_text(query, "query")
            by_username = op.repo.account_by_username(_clean_username(text))
            found = ([by_username] if by_username else []) + list(op.repo.accounts_by_nickname(text))
            unique = list({a.open_id: a for a in found}.values())
            if not unique:
                raise Refused.because(codes.ACCOUNT_NOT_FOUND, query=query)
            return unique

        return self._run(body)

    def check_marketing_criteria(self, shop_id: str, open_id: str) -> list[Violation]:
        """The seller's "Next": which criteria the account fails, if any, before an invitation is sent."""

        def body(op: _Operation) -> list[Violation]:
            shop = op.require_shop(shop_id)
            account = op.require_account(open_id)
            return rules.check_link(op.link_facts(shop, account, Role.MARKETING))

        return self._run(body)

    def invite_marketing_account(
        self, shop_id: str, open_id: str, *, invitation_id: str | None = None, actor: str = "seller"
    ) -> Invitation:
        """Send an invitation (M5) once the account meets every criterion; a pending one is reused."""

        def body(op: _Operation) -> Invitation:
            shop = op.require_shop(shop_id, lock=True)
            account = op.require_account(open_id)
            op.refuse_if(rules.check_link(op.link_facts(shop, account, Role.MARKETING)))
            pending = next(
                (
                    i
                    for i in op.repo.invitations(open_id=open_id, shop_id=shop_id)
                    if i.state is InvitationState.PENDING
                ),
                None,
            )
            if pending is not None:
                return pending
            invitation = Invitation(
                invitation_id=op.unused_id(invitation_id, "inv", op.repo.invitation),
                shop_id=shop_id,
                open_id=open_id,
                state=InvitationState.PENDING,
                created_at=op.now,
                expires_at=op.now + op.policy(shop).invitation_lifetime,
            )
            op.repo.add(invitation)
            op.record(actor, "invitation.sent", "invitation", invitation.invitation_id,
                      data={"shop_id": shop_id, "open_id": open_id, "expires_at": invitation.expires_at.isoformat()})
            return invitation

        return self._run(body)

    def answer_invitation(self, invitation_id: str, open_id: str, *, accept: bool) -> Invitation:
        """The holder accepts or declines an invitation in the app inbox; accepting establishes the link."""

        def body(op: _Operation) -> Invitation | Refused:
            invitation = op.repo.invitation(invitation_id, lock=True)
            if invitation is None or invitation.open_id != open_id:
                raise Refused.because(codes.INVITATION_NOT_FOUND, invitation_id=invitation_id)
            op.require_pending(invitation)
            if not accept:
                op.close_invitation(invitation, InvitationState.DECLINED, "invitation.declined")
                return invitation
            shop = op.require_shop(invitation.shop_id, lock=True)
            account = op.require_account(open_id, lock=True)
            violations = rules.check_link(op.link_facts(shop, account, Role.MARKETING))
            if violations:
                op.close_invitation(invitation, InvitationState.REFUSED, "invitation.refused",
                          data={"codes": [v.code for v in violations]})
                return Refused(violations)
            link = op.new_link(shop, Role.MARKETING, Channel.INVITATION, actor="app", open_id=open_id)
            link.consented_at = link.terms_accepted_at = op.now
            link.marketing_slot = op.free_marketing_slot(shop)
            op.activate(link, "app")
            invitation.link_id = link.link_id
            op.close_invitation(invitation, InvitationState.ACCEPTED, "invitation.accepted",
                                data={"link_id": link.link_id})
            return invitation

        return self._run(body)

    # --- the seller: unlink, rename, review settings --------------------------------------------------------

    def unlink(self, shop_id: str, open_id: str, *, actor: str = "seller") -> Link:
        """Unlink an account from a shop (U1-U3, M9)."""

        def body(op: _Operation) -> Link:
            shop = op.require_shop(shop_id, lock=True)
            account = op.require_account(open_id, lock=True)
            link = next(iter(op.repo.holding_links(shop_id=shop_id, open_id=open_id)), None)
            if link is None:
                raise Refused.because(codes.ACCOUNT_NOT_LINKED, username=account.username)
            if link.state is not LinkState.ACTIVE:
                raise Refused.because(codes.LINK_NOT_AWAITING, state=link.state.value, action="be unlinked")
            op.refuse_if(
                rules.check_unlink(
                    rules.UnlinkFacts(
                        link=link,
                        policy=op.policy(shop),
                        now=op.now,
                        official_unbinds_so_far=op.repo.official_unbinds(shop_id),
                    )
                )
            )
            op.end_link(link, LinkState.UNLINKED, actor, [])
            op.record(actor, "account.storefront_removed", "account", open_id,
                      data={"shop_id": shop_id, "storefront": _storefront(link.role)})
            return link

        return self._run(body)

    def rename_shop(self, shop_id: str, name: str, *, actor: str = "seller") -> Shop:
        """Rename the shop; the official account's name follows at once (E2)."""

        def body(op: _Operation) -> Shop:
            new_name = valid_text(name, "name")
            shop = op.require_shop(shop_id, lock=True)
            before, shop.name = shop.name, new_name
            op.record(actor, "shop.renamed", "shop", shop_id, changes={"name": [before, shop.name]})
            official = next(iter(op.repo.holding_links(shop_id=shop_id, role=Role.OFFICIAL)), None)
            if official is not None and official.state is LinkState.ACTIVE:
                assert official.open_id is not None
                op.sync_name(op.require_account(official.open_id, lock=True), shop)
            return shop

        return self._run(body)

    def set_review(
        self, shop_id: str, mode: ReviewMode | None, delay: timedelta | None = None, *, actor: str = "simulator"
    ) -> Shop:
        """Choose how this shop's reviews end (None: the market's default)."""

        def body(op: _Operation) -> Shop:
            shop = op.require_shop(shop_id, lock=True)
            before = [shop.review_mode, shop.review_delay]
            shop.review_mode, shop.review_delay = mode, delay
            op.record(actor, "shop.review_settings_changed", "shop", shop_id, changes={
                "review": [[plain(v) for v in before], [plain(mode), plain(delay)]],
            })
            return shop

        return self._run(body)

    def set_shop_status(
        self, shop_id: str, status: ShopStatus | None = None, *, probation_until: datetime | None | object = ...,
        actor: str = "simulator",
    ) -> Shop:
        def body(op: _Operation) -> Shop:
            shop = op.require_shop(shop_id, lock=True)
            changes: dict[str, list[Any]] = {}
            if status is not None and status is not shop.status:
                changes["status"] = [shop.status.value, status.value]
                shop.status = status
            if probation_until is not ...:
                if probation_until is not None and (
                    not isinstance(probation_until, datetime) or probation_until.tzinfo is None
                ):
                    raise Refused.because(codes.INVALID_INPUT, field="probation_until",
                                          problem="give a time with its zone, such as 2026-04-01T00:00:00Z")
                changes["probation_until"] = [plain(shop.probation_until), plain(probation_until)]
                shop.probation_until = probation_until  # type: ignore[assignment]
            if changes:
                op.record(actor, "shop.status_changed", "shop", shop_id, changes=changes)
            return shop

        return self._run(body)

    # --- the account holder ---------------------------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> Account:
        def body(op: _Operation) -> Account:
            account = op.repo.account_by_username(_clean_username(username))
            if account is None or not account.check_password(password):
                raise Refused.because(codes.INVALID_CREDENTIALS)
            op.record("app", "account.signed_in", "account", account.open_id, data={"method": "password"})
            return account

        return self._run(body)

    def rename_account(
        self, open_id: str, *, nickname: str | None = None, username: str | None = None, actor: str = "app"
    ) -> Account:
        """The holder renames the account in the app; an official account's name is locked (E2)."""

        def body(op: _Operation) -> Account:
            account = op.require_account(open_id, lock=True)
            official = op.official_link_of(open_id)
            shop = op.require_shop(official.shop_id) if official and official.state is LinkState.ACTIVE else None
            locked = rules.official_name_is_unlocked(account, shop)
            if locked is not None:
                raise Refused(locked)
            changes: dict[str, list[str]] = {}
            wanted = valid_username(username) if username is not None else account.username
            if wanted != account.username:
                if op.repo.account_by_username(wanted) is not None:
                    raise Refused.because(codes.USERNAME_TAKEN, username=wanted)
                changes["username"] = [account.username, wanted]
                account.username = wanted
            new_nickname = valid_text(nickname, "nickname") if nickname is not None else account.nickname
            if new_nickname != account.nickname:
                changes["nickname"] = [account.nickname, new_nickname]
                account.nickname = new_nickname
            if changes:
                op.record(actor, "account.renamed", "account", open_id, changes=changes, data={"reason": "holder"})
            return account

        return self._run(body)

    def start_verification(self, open_id: str, *, actor: str = "app") -> Account:
        """The holder starts identity verification; the account's outcome setting decides how it ends."""

        def body(op: _Operation) -> Account:
            account = op.require_account(open_id, lock=True)
            if account.verification in (Verification.VERIFIED, Verification.PENDING):
                return account
            op.set_verification(account, Verification.PENDING, actor)
            account.verification_due_at = op.now + account.verification_delay
            op.settle_verification(account)
            return account

        return self._run(body)

    def set_verification_outcome(
        self,
        open_id: str,
        outcome: VerificationOutcome,
        *,
        delay: timedelta | None = None,
        actor: str = "simulator",
    ) -> Account:
        """Decide how this account's verification ends (pass, fail or stay pending), and after how long."""

        def body(op: _Operation) -> Account:
            account = op.require_account(open_id, lock=True)
            changes: dict[str, list[Any]] = {"verification_outcome": [account.verification_outcome.value,
                                                                      outcome.value]}
            account.verification_outcome = outcome
            if delay is not None:
                changes["verification_delay"] = [plain(account.verification_delay), plain(delay)]
                account.verification_delay = delay
                if account.verification is Verification.PENDING:
                    account.verification_due_at = op.now + delay  # a pending check now ends after the new delay
            op.record(actor, "account.verification_settings_changed", "account", open_id, changes=changes)
            if account.verification is Verification.PENDING and account.verification_due_at is not None:
                op.settle_verification(account, decided_at=op.now)
            return account

        return self._run(body)

    def set_app_fault(self, open_id: str, fault: AppFault, *, actor: str = "simulator") -> Account:
        """Make this account's app reproduce a troubleshooting case (or stop: ``AppFault.NONE``)."""

        def body(op: _Operation) -> Account:
            account = op.require_account(open_id, lock=True)
            if account.app_fault is not fault:
                op.record(actor, "account.app_fault_changed", "account", open_id,
                          changes={"app_fault": [account.app_fault.value, fault.value]})
                account.app_fault = fault
            return account

        return self._run(body)

    def set_standing(self, open_id: str, standing: Standing, *, actor: str = "simulator") -> Account:
        def body(op: _Operation) -> Account:
            account = op.require_account(open_id, lock=True)
            if account.standing is not standing:
                op.record(actor, "account.standing_changed", "account", open_id,
                          changes={"standing": [account.standing.value, standing.value]})
                account.standing = standing
            return account

        return self._run(body)

    # --- affiliates and showcases ---------------------------------------------------------------------------

    def sign_up_affiliate(self, open_id: str) -> Account:
        """The holder signs up at the Affiliate Center (needed to show Product Marketplace products, M8)."""

        def body(op: _Operation) -> Account:
            account = op.require_account(open_id, lock=True)
            if not account.affiliate_signed_up:
                account.affiliate_signed_up = True
                op.record("app", "account.affiliate_signed_up", "account", open_id,
                          changes={"affiliate_signed_up": [False, True]})
            return account

        return self._run(body)

    def invite_affiliate(
        self,
        shop_id: str,
        open_id: str,
        commission_rate: Decimal | float | str,
        *,
        invitation_id: str | None = None,
        actor: str = "seller",
    ) -> AffiliateInvitation:
        """A seller's affiliate invitation with a commission rate; it takes no slot and counts toward no quota."""

        def body(op: _Operation) -> AffiliateInvitation:
            rate = _commission_rate(commission_rate)
            shop = op.require_shop(shop_id)
            account = op.require_account(open_id)
            op.refuse_affiliate_products_for_official(open_id)
            invitation = AffiliateInvitation(
                invitation_id=op.unused_id(invitation_id, "aff", op.repo.affiliate_invitation),
                shop_id=shop.shop_id,
                open_id=account.open_id,
                commission_rate=rate,
                state=InvitationState.PENDING,
                created_at=op.now,
                expires_at=op.now + op.policy(shop).invitation_lifetime,
            )
            op.repo.add(invitation)
            op.record(actor, "affiliate.invited", "affiliate_invitation", invitation.invitation_id,
                      data={"shop_id": shop_id, "open_id": open_id, "commission_rate": str(rate)})
            return invitation

        return self._run(body)

    def answer_affiliate_invitation(self, invitation_id: str, open_id: str, *, accept: bool) -> AffiliateInvitation:
        def body(op: _Operation) -> AffiliateInvitation:
            invitation = op.repo.affiliate_invitation(invitation_id, lock=True)
            if invitation is None or invitation.open_id != open_id:
                raise Refused.because(codes.INVITATION_NOT_FOUND, invitation_id=invitation_id)
            op.require_pending(invitation)
            if accept:
                op.refuse_affiliate_products_for_official(open_id)
            state = InvitationState.ACCEPTED if accept else InvitationState.DECLINED
            op.close_invitation(invitation, state, f"affiliate.{state.value}", subject_type="affiliate_invitation")
            return invitation

        return self._run(body)

    def add_to_showcase(self, open_id: str, product_id: str) -> ShowcaseItem:
        """Add a product to the account's showcase by hand (M8, E5)."""

        def body(op: _Operation) -> ShowcaseItem:
            account = op.require_account(open_id)
            product = op.repo.product(product_id)
            if product is None:
                raise Refused.because(codes.PRODUCT_NOT_FOUND, product_id=product_id)
            source = op.showcase_source(account, product)
            existing = next((i for i in op.repo.showcase(open_id) if i.product_id == product_id), None)
            if existing is not None:
                return existing
            item = ShowcaseItem(open_id=open_id, product_id=product_id, source=source, added_at=op.now)
            op.repo.add(item)
            op.record("app", "showcase.product_added", "account", open_id,
                      data={"product_id": product_id, "source": source.value})
            return item

        return self._run(body)

    def start_live(self, open_id: str, *, mirror_of: str | None = None) -> LiveSession:
        """Go LIVE, optionally mirroring another account's LIVE (refused where the market forbids it, M10)."""

        def body(op: _Operation) -> LiveSession:
            account = op.require_account(open_id, lock=True)
            if mirror_of is not None:
                op.refuse_if(op.mirroring_violations(account, op.require_account(mirror_of)))
            session = op.repo.live_session(open_id)
            if session is None:
                session = LiveSession(open_id=open_id, started_at=op.now, mirror_of=mirror_of)
                op.repo.add(session)
                op.record("app", "live.started", "account", open_id, data={"mirror_of": mirror_of})
            return session

        return self._run(body)

    def end_live(self, open_id: str) -> None:
        def body(op: _Operation) -> None:
            session = op.repo.live_session(open_id)
            if session is not None:
                session.ended_at = op.now
                op.record("app", "live.ended", "account", open_id)

        self._run(body)

    # --- what the parties see -------------------------------------------------------------------------------

    def settle(self) -> None:
        """Apply whatever came due on the clock (every other call does this first)."""
        self._run(lambda op: None)

    def get_shop(self, shop_id: str) -> Shop:
        return self._run(lambda op: op.require_shop(shop_id))

    def get_account(self, open_id: str) -> Account:
        return self._run(lambda op: op.require_account(open_id))

    def get_account_by_username(self, username: str) -> Account:
        return self._run(lambda op: op.require_account_by_username(username))

    def get_link(self, link_id: str) -> Link:
        return self._run(lambda op: op.require_link(link_id))

    def shops(self) -> list[Shop]:
        return self._run(lambda op: list(op.repo.shops()))

    def accounts(self) -> list[Account]:
        return self._run(lambda op: list(op.repo.accounts()))

    def links(self, *, shop_id: str | None = None, open_id: str | None = None) -> list[Link]:
        return self._run(lambda op: list(op.repo.links(shop_id=shop_id, open_id=open_id)))

    def invitations(self, *, open_id: str | None = None, shop_id: str | None = None) -> list[Invitation]:
        return self._run(lambda op: list(op.repo.invitations(open_id=open_id, shop_id=shop_id)))

    def affiliate_invitations(self, open_id: str) -> list[AffiliateInvitation]:
        return self._run(lambda op: list(op.repo.affiliate_invitations(open_id=open_id)))

    def showcase(self, open_id: str) -> list[ShowcaseItem]:
        return self._run(lambda op: list(op.repo.showcase(open_id)))

    def org_members(self, open_id: str) -> list[OrgMember]:
        return self._run(lambda op: list(op.repo.org_members(open_id)))

    def journal(self, *, subject_type: str | None = None, subject_id: str | None = None,
                after_seq: int = 0) -> list[Event]:
        return self._run(lambda op: list(op.repo.events(subject_type=subject_type, subject_id=subject_id,
                                                        after_seq=after_seq)))

    def linked_accounts(self, shop_id: str) -> dict[str, Any]:
        """What the seller sees under "Linked TikTok accounts" (E4): the official and the marketing accounts."""

        def body(op: _Operation) -> dict[str, Any]:
            op.require_shop(shop_id)
            official: dict[str, Any] | None = None
            marketing: list[dict[str, Any]] = []
            for link in op.repo.holding_links(shop_id=shop_id):
                assert link.open_id is not None
                account = op.require_account(link.open_id)
                shared = {"open_id": account.open_id, "state": link.state.value, "link_id": link.link_id}
                if link.role is Role.OFFICIAL:
                    official = {
                        **shared,
                        "avatar_url": account.avatar_url,
                        "username": account.username,
                        "nickname": account.nickname,
                        "phone": account.masked_phone,
                        "bound_at": plain(link.activated_at),
                    }
                else:
                    marketing.append({**shared, "username": account.username, "email": account.email,
                                      "bound_at": plain(link.activated_at)})
            return {"shop_id": shop_id, "official": official, "marketing": marketing}

        return self._run(body)

    def profile(self, open_id: str) -> dict[str, Any]:
        """What the account's TikTok profile shows: type, storefronts, sales channels, the shopping bag (E1-E3)."""

        def body(op: _Operation) -> dict[str, Any]:
            account = op.require_account(open_id)
            storefronts = []
            for link in op.repo.holding_links(open_id=open_id):
                if link.state is not LinkState.ACTIVE:
                    continue
                shop = op.require_shop(link.shop_id)
                assert link.activated_at is not None
                visible_at = link.activated_at + op.bag_delay(shop)
                storefronts.append({
                    "shop_id": shop.shop_id,
                    "role": link.role.value,
                    "storefront": _storefront(link.role),
                    "sales_channels": ["video", "live", _storefront(link.role)],
                    "shop_design": link.role is Role.OFFICIAL,
                    "products_synced_automatically": link.role is Role.OFFICIAL,
                    "shopping_bag_visible": shop.status is not ShopStatus.SUSPENDED and op.now >= visible_at,
                    "shopping_bag_visible_from": visible_at.isoformat(),
                })
            return {
                "open_id": account.open_id,
                "username": account.username,
                "nickname": account.nickname,
                "account_type": account.account_type.value,
                "verification": account.verification.value,
                "standing": account.standing.value,
                "storefronts": storefronts,
                "showcase": [i.product_id for i in op.repo.showcase(open_id)],
            }

        return self._run(body)


class _Operation:
    """The state of one unit of work: the repository, the time, and the helpers the flows share."""

    def __init__(self, service: LinkingService, repo: Repository, now: datetime) -> None:
        self.service = service
        self.repo = repo
        self.now = now

    # look-ups that refuse with a clear code when nothing is found
    def require_shop(self, shop_id: str, *, lock: bool = False) -> Shop:
        shop = self.repo.shop(valid_text(shop_id, "shop_id"), lock=lock)
        if shop is None:
            raise Refused.because(codes.SHOP_NOT_FOUND, shop_id=shop_id)
        return shop

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
        wanted = _clean_username(valid_text(username, "username"))
        account = self.repo.account_by_username(wanted)
        if account is None:
            raise Refused.because(codes.ACCOUNT_NOT_FOUND, query=f"@{wanted}")
        return account

    def require_org_account(self, open_id: str) -> Account:
        account = self.require_account(open_id, lock=True)
        if not account.is_organization:
            raise Refused.because(codes.INVALID_INPUT, field="open_id",
                                  problem=f"@{account.username} is not an organization account")
        return account

    def active_member(self, account: Account, contact: str) -> OrgMember | None:
        return next((m for m in self.repo.org_members(account.open_id) if m.contact == contact and m.active), None)

    def require_member(self, account: Account, contact: str) -> OrgMember:
        member = self.active_member(account, contact)
        if member is None:
            raise Refused.because(codes.NOT_AN_ORG_MEMBER, contact=contact, username=account.username)
        return member

    def require_link(self, link_id: str, *, lock: bool = False) -> Link:
        link = self.repo.link(valid_text(link_id, "link_id"), lock=lock)
        if link is None:
            raise Refused.because(codes.LINK_NOT_FOUND, link_id=link_id)
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
        return self.service.markets[shop.market]

    @staticmethod
    def refuse_if(violations: list[Violation]) -> None:
        if violations:
            raise Refused(violations)

    # facts for the rules
    def shop_facts(self, shop: Shop, role: Role) -> rules.ShopFacts:
        return rules.ShopFacts(
            role=role, shop=shop, policy=self.policy(shop), now=self.now,
            shop_links=self.repo.holding_links(shop_id=shop.shop_id),
        )

    def link_facts(self, shop: Shop, account: Account, role: Role) -> rules.LinkFacts:
        return rules.LinkFacts(
            role=role,
            shop=shop,
            policy=self.policy(shop),
            now=self.now,
            shop_links=self.repo.holding_links(shop_id=shop.shop_id),
            seller=self.require_seller(shop.seller_id),
            account=account,
            account_links=self.repo.holding_links(open_id=account.open_id),
            marketing_history=self.repo.marketing_history(account.open_id),
            last_unlinked_at=self.repo.last_unlinked_at(account.open_id),
        )

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
            return self.service._ids(prefix)
        if not wanted.strip() or lookup(wanted) is not None:
            raise Refused.because(codes.INVALID_INPUT, field="id",
                                  problem=f"{wanted!r} is empty or already used; choose another id")
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

    def consent_still_open(self, link: Link) -> Refused | None:
        """None if the link still waits for consent; else the refusal (expiring the link if its time ran out)."""
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
            "storefront": _storefront(link.role),
            "sales_channels": ["video", "live", _storefront(link.role)],
            "shopping_bag_visible_from": visible_at.isoformat(),
            "rule": "E3",
        })

    def sync_name(self, account: Account, shop: Shop, *, at: datetime | None = None) -> None:
        """E2: the official account's nickname becomes the shop name, and its username too where that is free."""
        changes: dict[str, list[str]] = {}
        if account.nickname != shop.name:
            changes["nickname"] = [account.nickname, shop.name]
            account.nickname = shop.name
        wanted = _username_from(shop.name)
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
    def settle(self) -> None:
        """Apply every transition that came due on the clock, in the order they came due, each at its time."""
        due: list[tuple[datetime, str, Callable[[], None]]] = []
        for account in self.repo.accounts_due_for_verification(self.now):
            assert account.verification_due_at is not None
            due.append((account.verification_due_at, account.open_id,
                        lambda account=account: self.settle_verification(account)))
        for link in self.repo.links_due(self.now):
            when = link.review_due_at if link.state is LinkState.PENDING_REVIEW else link.consent_expires_at
            assert when is not None
            due.append((when, link.link_id, lambda link=link: self.settle_link(link)))
        for invitation in self.repo.invitations_due(self.now):
            due.append((invitation.expires_at, invitation.invitation_id, lambda i=invitation: self.close_invitation(
                i, InvitationState.EXPIRED, "invitation.expired", actor="simulator", at=i.expires_at)))
        for affiliate in self.repo.affiliate_invitations_due(self.now):
            due.append((affiliate.expires_at, affiliate.invitation_id, lambda i=affiliate: self.close_invitation(
                i, InvitationState.EXPIRED, "affiliate.expired", actor="simulator",
                subject_type="affiliate_invitation", at=i.expires_at)))
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


def _storefront(role: Role) -> str:
    return "shop_page" if role is Role.OFFICIAL else "showcase"


def _clean_username(username: str) -> str:
    return username.strip().lstrip("@").strip().lower()


USERNAME = re.compile(r"[a-z0-9._]{2,24}")


def valid_text(value: object, field: str) -> str:
    """A non-empty string, stripped; anything else is refused as invalid input, never a crash."""
    if not isinstance(value, str) or not value.strip():
        raise Refused.because(codes.INVALID_INPUT, field=field, problem="give a non-empty text")
    return value.strip()


def valid_username(value: object) -> str:
    username = _clean_username(valid_text(value, "username"))
    if not USERNAME.fullmatch(username):
        raise Refused.because(codes.INVALID_INPUT, field="username",
                              problem="use 2 to 24 letters, digits, dots or underscores")
    return username


def _username_from(shop_name: str) -> str:
    """The username a shop name asks for: lower case, letters, digits, dots and underscores."""
    return re.sub(r"[^a-z0-9._]+", "", shop_name.lower().replace(" ", "_"))[:24]


def _commission_rate(value: Decimal | float | str) -> Decimal:
    """A percentage with two decimals (as stored), above 0 and at most 80."""
    try:
        rate = Decimal(str(value).strip())
        if rate.is_finite():
            rate = rate.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise Refused.because(codes.INVALID_COMMISSION_RATE, rate=value) from None
    if not rate.is_finite() or rate <= 0 or rate > MAX_COMMISSION_RATE:
        raise Refused.because(codes.INVALID_COMMISSION_RATE, rate=value)
    return rate
