"""Where the sandboxes of a stored server live: SQLite files beside the main file, or schemas of its PostgreSQL
database; and the registry, a table of the main store naming them, so that every process finds every sandbox.

A sandbox starts as a copy of a template: a data set loaded once (through the flows, which is slow) and kept
under a name made from the data, so every process that needs the same data copies the same template. A template
appears whole or not at all: it is made under a temporary name, then renamed. On PostgreSQL, making a schema and
its tables takes hundreds of milliseconds, so empty schemas are made ahead by a background thread; a new sandbox
claims one and copies its template's rows into it, in the one transaction that registers it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sqlite3
import threading
import time
import weakref
from abc import ABC
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth_server.store import schema
from auth_server.store.database import Store
from auth_server.store.database import StoreError
from auth_server.store.writer_turns import SUFFIX as WRITERS_SUFFIX

# The registry is on a metadata of its own: resetting the main world (which drops and makes its tables again)
# leaves its sandboxes, which are worlds of their own, where they are.
registry_metadata = sa.MetaData()

sandboxes = sa.Table(
    "linksim_sandboxes", registry_metadata,
    sa.Column("sandbox_id", sa.String(64), primary_key=True),
    sa.Column("location", sa.String(200), nullable=False),  # its file's name in the folder, or its schema
    sa.Column("data_key", sa.String(64), nullable=False),  # the template it started as
    sa.Column("created_at", schema.UTCDateTime, nullable=False),
)

spare_schemas = sa.Table(  # PostgreSQL only: copies of templates made ahead, for new sandboxes to claim
    "linksim_spare_schemas", registry_metadata,
    sa.Column("schema_name", sa.String(63), primary_key=True),
    sa.Column("template", sa.String(63), nullable=False),
    sa.Column("made_at", sa.Float, nullable=False),
)

SPARE_SCHEMAS = 4  # copies kept ready of a template; a burst beyond them makes its schemas while it waits
SPARE_TEMPLATES = 3  # the templates a process keeps copies of: those of its last sandboxes
DRAFT_PREFIX = "lstmp_"  # a template's schema while it is filled
ORPHAN_AGE_SECONDS = 300  # a file or draft nothing names, older than this, is a crash's leftover (not one being made)
_SCHEMA_LOCK = 0x6C6B73696D  # the advisory lock that makes creating sandboxes (and counting them) one at a time


class SandboxTaken(Exception):
    """A sandbox of that id exists already."""


class SandboxLimit(Exception):
    """The registry holds as many sandboxes as the server allows."""


@dataclass(frozen=True)
class Registered:
    """A sandbox as the registry names it."""

    sandbox_id: str
    location: str
    data_key: str
    created_at: datetime


def schema_fingerprint() -> str:
    """What the tables and their indexes are, in a few characters: a template made by a linksim with other tables or
    indexes is not copied (a copy is opened as it is, and a missing index makes every look-up of its table read it
    whole)."""
    shape = ";".join(f"{table.name}:{','.join(column.name for column in table.columns)}"
                     f":{','.join(sorted(str(index.name) for index in table.indexes))}"
                     for table in schema.metadata.sorted_tables)
    return hashlib.sha256(shape.encode()).hexdigest()[:12]


def template_name(key: str) -> str:
    """A template's name, from the key of its data (the data's JSON and start) and the tables' shape."""
    return hashlib.sha256(f"{schema_fingerprint()}\n{key}".encode()).hexdigest()[:32]


