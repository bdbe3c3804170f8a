"""The crash test (issue 13): ``linksim serve`` killed with SIGKILL in the middle of a stream of official links,
Login Kit refresh chains and clock moves, restarted on the same database, and checked.

A round: the server runs; client threads drive it over real HTTP (the seller with the demo partner app's token,
holders in the app, a partner app refreshing its users' tokens, someone moving the world's clock) and note every
operation the server acknowledged (a 2xx answer received) with what it established; at a seeded random moment
the server's whole process group gets SIGKILL. Then, on the database as the kill left it, nothing may be
half-made (:func:`half_made`); and once the server is started again on it, every acknowledged operation must be
there (:meth:`CrashTest.verify`): each link in its acknowledged state or a later one, the last acknowledged
refresh token of each chain still refreshing, the clock not earlier than any reading acknowledged before the kill
nor than any event recorded. An operation in flight when the kill came may have happened or not; the check
learns which from the server, and goes on from there.

``make crash`` runs the long version (:func:`main`); ``tests/crash/test_crash.py`` a short one in the suite.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import TypeVar

import requests

from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AccountType
from auth_server.domain.events import Event
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.oauth.models import Token
from auth_server.simulator import open_store
from mobile_stub.app import TikTokApp
from seller_client.client import TOKEN_REFUSED
from seller_client.client import SellerClient
from seller_client.errors import SellerRefused

T = TypeVar("T")

CLIENT_KEY = "linksim_demo_key"
CLIENT_SECRET = "linksim_demo_secret"
PASSWORD = "linksim-demo"
SECRET_KEY = "crash-test-secret-key-shared-by-every-restart"
LINKSIM = [sys.executable, "-m", "auth_server.cli"]
UNLINK_WAIT = timedelta(hours=24, minutes=5)  # the global market's official_unlink_wait, and a margin

# What may follow an acknowledged state: the state machine of auth_server.domain.links, forward only.
LATER: dict[str, frozenset[str]] = {
    "pending_consent": frozenset(s.value for s in LinkState),
    "consented": frozenset({"consented", "pending_review", "active", "unlinked", "refused", "expired"}),
    "pending_review": frozenset({"pending_review", "active", "unlinked", "refused"}),
    "active": frozenset({"active", "unlinked"}),
    "unlinked": frozenset({"unlinked"}),
    "refused": frozenset({"refused"}),
    "expired": frozenset({"expired"}),
}
HOLDING = ("pending_review", "active")
SELLER_ATTEMPTS = 25


def as_seller(call: Callable[[], T]) -> T:
    """A seller's call, sent again when its partner token was refused: the clock movers can age a token past its
    2 hours between its issue and its use (the client renews it once by itself; the refused call changed nothing).
    Two hours of the world pass in under a second of ours, so on a loaded machine a few renewals in a row can age."""
    for attempt in range(SELLER_ATTEMPTS):
        try:
            return call()
        except SellerRefused as refusal:
            if refusal.code != TOKEN_REFUSED or attempt == SELLER_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


class ServerGone(Exception):
    """The server stopped answering because the kill came: what was in flight may or may not have happened."""


# --- the server process ---------------------------------------------------------------------------------------


class Server:
    """``linksim serve`` as a real process in a process group of its own (so SIGKILL reaches all of it)."""

    def __init__(self, db: str, *, fixtures: bool) -> None:
        command = [*LINKSIM, "--db", db, "serve", "--port", "0", "--secret-key", SECRET_KEY]
        if fixtures:
            command += ["--fixtures", "demo"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)
        self.output: list[str] = []
        deadline = time.monotonic() + 120
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.output.append(line)
            if "Press Ctrl+C" in line:
                break
        found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", "".join(self.output))
        if not found:
            self.kill()
            raise RuntimeError("linksim serve did not start:\n" + "".join(self.output))
        self.url = found.group(1)
        # Keep reading what it prints (a traceback, say), or a full pipe would stall it.
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def kill(self) -> None:
        """SIGKILL to the server's whole process group: no handler, no clean-up, no lease given back."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._ended()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        self._ended()

    def _ended(self) -> None:
        self.process.wait(timeout=30)
        if hasattr(self, "_reader"):
            self._reader.join(timeout=10)
        assert self.process.stdout is not None
        self.process.stdout.close()


