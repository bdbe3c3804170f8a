"""Sending every world's webhooks outside the requests that made them: one background loop per app.

The loop (a daemon thread) starts once a world has something for it: after a request that leaves the world
with an undelivered webhook or an app that receives webhooks, and at app start when the main world's store
holds undelivered ones (a restarted server resumes them). From then on it visits the worlds that needed it: in
each, the expiry warnings that came due (type 7), webhooks for the new linking events, then every delivery due on
that world's clock (:class:`~auth_server.shop_partner.delivery.WebhookOutbox`). A world is visited every
:data:`POLL_SECONDS` while it sends; one that had nothing to send is visited half as often each time, down to every
:data:`IDLE_SECONDS` (a hundred idle sandboxes with webhook apps cost little), until a request in it that may
have left something to send brings its next visit forward.

Each world's run goes to a small pool of threads, one run per world at a time: a receiver that hangs costs its
own world up to 3 s per attempt, while the other worlds' deliveries go on (a single thread sending one world
after the other would make every world wait for the slowest receiver). Within a world, attempts stay in order.
A sandbox deleted during its run ends that run quietly (its store is closed). The loop ends when its app is
gone.

Every attempt goes through the world's fault rules (``webhook: true`` rules, docs/faults.md) and into its
request journal as an outgoing entry (``direction: "out"``). ``POST /_sim/webhooks/deliver`` runs the same
steps for one world, in the request.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask import Response
from flask import request

from auth_server.control.redaction import redact
from auth_server.control.request_journal import RequestRecord
from auth_server.control.request_journal import excerpt
from auth_server.shop_partner.delivery import TIMEOUT_SECONDS
from auth_server.shop_partner.delivery import Answer
from auth_server.shop_partner.delivery import send_stored
from auth_server.shop_partner.delivery import state_of
from auth_server.shop_partner.delivery import waits_for_loop
from auth_server.shop_partner.models import WebhookDelivery
from auth_server.store import Store
from auth_server.store import StoreClosed
from auth_server.web import context
from auth_server.worlds import HostedWorld
from auth_server.worlds import StoredSandboxes
from auth_server.worlds import Worlds

if TYPE_CHECKING:
    from auth_server.control.journal_file import JournalFile

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
IDLE_SECONDS = 2.0  # the longest a world that sent nothing waits for its next visit
WORKERS = 4  # worlds served at once: as many hanging receivers before a fifth world waits

Attempted = list[tuple[WebhookDelivery, dict[str, Any]]]
QUIET_METHODS = ("GET", "HEAD", "OPTIONS")  # they make no webhook and no webhook app
# Token requests write OAuth's codes and tokens only: no webhook, no webhook app (and they are the busiest routes).
QUIET_ENDPOINTS = ("login_kit.token", "standard_oauth.token", "standard_oauth.introspect")


def install(app: Flask) -> WebhookDispatcher:
    """Give ``app`` its delivery loop, started now if the main world's store holds undelivered webhooks, or soon
    after if a stored sandbox does."""
    with app.app_context():
        dispatcher = WebhookDispatcher(context.worlds(), context.journal_file(app),
                                       journaled=context.config(app).request_journal)
        context.install_webhooks(app, dispatcher)
        dispatcher.wake_for(context.worlds().main)
        dispatcher.look_through_stored_sandboxes()
    app.after_request(wake)
    return dispatcher


def wake(response: Response) -> Response:
    """``after_request``: a request that may have left its world something to send wakes the loop for it. A world in
    memory is read for it only once its outbox or its Shop apps were written since it held nothing (the outbox's
    ``needs_loop``); one in a shared database every time, as another process may have written them."""
    if request.method not in QUIET_METHODS and request.endpoint not in QUIET_ENDPOINTS and context.in_a_world():
        try:
            context.webhooks().wake_for(context.world())
        except Exception:  # waking the loop must never cost a request its answer
            log.exception("could not look for webhooks after %s %s", request.method, request.path)
    return response


class WebhookDispatcher:
    """The app's delivery loop over its worlds (held weakly: the loop ends with the app)."""

    def __init__(self, worlds: Worlds, journal_file: JournalFile | None = None, *,
                 poll_seconds: float = POLL_SECONDS, idle_seconds: float = IDLE_SECONDS, workers: int = WORKERS,
                 send: Callable[[WebhookDelivery, float], Answer] = send_stored, journaled: bool = True,
                 looping: bool = True) -> None:
        self._worlds = weakref.ref(worlds)
        self._looping = looping  # False (tests): no thread of its own; the caller runs the passes (visit_due)
        self._journal_file = journal_file
        self._journaled = journaled  # whether attempts go into the request journal (off: --no-request-journal)
        self._poll = poll_seconds
        self._idle = idle_seconds
        self._pace: weakref.WeakKeyDictionary[HostedWorld, _Pace] = weakref.WeakKeyDictionary()
        self._workers = workers
        self._send = send
        self._lock = threading.Lock()
        self._active: weakref.WeakSet[HostedWorld] = weakref.WeakSet()
        self._in_flight: set[int] = set()
        self._thread: threading.Thread | None = None
        self.stored_sandboxes_looked_through = threading.Event()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake_for(self, world: HostedWorld) -> bool:
        """Have the loop look after ``world`` if it holds something for it (starting the loop if need be), and visit
        it at its next pass."""
        with self._lock:
            watched = world in self._active
        if watched:
            self._pace.setdefault(world, _Pace(self._poll, self._idle)).hurry()
            self._start()  # (again, should it have ended)
            return True
        try:
            needed = world.webhooks.needs_loop()
        except StoreClosed:
            return False
        if needed:
            with self._lock:
                self._active.add(world)
            self._start()
        return needed

    def look_through_stored_sandboxes(self) -> None:
        """Look through the sandboxes kept in the store for what they wait to send, and look after those that hold
        something, as the main world's is looked at: a restarted process resumes them without waiting for a
        request to reach them. In a thread of its own, so that a start does not wait for every sandbox to be read;
        ``stored_sandboxes_looked_through`` is set once it is done."""
        worlds = self._worlds()
        if worlds is None or worlds.stored is None:
            self.stored_sandboxes_looked_through.set()
            return
        threading.Thread(target=self._wake_for_stored, args=(worlds.stored,), name="linksim-webhooks-stored",
                         daemon=True).start()

    def _wake_for_stored(self, stored: StoredSandboxes) -> None:
        try:
            for world in stored.opened_where(_waits_for_loop):
                self.wake_for(world)
        except StoreClosed:
            pass  # the app was closed meanwhile
        except Exception:
            log.exception("could not look through the stored sandboxes for webhooks")
        finally:
            self.stored_sandboxes_looked_through.set()

    def _start(self) -> None:
        with self._lock:
            if self.running or not self._looping:
                return
            self._thread = threading.Thread(target=self._loop, name="linksim-webhooks", daemon=True)
            self._thread.start()

    def run_world(self, world: HostedWorld) -> Attempted:
        """One world's turn, in the caller's thread: warnings due, webhooks of new linking events, deliveries due."""
        world.refresh()  # its fault rules and clock as another process may have changed them
        world.shop_partner.warn_of_expiry()
        world.webhooks.queue_linking_events()
        return world.webhooks.deliver_due(lambda delivery: self._attempt(world, delivery),
                                          on_attempt=lambda delivery, attempt: self._journal(world, delivery, attempt))

    def _loop(self) -> None:
        pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="linksim-webhook")
        try:
            while self._worlds() is not None:
                try:
                    self.visit_due(pool.submit, time.monotonic())
                except Exception:  # a pass that failed must not end the loop: the next one tries again
                    log.exception("the webhook delivery loop's pass failed")
                time.sleep(self._poll)
        finally:
            pool.shutdown(wait=False)

    def visit_due(self, submit: Callable[..., object], now: float) -> None:
        """One pass of the loop at ``now`` (monotonic seconds): each world whose visit is due and not under way is
        handed to ``submit`` (the loop's pool) to be run."""
        with self._lock:
            watched = list(self._active)
        for world in watched:
            pace = self._pace.setdefault(world, _Pace(self._poll, self._idle))
            if pace.next_visit > now:
                continue
            with self._lock:
                if id(world) in self._in_flight:
                    continue
                self._in_flight.add(id(world))
            submit(self._run_in_background, world, pace, now)

    def _run_in_background(self, world: HostedWorld, pace: _Pace, passed_at: float) -> None:
        try:
            wakes = pace.wakes
            sent = bool(self.run_world(world))
            pace.after_visit(passed_at, sent=sent, woken=pace.wakes != wakes)
        except StoreClosed:
            with self._lock:
                self._active.discard(world)  # a deleted sandbox: nothing more to send for it
        except Exception:
            log.exception("webhook delivery failed in world %s", world.id)
        finally:
            with self._lock:
                self._in_flight.discard(id(world))

    # --- one attempt: the fault rules, then the receiver ----------------------------------------------------

    def _attempt(self, world: HostedWorld, delivery: WebhookDelivery) -> Answer:
        rule = world.faults.match_webhook(delivery.url)
        if rule is None:
            return self._send(delivery, TIMEOUT_SECONDS)
        log.info("fault %s hits webhook %s to %s in world %s", rule.id, delivery.delivery_id, delivery.url, world.id)
        started = time.perf_counter()
        waited = min(rule.delay, TIMEOUT_SECONDS) if rule.delay or not rule.silent else TIMEOUT_SECONDS
        if rule.wait_out_delay(waited):
            return replace(self._send(delivery, TIMEOUT_SECONDS), fault_id=rule.id)  # lifted meanwhile

        def elapsed() -> float:
            return round((time.perf_counter() - started) * 1000, 1)

        if rule.silent or rule.delay >= TIMEOUT_SECONDS:
            return Answer(None, "timeout", elapsed(), rule.id)
        if rule.status is not None:
            return Answer(rule.status, f"HTTP {rule.status}", elapsed(), rule.id)
        answer = self._send(delivery, TIMEOUT_SECONDS - waited)  # slow, then answered by the real receiver
        return replace(answer, elapsed_ms=elapsed(), fault_id=rule.id)

    # --- the journal ---------------------------------------------------------------------------------------------

    def _journal(self, world: HostedWorld, delivery: WebhookDelivery, attempt: dict[str, Any]) -> None:
        if not self._journaled:
            return
        try:
            if not world.journal.knows_event_mark:
                # As a request's journaling does: the events before the first entry are no entry's doing.
                with world.simulator.store.unit_of_work() as repo:
                    world.journal.start_from_events(repo.event_seqs())
            world.journal.append(outgoing_record(world.id, delivery, attempt), file=self._journal_file)
        except StoreClosed:
            raise
        except Exception:  # the journal must never cost an attempt its record in the outbox
            log.exception("could not journal webhook %s", delivery.delivery_id)