class SandboxStorage(ABC):
    """The sandboxes of the main store ``main`` (a SQLite file or a PostgreSQL database), and their registry there."""

    def __init__(self, main: Store) -> None:
        self.main = main
        registry_metadata.create_all(main.engine)
        self._templates: set[str] = set()  # those known to exist, so they are not looked for again

    @staticmethod
    def chosen_for(main: Store) -> SandboxStorage | None:
        """The storage a store's sandboxes take: files beside a SQLite file, schemas of a PostgreSQL database;
        None for an in-memory store, whose sandboxes are in memory too."""
        if main.in_memory:
            return None
        if main.url.get_backend_name() == "postgresql":
            return SchemaSandboxes(main)
        return FileSandboxes(main)

    # --- the registry --------------------------------------------------------------------------------------------

    def find(self, sandbox_id: str) -> Registered | None:
        with self.main.reading() as repo:
            row = repo.session.execute(sa.select(sandboxes).where(sandboxes.c.sandbox_id == sandbox_id)).first()
        return Registered(*row) if row is not None else None

    def registered(self) -> list[Registered]:
        with self.main.reading() as repo:
            rows = repo.session.execute(sa.select(sandboxes).order_by(sandboxes.c.created_at,
                                                                      sandboxes.c.sandbox_id)).all()
        return [Registered(*row) for row in rows]

    @staticmethod
    def _register(session: Session, registered: Registered, limit: int) -> None:
        if session.execute(sa.select(sandboxes.c.sandbox_id).where(
                sandboxes.c.sandbox_id == registered.sandbox_id)).first() is not None:
            raise SandboxTaken(registered.sandbox_id)
        if (session.scalar(sa.select(sa.func.count()).select_from(sandboxes)) or 0) >= limit:
            raise SandboxLimit(limit)
        session.execute(sandboxes.insert().values(sandbox_id=registered.sandbox_id, location=registered.location,
                                                  data_key=registered.data_key, created_at=registered.created_at))

    @staticmethod
    def _unregister(session: Session, sandbox_id: str) -> Registered | None:
        row = session.execute(sa.delete(sandboxes).where(sandboxes.c.sandbox_id == sandbox_id).returning(
            *sandboxes.c)).first()
        return Registered(*row) if row is not None else None

    # --- what each storage does ----------------------------------------------------------------------------------

    @abstractmethod
    def template(self, key: str, fill: Callable[[Store], None]) -> str:
        """The template named ``key`` (see :func:`template_name`), made by ``fill`` on an empty store if there is
        none yet (here or in another process); ``fill`` raising leaves none behind."""

    @abstractmethod
    def create(self, sandbox_id: str, template: str, *, created_at: datetime, limit: int,
               settings: dict[str, Any]) -> tuple[Registered, Store]:
        """A new sandbox as a copy of ``template`` with ``settings`` written in, registered; its row and store. Raises
        :class:`SandboxTaken` or :class:`SandboxLimit`, and then leaves nothing behind."""

    @abstractmethod
    def open(self, registered: Registered) -> Store:
        """The store of a registered sandbox."""

    @abstractmethod
    def delete(self, sandbox_id: str) -> Registered | None:
        """Unregister the sandbox and remove its data; None if there was none of that id."""

    @abstractmethod
    def sweep(self) -> None:
        """Remove what a crash left behind: data no registry row names, rows whose data is gone."""

    def delete_all(self) -> None:
        for registered in self.registered():
            self.delete(registered.sandbox_id)

    def close(self) -> None:
        """Stop what runs in the background, and forget the templates seen."""
        self._templates.clear()


# --- SQLite files ------------------------------------------------------------------------------------------------


