"""Engines, transactions and locking for SQLite (the embedded default) and PostgreSQL.

SQLite has no row locks, so every transaction that may write starts with ``BEGIN IMMEDIATE``: it takes the database's
write lock at once. Racing writers, of every process, queue for it on a lock the kernel hands over
(:mod:`auth_server.store.writer_turns`), and on SQLite's busy timeout behind writers that do not take turns, rather
than fail. A read (:meth:`Store.reading`) starts with a plain ``BEGIN`` and takes no write lock: in WAL mode it goes
ahead beside the writer, on what was committed when it began. PostgreSQL takes ``SELECT ... FOR UPDATE`` row locks on
the shop and the account (in that order, so two requests cannot deadlock). On both, the unique partial indexes in
:mod:`auth_server.store.schema` are the last word on the slot invariants.
"""

from __future__ import annotations

import functools
import itertools
import os
import sqlite3
import threading
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import AbstractContextManager
from contextlib import contextmanager
from contextlib import nullcontext
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from auth_server.domain.repository import SlotConflict
from auth_server.domain.repository import TransientConflict
from auth_server.store import schema
from auth_server.store.repository import SqlRepository
from auth_server.store.sqlite_files import existing_file_uri
from auth_server.store.sqlite_files import file_engine
from auth_server.store.writer_turns import WriterTurns

DEFAULT_URL = "sqlite:///linksim.db"
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")
URL_FORMS = ("sqlite:///FILE (a file in this folder), sqlite:////ABSOLUTE/PATH, sqlite:// (in memory), or "
             "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE")
BUSY_TIMEOUT_SECONDS = 60
RESET_ATTEMPTS = 5
READING = "linksim_reading"  # the execution option of a transaction that only reads
WRITER_TURNS = "linksim_writer_turns"  # that of a write transaction, with the turns it takes (writer_turns)

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
_UNDEFINED_TABLE = "42P01"


class StoreError(Exception):
    """The database could not be reached or used; the message says what to check."""


class StoreClosed(StoreError):
    """The database was closed (its sandbox deleted) while a request still held it."""


