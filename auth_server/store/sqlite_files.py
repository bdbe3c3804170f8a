"""Engines on SQLite files that share one dialect, the process's, and with it the statements it compiled.

SQLAlchemy keys the statements it compiles by dialect, and the mappers keep theirs in caches of their own (a hundred
or more entries each) after the engine that compiled them is gone. An engine from ``create_engine`` has a dialect of
its own, which its per-type memos make some 1,900 objects: a server that made and deleted a sandbox (a SQLite file,
an engine of its own) per test kept a dialect per sandbox, up to tens of megabytes. One dialect for every file keeps
one set of compiled statements, which every new sandbox finds ready.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Dialect
from sqlalchemy.pool import QueuePool


@functools.cache
def _dialect() -> Dialect:
    """pysqlite's dialect, initialized once (the SQLite library's version decides what it may use), as
    ``create_engine`` does on an engine's first connection."""
    prototype = sa.create_engine("sqlite://")
    with prototype.connect():
        pass
    prototype.dispose()
    return prototype.dialect


def file_engine(url: sa.URL, *, echo: bool, connect_args: dict[str, Any]) -> sa.Engine:
    """An engine on the SQLite file ``url`` as ``create_engine(url, echo=echo, connect_args=connect_args)`` makes
    it (a pool of 5 connections, 10 more at a peak), on the process's one dialect."""
    dialect = _dialect()
    arguments, parameters = dialect.create_connect_args(url)
    parameters = {**parameters, **connect_args}

    def connect() -> Any:
        return dialect.connect(*arguments, **parameters)

    pool = QueuePool(connect, dialect=dialect)
    on_connect = dialect.on_connect_url(url)  # pysqlite's functions (regexp, floor) on each connection
    if on_connect is not None:
        event.listen(pool, "connect", lambda dbapi_connection, _record: on_connect(dbapi_connection))
    return sa.engine.Engine(pool, dialect, url, echo=echo)
