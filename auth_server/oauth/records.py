"""The records the authorization server keeps (partner apps, codes, tokens, QR codes), and what its parts share.

:class:`OAuthStore` reads and writes them through a unit of work it is given, each call its own transaction, or
all of a block's calls in one (:meth:`OAuthStore.one_transaction`, a token request's), or in a reading transaction
its caller holds (:meth:`OAuthStore.joining`, user info's);
:class:`ServerParts` is what the grants and the QR code flow use of the server, so that they need not import it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from contextlib import nullcontext
from datetime import datetime
from typing import Any
from typing import Protocol
from typing import TypeVar

from auth_server.config import ServerConfig
from auth_server.domain.clock import Clock
from auth_server.domain.token_digests import token_digest
from auth_server.oauth.models import AuthorizationCode
from auth_server.oauth.models import DeveloperWebhook
from auth_server.oauth.models import LoginQr
from auth_server.oauth.models import PartnerApp
from auth_server.oauth.models import Token

T = TypeVar("T")
Timed = TypeVar("Timed", bound=AuthorizationCode | Token | LoginQr)  # the records that carry ``now``


class OAuthRepository(Protocol):
    """What the authorization server needs of the store's repository: its records by class."""

    def get(self, cls: type[T], key: str, *, lock: bool = False) -> T | None: ...
    def peek(self, cls: type[T], key: str) -> T | None: ...
    def insert(self, obj: object) -> None: ...
    def change_where(self, cls: type[Any], where: dict[str, object], **values: object) -> int: ...
    def first_where(self, cls: type[T], *, lock: bool = False, **equal: object) -> T | None: ...
    def all_where(self, cls: type[T], *, order_by: str, **equal: object) -> list[T]: ...
    def add(self, obj: object) -> None: ...


# One transaction: commits when the block ends, rolls back when it raises.
UnitOfWork = Callable[[], AbstractContextManager[OAuthRepository]]


