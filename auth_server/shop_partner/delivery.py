"""Delivering one world's webhooks: the outbox (``webhook_deliveries``) sent, retried and given up on the world's
clock, and linksim's own linking events turned into webhooks for the Shop apps that opted in.

Sending. Each attempt is a JSON POST of the stored body and headers, exactly as stored (the signature covers the
raw body), to the row's URL. A 200 answered within 3 s (wall-clock time) is success; any other status, a timeout
or a refused connection is a failed attempt. After a failure the next attempt is due 2 min, 30 min, 3 h, then
12 h after the previous attempt's *due time* (not the time it ran), so the five attempts fall at +0, +2 min,
+32 min, +3 h 32 min and +15 h 32 min however the clock moves: a clock advanced by a day at once runs every
remaining attempt, in order. After the fifth failure there are none (``given_up_at``). Each attempt is appended to
the row's ``attempts``: ``{"n", "due_at", "at", "outcome", "status", "error", "elapsed_ms", "fault_id"}``.

Linking events (opt-in per Shop app, ``partner_apps[].shop.events``). :meth:`WebhookOutbox.queue_linking_events`
reads the world's domain events after a cursor kept in the world's store (setting ``webhooks.events_cursor``: a
restarted server neither repeats nor loses one). An event concerns a shop: a link's or an invitation's, and for
an account's event the shop it names, else the shops the account is actively linked to (official or marketing).
Every seller authorization (an active grant, ``user_type`` 0, reaching that shop, given no later than the event)
of an app that opted in to the event's type and has a webhook URL gets one webhook per shop, in TikTok Shop's
envelope ``{"type", "tts_notification_id", "shop_id", "timestamp", "data"}``, signed like the others
(``Authorization: hex(HMAC-SHA256(app_secret, app_key + raw body))``); ``timestamp`` is when the event happened.
The types and their ``data``:

- ``LINK_ACTIVE`` (``link.active``): ``link_id``, ``open_id``, ``role`` (official, marketing), ``state``
  ("active"), ``reason`` (None);
- ``LINK_REFUSED`` (``link.refused``): the same, ``state`` "refused", ``reason`` the first refusal code and
  ``codes`` all of them;
- ``LINK_UNLINKED`` (``link.unlinked``): the same, ``state`` "unlinked", ``reason`` who ended it (``ended_by``:
  the seller, a partner app, the simulator);
- ``ACCOUNT_UPGRADED`` (``account.upgraded_to_business``): ``open_id``, ``link_id``, ``account_type``
  ("business"), ``reason`` ("E1": a linked account becomes a Business Account);
- ``ACCOUNT_NAME_SYNCED`` (``account.renamed`` by the name sync only, rule E2; a holder renaming the account
  sends none): ``open_id``, ``nickname`` and ``username`` as they became (None when unchanged), ``reason``
  ("name_sync");
- ``INVITATION_ACCEPTED`` (``invitation.accepted``): ``invitation_id``, ``open_id``, ``link_id``, ``state``
  ("accepted");
- ``INVITATION_DECLINED`` (``invitation.declined``): ``invitation_id``, ``open_id``, ``state`` ("declined").

Several processes (``linksim serve --workers N``). Each runs its own delivery loop on the same store, so an attempt
is claimed before it is sent: in one transaction, the earliest due delivery that no process holds gets a
``claimed_until`` time (wall time: it is about processes, not the world's clock) :data:`CLAIM` ahead, longer than any
attempt takes. Only then is it sent, and its attempt recorded (which clears the claim). A process killed while
sending leaves its claim to expire, after which another process makes the attempt. The events cursor and the
grants' expiry warnings are read under a row lock, so two processes never turn one event or one warning into two
webhooks.

No web framework here: the sending function comes in (:func:`post_json` by default), so the layer above decides
about threads, fault rules and the journal.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from auth_server.domain.clock import Clock
from auth_server.domain.events import Event
from auth_server.domain.links import LinkState
from auth_server.shop_partner import webhooks
from auth_server.shop_partner.authorizations import UnitOfWork
from auth_server.shop_partner.linking_events import LINKING_EVENTS
from auth_server.shop_partner.models import Grant
from auth_server.shop_partner.models import ShopApp
from auth_server.shop_partner.models import UserType
from auth_server.shop_partner.models import WebhookDelivery
from auth_server.shop_partner.tables import shop_apps
from auth_server.shop_partner.tables import webhook_deliveries

TIMEOUT_SECONDS = 3.0  # "expect 200 ... within 3 s"
RETRY_DELAYS = (timedelta(minutes=2), timedelta(minutes=30), timedelta(hours=3), timedelta(hours=12))
ATTEMPTS = 1 + len(RETRY_DELAYS)
EVENTS_CURSOR = "webhooks.events_cursor"  # the last domain event seq turned into webhooks
STATES = ("pending", "delivered", "given_up")
NEVER = datetime(9999, 12, 31, tzinfo=UTC)  # later than any webhook falls due
CLAIM = timedelta(seconds=30)  # wall time a process holds the attempt it sends: longer than any attempt (3 s and a bit)

LOOP_TABLES = (webhook_deliveries.name, shop_apps.name)  # what needs_loop reads

# domain event kind -> the webhook type it becomes
WEBHOOK_TYPE_OF = {kind: name for name, kinds in LINKING_EVENTS.items() for kind in kinds}


@dataclass(frozen=True)
class Answer:
    """What became of one POST: the receiver's status (None: no answer), why it failed, how long it took."""

    status: int | None
    error: str | None
    elapsed_ms: float
    fault_id: str | None = None  # the fault rule (/_sim/faults) that decided it

    @property
    def succeeded(self) -> bool:
        return self.status == 200 and self.error is None


