"""The request journal: every HTTP request a world served, redacted, tagged with the flow it belongs to, bounded.

A :class:`RequestRecord` is one request and its answer: method, path, status, time taken, excerpts of both
bodies with their secrets masked (:mod:`.redaction`), and the tags that correlate it: the flow (a link id, an
invitation id, or the fingerprint of a Login Kit QR code or authorization code), the shop, the account and the
partner app. A :class:`RequestJournal` keeps a world's latest records in memory (a bounded deque) and answers
queries over them; :func:`timeline` merges them with the world's domain events, in the order they happened.
A :class:`~auth_server.control.journal_file.JournalFile` appends every record to a JSON-lines file, rotated at a size
bound. A webhook the world sent is recorded too, one record per attempt, with ``direction="out"`` (the requests it
served are ``"in"``).

Ordering requests and events. The simulated clock is often frozen, so times cannot order them. Instead each
record notes the newest event seq the world's store held when the request ended (its *event mark*): a request
comes after the events up to its mark, and before the later ones. Events that appeared while a request ran are
the ones it caused; an event with no flow of its own (an account renamed when its link became active) joins
the flow of the request that caused it. Under concurrent requests that attribution is a best effort.

Pure logic: :mod:`auth_server.web.request_recording` captures the records, ``/_sim/journal`` serves the queries.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections import deque
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

from auth_server.control.redaction import fingerprint
from auth_server.control.redaction import redact
from auth_server.domain.events import Event
from auth_server.domain.links import partner_key_of

if TYPE_CHECKING:
    from auth_server.control.journal_file import JournalFile

ENTRIES = 5000  # records kept in memory, per world
EXCERPT_CHARS = 2048  # of each body, once redacted and written as JSON
DEFAULT_LIMIT = 500
MAX_LIMIT = 5000
MAX_ALIASES = 10_000
KINDS = ("all", "request", "event")
FLOW_SUBJECTS = frozenset({"link", "invitation", "affiliate_invitation"})


def login_qr_flow(token: str) -> str:
    """The flow id of a Login Kit QR code: named after its token's fingerprint, as the token is a secret."""
    return f"loginqr_{fingerprint(token)}"


def authorization_flow(code: str) -> str:
    """The flow id of an OAuth authorization code (until it joins a QR code's flow): its fingerprint."""
    return f"authcode_{fingerprint(code)}"


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> Any:
    """``value`` itself if its JSON fits in ``limit`` characters; else the start of its JSON, and its length."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= limit:
        return value
    return f"{text[:limit]}… ({len(text)} characters)"


def refusal_code(status: int, body: Any) -> str | None:
    """The code of a refusal, in any of the server's wire shapes; None for an answer that refuses nothing.

    The linking API's and the controls' ``{code, message, violations}``, OAuth's ``{error, error_description}``
    (TikTok sends it with HTTP 200), and TikTok's ``{data, error: {code, message}}`` (``ok`` is no refusal).
    """
    if not isinstance(body, dict):
        return None
    code, error = body.get("code"), body.get("error")
    if isinstance(code, str) and code and ("violations" in body or status >= 400):
        return code
    if isinstance(error, str) and error:
        return error
    if isinstance(error, dict) and isinstance(error.get("code"), str) and error["code"] not in ("", "ok"):
        return str(error["code"])
    return None


@dataclass(frozen=True, kw_only=True)
class RequestRecord:
    """One request a world served, and its answer; safe to show (every secret in it is masked)."""

    world: str
    wall_time: datetime
    at: datetime | None  # on the world's simulated clock, when the request arrived
    method: str
    path: str  # inside the world: a sandbox's prefix is not part of it
    query: str = ""
    status: int
    duration_ms: float | None = None
    headers: dict[str, str] = field(default_factory=dict)
    request_body: Any = None
    response_body: Any = None
    location: str | None = None  # where a redirect sends the browser
    flows: tuple[str, ...] = ()  # every flow id the request names, the best first; the journal picks one
    shop: str | None = None
    account: str | None = None  # an open_id
    username: str | None = None
    partner_app: str | None = None  # a client_key
    fault_id: str | None = None  # the fault rule that hit it (/_sim/faults)
    error_code: str | None = None
    direction: str = "in"  # "in": a request the world served; "out": a webhook it sent (an attempt)
    webhook: dict[str, Any] | None = None  # an outgoing attempt's delivery id, event, URL, attempt number, outcome
    # set by the journal
    seq: int = 0
    flow: str | None = None
    events: tuple[int, ...] = ()  # the seqs of the domain events that appeared while it ran
    epoch: int = 0  # how many times the world's store started over before it (its event seqs restart)
    event_mark: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "request",
            "direction": self.direction,
            "seq": self.seq,
            "world": self.world,
            "at": self.at.isoformat() if self.at else None,
            "wall_time": self.wall_time.isoformat(),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "duration_ms": self.duration_ms,
            "flow": self.flow,
            "shop": self.shop,
            "account": self.account,
            "username": self.username,
            "partner_app": self.partner_app,
            "fault_id": self.fault_id,
            "error_code": self.error_code,
            "headers": self.headers,
            "request_body": self.request_body,
            "response_body": self.response_body,
            "location": self.location,
            "events": list(self.events),
            **({"webhook": self.webhook} if self.webhook is not None else {}),
        }

    @classmethod
    def from_dict(cls, shown: dict[str, Any], *, epoch: int, event_mark: int) -> RequestRecord:
        """The record :meth:`as_dict` showed (as a store keeps it), with its place among the world's events."""
        at = shown.get("at")
        return cls(world=shown["world"], wall_time=datetime.fromisoformat(shown["wall_time"]),
                   at=datetime.fromisoformat(at) if at else None, method=shown["method"], path=shown["path"],
                   query=shown.get("query", ""), status=shown["status"], duration_ms=shown.get("duration_ms"),
                   headers=shown.get("headers") or {}, request_body=shown.get("request_body"),
                   response_body=shown.get("response_body"), location=shown.get("location"),
                   shop=shown.get("shop"), account=shown.get("account"), username=shown.get("username"),
                   partner_app=shown.get("partner_app"), fault_id=shown.get("fault_id"),
                   error_code=shown.get("error_code"), direction=shown.get("direction", "in"),
                   webhook=shown.get("webhook"), seq=shown["seq"], flow=shown.get("flow"),
                   events=tuple(shown.get("events") or ()), epoch=epoch, event_mark=event_mark)