# --- what went over the wire ----------------------------------------------------------------------------------


@dataclass
class Traffic:
    """Every request the clients sent, by outcome; the 5xx answers kept for the report."""

    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)  # the 4xx answers by their code
    cut_off: int = 0  # no answer: the connection failed (the kill)
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def answered(self, request: requests.PreparedRequest, status: int, body: str) -> None:
        with self.lock:
            self.sent += 1
            self.statuses[status] += 1
            if 400 <= status < 500:
                found = re.search(r'"(?:code|error)": ?"(\w+)"', body)
                self.refusals[found.group(1) if found else str(status)] += 1
            if status >= 500:
                self.server_errors.append(f"{request.method} {request.path_url} -> {status}: {body[:300]}")

    def failed(self) -> None:
        with self.lock:
            self.sent += 1
            self.cut_off += 1

    @property
    def status_5xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


class CountingSession(requests.Session):
    """A requests session that counts what it sends in :class:`Traffic`."""

    def __init__(self, traffic: Traffic) -> None:
        super().__init__()
        self.traffic = traffic

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        try:
            response = super().send(request, **kwargs)
        except requests.RequestException:
            self.traffic.failed()
            raise
        self.traffic.answered(request, response.status_code, response.text if response.status_code >= 400 else "")
        return response


# --- what the server acknowledged -----------------------------------------------------------------------------


@dataclass
class LinkRecord:
    link_id: str
    shop_id: str
    username: str
    acked: str  # the state the last 2xx answer showed
    open_id: str | None = None
    activated_at: datetime | None = None
    in_flight: str | None = None  # the operation sent and not answered when the kill came


@dataclass
class Chain:
    """A Login Kit refresh chain: the demo app's tokens of one holder."""

    username: str
    refresh_token: str  # the last one acknowledged
    refreshes: int = 0  # refreshes acknowledged
    previous: str | None = None
    in_flight: bool = False


@dataclass
class Figures:
    rounds: int = 0
    acknowledged: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)  # an acknowledged operation the restarted server does not show
    half_made: list[str] = field(default_factory=list)
    clock_regressions: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # an answer that should not have come (not the kill's)
    chains_ended_in_flight: int = 0  # a refresh committed whose answer the kill cut off: the client has nothing
    in_flight_at_kill: Counter[str] = field(default_factory=Counter)

    def ack(self, kind: str) -> None:
        self.acknowledged[kind] += 1


