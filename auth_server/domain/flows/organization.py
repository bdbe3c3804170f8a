"""Organization accounts (O8): created from Seller Center, members, one-time passcodes."""

from __future__ import annotations

from collections.abc import Sequence

from auth_server.domain import codes
from auth_server.domain import rules
from auth_server.domain.accounts import PASSCODE_ATTEMPTS
from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AccountType
from auth_server.domain.accounts import AppSession
from auth_server.domain.accounts import OrgMember
from auth_server.domain.accounts import Passcode
from auth_server.domain.accounts import Verification
from auth_server.domain.accounts import hash_secret
from auth_server.domain.accounts import secret_matches
from auth_server.domain.errors import Refused
from auth_server.domain.flows.base import FlowBase
from auth_server.domain.flows.holder import with_session
from auth_server.domain.inputs import valid_text
from auth_server.domain.inputs import valid_username
from auth_server.domain.links import Channel
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.domain.operation import Operation
from auth_server.domain.shops import Shop


class OrganizationFlows(FlowBase):
    """Organization accounts, their members and their one-time passcodes."""

    def create_organization_account(
        self,
        shop_id: str,
        *,
        username: str,
        nickname: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        members: Sequence[str] = (),
        actor: str = "seller",
    ) -> Link:
        """Create an organization account for the seller's entity and link it as the official account (O8)."""

        def body(op: Operation) -> Link:
            wanted = valid_username(username)
            shop = op.require_shop(shop_id, lock=True, actor=actor)
            contacts = [valid_text(member, "members") for member in members]
            if op.repo.account_by_username(wanted) is not None:
                raise Refused.because(codes.ORG_CONVERSION_NOT_SUPPORTED, username=wanted)
            seller = op.require_seller(shop.seller_id)
            account = Account(
                open_id=self.ids("org"),
                username=wanted,
                nickname=valid_text(nickname, "nickname") if nickname is not None else shop.name,
                region=shop.region,
                email=valid_text(email, "email") if email is not None else None,
                phone=valid_text(phone, "phone", max_length=40) if phone is not None else None,
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
            for contact in dict.fromkeys([c for c in (account.email, account.phone, *contacts) if c]):
                op.add_member(account, contact, actor)
            return self._link_directly(op, shop, account, actor)

        return self._run(body)

    def link_organization_account(self, shop_id: str, open_id: str, *, actor: str = "seller") -> Link:
        """Link an existing organization account to a shop as its official account, with no QR code."""

        def body(op: Operation) -> Link:
            shop = op.require_shop(shop_id, lock=True, actor=actor)
            account = op.require_account(open_id, lock=True)
            if not account.is_organization:
                raise Refused.because(
                    codes.INVALID_INPUT,
                    field="open_id",
                    problem=f"@{account.username} is not an organization account; link it by QR code",
                )
            op.refuse_if(rules.check_link(op.link_facts(shop, account, Role.OFFICIAL)))
            return self._link_directly(op, shop, account, actor)

        return self._run(body)

    @staticmethod
    def _link_directly(op: Operation, shop: Shop, account: Account, actor: str) -> Link:
        """An organization account needs no QR code: the seller's creation or choice is its consent and terms."""
        link = op.new_link(shop, Role.OFFICIAL, Channel.ORGANIZATION, actor=actor, open_id=account.open_id)
        link.state = LinkState.CONSENTED
        link.consented_at = link.terms_accepted_at = op.now
        op.start_review(link, shop, actor)
        return link

    def remove_org_member(self, open_id: str, contact: str, *, actor: str = "seller") -> OrgMember:
        """The member can no longer sign in by passcode (``not_an_org_member``); the company keeps the account."""

        def body(op: Operation) -> OrgMember:
            member = op.require_member(op.require_org_account(open_id, actor=actor), contact)
            member.removed_at = op.now
            op.record(actor, "org.member_removed", "account", open_id, data={"contact": contact})
            return member

        return self._run(body)

    def request_passcode(self, username: str, contact: str) -> str:
        """Send a one-time passcode to a member of an organization account ("get OTP"); returns the code.

        A real TikTok sends the code by email or text message; the simulator hands it over.
        """

        def body(op: Operation) -> str:
            account = op.require_account_by_username(username)
            if not account.is_organization:
                raise Refused.because(codes.INVALID_CREDENTIALS)
            op.require_member(account, contact)
            code = self.passcodes()
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
        """A member's one-time passcode; wrong codes are counted on it (a returned refusal commits the count), and
        too many spend it (PASSCODE_ATTEMPTS)."""
        return self._run(lambda op: _passcode_sign_in(op, username, contact, code))

    def passcode_session(self, username: str, contact: str, code: str) -> tuple[Account, AppSession]:
        """:meth:`sign_in_with_passcode` and its session, in one operation: the app's sign-in."""
        return self._run(lambda op: with_session(op, _passcode_sign_in(op, username, contact, code), "passcode"))


def _passcode_sign_in(op: Operation, username: str, contact: str, code: str) -> Account | Refused:
    account = op.require_account_by_username(username)
    if not account.is_organization:
        raise Refused.because(codes.INVALID_CREDENTIALS)
    member = op.require_member(account, contact)
    passcode = op.repo.latest_passcode(account.open_id, member.contact)
    given = valid_text(code, "passcode")
    if passcode is not None and passcode.used_at is None and passcode.attempts >= PASSCODE_ATTEMPTS:
        return Refused.because(codes.PASSCODE_ATTEMPTS_USED)
    if passcode is None or passcode.used_at is not None:
        raise Refused.because(codes.INVALID_CREDENTIALS)
    if not secret_matches(given, passcode.code_hash):
        passcode.attempts += 1
        spent = passcode.attempts >= PASSCODE_ATTEMPTS
        return Refused.because(codes.PASSCODE_ATTEMPTS_USED if spent else codes.INVALID_CREDENTIALS)
    if op.now >= passcode.expires_at:
        raise Refused.because(codes.PASSCODE_EXPIRED)
    passcode.used_at = op.now
    op.record("app", "account.signed_in", "account", account.open_id, data={"method": "passcode", "contact": contact})
    return account