class Store:
    """A database: its engine, its schema, and its units of work.

    An in-memory database is one connection of an engine that every in-memory store of the process shares:
    SQLAlchemy compiles each statement once per engine, and tests make sandboxes by the hundred. That one
    connection serves every thread, so transactions take turns on it.
    """

    def __init__(self, url: str = DEFAULT_URL, *, echo: bool = False, _shared: tuple[sa.Engine, str] | None = None,
                 existing_file: bool = False) -> None:
        self.url = supported_url(url)
        self.closed = False
        # A sandbox's file: once removed (the sandbox deleted by another process) it is closed, never made again empty.
        self._existing_file = existing_file and self.url.database is not None
        self.schema: str | None = None  # the PostgreSQL schema of a store that shares another's engine
        self._connection: sa.Connection | None = None
        self._turns: AbstractContextManager[Any] = nullcontext()
        self.engine: sa.Engine
        if _shared is not None:
            engine, self.schema = _shared
            self.engine = engine.execution_options(schema_translate_map={None: self.schema})
        elif _is_in_memory(self.url):
            self.engine = _in_memory_engine(echo=echo)
            self._connection = self.engine.connect()
            self._turns = threading.RLock()
        else:
            self.engine = _create_engine(self.url, echo=echo, must_exist=self._existing_file)
        # A SQLite file's writers, in this process and the others, queue here in turn for the database's one write
        # lock, rather than on SQLite's busy handler, which polls with growing sleeps (see writer_turns).
        sqlite_file = self._connection is None and self.url.get_backend_name() == "sqlite"
        self._writers: WriterTurns | None = WriterTurns(str(self.url.database)) if sqlite_file else None
        self._commits = itertools.count(1)
        # Per table, the last of this process's transactions that wrote to it, and the last start over (write_mark).
        self._table_writes: dict[str, int] = {}
        self._started_over = 0
        # This store, and how many transactions that added domain events it committed: while it is the same, the
        # request journal knows no event is new without reading the store.
        self.event_writes: tuple[int, int] = (id(self), 0)
        # The same connections, whose transactions begin without the write lock, and those that begin with it and
        # the writers' turn (see _with_sqlite_settings).
        self._reading_engine = self.engine.execution_options(**{READING: True})
        self._writing_engine = self.engine.execution_options(**{WRITER_TURNS: self._writers}) \
            if self._writers is not None else self.engine
        # One statement needs no transaction of its own: PostgreSQL then spares the round trips of BEGIN and ROLLBACK.
        self._one_statement = (self._reading_engine if self.url.get_backend_name() == "sqlite"
                               else self.engine.execution_options(isolation_level="AUTOCOMMIT"))
        self._direct_reads = _DirectReads(str(self.url.database)) if sqlite_file else None

    @classmethod
    def in_schema(cls, server: Store, schema_name: str) -> Store:
        """A store whose tables are in ``schema_name`` of ``server``'s PostgreSQL database, on ``server``'s engine and
        pool (SQLAlchemy's ``schema_translate_map``): a thousand sandboxes share a few connections. Disposing it
        closes it (later transactions raise :class:`StoreClosed`) and leaves the shared engine open."""
        if server.url.get_backend_name() != "postgresql":
            raise StoreError("only a PostgreSQL database keeps worlds in schemas")
        return cls(server.url.render_as_string(hide_password=False), _shared=(server.engine, schema_name))

    @property
    def _bind(self) -> sa.Engine | sa.Connection:
        return self._connection if self._connection is not None else self.engine

    def create_schema(self) -> None:
        """Make the tables on the store's metadata that are missing: the domain's, and those other layers add to it
        (the OAuth records', once :mod:`auth_server.oauth` is imported; ``simulator.open_store`` sees to that)."""
        try:
            self._ddl(schema.metadata.create_all)
            if self._connection is None and self.schema is None:  # a file or a server, perhaps made by an older linksim
                self._ddl(_add_missing_columns)
                self.add_missing_indexes()  # create_all makes those of new tables only
        except OperationalError as exc:
            raise StoreError(f"cannot open the database {self.url.render_as_string(hide_password=True)}: "
                             f"{exc.orig}") from exc

    def index_names(self) -> set[str]:
        """The names of the indexes the store's tables have."""
        with self.reading() as repo:
            connection = repo.session.connection()
            if connection.dialect.name == "postgresql":
                found = connection.execute(sa.text("SELECT indexname FROM pg_indexes WHERE schemaname = "
                                                   "coalesce(:schema, current_schema())"), {"schema": self.schema})
            else:
                found = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
            return set(found.scalars())

    def add_missing_indexes(self) -> None:
        """Make the indexes of the schema the store lacks, taking the write lock only if it lacks some: a sandbox is
        a copy of its template, and one made by an earlier linksim has that template's indexes only."""
        present = self.index_names()
        missing = [index for table in schema.metadata.sorted_tables for index in table.indexes
                   if index.name not in present]
        if missing:
            def make(bind: sa.Engine | sa.Connection) -> None:
                with bind.begin() if isinstance(bind, sa.Engine) else nullcontext(bind) as connection:
                    for index in missing:
                        connection.execute(sa.schema.CreateIndex(index, if_not_exists=True))

            self._ddl(make)

    def drop_schema(self) -> None:
        self._ddl(schema.metadata.drop_all)

    def _ddl(self, run: Any) -> None:
        with self._turns, self._starting_over():
            run(self._open_bind())
            if self._connection is not None:
                self._connection.commit()

    def reset(self, *, carrying: Callable[[SqlRepository], Callable[[SqlRepository], None]] | None = None) -> None:
        """Drop every table and make them again, in one transaction: other transactions, in this process or another,
        see the tables as they were or as they are made again, never none. ``carrying`` reads, before they go, what
        is to outlive them, and answers what writes it into the new tables. Hold :meth:`exclusive` around it and
        around what is loaded next, when other threads may use an in-memory database meanwhile."""
        for attempt in range(1, RESET_ATTEMPTS + 1):
            try:
                self._reset_once(carrying)
                return
            except OperationalError as exc:
                if not _is_transient(exc) or attempt == RESET_ATTEMPTS:
                    raise
                # a deadlock with another process's transaction, which PostgreSQL ended this one to break

    def _reset_once(self, carrying: Callable[[SqlRepository], Callable[[SqlRepository], None]] | None) -> None:
        with self._turns, self._writers or nullcontext(), self._starting_over():
            bind = self._open_bind()
            with bind.begin() if isinstance(bind, sa.Engine) else nullcontext(bind) as connection:
                if connection.dialect.name == "postgresql":
                    _lock_tables(connection)  # nothing is written between what is carried and the drop
                with Session(connection) as session:
                    put_back = carrying(SqlRepository(session)) if carrying is not None else None
                    schema.metadata.drop_all(connection)
                    schema.metadata.create_all(connection)
                    if put_back is not None:
                        put_back(SqlRepository(session))
                        session.flush()
            if self._connection is not None:
                self._connection.commit()

    @property
    def in_memory(self) -> bool:
        return self._connection is not None

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Keep an in-memory database to this thread for several transactions (a reset and the load after it);
        other threads wait. A database server or file has no such hold: its transactions are its isolation."""
        with self._turns:
            self._open_bind()
            yield

    def write_mark(self, tables: Sequence[str]) -> tuple[int, ...]:
        """What this process last wrote to ``tables``: it changes with every transaction of this process that wrote to
        one of them (through the session: objects, or statements) and every start over (a reset, a restore). Other
        processes' writes to a shared database do not show in it."""
        return (self._started_over, *(self._table_writes.get(table, 0) for table in tables))

    @contextmanager
    def _starting_over(self) -> Iterator[None]:
        try:
            yield
        finally:
            self._started_over = next(self._commits)

    def unit_of_work(self) -> AbstractContextManager[SqlRepository]:
        """A transaction: commits when the block ends, rolls back when it raises."""
        return self._transaction(reading=False)

    def reading(self) -> AbstractContextManager[SqlRepository]:
        """A transaction that only reads: on a SQLite file it takes no write lock, so it never waits for a writer
        (nor makes one wait). Writing in it is a mistake (SQLite would refuse it when another writer holds the
        lock). An in-memory database has one connection, whose transactions take turns anyway."""
        return self._transaction(reading=True)

    def read_row(self, statement: sa.Select[Any]) -> tuple[Any, ...] | None:
        """The first row of one statement whose values are all written in it (no parameters), read as
        :meth:`reading` reads but without an ORM session or a transaction of its own: the cheapest read there is (a
        world's revision, which every request reads). On a SQLite file it goes straight to SQLite, on a connection
        kept for such reads, where a lone SELECT is its own transaction."""
        with self._turns:
            bind = self._open_bind()
            if isinstance(bind, sa.Connection):
                row = bind.execute(statement).first()
                bind.commit()
                return tuple(row) if row is not None else None
            if self._direct_reads is not None:
                try:
                    return self._direct_reads.first(_literal_sql(statement, self.engine.dialect))
                except OperationalError:
                    self._open_bind()  # a file removed meanwhile: StoreClosed
                    raise
            with self._one_statement.connect() as connection:
                row = connection.execute(statement).first()
                return tuple(row) if row is not None else None

    @contextmanager
    def _transaction(self, *, reading: bool) -> Iterator[SqlRepository]:
        taken = self._writers.taken_here() if self._writers is not None else 0
        with self._turns, self._letting_go_of_turns(taken):
            bind = self._open_bind()
            if bind is self.engine:
                bind = self._reading_engine if reading else self._writing_engine
            with Session(bind, expire_on_commit=False, autoflush=True) as session:
                try:
                    repo = SqlRepository(session, reading=reading)
                    yield repo
                    session.commit()
                    if repo.written_tables:
                        commit = next(self._commits)
                        self._table_writes.update(dict.fromkeys(repo.written_tables, commit))
                    if repo.added_events:
                        self.event_writes = (id(self), next(self._commits))
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
                    self._open_bind()  # a sandbox's file removed meanwhile (by another process): StoreClosed
                    raise
                except ProgrammingError as exc:
                    session.rollback()
                    if self.schema is not None and _sqlstate(exc) == _UNDEFINED_TABLE:
                        if self._schema_exists():  # its tables made again (a start over under way): run it again
                            raise TransientConflict(str(exc.orig)) from exc
                        # its schema dropped: the sandbox was deleted (by another process) while this request held it
                        self.closed = True
                        raise StoreClosed(f"the schema {self.schema} was dropped") from exc
                    raise
                except BaseException:
                    session.rollback()
                    raise

    @contextmanager
    def _letting_go_of_turns(self, taken: int) -> Iterator[None]:
        """A write transaction takes its writers' turn where it takes SQLite's write lock, at its first statement
        (see _with_sqlite_settings); it lets go of it when it ends, committed or not."""
        try:
            yield
        finally:
            if self._writers is not None:
                self._writers.let_go_to(taken)

    def _schema_exists(self) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :name"),
                                      {"name": self.schema}).first() is not None

    def _open_bind(self) -> sa.Engine | sa.Connection:
        if self.closed:
            raise StoreClosed("this database was closed")
        if self._existing_file and not os.path.exists(str(self.url.database)):
            self.closed = True
            raise StoreClosed(f"the database file {self.url.database} was removed")
        return self._bind

    def dispose(self) -> None:
        """Close the database; a transaction under way finishes first (an in-memory database is then gone)."""
        with self._turns:
            self.closed = self._connection is not None or self.schema is not None
            if self._direct_reads is not None:
                self._direct_reads.close()
            if self._writers is not None:
                self._writers.close()
            if self._connection is not None:
                self._connection.close()
            elif self.schema is None:  # a schema's store shares its engine with others
                self.engine.dispose()

    def close(self) -> None:
        """Close the database for good: a later transaction raises :class:`StoreClosed` (a deleted sandbox's file
        is not made again, empty, by a request that still held it)."""
        self.dispose()
        self.closed = True

    def copy(self) -> Store:
        """A new in-memory database holding what this one holds: SQLite's online backup, page by page.

        Much faster than writing the same rows again (and hashing the same passwords) through the flows.
        """
        if self._connection is None:
            raise StoreError("only an in-memory SQLite database is copied (it is how sandboxes start)")
        copy = Store("sqlite://")
        with self._turns:
            self._open_bind()
            _backup(self, copy)
        return copy

    def restore(self, snapshot: Store) -> None:
        """Put back what :meth:`copy` took (an in-memory database only): every table, as it was then."""
        with self._turns, self._starting_over():
            self._open_bind()
            _backup(snapshot, self)