class Ledger:
    """What the clients were told, shared by their threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.links: dict[str, LinkRecord] = {}
        self.clock_acked: datetime | None = None  # the latest clock reading the server gave
        self.figures = Figures()

    def clock_read(self, now: datetime) -> None:
        with self.lock:
            if self.clock_acked is None or now > self.clock_acked:
                self.clock_acked = now

    def latest_clock(self) -> datetime | None:
        with self.lock:
            return self.clock_acked


# --- the parties ------------------------------------------------------------------------------------------------


def crash_parties(shops: int, holders: int, chain_holders: int) -> dict[str, Any]:
    """Shops of one seller and verified adult holders in the US, added to the demo world for the test. The shops'
    market keeps a QR code a day, not 5 minutes, so that most links outlive the clock moves racing them."""
    accounts = [{"username": f"crash.holder{n:03d}", "region": "US", "age": 30, "verification": "verified"}
                for n in range(holders)]
    accounts += [{"username": f"crash.login{n:03d}", "region": "US", "age": 30, "verification": "verified"}
                 for n in range(chain_holders)]
    return {
        "default_password": PASSWORD,
        "markets": {"crash_test": {"inherits": "global", "qr_lifetime": "1d"}},
        "sellers": [{"id": "seller_crash", "name": "Crash Test Ltd", "entity": "ENT-CRASH",
                     "authorized_apps": ["6demo0linksim"],  # the demo partner app acts for its shops
                     "shops": [{"id": f"shop_crash_{n:02d}", "name": f"Crash Shop {n:02d}", "region": "US",
                                "market": "crash_test"}
                               for n in range(shops)]}],
        "accounts": accounts,
    }


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- the crash test ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How long and how hard: the suite's run is the default; ``make crash`` runs :meth:`long`."""

    rounds: int = 3
    seconds: tuple[float, float] = (1.5, 3.0)  # traffic before the kill, drawn at random in this range
    link_workers: int = 3
    shops_per_worker: int = 3
    holders_per_worker: int = 6
    chains: int = 8
    seed: int = 13

    @classmethod
    def long(cls, rounds: int, seed: int = 13) -> Plan:
        return cls(rounds=rounds, seconds=(3.0, 6.0), link_workers=4, shops_per_worker=4, holders_per_worker=8,
                   chains=20, seed=seed)

    @classmethod
    def from_environment(cls) -> Plan:
        """``LINKSIM_CRASH_ROUNDS`` (set: the long run, ``make crash``) and ``LINKSIM_CRASH_SEED``."""
        seed = int(os.environ.get("LINKSIM_CRASH_SEED") or 13)
        rounds = os.environ.get("LINKSIM_CRASH_ROUNDS")
        return cls.long(int(rounds), seed) if rounds else cls(seed=seed)


