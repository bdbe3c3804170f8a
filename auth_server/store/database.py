"""Engines, transactions and locking for SQLite (the embedded default) and PostgreSQL.

SQLite has no row locks, so every transaction starts with ``BEGIN IMMEDIATE``: it
takes the database's write lock at once, and racing writers queue on the busy
timeout instead of failing. PostgreSQL takes ``SELECT ... FOR UPDATE`` row locks
on the shop and the account (in that order, so two requests cannot deadlock).
On both, the unique partial indexes in :mod:`auth_server.store.schema` are the
last word on the slot invariants.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from contextlib import nullcontext
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from auth_server.domain.repository import SlotConflict
from auth_server.domain.repository import TransientConflict
from auth_server.store import schema
from auth_server.store.repository import SqlRepository

DEFAULT_URL = "sqlite:///linksim.db"
BUSY_TIMEOUT_SECONDS = 60

# SQLite names a unique index's columns, not the index, in its error message.
_SQLITE_INVARIANTS = {
    "links.shop_id, links.open_id": "one_role_per_shop",
    "links.shop_id, links.marketing_slot": "marketing_slot",
    "links.shop_id": "one_official_per_shop",
    "links.open_id": "one_official_shop_per_account",
}
_INVARIANTS = ("one_official_per_shop", "one_official_shop_per_account", "one_role_per_shop", "marketing_slot")
# PostgreSQL's deadlock_detected and serialization_failure: the transaction can simply be run again.
_TRANSIENT_SQLSTATES = {"40P01", "40001"}


class StoreError(Exception):
    """The database could not be reached or used; the message says what to check."""


class Store:
    """A database: its engine, its schema, and its units of work."""

    def __init__(self, url: str = DEFAULT_URL, *, echo: bool = False) -> None:
        self.url = sa.make_url(url)
        self.engine = _create_engine(self.url, echo=echo)
        # An in-memory database is one connection shared by every thread: transactions must take turns on it.
        self._turns: AbstractContextManager[Any] = threading.RLock() if _is_in_memory(self.url) else nullcontext()

    def create_schema(self) -> None:
        try:
            schema.metadata.create_all(self.engine)
        except OperationalError as exc:
            raise StoreError(f"cannot open the database {self.url.render_as_string(hide_password=True)}: "
                             f"{exc.orig}") from exc

    def drop_schema(self) -> None:
        schema.metadata.drop_all(self.engine)

    def reset(self) -> None:
        self.drop_schema()
        self.create_schema()

    @contextmanager
    def unit_of_work(self) -> Iterator[SqlRepository]:
        """A transaction: commits when the block ends, rolls back when it raises."""
        with self._turns, Session(self.engine, expire_on_commit=False, autoflush=True) as session:
            try:
                yield SqlRepository(session)
                session.commit()
            except IntegrityError as exc:
                session.rollback()
                invariant = _invariant_of(exc)
                if invariant is not None:
                    raise SlotConflict(invariant) from exc
                if _is_unique_violation(exc):
                    # Another transaction wrote the same key first (a username, a showcase entry): run the
                    # operation again, and its own checks will see that row and answer as they should.
                    raise TransientConflict(str(exc.orig)) from exc
                raise
            except OperationalError as exc:
                session.rollback()
                if _is_transient(exc):
                    raise TransientConflict(str(exc.orig)) from exc
                raise
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def _create_engine(url: sa.URL, *, echo: bool) -> sa.Engine:
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, echo=echo, pool_pre_ping=True)
    in_memory = _is_in_memory(url)
    kwargs: dict[str, Any] = {"connect_args": {"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}}
    if in_memory:
        kwargs["poolclass"] = StaticPool  # one shared connection, or each would see its own empty database
    elif url.database:
        folder = os.path.dirname(os.path.abspath(url.database))
        if not os.path.isdir(folder):
            raise StoreError(f"cannot create the database {url.database}: the folder {folder} does not exist")
    engine = sa.create_engine(url, echo=echo, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" below decide how transactions start, instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _is_in_memory(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _is_transient(exc: OperationalError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return sqlstate in _TRANSIENT_SQLSTATES or "database is locked" in str(exc.orig)


def _is_unique_violation(exc: IntegrityError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return sqlstate == "23505" or "UNIQUE constraint failed" in str(exc.orig)


def _invariant_of(exc: IntegrityError) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name in _INVARIANTS:
        return name
    text = str(exc.orig)
    if "UNIQUE constraint failed:" in text:
        columns = text.split("UNIQUE constraint failed:", 1)[1].strip()
        return _SQLITE_INVARIANTS.get(columns)
    return next((name for name in _INVARIANTS if f'"{name}"' in text), None)