def _lock_tables(connection: sa.Connection) -> None:
    inspector = sa.inspect(connection)
    schema_name = connection.get_execution_options().get("schema_translate_map", {}).get(None)
    present = set(inspector.get_table_names(schema=schema_name))
    preparer = connection.dialect.identifier_preparer
    names = [preparer.quote(table.name) if schema_name is None
             else f"{preparer.quote_schema(schema_name)}.{preparer.quote(table.name)}"
             for table in schema.metadata.sorted_tables if table.name in present]
    if names:
        connection.exec_driver_sql(f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE")


class _DirectReads:
    """Connections of a SQLite file for lone SELECTs, each in autocommit (no BEGIN, no ROLLBACK around it), lent one
    at a time: as many as there were reads at once, most recently used first."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def first(self, sql: str) -> tuple[Any, ...] | None:
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = sqlite3.connect(existing_file_uri(self.path), uri=True,
                                         timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
        try:
            row: tuple[Any, ...] | None = connection.execute(sql).fetchone()
        except sqlite3.OperationalError as exc:
            connection.close()
            raise OperationalError(sql, None, exc) from exc
        except BaseException:
            connection.close()
            raise
        with self._lock:
            if self._closed:
                connection.close()
            else:
                self._idle.append(connection)
        return row

    def close(self) -> None:
        with self._lock:
            idle, self._idle, self._closed = self._idle, [], True
        for connection in idle:
            connection.close()


@functools.lru_cache(maxsize=64)
def _literal_sql(statement: sa.Select[Any], dialect: sa.Dialect) -> str:
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _backup(source: Store, target: Store) -> None:
    assert source._connection is not None and target._connection is not None
    source._connection.connection.driver_connection.backup(  # type: ignore[union-attr]
        target._connection.connection.driver_connection)


@functools.cache
def _in_memory_engine(*, echo: bool) -> sa.Engine:
    # NullPool: each connection made is a new, empty in-memory database, closed (and gone) with its store.
    return _with_sqlite_settings(sa.create_engine("sqlite://", echo=echo, poolclass=NullPool, connect_args={
        "check_same_thread": False}), in_memory=True)


def _add_missing_columns(bind: sa.Engine | sa.Connection) -> None:
    """Bring a database made by an older linksim up to the schema: the columns added since are added (a new column is
    nullable or has a default, or the database must start over, which this says); its indexes, by
    :meth:`Store.add_missing_indexes`."""
    with bind.begin() if isinstance(bind, sa.Engine) else nullcontext(bind) as connection:
        inspector = sa.inspect(connection)
        for table in schema.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                if (not column.nullable and column.server_default is None) or column.primary_key:
                    raise StoreError(f"the database was made by an older linksim: its table {table.name} lacks "
                                     f"{column.name}, which cannot be added to it; start over with `linksim init "
                                     "--fresh` (or another --db)")
                definition = sa.schema.CreateColumn(column).compile(dialect=connection.dialect)
                name = connection.dialect.identifier_preparer.quote(table.name)
                connection.exec_driver_sql(f"ALTER TABLE {name} ADD COLUMN {definition}")


def supported_url(url: str) -> sa.URL:
    """``url`` as SQLAlchemy reads it, if linksim can store there: SQLite, or PostgreSQL through psycopg."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        parsed = None
    if parsed is None or (parsed.drivername not in SUPPORTED_DRIVERS):
        shown = url if parsed is None else parsed.render_as_string(hide_password=True)
        raise StoreError(f"linksim cannot store in {shown}: use {URL_FORMS}")
    return parsed


def _create_engine(url: sa.URL, *, echo: bool, must_exist: bool = False) -> sa.Engine:
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, echo=echo, pool_pre_ping=True)
    if url.database:
        folder = os.path.dirname(os.path.abspath(url.database))
        if not os.path.isdir(folder):
            raise StoreError(f"cannot create the database {url.database}: the folder {folder} does not exist")
    engine = file_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                         must_exist=must_exist)
    return _with_sqlite_settings(engine, in_memory=False)