class FileSandboxes(SandboxStorage):
    """Each sandbox a SQLite file (WAL) in the folder ``<main file>.sandboxes/``, copied from a template file."""

    def __init__(self, main: Store) -> None:
        super().__init__(main)
        assert main.url.database
        self.folder = Path(os.path.abspath(main.url.database + ".sandboxes"))

    def template(self, key: str, fill: Callable[[Store], None]) -> str:
        name = f"template-{template_name(key)}.db"
        if name in self._templates or (self.folder / name).exists():
            self._templates.add(name)
            return name
        self.folder.mkdir(exist_ok=True)
        draft = self.folder / f".{name}.{secrets.token_hex(4)}"
        try:
            store = Store(_url(draft))
            try:
                store.create_schema()
                fill(store)
            finally:
                store.dispose()
            # One file, its log written back into it, so that a copy of it is the whole database. It stays in WAL
            # mode: a copy opened in WAL mode then takes no sync to switch (milliseconds, on every sandbox made).
            connection = sqlite3.connect(draft)
            try:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                connection.close()
            os.replace(draft, self.folder / name)  # whole or not at all, whatever other processes do meanwhile
        finally:
            remove_database(draft)
        self._templates.add(name)
        return name

    def create(self, sandbox_id: str, template: str, *, created_at: datetime, limit: int,
               settings: dict[str, Any]) -> tuple[Registered, Store]:
        # Its own name, whatever the id: two processes making the same id at once never write the same file.
        location = f"{sandbox_id}.{secrets.token_hex(4)}.db"
        path = self.folder / location
        shutil.copyfile(self.folder / template, path)
        store = Store(_url(path), existing_file=True)
        try:
            with store.unit_of_work() as repo:
                for key, value in settings.items():
                    repo.set_setting(key, value)
            registered = Registered(sandbox_id, location, template, created_at)
            with self.main.unit_of_work() as repo:
                self._register(repo.session, registered, limit)
        except BaseException:
            store.close()
            remove_database(path)
            raise
        return registered, store

    def open(self, registered: Registered) -> Store:
        path = self.folder / registered.location
        if not path.exists():  # gone under the registry's feet: never made again, empty
            raise StoreError(f"the sandbox {registered.sandbox_id}'s file {path} is missing")
        return Store(_url(path), existing_file=True)

    def delete(self, sandbox_id: str) -> Registered | None:
        with self.main.unit_of_work() as repo:
            registered = self._unregister(repo.session, sandbox_id)
        if registered is not None:  # a crash right here leaves a file no row names: sweep() removes it
            remove_database(self.folder / registered.location)
        return registered

    def sweep(self) -> None:
        if not self.folder.is_dir():
            return
        named = {registered.location for registered in self.registered()}
        for registered in self.registered():
            if not (self.folder / registered.location).exists():
                with self.main.unit_of_work() as repo:
                    self._unregister(repo.session, registered.sandbox_id)
        old = time.time() - ORPHAN_AGE_SECONDS
        for path in self.folder.iterdir():
            base = path.name.removesuffix("-wal").removesuffix("-shm").removesuffix("-journal") \
                .removesuffix(WRITERS_SUFFIX)
            if base.startswith("template-") or base in named:
                continue
            try:
                if path.stat().st_mtime < old:
                    path.unlink()
            except FileNotFoundError:
                pass


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def remove_database(path: Path) -> None:
    """Remove a SQLite database file and the files beside it (its log, shared memory, journal, writers' turns),
    whichever exist."""
    for suffix in ("", "-wal", "-shm", "-journal", WRITERS_SUFFIX):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass


# --- PostgreSQL schemas ------------------------------------------------------------------------------------------