Send = Callable[[WebhookDelivery], Answer]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer other than 200: a failed attempt, as TikTok counts it


# No proxies from the environment: receivers under test are mostly on loopback, which a proxy cannot reach.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT_SECONDS) -> Answer:
    """POST ``body`` with ``headers`` to ``url``; a 200 within ``timeout`` seconds (in all) is success."""
    started = time.perf_counter()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    status: int | None = None
    error: str | None = None
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = response.status
            response.read()
    except urllib.error.HTTPError as answered:
        status = answered.code
        error = f"HTTP {answered.code}"
        answered.close()
    except (TimeoutError, urllib.error.URLError, OSError, ValueError) as failed:
        reason = getattr(failed, "reason", failed)
        error = "timeout" if isinstance(reason, TimeoutError) else f"no answer: {reason}"
    elapsed = time.perf_counter() - started
    if error is None and elapsed > timeout:
        error = "timeout"  # answered, but later than TikTok waits
    elif error is None and status != 200:
        error = f"HTTP {status}"
    return Answer(status, error, round(elapsed * 1000, 1))


def send_stored(delivery: WebhookDelivery, timeout: float = TIMEOUT_SECONDS) -> Answer:
    return post_json(delivery.url, delivery.body.encode(), dict(delivery.headers), timeout)


def waits_for_loop(repo: Any) -> bool:
    """Whether a world's store holds anything for the delivery loop: an undelivered webhook, or an app that receives
    webhooks (its expiry warnings and linking events are made by the loop)."""
    if repo.all_due(WebhookDelivery, due="due_at", now=NEVER, limit=1):
        return True
    return any(app.webhook_url for app in repo.all_of(ShopApp, order_by="app_key"))


def state_of(delivery: WebhookDelivery) -> str:
    if delivery.delivered_at is not None:
        return "delivered"
    if delivery.given_up_at is not None:
        return "given_up"
    return "pending"


def view(delivery: WebhookDelivery) -> dict[str, Any]:
    """A delivery as the controls show it."""
    return {
        "delivery_id": delivery.delivery_id, "event": delivery.event, "state": state_of(delivery),
        "url": delivery.url, "app_key": delivery.app_key, "client_key": delivery.client_key,
        "created_at": delivery.created_at.isoformat(),
        "due_at": delivery.due_at.isoformat() if delivery.due_at else None,
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
        "given_up_at": delivery.given_up_at.isoformat() if delivery.given_up_at else None,
        "attempts": list(delivery.attempts), "headers": dict(delivery.headers), "body": delivery.body,
    }