def _with_sqlite_settings(engine: sa.Engine, *, in_memory: bool) -> sa.Engine:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" below decide how transactions start, instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            # A commit is safe from the process's crash once in the log; it is not fsynced one by one (each took
            # milliseconds of every request). Power lost to the machine may lose the last commits: a simulator's trade.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        options = connection.get_execution_options()
        if options.get(READING):
            connection.exec_driver_sql("BEGIN")
            return
        turns = options.get(WRITER_TURNS)
        if turns is not None:
            turns.__enter__()  # let go of when the transaction ends (Store._transaction)
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _is_in_memory(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _sqlstate(exc: sa.exc.DBAPIError) -> str | None:
    found = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return found if isinstance(found, str) else None


def _is_transient(exc: OperationalError) -> bool:
    sqlstate = _sqlstate(exc)
    return sqlstate in _TRANSIENT_SQLSTATES or "database is locked" in str(exc.orig)


def _is_unique_violation(exc: IntegrityError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return sqlstate == "23505" or "UNIQUE constraint failed" in str(exc.orig)


def _invariant_of(exc: IntegrityError) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if isinstance(name, str) and name in _INVARIANTS:
        return name
    text = str(exc.orig)
    if "UNIQUE constraint failed:" in text:
        columns = text.split("UNIQUE constraint failed:", 1)[1].strip()
        return _SQLITE_INVARIANTS.get(columns)
    return next((name for name in _INVARIANTS if f'"{name}"' in text), None)
