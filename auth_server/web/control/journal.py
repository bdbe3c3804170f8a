"""The flow journal of the request's world: its requests and its domain events, merged and queryable.

``GET /_sim/journal?flow=&account=&shop=&partner_app=&path=&kind=request|event|all&since=&limit=`` answers
``{entries, count, more, world}``, oldest first; ``DELETE /_sim/journal`` forgets the request records (the
domain events are the world's history, and stay). See docs/journal.md.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import request

from auth_server.control.request_journal import KINDS
from auth_server.control.request_journal import MAX_LIMIT
from auth_server.control.request_journal import JournalQuery
from auth_server.control.request_journal import timeline
from auth_server.domain import codes
from auth_server.domain.errors import Refused
from auth_server.web import context
from auth_server.web.control.access import controls_only

bp = Blueprint("journal", __name__, url_prefix="/_sim/journal")
bp.before_request(controls_only)

TEXT_PARAMETERS = ("flow", "account", "shop", "partner_app", "path")
MAX_TEXT = 200


@bp.get("")
def read_journal() -> Any:
    query = query_of(request.args.to_dict(flat=False))
    if query.kind != "event":
        _refuse_unless_recording()
    here = context.world()
    journal = here.journal.snapshot()  # a journal in the store: every request answered before now, in any process
    events = []
    if query.kind != "request" and query.path is None:
        start = journal.mark_after(query.since) if query.since is not None else (-1, 0)
        after = start[1] if start[0] == journal.epoch else 0
        # Straight from the store, not through the service, whose reads settle what came due first.
        with here.simulator.store.reading() as repo:
            events = list(repo.events(after_seq=after))
    page = timeline(journal, events, query)
    return jsonify({"entries": page.entries, "count": len(page.entries), "more": page.more, "world": here.id})


@bp.delete("")
def clear_journal() -> Any:
    """Forget the world's request records; the numbering goes on, so ``since`` cursors stay valid."""
    _refuse_unless_recording()
    return jsonify({"cleared": context.world().journal.clear(), "world": context.world().id})


def _refuse_unless_recording() -> None:
    if not context.config().request_journal:
        raise Refused.because(codes.REQUEST_JOURNAL_OFF)


def query_of(args: dict[str, list[str]]) -> JournalQuery:
    """The query string as a :class:`JournalQuery`; anything unknown, repeated or malformed is invalid input."""
    unknown = sorted(set(args) - {*TEXT_PARAMETERS, "kind", "since", "limit"})
    if unknown:
        raise _invalid(unknown[0], f"not a filter of the journal: use {', '.join(TEXT_PARAMETERS)}, kind, since "
                                   "or limit")
    values: dict[str, Any] = {}
    for name, given in args.items():
        if len(given) != 1:
            raise _invalid(name, "give it once")
        value = given[0].strip()
        if not value or len(value) > MAX_TEXT:
            raise _invalid(name, f"give a value of 1 to {MAX_TEXT} characters, or leave the parameter out")
        values[name] = value
    if "kind" in values and values["kind"] not in KINDS:
        raise _invalid("kind", f"use {', '.join(KINDS)}")
    for name, lowest, highest in (("since", 0, None), ("limit", 1, MAX_LIMIT)):
        if name in values:
            values[name] = _whole_number(name, values[name], lowest, highest)
    return JournalQuery(**values)


def _whole_number(name: str, value: str, lowest: int, highest: int | None) -> int:
    bounds = f"from {lowest} to {highest}" if highest is not None else f"of {lowest} or more"
    if not value.isdecimal() or len(value) > 12:
        raise _invalid(name, f"give a whole number {bounds}")
    number = int(value)
    if number < lowest or (highest is not None and number > highest):
        raise _invalid(name, f"give a whole number {bounds}")
    return number


def _invalid(field: str, problem: str) -> Refused:
    return Refused.because(codes.INVALID_INPUT, field=field, problem=problem)
