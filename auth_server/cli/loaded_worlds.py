"""Worlds loaded once: a data file loaded into a fresh SQLite file is kept as a copy (a template), and the next
fresh load of the same data, into any database file, copies it into place instead of replaying the data through the
flows (about 500 ms for the demo data: ~180 transactions, 34 password hashes; a copy takes a few).

A template is named by the data's content (its start included: only data that names its start is kept, since data
without one is loaded at the moment it is loaded) and by a fingerprint of the linksim that loaded it (its tables and
the code that shapes a loaded world), so a template made by another linksim is never used. Templates live in a cache
folder (``$LINKSIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/linksim`` or ``~/.cache/linksim``) shared by every database;
each appears whole or not at all (written under a temporary name, then renamed), and one that cannot be made (a
folder that cannot be written) only means the data is replayed, as before.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import secrets
import sqlite3
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from auth_server import fixtures
from auth_server.store import SandboxStorage
from auth_server.store import Store
from auth_server.store import remove_database
from auth_server.store import schema_fingerprint
from auth_server.store import supported_url

CACHE_ENV = "LINKSIM_CACHE_DIR"
TEMPLATES_KEPT = 8  # the newest few: every change to the code makes a new fingerprint, and so new templates
# The parts of linksim whose code decides what a loaded world holds (the screens and the command line do not).
_SHAPING = ("domain", "oauth", "shop_partner", "store", "fixtures.py", "markets.py", "markets.yaml", "simulator.py",
            "config.py")


def cache_folder() -> Path:
    """Where templates are kept."""
    named = os.environ.get(CACHE_ENV)
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "linksim"


@functools.cache
def linksim_fingerprint() -> str:
    """What the tables are and what the code that fills them says, in a few characters."""
    root = Path(fixtures.__file__).parent
    digest = hashlib.sha256(schema_fingerprint().encode())
    for part in _SHAPING:
        path = root / part
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def template_path(data: dict[str, Any]) -> Path:
    content = json.dumps(data, sort_keys=True, default=str)
    key = hashlib.sha256(f"{linksim_fingerprint()}\n{content}".encode()).hexdigest()[:32]
    return cache_folder() / f"world-{key}.db"


def sqlite_file(db: str) -> Path | None:
    """The file of a SQLite database URL; None for PostgreSQL or an in-memory database."""
    url = supported_url(db)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(os.path.abspath(url.database))


def copy_in(db: str, source: str, fill: Callable[[str, dict[str, Any]], fixtures.Loaded]) -> fixtures.Loaded | None:
    """Load ``source`` into the database file ``db``, emptied first, as a copy of its template, made first by
    ``fill(url, data)`` (which loads validated data into the empty database at ``url``) if there is none yet. None
    when the data cannot have a template (``db`` is no SQLite file, the data names no start, the cache folder cannot
    be written): then the caller loads it itself. A data file that is refused raises, and leaves no template."""
    target = sqlite_file(db)
    if target is None:
        return None
    data = fixtures.read(source, validated=False)  # validated below, unless a template of it exists
    if not isinstance(data, dict) or "start" not in data:
        return None
    path = template_path(data)
    if path.exists():
        _used(path)
    else:
        data = fixtures.validate(data, str(source))
        if not _make(path, data, fill):
            return None
    _empty(db, target)
    _copy(path, target)
    return _loaded(data)


def _make(path: Path, data: dict[str, Any], fill: Callable[[str, dict[str, Any]], fixtures.Loaded]) -> bool:
    """Make the template at ``path`` (whole or not at all, whatever other processes do meanwhile); False if its
    folder cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.parent / f".{path.name}.{secrets.token_hex(4)}"
        draft.touch()
    except OSError:
        return False
    try:
        fill(f"sqlite:///{draft}", data)
        # One file, its log written back into it, so that a copy of it is the whole database.
        connection = sqlite3.connect(draft)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        os.replace(draft, path)
    finally:
        remove_database(draft)
    _prune(path.parent)
    return True


def _empty(db: str, target: Path) -> None:
    """Delete the stored sandboxes of the database a fresh load replaces, as a replayed load does."""
    if not target.exists():
        return
    store = Store(db)
    try:
        storage = SandboxStorage.chosen_for(store)
        if storage is not None:
            storage.delete_all()
            storage.close()
    finally:
        store.dispose()


def _copy(template: Path, target: Path) -> None:
    """Copy the template over the database through SQLite's backup: whatever was in the file (and its log) is
    replaced in one transaction, as SQLite writes it."""
    source = sqlite3.connect(f"file:{template}?mode=ro&immutable=1", uri=True)  # never written once made
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def _loaded(data: dict[str, Any]) -> fixtures.Loaded:
    """What loading ``data`` (valid, naming its start) counts, without loading it."""
    sellers = data.get("sellers", [])
    return fixtures.Loaded(fixtures.start_of(data, datetime.now(UTC)),  # its own start: it names one
                           sellers=len(sellers), shops=sum(len(seller.get("shops", [])) for seller in sellers),
                           accounts=len(data.get("accounts", [])), history=len(data.get("history", [])),
                           partner_apps=len(data.get("partner_apps", [])))


def _used(path: Path) -> None:
    """Mark a template as used now, so that pruning keeps it."""
    try:
        os.utime(path)
    except OSError:  # pruned by another process meanwhile: it was copied already, or the copy says so
        pass


def _prune(folder: Path) -> None:
    """Keep the newest :data:`TEMPLATES_KEPT` templates."""
    try:
        templates = sorted(folder.glob("world-*.db"), key=lambda path: path.stat().st_mtime, reverse=True)
        for old in templates[TEMPLATES_KEPT:]:
            remove_database(old)
    except OSError:  # another process pruned meanwhile
        pass