class WebhookOutbox:
    """One world's webhooks on their way out. One run at a time per world (``lock``): the background loop and a
    synchronous ``POST /_sim/webhooks/deliver`` never send the same attempt twice."""

    def __init__(self, unit_of_work: UnitOfWork, clock: Clock, *, reading: UnitOfWork | None = None,
                 wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 written: Callable[[Sequence[str]], object] | None = None) -> None:
        self._unit_of_work = unit_of_work
        self._reading = reading or unit_of_work  # asked after every request that may write: no write lock
        self._clock = clock
        self._wall_clock = wall_clock  # what claims expire by: real time, as processes die in it
        # A mark of what was written to tables (Store.write_mark), where no other process writes them: None otherwise.
        self._written = written
        self._nothing_at: object = None  # the mark when the store was last found to hold nothing for the loop
        self.lock = threading.Lock()

    def needs_loop(self) -> bool:
        """Whether anything here waits for the delivery loop: an undelivered webhook, or an app that receives
        webhooks (its expiry warnings and linking events are made by the loop). Asked after every request that may
        write, so the store is read again only when the outbox or the apps may have changed since it held nothing."""
        mark = self._written(LOOP_TABLES) if self._written is not None else None
        if mark is not None and mark == self._nothing_at:
            return False
        with self._reading() as repo:
            needed = waits_for_loop(repo)
        self._nothing_at = None if needed else mark  # taken before the read: a write during it is read next time
        return needed

    def deliveries(self, *, app_key: str | None = None, event: str | None = None,
                   state: str | None = None) -> list[WebhookDelivery]:
        """The world's deliveries, newest first, as filtered."""
        equal = {name: value for name, value in (("app_key", app_key), ("event", event)) if value is not None}
        with self._unit_of_work() as repo:
            found: list[WebhookDelivery] = repo.all_where(WebhookDelivery, order_by="created_at", **equal)
        found = [d for d in found if state is None or state_of(d) == state]
        return sorted(found, key=lambda d: (d.created_at, d.delivery_id), reverse=True)

    def deliver_due(self, send: Send, *, on_attempt: Callable[[WebhookDelivery, dict[str, Any]], None] | None = None
                    ) -> list[tuple[WebhookDelivery, dict[str, Any]]]:
        """Attempt every delivery due by the clock's time, earliest due first, until none is due (a retry that
        falls due by then runs in the same call). Answers each attempt made."""
        made: list[tuple[WebhookDelivery, dict[str, Any]]] = []
        with self.lock:
            while (delivery := self._claim()) is not None:
                attempt = self._attempt(delivery, send)
                if attempt is not None:
                    made.append(attempt)
                    if on_attempt is not None:
                        on_attempt(*attempt)
            return made

    def _claim(self) -> WebhookDelivery | None:
        """The earliest delivery due that no process holds, now held by this one for :data:`CLAIM`. Looked for in a
        read first: most visits of the loop find none, and then take no write lock."""
        wall_now, now = self._wall_clock(), self._clock.now()
        with self._reading() as repo:
            if repo.claimable(WebhookDelivery, due="due_at", now=now, claimed="claimed_until", wall_now=wall_now,
                              lock=False) is None:
                return None
        with self._unit_of_work() as repo:
            found: WebhookDelivery | None = repo.claimable(WebhookDelivery, due="due_at", now=now,
                                                           claimed="claimed_until", wall_now=wall_now)
            if found is not None:
                found.claimed_until = wall_now + CLAIM
            return found

    def _attempt(self, delivery: WebhookDelivery, send: Send) -> tuple[WebhookDelivery, dict[str, Any]] | None:
        due_at = delivery.due_at
        assert due_at is not None
        try:
            answer = send(delivery)
        except Exception:
            self._release(delivery)  # a failure of ours, not the receiver's: the next turn tries again at once
            raise
        now = self._clock.now()
        with self._unit_of_work() as repo:
            row: WebhookDelivery | None = repo.get(WebhookDelivery, delivery.delivery_id, lock=True)
            if row is None or row.due_at != due_at:
                return None  # its claim ran out and another process attempted it meanwhile
            row.claimed_until = None
            n = len(row.attempts) + 1
            attempt: dict[str, Any] = {"n": n, "due_at": due_at.isoformat(), "at": now.isoformat(),
                       "outcome": "delivered" if answer.succeeded else "failed", "status": answer.status,
                       "error": answer.error, "elapsed_ms": answer.elapsed_ms, "fault_id": answer.fault_id}
            row.attempts = [*row.attempts, attempt]  # a new list: the JSON column sees no change made in place
            if answer.succeeded:
                row.delivered_at, row.due_at = now, None
            elif n < ATTEMPTS:
                row.due_at = due_at + RETRY_DELAYS[n - 1]
            else:
                row.given_up_at, row.due_at = now, None
            return row, attempt

    def _release(self, delivery: WebhookDelivery) -> None:
        try:
            with self._unit_of_work() as repo:
                row: WebhookDelivery | None = repo.get(WebhookDelivery, delivery.delivery_id, lock=True)
                if row is not None:
                    row.claimed_until = None
        except Exception:  # noqa: BLE001 - the claim then runs out on its own
            pass

    # --- linksim's linking events ----------------------------------------------------------------------------

    def queue_linking_events(self) -> int:
        """Webhooks for the domain events since the cursor, for the apps that opted in; the cursor moves on in
        the same transaction. Returns how many webhooks were made."""
        made = 0
        with self._reading() as repo:  # most visits find no new event, and then take no write lock
            if not repo.events(after_seq=int(repo.setting(EVENTS_CURSOR) or 0), limit=1):
                return 0
        with self._unit_of_work() as repo:
            cursor = int(repo.setting(EVENTS_CURSOR, lock=True) or 0)  # another process waits: no event twice
            events: list[Event] = list(repo.events(after_seq=cursor))
            if not events:
                return 0
            apps = [app for app in repo.all_of(ShopApp, order_by="app_key") if app.webhook_url and app.events]
            if apps:
                grants = [g for g in repo.all_where(Grant, order_by="granted_at", user_type=int(UserType.SELLER))
                          if g.active(self._clock.now())]
                for event in events:
                    made += self._webhooks_of(repo, event, apps, grants)
            repo.set_setting(EVENTS_CURSOR, max(e.seq or 0 for e in events))
        return made

    def _webhooks_of(self, repo: Any, event: Event, apps: list[ShopApp], grants: list[Grant]) -> int:
        name = WEBHOOK_TYPE_OF.get(event.kind)
        if name is None:
            return 0
        facts = _facts(repo, name, event)
        if facts is None:
            return 0
        made = 0
        for shop_id in _shops_of(repo, event):
            for app in apps:
                if name not in app.events:
                    continue
                if any(g.app_key == app.app_key and shop_id in g.shop_ids and g.granted_at <= event.at for g in grants):
                    webhooks.shop_webhook(repo, app, name, {"shop_id": shop_id, "timestamp": int(event.at.timestamp()),
                                                            "data": facts}, self._clock.now())
                    made += 1
        return made