class CrashTest:
    """The server, the clients, what they were told, and the checks; :meth:`run` runs the plan's rounds."""

    def __init__(self, db: str, plan: Plan, say: Callable[[str], None] = print) -> None:
        self.db = db
        self.plan = plan
        self.say = say
        self.rng = random.Random(plan.seed)
        self.traffic = Traffic()
        self.ledger = Ledger()
        self.figures = self.ledger.figures
        self.server: Server | None = None
        self.stop = threading.Event()
        self.killing = threading.Event()
        self.sessions: dict[str, str] = {}  # username -> app session token (taken before any rename)
        self.chains: list[Chain] = []
        self.spare_chain_holders: list[str] = []
        self.max_event_at: datetime | None = None
        self.open_sessions: list[CountingSession] = []

    # the parts the clients share
    def session(self) -> CountingSession:
        session = CountingSession(self.traffic)
        self.open_sessions.append(session)
        return session

    def close_sessions(self) -> None:
        while self.open_sessions:
            self.open_sessions.pop().close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def app(self, username: str) -> TikTokApp:
        return TikTokApp(self.url, token=self.sessions[username], retries=0, session=self.session())

    @contextmanager
    def guarded(self, record: Callable[[], None] | None = None) -> Iterator[None]:
        """One call: a failure after the kill began is the kill's (ServerGone); one before it is a finding."""
        try:
            yield
        except ServerGone:
            raise
        except Exception as error:
            if self.killing.is_set():
                if record is not None:
                    record()
                raise ServerGone from error
            raise

    # --- set-up ---------------------------------------------------------------------------------------------------

    def start(self) -> None:
        self.server = Server(self.db, fixtures=True)
        plan = self.plan
        holders = plan.link_workers * plan.holders_per_worker
        shops = plan.link_workers * plan.shops_per_worker
        # a chain's holder once: each round's kill can end at most one chain per refresh worker (two)
        data = crash_parties(shops, holders, plan.chains + 2 * plan.rounds)
        added = requests.post(f"{self.url}/_sim/parties", json={"data": data}, timeout=60)
        assert added.status_code == 201, added.text
        names = [a["username"] for a in data["accounts"]]
        for username in names:
            app = TikTokApp(self.url, retries=0, session=self.session())
            app.sign_in(username, PASSWORD)
            assert app.token is not None
            self.sessions[username] = app.token
        logins = [n for n in names if n.startswith("crash.login")]
        self.spare_chain_holders = logins[plan.chains:]
        self.chains = [self.new_chain(username) for username in logins[:plan.chains]]
        self.read_clock()

    def new_chain(self, username: str) -> Chain:
        """The demo app's first tokens for ``username``, by Login Kit's QR code: the app scans and authorizes."""
        http = self.session()
        qr = http.post(f"{self.url}/v2/oauth/get_qrcode/", timeout=10,
                       data={"client_key": CLIENT_KEY, "scope": "user.info.basic", "state": "crash"}).json()
        app = self.app(username)
        app.authorize(app.scan(qr["scan_qrcode_url"].replace("client_ticket=tobefilled", "client_ticket=crash")))
        checked = http.post(f"{self.url}/v2/oauth/check_qrcode/", timeout=10, data={
            "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "token": qr["token"]}).json()
        assert checked.get("status") == "confirmed", checked
        redirect = checked["redirect_uri"].split("?")[0]
        tokens = http.post(f"{self.url}/v2/oauth/token/", timeout=10, data={
            "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "authorization_code",
            "code": checked["code"], "redirect_uri": redirect}).json()
        assert "refresh_token" in tokens, tokens
        self.figures.ack("login_kit_code_exchange")
        return Chain(username=username, refresh_token=tokens["refresh_token"])

    def read_clock(self) -> datetime:
        answer = self.session().get(f"{self.url}/_sim/clock", timeout=10)
        answer.raise_for_status()
        now = parse_time(answer.json()["now"])
        self.ledger.clock_read(now)
        return now

    # --- one round -----------------------------------------------------------------------------------------------

    def round(self, number: int) -> None:
        """Traffic until the kill, the checks of the database the kill left, a restart, the checks over HTTP."""
        self.stop.clear()
        self.killing.clear()
        workers = [threading.Thread(target=self.link_worker, args=(n, random.Random(self.rng.random())),
                                    name=f"links-{n}", daemon=True) for n in range(self.plan.link_workers)]
        workers += [threading.Thread(target=self.refresh_worker, args=(part,), name=f"refresh-{part}", daemon=True)
                    for part in range(2)]
        workers += [threading.Thread(target=self.clock_mover, args=(random.Random(self.rng.random()),),
                                     name=f"clock-{n}", daemon=True) for n in range(2)]
        workers.append(threading.Thread(target=self.clock_reader, name="clock-reader", daemon=True))
        for worker in workers:
            worker.start()
        time.sleep(self.rng.uniform(*self.plan.seconds))
        self.killing.set()
        assert self.server is not None
        self.server.kill()
        self.stop.set()
        for worker in workers:
            worker.join(timeout=60)
            assert not worker.is_alive(), f"{worker.name} did not stop"
        self.figures.rounds = number
        self.close_sessions()
        self.check_database()
        self.server = Server(self.db, fixtures=False)
        self.verify()

    # --- the clients ----------------------------------------------------------------------------------------------

    def link_worker(self, number: int, rng: random.Random) -> None:
        """A seller's official links on its own shops, with its own holders: QR code, scan, Authorize, terms, and
        an unlink once the clock allows it."""
        plan = self.plan
        shops = [f"shop_crash_{number * plan.shops_per_worker + n:02d}" for n in range(plan.shops_per_worker)]
        holders = [f"crash.holder{number * plan.holders_per_worker + n:03d}" for n in range(plan.holders_per_worker)]
        seller = SellerClient(self.url, retries=0, session=self.session())
        apps = {username: self.app(username) for username in holders}
        try:
            while not self.stop.is_set():
                shop = rng.choice(shops)
                current = self.holding(shop)
                if current is not None:
                    self.maybe_unlink(seller, current)
                    continue
                with self.ledger.lock:
                    busy = {r.username for r in self.ledger.links.values() if r.acked in HOLDING}
                free = [h for h in holders if h not in busy]
                if free:
                    self.link_official(seller, apps, shop, rng.choice(free))
        except ServerGone:
            return
        except Exception as error:  # noqa: BLE001 - reported as a finding, the round goes on
            self.figures.failures.append(f"links-{number}: {type(error).__name__}: {error}")

    def holding(self, shop: str) -> LinkRecord | None:
        with self.ledger.lock:
            return next((r for r in self.ledger.links.values() if r.shop_id == shop and r.acked in HOLDING), None)

    def link_official(self, seller: SellerClient, apps: dict[str, TikTokApp], shop: str, username: str) -> None:
        with self.guarded():
            link = as_seller(lambda: seller.start_official_link(shop))
        record = LinkRecord(link.link_id, shop, username, link.state)
        with self.ledger.lock:
            self.ledger.links[link.link_id] = record
        self.figures.ack("link_started")
        app = apps[username]
        try:
            with self.guarded(lambda: self.in_flight(record, "scan")):
                assert link.qr is not None
                consent = app.scan(link.qr.scan_url)
            self.figures.ack("link_scanned")
            with self.guarded(lambda: self.in_flight(record, "authorize")):
                app.authorize(consent)
            self.acked(record, "consented", "link_consented")
            with self.guarded(lambda: self.in_flight(record, "accept_terms")):
                linked = as_seller(lambda: seller.accept_terms(link.link_id))
            record.activated_at = parse_time(linked.activated_at) if linked.activated_at else None
            record.open_id = linked.open_id
            self.acked(record, linked.state, "link_terms_accepted")
        except (ServerGone, AssertionError):
            raise
        except Exception as refusal:  # noqa: BLE001 - a refusal (the clock moved past the QR code's 5 minutes)
            if getattr(refusal, "code", None) not in ("qr_expired", "consent_expired", "link_not_awaiting"):
                raise
            self.figures.ack(f"link_refused_{getattr(refusal, 'code', '')}")
            with self.guarded():
                record.acked = as_seller(lambda: seller.get_link(link.link_id)).state

    def maybe_unlink(self, seller: SellerClient, record: LinkRecord) -> None:
        now = self.ledger.latest_clock()
        if record.acked != "active" or record.activated_at is None or record.open_id is None or now is None:
            return
        open_id = record.open_id
        if now < record.activated_at + UNLINK_WAIT:
            time.sleep(0.01)
            return
        with self.guarded(lambda: self.in_flight(record, "unlink")):
            unlinked = as_seller(lambda: seller.unlink(record.shop_id, open_id))
        assert unlinked.link_id == record.link_id, (unlinked, record)
        self.acked(record, unlinked.state, "link_unlinked")

    def acked(self, record: LinkRecord, state: str, kind: str) -> None:
        with self.ledger.lock:
            record.acked = state
        self.figures.ack(kind)

    def in_flight(self, record: LinkRecord, operation: str) -> None:
        record.in_flight = operation
        self.figures.in_flight_at_kill[operation] += 1

    def refresh_worker(self, part: int) -> None:
        """The demo app refreshes its users' tokens, one chain after another, each answer a new refresh token."""
        http = self.session()
        mine = self.chains[part::2]
        try:
            while not self.stop.is_set():
                for chain in mine:
                    if self.stop.is_set():
                        return
                    self.refresh(http, chain)
        except ServerGone:
            return
        except Exception as error:  # noqa: BLE001 - reported as a finding
            self.figures.failures.append(f"refresh-{part}: {type(error).__name__}: {error}")

    def refresh(self, http: requests.Session, chain: Chain) -> None:
        def cut_off() -> None:
            chain.in_flight = True
            self.figures.in_flight_at_kill["refresh"] += 1

        with self.guarded(cut_off):
            answer = http.post(f"{self.url}/v2/oauth/token/", timeout=10, data={
                "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
                "refresh_token": chain.refresh_token})
        body = answer.json()
        if answer.status_code != 200 or "refresh_token" not in body:
            raise AssertionError(f"the acknowledged refresh token of @{chain.username}'s chain was refused: {body}")
        chain.previous, chain.refresh_token = chain.refresh_token, body["refresh_token"]
        chain.refreshes += 1
        self.figures.ack("refresh")

    def clock_mover(self, rng: random.Random) -> None:
        """Someone moves the world's clock a few hours at a time (two of them, racing)."""
        http = self.session()
        try:
            while not self.stop.is_set():
                with self.guarded():
                    answer = http.post(f"{self.url}/_sim/clock", json={"advance": f"{rng.randint(1, 3)}h"},
                                       timeout=10)
                if answer.status_code != 200:
                    raise AssertionError(f"POST /_sim/clock answered {answer.status_code}: {answer.text}")
                self.ledger.clock_read(parse_time(answer.json()["now"]))
                self.figures.ack("clock_moved")
                time.sleep(rng.uniform(0.05, 0.3))
        except ServerGone:
            return
        except Exception as error:  # noqa: BLE001 - reported as a finding
            self.figures.failures.append(f"clock: {type(error).__name__}: {error}")

    def clock_reader(self) -> None:
        http = self.session()
        try:
            while not self.stop.is_set():
                with self.guarded():
                    answer = http.get(f"{self.url}/_sim/clock", timeout=10)
                answer.raise_for_status()
                self.ledger.clock_read(parse_time(answer.json()["now"]))
                self.figures.ack("clock_read")
                time.sleep(0.01)
        except ServerGone:
            return
        except Exception as error:  # noqa: BLE001 - reported as a finding
            self.figures.failures.append(f"clock reader: {type(error).__name__}: {error}")

    # --- the checks -------------------------------------------------------------------------------------------------

    def check_database(self) -> None:
        """On the database as the kill left it (no server on it): nothing half-made."""
        store = open_store(self.db)
        try:
            with store.unit_of_work() as repo:
                problems, self.max_event_at = half_made(repo)
                problems += self.half_made_chains(repo)
        finally:
            store.dispose()
        self.figures.half_made += [f"round {self.figures.rounds}: {p}" for p in problems]

    def half_made_chains(self, repo: Any) -> list[str]:
        """Each chain has exactly one refresh token that works: a spent one always has its successor."""
        problems = []
        for chain in self.chains:
            account = repo.account_by_username(chain.username)
            tokens = repo.all_where(Token, order_by="issued_at", client_key=CLIENT_KEY, open_id=account.open_id)
            usable = [t for t in tokens if t.refresh_revoked_at is None]
            issued = chain.refreshes + 1
            expected = {issued, issued + 1} if chain.in_flight else {issued}
            if len(usable) != 1:
                problems.append(f"@{chain.username}'s chain has {len(usable)} refresh tokens that work, not one")
            if len(tokens) not in expected:
                problems.append(f"@{chain.username}'s chain holds {len(tokens)} tokens, "
                                f"{chain.refreshes} refreshes being acknowledged")
        return problems

    def verify(self) -> None:
        """Over HTTP, on the restarted server: every acknowledged operation is there, the clock did not go back."""
        self.check_clock()
        http = self.session()
        for record in list(self.ledger.links.values()):
            answer = http.get(f"{self.url}/_sim/links/{record.link_id}", timeout=10)
            if answer.status_code != 200:
                self.figures.lost.append(f"link {record.link_id} ({record.acked}): GET answered {answer.status_code}")
                continue
            state = answer.json()["state"]
            if state not in LATER[record.acked]:
                self.figures.lost.append(f"link {record.link_id} at {record.shop_id} was acknowledged "
                                         f"{record.acked}; the restarted server shows it {state}")
            activated = answer.json().get("activated_at")
            record.activated_at = parse_time(activated) if activated else record.activated_at
            record.open_id = answer.json().get("open_id") or record.open_id
            record.acked = state  # in flight or not, the server's state is where the next round goes on
            record.in_flight = None
        for chain in list(self.chains):
            self.verify_chain(http, chain)

    def check_clock(self) -> None:
        acked = self.ledger.latest_clock()
        now = self.read_clock()
        if acked is not None and now < acked:
            self.figures.clock_regressions.append(
                f"round {self.figures.rounds}: the clock reads {now.isoformat()} after the restart, "
                f"{acked.isoformat()} was read before the kill")
        if self.max_event_at is not None and now < self.max_event_at:
            self.figures.clock_regressions.append(
                f"round {self.figures.rounds}: the clock reads {now.isoformat()} after the restart, earlier than "
                f"an event recorded at {self.max_event_at.isoformat()}")

    def verify_chain(self, http: requests.Session, chain: Chain) -> None:
        answer = http.post(f"{self.url}/v2/oauth/token/", timeout=10, data={
            "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
            "refresh_token": chain.refresh_token})
        body = answer.json()
        if "refresh_token" in body:
            chain.previous, chain.refresh_token = chain.refresh_token, body["refresh_token"]
            chain.refreshes += 1
            chain.in_flight = False
            self.figures.ack("refresh")
            return
        if not chain.in_flight:
            self.figures.lost.append(f"@{chain.username}'s last acknowledged refresh token is refused after the "
                                     f"restart: {body}")
        else:  # the kill cut off the answer to a refresh the server had made: the client never got the new token
            self.figures.chains_ended_in_flight += 1
        self.chains.remove(chain)
        if self.spare_chain_holders:  # a new chain, for another holder (so each holder's tokens are one chain)
            self.chains.append(self.new_chain(self.spare_chain_holders.pop(0)))

    def finish(self) -> None:
        """The end: each chain refreshes once more, and the refresh token before is then refused."""
        http = self.session()
        for chain in self.chains:
            self.refresh(http, chain)
            answer = http.post(f"{self.url}/v2/oauth/token/", timeout=10, data={
                "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
                "refresh_token": chain.previous})
            if "refresh_token" in answer.json():
                self.figures.failures.append(f"@{chain.username}'s spent refresh token refreshed again")

    def run(self) -> Figures:
        self.start()
        try:
            for number in range(1, self.plan.rounds + 1):
                self.round(number)
                self.say(self.round_line())
            self.finish()
        finally:
            if self.server is not None:
                self.server.stop()
            self.close_sessions()
        return self.figures

    def round_line(self) -> str:
        f = self.figures
        return (f"round {f.rounds}: {self.traffic.sent} requests, {sum(f.acknowledged.values())} acknowledged, "
                f"{len(f.lost)} lost, {len(f.half_made)} half-made, {len(f.clock_regressions)} clock regressions")


def half_made(repo: Any) -> tuple[list[str], datetime | None]:
    """What the store guarantees of every link, checked on its rows and its journal; and the latest event's time.

    Each state change is one transaction with its event and its side effects, so: a link's state is the one its
    last ``link.*`` event moved it to; a consented link names its holder and has its ``link.consented`` event; a
    link that reached its review has its terms accepted; an active link was activated, its account is a business
    account (E1) and has the shop's storefront (E3); an ended link has its end; one official account per shop.
    """
    problems: list[str] = []
    events: list[Event] = list(repo.events())
    by_link: dict[str, list[Event]] = {}
    for event in events:
        if event.subject_type == "link":
            by_link.setdefault(event.subject_id, []).append(event)
    storefronts = {(e.subject_id, e.data.get("shop_id")) for e in events if e.kind == "account.storefront_added"}
    links: list[Link] = []
    for shop in repo.shops():
        links += repo.links(shop_id=shop.shop_id)
    for link in links:
        mine = by_link.pop(link.link_id, [])
        kinds = [e.kind for e in mine]
        moves = [e for e in mine if "state" in e.changes]
        last = moves[-1].changes["state"][1] if moves else LinkState.PENDING_CONSENT.value
        if "link.started" not in kinds:
            problems.append(f"{link.link_id} has no link.started event")
        if last != link.state.value:
            problems.append(f"{link.link_id} is {link.state.value}, its last event moved it to {last}")
        reached = {e.changes["state"][1] for e in moves}
        if "consented" in reached and (link.consented_at is None or link.open_id is None):
            problems.append(f"{link.link_id} was consented but has no consent time or holder")
        if "pending_review" in reached and link.terms_accepted_at is None:
            problems.append(f"{link.link_id} went to review without its terms accepted")
        if link.state is LinkState.ACTIVE:
            account: Account | None = repo.account(link.open_id) if link.open_id else None
            if link.activated_at is None or account is None:
                problems.append(f"{link.link_id} is active with no activation time or no account")
            elif account.account_type is AccountType.PERSONAL:
                problems.append(f"{link.link_id} is active and @{account.username} is still personal (E1)")
            if (link.open_id, link.shop_id) not in storefronts:
                problems.append(f"{link.link_id} is active and its account has no storefront of {link.shop_id} (E3)")
        if link.state.value in ("unlinked", "refused", "expired") and link.ended_at is None:
            problems.append(f"{link.link_id} is {link.state.value} with no end time")
    problems += [f"events for a link that does not exist: {link_id}" for link_id in by_link]
    officials: Counter[str] = Counter(link.shop_id for link in links
                                      if link.role is Role.OFFICIAL and link.state.holds_slot)
    problems += [f"{shop} holds {n} official accounts" for shop, n in officials.items() if n > 1]
    latest = max((e.at for e in events), default=None)
    return problems, latest


# --- make crash ---------------------------------------------------------------------------------------------------


def report(test: CrashTest, db_name: str) -> str:
    f, t = test.figures, test.traffic
    acked = sum(f.acknowledged.values())
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(f.acknowledged.items()))
    refusals = ", ".join(f"{code} {n}" for code, n in t.refusals.most_common()) or "none"
    in_flight = ", ".join(f"{kind} {n}" for kind, n in sorted(f.in_flight_at_kill.items())) or "none"
    lines = [
        f"crash test on {db_name}: {f.rounds} kill -9 and restart rounds (seed {test.plan.seed})",
        f"  requests sent                {t.sent}  (5xx: {t.status_5xx}; 4xx: "
        f"{sum(n for s, n in t.statuses.items() if 400 <= s < 500)}; cut off by the kill: {t.cut_off})",
        f"  4xx answers                  {refusals}",
        f"  operations acknowledged      {acked}  ({kinds})",
        f"  in flight at the kills       {in_flight}",
        f"  acknowledged and lost        {len(f.lost)}",
        f"  half-made                    {len(f.half_made)}",
        f"  refresh chains               {len(test.chains)} alive at the end; "
        f"{f.chains_ended_in_flight} ended by a refresh the server made whose answer the kill cut off",
        f"  clock regressions            {len(f.clock_regressions)}",
        f"  other failures               {len(f.failures)}",
    ]
    for title, found in (("lost", f.lost), ("half-made", f.half_made), ("clock", f.clock_regressions),
                         ("failure", f.failures), ("5xx", t.server_errors)):
        lines += [f"  {title}: {line}" for line in found[:20]]
    return "\n".join(lines)


def passed(test: CrashTest) -> bool:
    f = test.figures
    return not (f.lost or f.half_made or f.clock_regressions or f.failures or test.traffic.status_5xx)


def main() -> None:
    """``python -m tests.crash.driver --db URL``: the long run on any database (``make crash`` runs it through
    pytest, on SQLite and on the PostgreSQL server scripts/test.sh starts)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", required=True, help="the database to serve (emptied first)")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--seed", type=int, default=13)
    options = parser.parse_args()
    test = CrashTest(options.db, Plan.long(options.rounds, options.seed))
    try:
        test.run()
    finally:
        print(report(test, options.db))
    sys.exit(0 if passed(test) else 1)


if __name__ == "__main__":
    main()
