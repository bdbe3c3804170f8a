"""Engines on SQLite files that share one dialect, the process's, and with it the statements it compiled.

SQLAlchemy keys the statements it compiles by dialect, and the mappers keep theirs in caches of their own (a hundred
or more entries each) after the engine that compiled them is gone. An engine from ``create_engine`` has a dialect of
its own, which its per-type memos make some 1,900 objects: a server that made and deleted a sandbox (a SQLite file,
an engine of its own) per test kept a dialect per sandbox, up to tens of megabytes. One dialect for every file keeps
one set of compiled statements, which every new sandbox finds ready.

The statements an engine compiles (its ``compiled_cache``) were the engine's own too: every sandbox compiled again
each statement its flows ran (a hundred or so), and let them go with its engine, which left a worker's memory
fragmented (about 12 MB more resident after a hundred QR flows, each in a new sandbox). Every file's engine now
compiles into one cache, keyed as the engine keys it (by dialect and statement), which every new sandbox finds
filled.
"""

from __future__ import annotations

import functools
import urllib.parse
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Dialect
from sqlalchemy.pool import QueuePool
from sqlalchemy.util import LRUCache

STATEMENTS_KEPT = 500  # create_engine's query_cache_size, for every file's engine together


@functools.cache
def _dialect() -> Dialect:
    """pysqlite's dialect, initialized once (the SQLite library's version decides what it may use), as
    ``create_engine`` does on an engine's first connection."""
    prototype = sa.create_engine("sqlite://")
    with prototype.connect():
        pass
    prototype.dispose()
    return prototype.dialect


@functools.cache
def _compiled_statements() -> LRUCache[Any, Any]:
    return LRUCache(STATEMENTS_KEPT)


def existing_file_uri(path: str) -> str:
    """The SQLite URI (``uri=True``) that opens the file at ``path`` only if it exists: a sandbox's file removed
    meanwhile (by another process) is not made again, empty."""
    return f"file:{urllib.parse.quote(path)}?mode=rw"


def file_engine(url: sa.URL, *, echo: bool, connect_args: dict[str, Any], must_exist: bool = False) -> sa.Engine:
    """An engine on the SQLite file ``url`` as ``create_engine(url, echo=echo, connect_args=connect_args)`` makes
    it (a pool of 5 connections, 10 more at a peak), on the process's one dialect, compiling into the process's one
    cache of statements. ``must_exist``: a connection to a file that is gone fails, rather than make it again, empty
    (a sandbox's file, removed by another process while this one still held it)."""
    dialect = _dialect()
    arguments, parameters = dialect.create_connect_args(url)
    parameters = {**parameters, **connect_args}
    if must_exist and url.database:
        arguments, parameters = [existing_file_uri(url.database)], {**parameters, "uri": True}

    def connect() -> Any:
        return dialect.connect(*arguments, **parameters)

    pool = QueuePool(connect, dialect=dialect)
    on_connect = dialect.on_connect_url(url)  # pysqlite's functions (regexp, floor) on each connection
    if on_connect is not None:
        event.listen(pool, "connect", lambda dbapi_connection, _record: on_connect(dbapi_connection))
    engine = sa.engine.Engine(pool, dialect, url, echo=echo, query_cache_size=0)  # no cache of its own
    engine.update_execution_options(compiled_cache=_compiled_statements())
    return engine