def _facts(repo: Any, name: str, event: Event) -> dict[str, Any] | None:
    facts = {**{k: v[1] for k, v in event.changes.items() if isinstance(v, list) and len(v) == 2}, **event.data}
    if name.startswith("LINK_"):
        link = repo.link(event.subject_id)
        codes = list(facts.get("codes") or [])
        state = str(facts.get("state") or (link.state.value if link else ""))
        reason: Any = None
        if state == LinkState.REFUSED.value:
            reason = codes[0] if codes else None
        elif state == LinkState.UNLINKED.value:
            reason = event.actor
        data: dict[str, Any] = {"link_id": event.subject_id, "open_id": facts.get("open_id"),
                                "role": facts.get("role"), "state": state, "reason": reason}
        if name == "LINK_REFUSED":
            data["codes"] = codes
        return data
    if name == "ACCOUNT_UPGRADED":
        return {"open_id": event.subject_id, "link_id": facts.get("link_id"), "account_type": facts.get("account_type"),
                "reason": facts.get("rule")}
    if name == "ACCOUNT_NAME_SYNCED":
        if facts.get("reason") != "name_sync":
            return None
        return {"open_id": event.subject_id, "nickname": facts.get("nickname"), "username": facts.get("username"),
                "reason": "name_sync"}
    data = {"invitation_id": event.subject_id, "open_id": None, "state": facts.get("state")}
    invitation = repo.invitation(event.subject_id)
    if invitation is not None:
        data["open_id"] = invitation.open_id
    if name == "INVITATION_ACCEPTED":
        data["link_id"] = facts.get("link_id") or (invitation.link_id if invitation else None)
    return data


def _shops_of(repo: Any, event: Event) -> Iterable[str]:
    """The shops an event concerns: its link's or invitation's; for an account, the one it names, else those it is
    actively linked to."""
    if event.subject_type == "link":
        link = repo.link(event.subject_id)
        return [link.shop_id] if link is not None else []
    if event.subject_type == "invitation":
        invitation = repo.invitation(event.subject_id)
        return [invitation.shop_id] if invitation is not None else []
    if event.subject_type == "account":
        named = event.data.get("shop_id")
        if isinstance(named, str) and named:
            return [named]
        link_id = event.data.get("link_id")
        link = repo.link(link_id) if isinstance(link_id, str) else None
        if link is not None:
            return [link.shop_id]
        return sorted({link.shop_id for link in repo.holding_links(open_id=event.subject_id)
                       if link.state is LinkState.ACTIVE})
    return []