class SchemaSandboxes(SandboxStorage):
    """Each sandbox a schema of the main store's PostgreSQL database, on its engine: ``lsb_<main>_<random>``.

    ``<main>`` is a few characters naming the main store's own schema, so that two servers on one database (each in
    a schema of its own) never sweep each other's sandboxes. Templates (``lst_<name>``) are shared by them all.
    Making a schema, its tables and its template's rows takes 100 ms or more, so a background thread keeps
    ``spares`` such copies ready for each of the last templates this process made sandboxes of, and drops the
    schemas of deleted sandboxes.
    """

    def __init__(self, main: Store, *, spares: int = SPARE_SCHEMAS) -> None:
        super().__init__(main)
        with main.engine.connect() as connection:
            own = connection.exec_driver_sql("SELECT current_schema()").scalar() or "public"
        self.prefix = f"lsb_{hashlib.sha256(own.encode()).hexdigest()[:6]}_"
        self.spares = spares
        self._wanted: list[str] = []  # the templates spares are kept for, the last used last
        self._doomed: list[str] = []  # the schemas of deleted sandboxes, to drop
        self._chores = threading.Lock()
        self._woken = threading.Event()
        self._stopped = threading.Event()
        self._tender = threading.Thread(target=_tend, args=(weakref.ref(self), self._woken, self._stopped),
                                        name="linksim-sandbox-schemas", daemon=True)
        self._tender.start()

    def template(self, key: str, fill: Callable[[Store], None]) -> str:
        name = f"lst_{template_name(key)}"
        if name in self._templates or self._schema_exists(name):
            self._templates.add(name)
            return name
        draft = draft_schema_name(time.time())
        with self.main.engine.begin() as connection:
            _make_schema(connection, draft)
        try:
            store = Store.in_schema(self.main, draft)
            try:
                fill(store)
            finally:
                store.dispose()
            with self.main.engine.begin() as connection:
                # One process at a time looks and renames: the second finds the first's template there.
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
                if not _schema_exists(connection, name):  # else another process made it meanwhile
                    connection.exec_driver_sql(f'ALTER SCHEMA "{draft}" RENAME TO "{name}"')
        finally:
            with self.main.engine.begin() as connection:
                connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{draft}" CASCADE')
        self._templates.add(name)
        return name

    def create(self, sandbox_id: str, template: str, *, created_at: datetime, limit: int,
               settings: dict[str, Any]) -> tuple[Registered, Store]:
        self._want(template)
        with self.main.unit_of_work() as repo:
            session = repo.session
            session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            # SKIP LOCKED: a copy another transaction is claiming is passed over, never taken twice.
            claimed = session.scalar(sa.text(
                "DELETE FROM linksim_spare_schemas WHERE schema_name = (SELECT schema_name FROM linksim_spare_schemas "
                "WHERE template = :template AND schema_name LIKE :prefix ORDER BY made_at LIMIT 1 "
                "FOR UPDATE SKIP LOCKED) RETURNING schema_name"),
                {"template": template, "prefix": _like_prefix(self.prefix)})
            location = claimed or self._new_schema_name()
            registered = Registered(sandbox_id, location, template, created_at)
            self._register(session, registered, limit)
            connection = session.connection()
            if claimed is None:  # none ready: make one now, in this transaction (slow, but never half made)
                _make_copy(connection, template, location)
            if settings:
                translated: dict[str, Any] = {"schema_translate_map": {None: location}}
                connection.execute(schema.settings.delete().where(schema.settings.c.key.in_(list(settings))),
                                   execution_options=translated)
                connection.execute(schema.settings.insert(), [{"key": key, "value": value}
                                                              for key, value in settings.items()],
                                   execution_options=translated)
        self._woken.set()
        return registered, Store.in_schema(self.main, location)

    def open(self, registered: Registered) -> Store:
        return Store.in_schema(self.main, registered.location)

    def delete(self, sandbox_id: str) -> Registered | None:
        with self.main.unit_of_work() as repo:
            registered = self._unregister(repo.session, sandbox_id)
        if registered is not None:  # its schema is dropped in the background (a crash first: sweep() drops it)
            with self._chores:
                self._doomed.append(registered.location)
            self._woken.set()
        return registered

    def sweep(self) -> None:
        with self.main.engine.begin() as connection:
            orphans = list(connection.execute(sa.text(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE :prefix "
                "AND nspname NOT IN (SELECT location FROM linksim_sandboxes) "
                "AND nspname NOT IN (SELECT schema_name FROM linksim_spare_schemas)"),
                {"prefix": _like_prefix(self.prefix)}).scalars())
            # Drafts of templates are every server's: only those too old to be filled still are a crash's leftovers.
            drafts = connection.execute(sa.text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :prefix"),
                                        {"prefix": _like_prefix(DRAFT_PREFIX)}).scalars().all()
            old = time.time() - ORPHAN_AGE_SECONDS
            orphans += [draft for draft in drafts if (made := _draft_made_at(draft)) is not None and made < old]
            for orphan in orphans:
                connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{orphan}" CASCADE')

    def delete_all(self) -> None:
        super().delete_all()
        with self.main.engine.begin() as connection:
            spares = connection.execute(sa.delete(spare_schemas).where(spare_schemas.c.schema_name.startswith(
                self.prefix, autoescape=True)).returning(spare_schemas.c.schema_name)).scalars().all()
        with self._chores:
            self._doomed.extend(spares)
        self.drop_doomed()

    def close(self) -> None:
        super().close()
        self._stopped.set()
        self._woken.set()
        if threading.current_thread() is not self._tender:
            self._tender.join(timeout=10)  # a copy under way is finished, not left half made

    def drop_doomed(self) -> None:
        """Drop the schemas of the sandboxes deleted here."""
        while True:
            with self._chores:
                if not self._doomed:
                    return
                doomed = self._doomed.pop(0)
            with self.main.engine.begin() as connection:
                connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{doomed}" CASCADE')

    def make_spare(self) -> bool:
        """Make one copy of a wanted template for a sandbox to claim, if fewer than ``spares`` of it wait; whether
        it made one."""
        with self._chores:
            wanted = list(reversed(self._wanted))
        for template in wanted:
            with self.main.engine.begin() as connection:
                ready = connection.scalar(sa.select(sa.func.count()).select_from(spare_schemas).where(
                    spare_schemas.c.template == template,
                    spare_schemas.c.schema_name.startswith(self.prefix, autoescape=True))) or 0
                if ready >= self.spares:
                    continue
                name = self._new_schema_name()
                connection.execute(spare_schemas.insert().values(schema_name=name, template=template,
                                                                 made_at=time.time()))
                _make_copy(connection, template, name)
            return True
        return False

    def _want(self, template: str) -> None:
        with self._chores:
            if template in self._wanted:
                self._wanted.remove(template)
            self._wanted.append(template)
            del self._wanted[:-SPARE_TEMPLATES]

    def _new_schema_name(self) -> str:
        return f"{self.prefix}{secrets.token_hex(8)}"

    def _schema_exists(self, name: str) -> bool:
        with self.main.engine.connect() as connection:
            return _schema_exists(connection, name)


