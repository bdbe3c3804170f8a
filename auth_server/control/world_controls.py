"""A world's controls row in its own store: the revision that tells processes to reload, and the counters they share.

Every process serving a world caches its clock, market profiles and fault rules. Each change to them bumps the
revision in the transaction that makes it; each request reads the revision (one read by primary key) and reloads
the world's controls only when it changed since the process last looked.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth_server.control.tables import CONTROLS_ROW
from auth_server.control.tables import world_controls
from auth_server.store import Store

ROW = world_controls.c.id == CONTROLS_ROW


@dataclass(frozen=True)
class Counters:
    revision: int
    epoch: int
    fault_ids: int
    journal_seq: int
    journal_epoch: int
    journal_mark: int
    flush_asked: int


def session_of(repo: Any) -> Session:
    """The SQLAlchemy session of a store's unit of work (its repository keeps it)."""
    session: Session = repo.session
    return session


def bump(repo: Any) -> None:
    """Change the revision, in the transaction of the change: every process reloads the world's controls."""
    session = session_of(repo)
    updated = session.execute(world_controls.update().where(ROW).values(revision=world_controls.c.revision + 1))
    if not updated.rowcount:  # type: ignore[attr-defined]
        _add_row(session)


def counters(repo: Any, *, lock: bool = False) -> Counters:
    """The row's values; ``lock``: held until the transaction ends (PostgreSQL; SQLite's writer holds it anyway)."""
    session = session_of(repo)
    query = sa.select(world_controls).where(ROW)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        _add_row(session)
        row = session.execute(query).one()
    return Counters(row.revision, row.epoch, row.fault_ids, row.journal_seq, row.journal_epoch, row.journal_mark,
                    row.flush_asked)


def change(repo: Any, **values: Any) -> None:
    """Set columns of the row (counters: pass ``world_controls.c.name + 1`` and the like)."""
    session_of(repo).execute(world_controls.update().where(ROW).values(**values))


def restore(repo: Any, kept: Counters) -> None:
    """Put back the counters a world had before it started over: one epoch more, and a new revision."""
    change(repo, revision=secrets.randbits(52), epoch=kept.epoch + 1, fault_ids=kept.fault_ids,
           journal_seq=kept.journal_seq, journal_epoch=kept.journal_epoch, journal_mark=kept.journal_mark,
           flush_asked=kept.flush_asked)


def _add_row(session: Session) -> None:
    # A table made empty by hand, or a row lost: start it again (the revision drawn anew, as when it is made).
    session.execute(world_controls.insert().values(id=CONTROLS_ROW, revision=secrets.randbits(52)))


class Revision:
    """Reads a world's revision cheaply: one indexed read, in a transaction that takes no write lock."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._query = sa.select(world_controls.c.revision, world_controls.c.epoch).where(ROW)

    def read(self) -> tuple[int, int]:
        """The world's revision and epoch (how often it started over)."""
        row = self.store.read_row(self._query)  # no session: this read is every request's
        return (row[0], row[1]) if row is not None else (-1, -1)

    def read_in(self, repo: Any) -> tuple[int, int]:
        row = session_of(repo).execute(self._query).one_or_none()
        return (row.revision, row.epoch) if row is not None else (-1, -1)
