"""A world's request journal kept in its store, written off the request's critical path, losing nothing.

A request's record is queued when its answer is ready; a background writer (a thread per journal and process)
writes the queue in batches: one transaction numbers the records (``journal_seq`` of the world's controls row),
picks their flows through the stored aliases, inserts them, and trims the journal to its newest ``max_entries``. A
graceful stop (:meth:`StoredJournal.close`, and at exit) writes what is queued.

The barrier. A reader (``GET /_sim/journal`` in any process) must see every request whose answer its caller had
received. The reader takes a ticket (``flush_asked`` + 1) and waits until every *busy* writer of the world has
acknowledged it. A writer acknowledges a ticket after reading it and then writing all it had queued, so what it had
queued before the ticket is in the store. A writer is busy from before its process answers a request it will journal:
the request that finds its writer idle marks it busy in the store first (one write, and only after an idle spell);
the writer goes idle, under the same lock, only with an empty queue. So a record queued before the ticket is either
written, or its writer is busy and will acknowledge the ticket only once it is written. A writer not heard of for
:data:`GONE_SECONDS` (a killed process, whose queue is lost with it) is not waited for; the wait is bounded anyway.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import secrets
import socket
import threading
import time
import weakref
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import replace
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth_server.control import world_controls
from auth_server.control.request_journal import ENTRIES
from auth_server.control.request_journal import MAX_ALIASES
from auth_server.control.request_journal import RequestJournal
from auth_server.control.request_journal import RequestRecord
from auth_server.control.request_journal import choose_flow
from auth_server.control.tables import journal_aliases
from auth_server.control.tables import journal_records
from auth_server.control.tables import journal_writers
from auth_server.control.tables import world_controls as controls_table
from auth_server.control.world_controls import session_of
from auth_server.store import Store
from auth_server.store import StoreClosed

if TYPE_CHECKING:
    from auth_server.control.journal_file import JournalFile

log = logging.getLogger(__name__)

BATCH = 200  # records written in one transaction, at most
POLL_SECONDS = 0.05  # how often a busy writer looks for a reader's ticket
LINGER_SECONDS = 0.05  # how long the writer gathers records before it writes them: one transaction for many
IDLE_SECONDS = 2.0  # a writer with nothing queued for this long goes idle: it stops looking
HEARTBEAT_SECONDS = 1.0
GONE_SECONDS = 10.0  # a busy writer not heard of for this long is taken for a killed process's
BARRIER_SECONDS = 3.0  # the longest a reader waits for the other processes' writers
_FLUSH_ASKED = sa.select(controls_table.c.flush_asked).where(world_controls.ROW)
R, W = journal_records.c, journal_writers.c


class StoreAliases:
    """The stored aliases of a flow, read through (and added to) in the writer's transaction."""

    def __init__(self, session: Session, flows: Iterable[str]) -> None:
        self.session = session
        self.seq = 0  # the record being written, which an alias is trimmed with
        wanted = set(flows)
        self._known: dict[str, str | None] = dict.fromkeys(wanted)
        if wanted:  # one read for the batch's flows; only an alias of an alias is looked up on its own
            c = journal_aliases.c
            self._known.update((row.alias, row.flow) for row in session.execute(sa.select(c.alias, c.flow)
                                                                                 .where(c.alias.in_(wanted))))

    def _lookup(self, flow: str) -> str | None:
        if flow not in self._known:
            self._known[flow] = self.session.scalar(sa.select(journal_aliases.c.flow)
                                                    .where(journal_aliases.c.alias == flow))
        return self._known[flow]

    def __contains__(self, flow: object) -> bool:
        return isinstance(flow, str) and self._lookup(flow) is not None

    def __getitem__(self, flow: str) -> str:
        found = self._lookup(flow)
        if found is None:
            raise KeyError(flow)
        return found

    def __setitem__(self, flow: str, chosen: str) -> None:
        self.session.execute(journal_aliases.insert().values(alias=flow, flow=chosen, seq=self.seq))
        self._known[flow] = chosen


