"""The seller links an official account: QR code (O9) or Seller-app toggles (O10), terms, review."""

from __future__ import annotations

from auth_server.domain import codes
from auth_server.domain import rules
from auth_server.domain.accounts import AppFault
from auth_server.domain.errors import Refused
from auth_server.domain.errors import Violation
from auth_server.domain.flows.base import FlowBase
from auth_server.domain.links import Channel
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.domain.operation import Operation
from auth_server.domain.shops import Shop


class OfficialFlows(FlowBase):
    """Official accounts by QR code or Seller-app toggles, up to the review."""

    def start_official_link(self, shop_id: str, *, link_id: str | None = None, actor: str = "seller") -> Link:
        """Seller Center shows a QR code (O9): a link waits for whoever scans it and taps Authorize.

        ``link_id`` names the link (scripts that want stable ids); by default one is made up.
        """

        def body(op: Operation) -> Link:
            shop = op.require_shop(shop_id, lock=True, actor=actor)
            op.refuse_if(rules.check_shop(op.shop_facts(shop, Role.OFFICIAL)))
            return op.new_link(shop, Role.OFFICIAL, Channel.QR, actor=actor, link_id=link_id)

        return self._run(body)

    def request_app_consent(
        self, shop_id: str, username: str, *, agreed: bool = True, link_id: str | None = None, actor: str = "seller"
    ) -> Link:
        """Seller app (O10): the seller names the account and ticks the agreement; the request goes to the app."""

        def body(op: Operation) -> Link:
            if not agreed:
                raise Refused.because(codes.TERMS_NOT_ACCEPTED)
            shop = op.require_shop(shop_id, lock=True, actor=actor)
            account = op.require_account_by_username(username)
            op.refuse_if(rules.check_shop(op.shop_facts(shop, Role.OFFICIAL)))
            link = op.new_link(shop, Role.OFFICIAL, Channel.APP_TOGGLE, actor=actor, link_id=link_id)
            link.expected_open_id = account.open_id
            link.terms_accepted_at = op.now
            return link

        return self._run(body)

    def scan(self, link_id: str, open_id: str) -> Link:
        """The holder scans the QR code while logged in as ``open_id``; the app shows the consent screen."""
        return self._run(lambda op: _scanned(op, link_id, open_id))

    def scan_for_consent(self, link_id: str, open_id: str) -> tuple[Link, Shop]:
        """:meth:`scan`, answering the shop the consent screen names too, in the same operation."""

        def body(op: Operation) -> tuple[Link, Shop] | Refused:
            link = _scanned(op, link_id, open_id)
            return link if isinstance(link, Refused) else (link, op.require_shop(link.shop_id))

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

        def body(op: Operation) -> Link | Refused:
            link = op.require_link(link_id, lock=True)
            refusal = op.refusal_if_consent_closed(link)
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
        """The seller agrees to the terms and clicks "Link This Account" (or "Link"); the review starts.

        A partner app (``actor``) accepts only the terms of a link it started.
        """

        def body(op: Operation) -> Link | Refused:
            link = op.require_link(link_id, lock=True, actor=actor)
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
        """Decide a review by hand (manual review mode, or to force an outcome in a scenario); a partner app
        (``actor``) decides only the review of a link it started."""

        def body(op: Operation) -> Link | Refused:
            link = op.require_link(link_id, lock=True, actor=actor)
            if link.state is not LinkState.PENDING_REVIEW:
                raise Refused.because(codes.LINK_NOT_AWAITING, state=link.state.value, action="be reviewed")
            if approve:
                op.activate(link, actor)
            else:
                op.end_link(link, LinkState.REFUSED, actor, [Violation.of(codes.REVIEW_REJECTED)])
            return link

        return self._run(body)


def _scanned(op: Operation, link_id: str, open_id: str) -> Link | Refused:
    """The link once ``open_id`` scanned its QR code; the refusal to return (the link may have expired) when its
    consent is closed."""
    link = op.require_link(link_id, lock=True)
    refusal = op.refusal_if_consent_closed(link)
    if refusal is not None:
        return refusal
    account = op.require_account(open_id)
    if account.app_fault is AppFault.QR_UNREADABLE:
        raise Refused.because(codes.QR_UNREADABLE)
    if link.scanned_at is None:
        link.scanned_at = op.now
        op.record("app", "link.scanned", "link", link.link_id, data={"open_id": open_id})
    return link