def _tend(storage_ref: weakref.ref[SchemaSandboxes], woken: threading.Event, stopped: threading.Event) -> None:
    """The background thread: drops deleted sandboxes' schemas and keeps the spares topped up, until the storage is
    closed or gone."""
    while not stopped.is_set():
        storage = storage_ref()
        if storage is None:
            return
        try:
            storage.drop_doomed()
            busy = storage.make_spare()
        except Exception:  # the database away for a moment: try again later, never end the thread
            busy = False
        del storage
        if not busy:
            woken.wait(timeout=5)
            woken.clear()


def _like_prefix(prefix: str) -> str:
    return prefix.replace("_", r"\_") + "%"


def draft_schema_name(made_at: float) -> str:
    """The schema a template is filled in before it is renamed, named with the time it was made: a sweep tells a
    crash's leftover from one being filled."""
    return f"{DRAFT_PREFIX}{int(made_at)}_{secrets.token_hex(4)}"


def _draft_made_at(name: str) -> int | None:
    made = name.removeprefix(DRAFT_PREFIX).partition("_")[0]
    return int(made) if made.isdecimal() else None  # None: an older linksim's draft, which tells no time


def _schema_exists(connection: sa.Connection, name: str) -> bool:
    return connection.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :name"), {"name": name}).first() \
        is not None


def _make_copy(connection: sa.Connection, template: str, name: str) -> None:
    _make_schema(connection, name)
    connection.exec_driver_sql(_copy_rows(template, name))


def _make_schema(connection: sa.Connection, name: str) -> None:
    connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    # A connection's options change in place: the map is taken off again for what the transaction does next.
    schema.metadata.create_all(connection.execution_options(schema_translate_map={None: name}), checkfirst=False)
    connection.execution_options(schema_translate_map=None)


def _copy_rows(source: str, target: str) -> str:
    """The statements that copy every table of ``source`` into the empty tables of ``target`` (one round trip),
    parents before children, and move each counter past the rows copied."""
    # Tables may fill themselves when made (the world's controls row): the template's rows replace theirs.
    statements = [f'DELETE FROM "{target}"."{table.name}"' for table in reversed(schema.metadata.sorted_tables)]
    for table in schema.metadata.sorted_tables:
        statements.append(f'INSERT INTO "{target}"."{table.name}" SELECT * FROM "{source}"."{table.name}"')
        counter = table.autoincrement_column
        if counter is not None:
            statements.append(
                f"SELECT setval(pg_get_serial_sequence('\"{target}\".\"{table.name}\"', '{counter.name}'), "
                f'COALESCE((SELECT max("{counter.name}") FROM "{target}"."{table.name}"), 0) + 1, false)')
    return ";\n".join(statements)
