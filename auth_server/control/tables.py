"""The tables of a world's controls, on the store's metadata: the world's revision and counters, its fault rules,
and its request journal (with the flow aliases and the processes that write it).

They live in the world's own store, so that every process serving one database sees the same rules and the same
journal, and a restart keeps them. New tables only: a database made before them gains them when it is opened.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa

from auth_server.store import schema

CONTROLS_ROW = 1  # the one row of world_controls

world_controls = sa.Table(
    "world_controls", schema.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    # Changes with every change to the world's controls (clock, markets, data, fault rules and their counters): a
    # process that sees another value than it last did reloads them. Drawn at random when the table is made, so that
    # a world that started over never repeats a revision a process remembers.
    sa.Column("revision", sa.BigInteger, nullable=False),
    sa.Column("epoch", sa.Integer, nullable=False, server_default="0"),  # how often the store started over
    sa.Column("fault_ids", sa.Integer, nullable=False, server_default="0"),  # the last flt_N handed out
    sa.Column("journal_seq", sa.BigInteger, nullable=False, server_default="0"),  # the last record's seq
    sa.Column("journal_epoch", sa.Integer, nullable=False, server_default="0"),  # and its epoch and event mark
    sa.Column("journal_mark", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("flush_asked", sa.BigInteger, nullable=False, server_default="0"),  # a journal reader's last ticket
)


@sa.event.listens_for(world_controls, "after_create")
def _first_row(target: sa.Table, connection: sa.Connection, **_: Any) -> None:
    connection.execute(target.insert().values(id=CONTROLS_ROW, revision=secrets.randbits(52)))


fault_rules = sa.Table(
    "fault_rules", schema.metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),  # the order rules were added in: the first that fires wins
    sa.Column("definition", sa.Text, nullable=False),  # the rule as JSON, without its counters
    sa.Column("times", sa.Integer),  # None: every time
    sa.Column("matched", sa.Integer, nullable=False, server_default="0"),
    sa.Column("hits", sa.Integer, nullable=False, server_default="0"),
)

journal_records = sa.Table(
    "journal_records", schema.metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False),
    sa.Column("epoch", sa.Integer, nullable=False),
    sa.Column("event_mark", sa.BigInteger, nullable=False),
    sa.Column("record", sa.Text, nullable=False),  # RequestRecord.as_dict(), as JSON
)

journal_aliases = sa.Table(
    "journal_aliases", schema.metadata,
    sa.Column("alias", sa.String(200), primary_key=True),
    sa.Column("flow", sa.String(200), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False, index=True),  # the record that joined them: trimmed with it
)

journal_writers = sa.Table(
    "journal_writers", schema.metadata,
    sa.Column("writer", sa.String(64), primary_key=True),  # one process's writer of this world's journal
    sa.Column("acked", sa.BigInteger, nullable=False),  # the last flush ticket it answered
    sa.Column("seen_at", sa.Float, nullable=False),  # wall-clock seconds: a writer silent for long is gone
)