@dataclass
class _Queued:
    record: RequestRecord
    file: JournalFile | None


class StoredJournal:
    """A :class:`~auth_server.control.request_journal.RequestJournal` kept in the world's store (see the module)."""

    def __init__(self, store: Store, max_entries: int = ENTRIES) -> None:
        if max_entries < 0:
            raise ValueError("max_entries cannot be negative")
        self.store = store
        self.max_entries = max_entries
        self._epoch = 0
        self._event_mark: int | None = None
        self.store_writes_seen: object = None
        self._closed = False
        self._begin()
        _at_exit.add(self)

    def _begin(self) -> None:
        """The process's own writer: its id, locks, queue and thread (made again in a forked child, which shares
        none of its parent's)."""
        self.writer_id = f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._lock = threading.Lock()  # the event mark, and the queue
        self._busy_lock = threading.Lock()  # marking the writer busy or idle in the store, one at a time
        self._wake = threading.Condition(self._lock)
        self._writing = threading.Lock()  # one batch at a time in this process: a flush waits for the one under way
        self._queue: list[_Queued] = []
        self._busy = False  # whether the store says this writer is busy
        self._thread: threading.Thread | None = None

    # --- the request's side ------------------------------------------------------------------------------------

    @property
    def knows_event_mark(self) -> bool:
        return self._event_mark is not None

    @property
    def event_mark(self) -> int:
        return self._event_mark or 0

    @property
    def epoch(self) -> int:
        return self._epoch

    def start_from_events(self, seqs: Iterable[int]) -> None:
        newest = max(seqs, default=0)
        with self._lock:
            if self._event_mark is None:
                self._event_mark = newest

    def follow_epoch(self, epoch: int) -> None:
        """The world's store started over ``epoch`` times (seen in its revision): its event seqs restarted."""
        with self._lock:
            if epoch != self._epoch:
                self._epoch, self._event_mark, self.store_writes_seen = epoch, 0, None

    def events_restarted(self) -> None:
        with self.store.reading() as repo:
            epoch = world_controls.counters(repo).epoch
        self.follow_epoch(epoch)

    def append(self, record: RequestRecord, *, events_seen: Iterable[int] = (),
               file: JournalFile | None = None) -> RequestRecord:
        """Queue ``record`` for the writer (numbered and given its flow when written); answers it as queued."""
        with self._busy_lock:
            if not self._busy:
                self._mark_busy()  # before the answer goes out: a reader in another process now waits for us
            with self._lock:
                mark = self._event_mark or 0
                caused = tuple(sorted({seq for seq in events_seen if seq > mark}))
                if caused or self._event_mark is None:
                    self._event_mark = caused[-1] if caused else mark
                queued = replace(record, events=caused, epoch=self._epoch, event_mark=self._event_mark)
                self._queue.append(_Queued(queued, file))
                if len(self._queue) in (1, BATCH):  # the writer waits for the first, then lingers for a batch
                    self._wake.notify()
        self._start()
        return queued

    def _mark_busy(self) -> None:
        now = time.time()
        with self.store.unit_of_work() as repo:
            session = session_of(repo)
            asked = world_controls.counters(repo).flush_asked
            # What a reader asked before now needs nothing of this writer: its queue was empty until now.
            if not session.execute(sa.update(journal_writers).where(W.writer == self.writer_id)
                                   .values(acked=asked, seen_at=now)).rowcount:  # type: ignore[attr-defined]
                session.execute(journal_writers.insert().values(writer=self.writer_id, acked=asked, seen_at=now))
            session.execute(sa.delete(journal_writers).where(W.seen_at < now - 6 * GONE_SECONDS))  # killed ones
        self._busy = True

    def _start(self) -> None:
        if self._closed:  # stopped, yet a request came: its record is written at once
            self.flush()
            return
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="linksim-journal", daemon=True)
                    self._thread.start()

    # --- the writer --------------------------------------------------------------------------------------------

    def _run(self) -> None:
        idle_since = time.monotonic()
        heard = 0.0
        acked = -1
        while not self._closed:
            with self._lock:
                if not self._queue:
                    self._wake.wait(POLL_SECONDS)
                if 0 < len(self._queue) < BATCH and not self._closed:
                    self._wake.wait(LINGER_SECONDS)
            try:
                asked = self._asked()  # first: what was queued before the ticket is written before it is answered
                wrote = self.flush()
                now = time.monotonic()
                if wrote:
                    idle_since = now
                if asked > acked or now - heard > HEARTBEAT_SECONDS:
                    self._acknowledge(asked)
                    acked, heard = asked, now
                if now - idle_since > IDLE_SECONDS and self._go_idle():
                    return  # the next record starts the writer again
            except StoreClosed:
                return
            except Exception:  # the writer must outlive a failing database; what it could not write stays queued
                log.exception("could not write the request journal")
                time.sleep(POLL_SECONDS * 10)

    def _asked(self) -> int:
        row = self.store.read_row(_FLUSH_ASKED)
        return int(row[0]) if row is not None else 0

    def _acknowledge(self, asked: int) -> None:
        with self.store.unit_of_work() as repo:
            session_of(repo).execute(sa.update(journal_writers).where(W.writer == self.writer_id)
                                     .values(acked=asked, seen_at=time.time()))

    def _go_idle(self) -> bool:
        """Leave the readers' list if nothing is queued nor being written (a record queued meanwhile keeps the writer
        busy)."""
        with self._writing, self._busy_lock, self._lock:
            if self._queue:
                return False
            with self.store.unit_of_work() as repo:
                session_of(repo).execute(sa.delete(journal_writers).where(W.writer == self.writer_id))
            self._busy = False
            self._thread = None
            return True

    def flush(self) -> int:
        """Write what is queued now, in batches; answers how many records were written. What is queued meanwhile
        waits for the next flush: the writer lingers to write it in one transaction."""
        written = 0
        with self._writing:
            with self._lock:
                pending, self._queue = self._queue, []
            while pending:
                batch = pending[:BATCH]
                try:
                    kept = self._write(batch)
                except BaseException:
                    with self._lock:
                        self._queue[:0] = pending  # in order, before what came since
                    raise
                pending = pending[BATCH:]
                written += len(kept)
                for record, queued in zip(kept, batch, strict=True):
                    if queued.file is not None:
                        queued.file.write(record)
        return written

    def _write(self, batch: list[_Queued]) -> list[RequestRecord]:
        with self.store.unit_of_work() as repo:
            session = session_of(repo)
            last = world_controls.counters(repo, lock=True).journal_seq
            aliases = StoreAliases(session, (flow for queued in batch for flow in queued.record.flows))
            kept = []
            for offset, queued in enumerate(batch, start=1):
                aliases.seq = last + offset
                kept.append(replace(queued.record, seq=aliases.seq, flow=choose_flow(queued.record.flows, aliases)))
            session.execute(journal_records.insert(), [
                {"seq": r.seq, "epoch": r.epoch, "event_mark": r.event_mark,
                 "record": json.dumps(r.as_dict(), ensure_ascii=False, default=str, separators=(",", ":"))}
                for r in kept])
            newest = kept[-1]
            world_controls.change(repo, journal_seq=newest.seq, journal_epoch=newest.epoch,
                                  journal_mark=newest.event_mark)
            session.execute(sa.delete(journal_records).where(R.seq <= newest.seq - self.max_entries))
            session.execute(sa.delete(journal_aliases)
                            .where(journal_aliases.c.seq <= newest.seq - max(self.max_entries, MAX_ALIASES)))
        return kept

    def close(self) -> None:
        """Write what is queued and leave the readers' list (a graceful stop)."""
        self._closed = True
        with self._lock:
            self._wake.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=BARRIER_SECONDS)  # its batch under way done, and its connection given back
        try:
            self.flush()
            with self._busy_lock:
                if self._busy:
                    with self.store.unit_of_work() as repo:
                        session_of(repo).execute(sa.delete(journal_writers).where(W.writer == self.writer_id))
                    self._busy = False
        except StoreClosed:
            pass

    # --- the reader's side -------------------------------------------------------------------------------------

    def barrier(self, *, timeout: float = BARRIER_SECONDS) -> bool:
        """Wait until every record queued (in any process) before now is in the store; False if the wait ran out."""
        with self.store.unit_of_work() as repo:
            world_controls.change(repo, flush_asked=controls_table.c.flush_asked + 1)
            ticket = world_controls.counters(repo).flush_asked
        self.flush()  # this process's own, at once
        deadline = time.monotonic() + timeout
        while True:
            with self.store.reading() as repo:
                rows = session_of(repo).execute(sa.select(W.writer, W.acked, W.seen_at)
                                                .where(W.writer != self.writer_id)).all()
            waiting = [row for row in rows if row.acked < ticket and time.time() - row.seen_at < GONE_SECONDS]
            if not waiting:
                return True
            if time.monotonic() > deadline:
                log.warning("the request journal's writers %s did not answer within %ss",
                            ", ".join(row.writer for row in waiting), timeout)
                return False
            time.sleep(POLL_SECONDS / 5)

    def snapshot(self) -> RequestJournal:
        """Every record queued before now, read from the store into a journal that answers queries."""
        self.barrier()
        with self.store.reading() as repo:
            session = session_of(repo)
            kept = world_controls.counters(repo)
            rows = session.execute(sa.select(R.epoch, R.event_mark, R.record).order_by(R.seq)).all()
            aliases = {row.alias: row.flow for row in session.execute(sa.select(journal_aliases))}
        records = [RequestRecord.from_dict(json.loads(row.record), epoch=row.epoch, event_mark=row.event_mark)
                   for row in rows]
        return RequestJournal.restored(records, aliases, epoch=kept.epoch,
                                       last=(kept.journal_seq, kept.journal_epoch, kept.journal_mark),
                                       max_entries=self.max_entries)

    def mark_after(self, since: int) -> tuple[int, int]:
        return self.snapshot().mark_after(since)

    def records(self) -> list[RequestRecord]:
        return self.snapshot().records()

    def clear(self) -> int:
        """Forget every record queued before now, in every process (numbering goes on)."""
        self.barrier()
        with self.store.unit_of_work() as repo:
            return int(session_of(repo).execute(sa.delete(journal_records)).rowcount)  # type: ignore[attr-defined]

    def __len__(self) -> int:
        with self.store.reading() as repo:
            return int(session_of(repo).scalar(sa.select(sa.func.count()).select_from(journal_records)) or 0)