@dataclass(frozen=True, kw_only=True)
class JournalQuery:
    """Which entries to answer: each filter given must match; ``since`` is a request record's seq."""

    flow: str | None = None
    account: str | None = None  # an open_id or a username
    shop: str | None = None
    partner_app: str | None = None
    path: str | None = None  # a prefix of the request's path; events have no path, so it leaves them out
    kind: str = "all"
    since: int | None = None
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        if self.since is not None and self.since < 0:
            raise ValueError("since must be a request's seq: 0 or more")


@dataclass(frozen=True)
class Page:
    entries: list[dict[str, Any]]
    more: bool  # the limit left matching entries out


class Aliases(Protocol):
    """Flow ids and the flow each one joined: a dict, or a store's table read through."""

    def __contains__(self, flow: object) -> bool: ...

    def __getitem__(self, flow: str) -> str: ...

    def __setitem__(self, flow: str, chosen: str) -> None: ...


def resolve_flow(flow: str, aliases: Aliases) -> str:
    for _ in range(8):  # an alias of an alias, at worst; never a loop
        if flow not in aliases:
            break
        flow = aliases[flow]
    return flow


def choose_flow(flows: Sequence[str], aliases: Aliases) -> str | None:
    """The flow a request belongs to; the other flow ids it names become aliases of it.

    A Login Kit QR code's answer names both the QR code's flow and its authorization code's: from then on,
    the token exchange that spends the code belongs to the QR code's flow.
    """
    if not flows:
        return None
    resolved = [resolve_flow(f, aliases) for f in flows]
    chosen = next((r for f, r in zip(flows, resolved, strict=True) if r != f), resolved[0])
    for other in resolved:
        if other != chosen and other not in aliases:
            aliases[other] = chosen
    return chosen


class BoundedAliases(OrderedDict[str, str]):
    """The aliases of an in-memory journal: the oldest forgotten past :data:`MAX_ALIASES`."""

    def __setitem__(self, flow: str, chosen: str) -> None:
        super().__setitem__(flow, chosen)
        if len(self) > MAX_ALIASES:
            self.popitem(last=False)