class _Pace:
    """When the loop visits a world next: at its pace while the world sends, ever less often while it does not."""

    def __init__(self, poll: float, idle: float) -> None:
        self.poll, self.idle = poll, idle
        self.interval = poll
        self.next_visit = 0.0  # at the next pass
        self.wakes = 0  # how many times a request hurried it

    def hurry(self) -> None:
        """Visit at the next pass, and at the loop's pace from then on."""
        self.wakes += 1
        self.interval, self.next_visit = self.poll, 0.0

    def after_visit(self, passed_at: float, *, sent: bool, woken: bool) -> None:
        """The visit handed over at the pass of ``passed_at`` ended, having ``sent`` something or not, ``woken`` by a
        request while it ran (what that request left may have come after the visit looked: visit again at once)."""
        if woken:
            self.interval, self.next_visit = self.poll, 0.0
            return
        self.interval = self.poll if sent else min(self.interval * 2, self.idle)
        self.next_visit = passed_at + self.interval


def _waits_for_loop(store: Store) -> bool:
    with store.reading() as repo:
        return waits_for_loop(repo)


def outgoing_record(world_id: str, delivery: WebhookDelivery, attempt: dict[str, Any]) -> RequestRecord:
    """An attempt as the request journal keeps it: a POST the world sent (``direction: "out"``)."""
    url = urlsplit(delivery.url)
    body: Any = delivery.body
    try:
        body = json.loads(delivery.body)
    except ValueError:
        pass
    shop = body.get("shop_id") if isinstance(body, dict) else None
    return RequestRecord(
        world=world_id,
        wall_time=datetime.now(UTC),
        at=datetime.fromisoformat(str(attempt["at"])),
        method="POST",
        path=url.path or "/",
        query=url.query,
        status=attempt["status"] or 0,
        duration_ms=attempt["elapsed_ms"],
        headers=redact(dict(delivery.headers)),
        request_body=excerpt(redact(body)),
        shop=shop if isinstance(shop, str) else None,
        partner_app=delivery.client_key,
        fault_id=attempt.get("fault_id"),
        error_code=attempt["error"],
        direction="out",
        webhook={"delivery_id": delivery.delivery_id, "event": delivery.event, "url": delivery.url,
                 "app_key": delivery.app_key, "attempt": attempt["n"], "due_at": attempt["due_at"],
                 "outcome": attempt["outcome"], "state": state_of(delivery)},
    )
