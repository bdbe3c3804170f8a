"""The plumbing of the linking service: transactions, retries, settling first."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

from auth_server.domain import codes
from auth_server.domain.clock import Clock
from auth_server.domain.errors import Refused
from auth_server.domain.operation import Operation
from auth_server.domain.partner_access import SellerAuthorizedApp
from auth_server.domain.partner_access import no_authorizations
from auth_server.domain.policies import Markets
from auth_server.domain.repository import SlotConflict
from auth_server.domain.repository import TransientConflict
from auth_server.domain.repository import UnitOfWork

# Which refusal a unique index stands for, when the database still catches a race after every retry.
_CONFLICT_CODES = {
    "one_official_per_shop": codes.OFFICIAL_SLOT_TAKEN,
    "one_official_shop_per_account": codes.ACCOUNT_LINKED_ELSEWHERE,
    "one_role_per_shop": codes.SAME_ACCOUNT_BOTH_ROLES,
    "marketing_slot": codes.MARKETING_SLOTS_FULL,
}

TRANSIENT_RETRIES = 5

T = TypeVar("T")


class _Due:
    """A view's answer when something came due on the clock: settle it first, then read."""


_DUE = _Due()


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


def new_passcode() -> str:
    return f"{secrets.randbelow(10**6):06d}"


class FlowBase:
    """What every flow shares: the unit of work, the clock, the markets, the sellers' authorizations of partner
    apps, and how an operation runs."""

    def __init__(
        self,
        unit_of_work: UnitOfWork,
        clock: Clock,
        markets: Markets,
        *,
        ids: Callable[[str], str] = new_id,
        passcodes: Callable[[], str] = new_passcode,
        seller_authorized_app: SellerAuthorizedApp = no_authorizations,
        reading: UnitOfWork | None = None,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.reading = reading or unit_of_work  # a transaction that only reads (the store's takes no write lock)
        self.clock = clock
        self.markets = markets
        self.seller_authorized_app = seller_authorized_app  # whom a partner app acts for (partner_access)
        self.ids = ids  # makes up ids: "lnk" -> "lnk_3f9a..."; a scenario can make them predictable
        self.passcodes = passcodes

    def _transaction(self, body: Callable[[Operation], T], *, reading: bool = False) -> T:
        """Run ``body`` in one transaction, again (up to a limit) when it collides with another one; ``reading``: a
        body that only reads, in a transaction that takes no write lock.

        A collision is a deadlock or a write that a unique index refused because a concurrent
        transaction got there first: nothing was written, so the whole body runs again from a fresh
        read, and then sees the winner and answers as the rules say.
        """
        for attempt in range(1, TRANSIENT_RETRIES + 1):
            try:
                with (self.reading if reading else self.unit_of_work)() as repo:
                    return body(Operation(repo, self.clock.now(), markets=self.markets, ids=self.ids,
                                          seller_authorized_app=self.seller_authorized_app))
            except (TransientConflict, SlotConflict) as collision:
                if attempt < TRANSIENT_RETRIES:
                    continue
                if isinstance(collision, SlotConflict):
                    raise Refused.because(_CONFLICT_CODES[collision.invariant]) from collision
                raise
        raise AssertionError("unreachable")

    def _run(self, body: Callable[[Operation], T | Refused]) -> T:
        """Settle what came due on the clock, then run ``body`` as one operation.

        The operation's transaction first asks whether anything came due: most often nothing did, and the operation
        is that one transaction. A refusal that ``body`` *returns* is raised after the commit: the flow's ending is
        kept, and the caller is told why.
        """
        return self._once_settled(body, reading=False)

    def _view(self, body: Callable[[Operation], T | Refused]) -> T:
        """Run ``body``, which only reads, in a transaction that takes no write lock, once what came due on the clock
        is settled. The transaction that finds nothing due runs ``body`` too: a read is one transaction."""
        return self._once_settled(body, reading=True)

    def _once_settled(self, body: Callable[[Operation], T | Refused], *, reading: bool) -> T:
        """``body`` in a transaction that finds nothing due on the clock. When something came due, settling runs in a
        transaction of its own, so that its locks never interleave with the operation's (link, then shop, then
        account), and ``body`` in a new one after it."""
        def unless_due(op: Operation) -> T | Refused | _Due:
            return _DUE if op.anything_due() else body(op)

        result = self._transaction(unless_due, reading=reading)
        if isinstance(result, _Due):
            self._transaction(lambda op: op.settle())
            result = self._transaction(body, reading=reading)
        if isinstance(result, Refused):
            raise result
        return result

    def _settle_due(self) -> None:
        """Settle what came due on the clock; the write lock is taken only when something did."""
        if self._transaction(lambda op: op.anything_due(), reading=True):
            self._transaction(lambda op: op.settle())