class RequestJournal:
    """A world's latest request records, in memory; thread-safe."""

    def __init__(self, max_entries: int = ENTRIES) -> None:
        if max_entries < 0:
            raise ValueError("max_entries cannot be negative")
        self._records: deque[RequestRecord] = deque(maxlen=max_entries)
        self._lock = threading.Lock()
        self._seq = 0
        self._aliases: BoundedAliases = BoundedAliases()
        self._epoch = 0
        self._event_mark: int | None = None  # None: not read from the store yet
        self._last: tuple[int, int, int] = (0, 0, 0)  # the last record's seq, epoch and event mark
        # What the world's store had written when its events were last read (Store.event_writes): while it is the
        # same, no event is new, and a request's record needs no read of the store.
        self.store_writes_seen: object = None

    @property
    def max_entries(self) -> int:
        return self._records.maxlen or 0

    def __len__(self) -> int:
        return len(self._records)

    # --- writing ---------------------------------------------------------------------------------------------

    @property
    def knows_event_mark(self) -> bool:
        return self._event_mark is not None

    @property
    def event_mark(self) -> int:
        """The newest domain event seq the journal has seen (in the store's current epoch)."""
        return self._event_mark or 0

    def start_from_events(self, seqs: Iterable[int]) -> None:
        """The events the store held before the journal's first request: no request of the journal caused them."""
        newest = max(seqs, default=0)
        with self._lock:
            if self._event_mark is None:
                self._event_mark = newest

    def events_restarted(self) -> None:
        """The world's store started over (a reset): its event seqs start again from 1."""
        with self._lock:
            self._epoch += 1
            self._event_mark = 0
            self.store_writes_seen = None

    def append(self, record: RequestRecord, *, events_seen: Iterable[int] = (),
               file: JournalFile | None = None) -> RequestRecord:
        """Keep ``record`` (and write it to ``file``): number it, pick its flow, and note which of ``events_seen``
        it caused."""
        with self._lock:
            caused, mark = self._caused(events_seen)
            self._seq += 1
            kept = replace(record, seq=self._seq, flow=choose_flow(record.flows, self._aliases), events=caused,
                           epoch=self._epoch, event_mark=mark)
            self._records.append(kept)
            self._last = (kept.seq, kept.epoch, kept.event_mark)
        if file is not None:
            file.write(kept)
        return kept

    def _caused(self, events_seen: Iterable[int]) -> tuple[tuple[int, ...], int]:
        """Which of ``events_seen`` are new (a request's doing), and the event mark after them (the caller holds the
        lock)."""
        mark = self._event_mark or 0
        caused = tuple(sorted({seq for seq in events_seen if seq > mark}))
        if caused or self._event_mark is None:
            self._event_mark = caused[-1] if caused else mark
        return caused, self._event_mark

    def clear(self) -> int:
        """Forget every record (numbering goes on); answers how many there were."""
        with self._lock:
            count = len(self._records)
            self._records.clear()
        return count

    # --- reading ---------------------------------------------------------------------------------------------

    def canonical_flow(self, flow: str) -> str:
        with self._lock:
            return resolve_flow(flow, self._aliases)

    def snapshot(self) -> RequestJournal:
        """The journal as a query reads it: itself (a journal kept in a store reads its rows into one)."""
        return self

    @classmethod
    def restored(cls, records: list[RequestRecord], aliases: dict[str, str], *, epoch: int,
                 last: tuple[int, int, int], max_entries: int) -> RequestJournal:
        """A journal holding ``records`` and ``aliases``, as read back from a store, to answer queries with."""
        journal = cls(max(max_entries, len(records)))
        journal._records.extend(records)
        journal._aliases.update(aliases)
        journal._epoch = epoch
        journal._last = last
        journal._seq = last[0]
        return journal

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    @property
    def epoch(self) -> int:
        return self._epoch

    def query(self, query: JournalQuery) -> list[RequestRecord]:
        """The records that match, oldest first (``since``: the first ``limit`` after it; else the latest)."""
        page = timeline(self, [], replace(query, kind="request"))
        wanted = {entry["seq"] for entry in page.entries}
        return [record for record in self.records() if record.seq in wanted]

    def mark_after(self, since: int) -> tuple[int, int]:
        """Where the events after request ``since`` start: (epoch, event seq); (-1, 0) when it is forgotten."""
        with self._lock:
            before = [r for r in self._records if r.seq <= since]
            last_seq, last_epoch, last_mark = self._last
        if before:
            return before[-1].epoch, before[-1].event_mark
        if since >= last_seq:
            return last_epoch, last_mark
        return -1, 0