CARRIED_TABLES = (journal_records, journal_aliases, journal_writers)


def carried(repo: Any) -> Callable[[Any], None]:
    """What of a world's controls outlives its store starting over, its counters and its journal, read now; it answers
    what writes them again into the new tables (:meth:`Store.reset`'s ``carrying``). Its fault rules go."""
    session = session_of(repo)
    counters = world_controls.counters(repo)
    tables = {table: [dict(row._mapping) for row in session.execute(sa.select(table))] for table in CARRIED_TABLES}

    def put_back(new: Any) -> None:
        world_controls.restore(new, counters)
        for table, rows in tables.items():
            if rows:
                session_of(new).execute(table.insert(), rows)

    return put_back


class _AtExit:
    """The journals of the process, each written out when it exits (held weakly: a journal goes with its world)."""

    def __init__(self) -> None:
        self._journals: weakref.WeakSet[StoredJournal] = weakref.WeakSet()
        atexit.register(self.close_all)

    def add(self, journal: StoredJournal) -> None:
        self._journals.add(journal)

    def after_fork(self) -> None:
        """A forked worker (gunicorn's) writes as a writer of its own; what its parent had queued is the parent's."""
        for journal in list(self._journals):
            journal._begin()  # noqa: SLF001

    def close_all(self) -> None:
        for journal in list(self._journals):
            try:
                journal.close()
            except Exception:
                log.exception("could not write the request journal at exit")


_at_exit = _AtExit()
os.register_at_fork(after_in_child=_at_exit.after_fork)