class OAuthStore:
    """Partner apps, codes, tokens and QR codes in the world's database, each look-up its own transaction.

    Codes and tokens are kept as digests: a look-up takes the string as it was presented, and finds its digest.
    """

    def __init__(self, unit_of_work: UnitOfWork, clock: Clock, *, reading: UnitOfWork | None = None) -> None:
        self._unit_of_work = unit_of_work
        self._reading = reading or unit_of_work  # look-ups take no write lock
        self._clock = clock
        self._held = threading.local()  # the transaction one_transaction() holds in this thread

    @contextmanager
    def one_transaction(self) -> Iterator[OAuthRepository]:
        """Every look-up and write of the block, in this thread, in one transaction (a token request's): it commits
        when the block ends, and rolls back everything when it raises. The block is given the transaction's
        repository, for records of its own. (A block that only looks up joins its caller's read: :meth:`joining`.)"""
        held: OAuthRepository | None = getattr(self._held, "repo", None)
        if held is not None:
            yield held
            return
        with self._transaction() as repo:
            self._held.repo, self._held.reading = repo, False
            try:
                yield repo
            finally:
                self._held.repo = None

    @contextmanager
    def joining(self, repo: OAuthRepository) -> Iterator[None]:
        """Every look-up of the block, in this thread, in the transaction of ``repo``, which only reads and which the
        caller holds (the linking service's): the records read with the caller's own, from one snapshot."""
        held = getattr(self._held, "repo", None), getattr(self._held, "reading", False)
        self._held.repo, self._held.reading = repo, True
        try:
            yield
        finally:
            self._held.repo, self._held.reading = held

    def _transaction(self, *, reading: bool = False) -> AbstractContextManager[OAuthRepository]:
        """The transaction held by :meth:`one_transaction`, or a new one (that takes no write lock if ``reading``)."""
        held: OAuthRepository | None = getattr(self._held, "repo", None)
        if held is not None:
            if self._held.reading and not reading:
                raise RuntimeError("a write in a transaction held for reading")
            return nullcontext(held)
        return (self._reading if reading else self._unit_of_work)()

    def _now(self) -> datetime:
        return self._clock.now()

    def _read(self, find: Callable[[OAuthRepository], Timed | None]) -> Timed | None:
        with self._transaction(reading=True) as repo:
            found = find(repo)
        if found is not None:
            found.now = self._now()
        return found

    def partner_app(self, client_key: str) -> PartnerApp | None:
        with self._transaction(reading=True) as repo:
            return repo.peek(PartnerApp, client_key)

    def code(self, code: str) -> AuthorizationCode | None:
        return self._read(lambda repo: repo.peek(AuthorizationCode, token_digest(code)))

    def save_code(self, code: AuthorizationCode) -> None:
        with self._transaction() as repo:
            repo.add(code)

    def spend_code(self, code: AuthorizationCode, token: Token) -> bool:
        """Mark the code used and keep the token it was exchanged for, in one transaction (a crash cannot leave a
        spent code without its token). False, and nothing changed, when the code was used meanwhile."""
        token.family = token.access_token_digest
        with self._transaction() as repo:
            # One conditional UPDATE: of two exchanges of the code at once, the one that waited finds it spent.
            if not repo.change_where(AuthorizationCode, {"code_digest": code.code_digest, "used_at": None},
                                     used_at=token.issued_at, token_digest=token.access_token_digest):
                return False
            repo.insert(token)
        return True

    def revoke_issued_from(self, code: AuthorizationCode) -> None:
        """A code presented again: the tokens it gave, and their refresh chain, stop working (RFC 6749 4.1.2)."""
        with self._transaction() as repo:
            found = repo.get(AuthorizationCode, code.code_digest)
            family = found.token_digest if found is not None else None
        if family is not None:
            self.revoke_family(family)

    def rotate_refresh(self, old: Token, token: Token) -> bool:
        """Spend ``old``'s refresh token and keep the new token of its chain, in one transaction. False, and nothing
        changed, when the refresh token was spent meanwhile (a racing refresh)."""
        with self._transaction() as repo:
            found = repo.first_where(Token, refresh_token_digest=old.refresh_token_digest, lock=True)
            if found is None:
                return False
            found.now = now = self._now()
            if not found.refresh_usable():
                return False
            found.access_revoked_at = found.access_revoked_at or now
            found.refresh_revoked_at = now
            found.family = token.family = found.family or found.access_token_digest
            repo.insert(token)
        return True

    def revoke_family(self, family: str) -> None:
        """Every token of a refresh chain stops working: a spent refresh token came back (RFC 9700 4.14)."""
        now = self._now()
        with self._transaction() as repo:
            for token in repo.all_where(Token, order_by="issued_at", family=family):
                token.access_revoked_at = token.access_revoked_at or now
                token.refresh_revoked_at = token.refresh_revoked_at or now

    def token(self, access_token: str) -> Token | None:
        return self._read(lambda repo: repo.peek(Token, token_digest(access_token)))

    def token_by_refresh(self, refresh_token: str) -> Token | None:
        return self._read(lambda repo: repo.first_where(Token, refresh_token_digest=token_digest(refresh_token)))

    def save_token(self, token: Token) -> None:
        with self._transaction() as repo:
            repo.insert(token)

    def revoke(self, token: Token, *, refresh: bool) -> None:
        with self._transaction() as repo:
            found = repo.get(Token, token.access_token_digest, lock=True)
            if found is None:
                return
            now = self._now()
            found.access_revoked_at = found.access_revoked_at or now
            if refresh:
                found.refresh_revoked_at = found.refresh_revoked_at or now

    def authorized_apps(self, open_id: str) -> list[PartnerApp]:
        """The apps that hold a token of the user that still works (access or refresh): what "Manage app
        permissions" lists in the app."""
        now = self._now()
        with self._transaction(reading=True) as repo:
            keys: dict[str, None] = {}
            for token in repo.all_where(Token, order_by="issued_at", open_id=open_id):
                token.now = now
                if (not token.is_revoked() and not token.is_expired()) or token.refresh_usable():
                    keys[token.client_key] = None
            return [app for key in keys if (app := repo.get(PartnerApp, key)) is not None]

    def remove_authorization(
        self, client_key: str, open_id: str, then: Callable[[OAuthRepository, DeveloperWebhook | None], object]
    ) -> int:
        """The user removes the app: every token of theirs the app holds is revoked, and ``then`` runs in the same
        transaction with the app's developer webhook (or None), so the notice and the revocation stand or fall
        together. Returns how many tokens were revoked."""
        now = self._now()
        with self._transaction() as repo:
            revoked = 0
            for token in repo.all_where(Token, order_by="issued_at", client_key=client_key, open_id=open_id):
                token.now = now
                if not token.is_revoked() or token.refresh_usable():
                    token.access_revoked_at = token.access_revoked_at or now
                    token.refresh_revoked_at = token.refresh_revoked_at or now
                    revoked += 1
            if revoked:
                then(repo, repo.get(DeveloperWebhook, client_key))
            return revoked

    def login_qr(self, token: str) -> LoginQr | None:
        return self._read(lambda repo: repo.peek(LoginQr, token_digest(token)))

    def save_login_qr(self, qr: LoginQr) -> None:
        with self._transaction() as repo:
            repo.add(qr)

    def change_login_qr(
        self, token: str, change: Callable[[LoginQr], AuthorizationCode | None]
    ) -> LoginQr | None:
        """Run ``change`` on the QR code under its row lock; a code it issues is saved in the same transaction.

        ``change`` may raise to leave the QR code as it was.
        """
        with self._transaction() as repo:
            found = repo.get(LoginQr, token_digest(token), lock=True)
            if found is None:
                return None
            found.now = self._now()
            issued = change(found)
            if issued is not None:
                repo.add(issued)
            return found


class ServerParts(Protocol):
    """What the grants and the QR code flow use of the Login Kit server."""

    oauth_store: OAuthStore
    config: ServerConfig

    def now(self) -> datetime: ...
    def token_record(self, token: dict[str, Any], request: Any) -> Token: ...