@dataclass
class _Entry:
    key: tuple[int, int, int, int]
    kind: str
    flow: str | None
    names: dict[str, set[str]]  # the shop, account and partner app it names
    path: str | None
    view: Callable[[], dict[str, Any]]
    seq: int


TAG_NAMES = ("shop", "account", "partner_app")


def timeline(journal: RequestJournal, events: Sequence[Event], query: JournalQuery) -> Page:
    """A world's request records and domain events, merged in the order they happened, as the query asks.

    A filter matches an entry that names the value itself, or that belongs to a flow some entry of which
    names it: asking for a shop shows the whole of every link of that shop.
    """
    records = journal.records()
    entries = [_request_entry(journal, r) for r in records]
    caused_by = {seq: entry.flow for entry, record in zip(entries, records, strict=True) if entry.flow
                 for seq in record.events}
    entries += [_event_entry(journal, e, caused_by) for e in events if e.seq is not None]
    context: dict[str, dict[str, set[str]]] = {}
    for entry in entries:
        if entry.flow:
            known = context.setdefault(entry.flow, {name: set() for name in TAG_NAMES})
            for name in TAG_NAMES:
                known[name] |= entry.names[name]
    flow = journal.canonical_flow(query.flow) if query.flow else None
    start = _start_of(journal, query)
    matching = sorted((e for e in entries if _matches(e, query, flow, context, start)), key=lambda e: e.key)
    chosen = matching[:query.limit] if query.since is not None else matching[-query.limit:]
    return Page([e.view() for e in chosen], more=len(matching) > len(chosen))


def _request_entry(journal: RequestJournal, record: RequestRecord) -> _Entry:
    flow = journal.canonical_flow(record.flow) if record.flow else None
    names = {"shop": {record.shop}, "account": {record.account, record.username},
             "partner_app": {record.partner_app}}
    return _Entry((record.epoch, record.event_mark, 1, record.seq), "request", flow,
                  {k: {v for v in vs if v} for k, vs in names.items()}, record.path,
                  lambda: {**record.as_dict(), "flow": flow}, record.seq)


def _event_entry(journal: RequestJournal, event: Event, caused_by: dict[int, str]) -> _Entry:
    assert event.seq is not None
    facts = {**event.changes, **event.data}
    own_flow = event.subject_id if event.subject_type in FLOW_SUBJECTS else _text(facts, "link_id", "invitation_id")
    flow = journal.canonical_flow(own_flow) if own_flow else caused_by.get(event.seq)
    shop = event.subject_id if event.subject_type == "shop" else _text(facts, "shop_id")
    account = event.subject_id if event.subject_type == "account" else _text(facts, "open_id")
    partner = partner_key_of(event.actor)
    tags = {"flow": flow, "shop": shop, "account": account, "partner_app": partner}

    def view() -> dict[str, Any]:
        shown = event.as_dict()
        return {"kind": "event", "event": shown.pop("kind"), **redact(shown), **tags}

    names = {"shop": {shop}, "account": {account}, "partner_app": {partner}}
    return _Entry((journal.epoch, event.seq, 0, 0), "event", flow,
                  {k: {v for v in vs if v} for k, vs in names.items()}, None, view, event.seq)


def _text(facts: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = facts.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _start_of(journal: RequestJournal, query: JournalQuery) -> tuple[int, int, int, int] | None:
    """The key after which entries are new to a caller who saw everything up to request ``since``."""
    if query.since is None:
        return None
    epoch, mark = journal.mark_after(query.since)
    return epoch, mark, 1, query.since


def _matches(entry: _Entry, query: JournalQuery, flow: str | None,
             context: dict[str, dict[str, set[str]]], start: tuple[int, int, int, int] | None) -> bool:
    if query.kind != "all" and entry.kind != query.kind:
        return False
    if start is not None and (entry.seq <= start[3] if entry.kind == "request" else entry.key <= start):
        return False
    if query.path is not None and (entry.path is None or not entry.path.startswith(query.path)):
        return False
    if flow is not None and entry.flow != flow:
        return False
    for name in TAG_NAMES:
        wanted = getattr(query, name)
        if wanted is None:
            continue
        of_flow = context.get(entry.flow, {}).get(name, set()) if entry.flow else set()
        if wanted not in entry.names[name] and wanted not in of_flow:
            return False
    return True
