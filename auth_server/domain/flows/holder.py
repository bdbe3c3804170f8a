"""What the account holder does in the app: sign in, rename, identity verification; and per-account settings."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from auth_server.domain import codes
from auth_server.domain import rules
from auth_server.domain.accounts import SESSION_LIFETIME
from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AppFault
from auth_server.domain.accounts import AppSession
from auth_server.domain.accounts import Standing
from auth_server.domain.accounts import Verification
from auth_server.domain.accounts import VerificationOutcome
from auth_server.domain.errors import Refused
from auth_server.domain.events import Event
from auth_server.domain.events import plain
from auth_server.domain.flows.base import FlowBase
from auth_server.domain.inputs import clean_username
from auth_server.domain.inputs import valid_text
from auth_server.domain.inputs import valid_username
from auth_server.domain.links import LinkState
from auth_server.domain.operation import Operation
from auth_server.domain.sign_in_guesses import count_right_password
from auth_server.domain.sign_in_guesses import count_wrong_password


def _rename_from(op: Operation, username: str) -> Event | None:
    """The latest rename that took ``username`` away from an account (by rule E2, or by its holder)."""
    renames = [event for event in op.repo.events(subject_type="account")
               if event.kind == "account.renamed" and event.changes.get("username", [None])[0] == username]
    return renames[-1] if renames else None


def _why_renamed(op: Operation, rename: Event) -> str:
    if rename.data.get("reason") != "name_sync":
        return ""
    shop = op.repo.shop(str(rename.data.get("shop_id")))
    return f" (rule E2: the official account of {shop.name if shop is not None else 'a shop'} is named after the shop)"


def _password_sign_in(op: Operation, username: str, password: str) -> Account | Refused:
    named = clean_username(valid_text(username, "username"))
    given = valid_text(password, "password")
    found = op.repo.account_by_username(named)
    rename = None if found is not None else _rename_from(op, named)
    open_id = found.open_id if found is not None else rename.subject_id if rename is not None else None
    if open_id is None:
        return Refused.because(codes.INVALID_CREDENTIALS)
    account = op.require_account(open_id, lock=True)
    locked = rules.password_sign_in_is_open(account, op.now)
    if locked is not None:
        return Refused(locked)
    if not account.check_password(given):
        if count_wrong_password(account, op.now):
            op.record("app", "account.sign_in_locked", "account", account.open_id,
                      data={"until": plain(account.sign_in_locked_until)})
        return Refused.because(codes.INVALID_CREDENTIALS)
    count_right_password(account)
    if rename is not None:
        # The holder's right password under a name the account no longer has: say what it is called now.
        return Refused.because(codes.ACCOUNT_RENAMED, username=named, current=account.username,
                               because=_why_renamed(op, rename))
    op.record("app", "account.signed_in", "account", account.open_id, data={"method": "password"})
    return account


def _new_session(op: Operation, open_id: str, method: str) -> AppSession:
    session = AppSession(session_id=secrets.token_urlsafe(18), open_id=open_id, method=method,
                         started_at=op.now, expires_at=op.now + SESSION_LIFETIME)
    op.repo.add(session)
    return session


def with_session(op: Operation, signed_in: Account | Refused, method: str) -> tuple[Account, AppSession] | Refused:
    """The account a sign-in answered and a session of its own, started in the sign-in's operation; or the sign-in's
    refusal, returned so that what it counted commits."""
    return signed_in if isinstance(signed_in, Refused) else (signed_in, _new_session(op, signed_in.open_id, method))


class HolderFlows(FlowBase):
    """The account holder in the app, and the per-account settings a scenario controls."""

    def sign_in(self, username: str, password: str) -> Account:
        """A password sign-in; wrong guesses are counted and kept (a refusal is returned, not raised, so that its
        count commits), and too many lock the account's password sign-in for a while (sign_in_guesses)."""
        return self._run(lambda op: _password_sign_in(op, username, password))

    def password_session(self, username: str, password: str) -> tuple[Account, AppSession]:
        """:meth:`sign_in` and its session (:meth:`start_session`), in one operation: the app's sign-in."""
        return self._run(lambda op: with_session(op, _password_sign_in(op, username, password), "password"))

    def start_session(self, open_id: str, method: str) -> AppSession:
        """A sign-in's session: the app's token or the browser's cookie names it, until sign-out or its lifetime."""
        return self._run(lambda op: _new_session(op, open_id, method))

    def signed_in_account(self, session_id: str) -> Account | None:
        """The account a session is signed in to, while the session has not ended (signed out, expired, or gone with
        its world) and the account is there (not gone with a reset): the two read together, in one view."""

        def body(op: Operation) -> Account | None:
            found = op.repo.app_session(session_id) if session_id else None
            return op.repo.account(found.open_id) if found is not None and found.active(op.now) else None

        return self._view(body)

    def end_session(self, session_id: str) -> None:
        """Sign-out: the session's token or cookie stops working, wherever it is kept."""

        def body(op: Operation) -> None:
            found = op.repo.app_session(session_id, lock=True) if session_id else None
            if found is not None and found.ended_at is None:
                found.ended_at = op.now

        self._transaction(body)

    def rename_account(
        self, open_id: str, *, nickname: str | None = None, username: str | None = None, actor: str = "app"
    ) -> Account:
        """The holder renames the account in the app; an official account's name is locked (E2)."""

        def body(op: Operation) -> Account:
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

        def body(op: Operation) -> Account:
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

        def body(op: Operation) -> Account:
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

        return self._run(lambda op: op.change_account(open_id, "app_fault", fault, actor))

    def set_standing(self, open_id: str, standing: Standing, *, actor: str = "simulator") -> Account:
        """Restrict an account for violations, or restore its good standing (O7)."""
        return self._run(lambda op: op.change_account(open_id, "standing", standing, actor))
