"""A world served by several processes from one database: each keeps its clock, markets, fault rules and journal in
the store, so that whichever process answers, the world is the same. Two apps on one database stand in for two
processes (each has its own caches, its own journal writer), on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.control.fault_plan import FaultPlan
from auth_server.control.stored_journal import StoredJournal
from auth_server.domain.clock import ManualClock
from auth_server.simulator import CLOCK_SETTING
from auth_server.simulator import Simulator
from auth_server.simulator import open_store
from auth_server.web.context import journal_file
from auth_server.web.context import worlds
from tests.conftest import postgres_store

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLIENT_CREDENTIALS = {"client_key": "linksim_demo_key", "client_secret": "linksim_demo_secret",
                      "grant_type": "client_credentials"}
SLOW_QR = {"markets": {"slow_qr": {"inherits": "global", "qr_lifetime": "1d"}},
           "sellers": [{"id": "seller_slow", "name": "Slow Ltd", "entity": "ENT-SLOW",
                        "authorized_apps": ["6demo0linksim"],  # the demo partner app acts for its shop
                        "shops": [{"id": "shop_slow", "name": "Slow Shop", "region": "US", "market": "slow_qr"}]}]}


class Processes:
    """Apps on one database, each as ``linksim serve`` makes it: the clock read from the store, and kept there."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.apps: list[Flask] = []

    def start(self, **settings: Any) -> FlaskClient:
        store = open_store(self.url)
        with store.unit_of_work() as repo:
            state = repo.setting(CLOCK_SETTING)
        sim = Simulator(store, clock=ManualClock.from_state(state) if state else ManualClock(START), keeps_clock=True)
        if not state:
            sim.save_clock()
        app = create_app(sim, ServerConfig(secret_key="shared-controls", **settings))
        self.apps.append(app)
        return app.test_client()

    def stop(self, client: FlaskClient) -> None:
        """A graceful stop: the journal writer writes what it holds, and the database is let go."""
        app = client.application
        with app.app_context():
            main = worlds().main
        assert isinstance(main.journal, StoredJournal)
        main.journal.close()
        file = journal_file(app)
        if file is not None:
            file.close()
        main.simulator.store.dispose()
        self.apps.remove(app)

    def stop_all(self) -> None:
        for app in list(self.apps):
            self.stop(app.test_client())


@pytest.fixture(params=["sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)])
def processes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Processes]:
    if request.param == "sqlite-file":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        store = postgres_store()  # a clean schema of its own
        url = store.url.render_as_string(hide_password=False)
        store.dispose()
    running = Processes(url)
    yield running
    running.stop_all()


def clock_of(http: FlaskClient) -> str:
    answer = http.get("/_sim/clock")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return str(answer.get_json()["now"])


def add_fault(http: FlaskClient, **rule: Any) -> dict[str, Any]:
    answer = http.post("/_sim/faults", json=rule)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return dict(answer.get_json())


def journal(http: FlaskClient, **params: Any) -> list[dict[str, Any]]:
    answer = http.get("/_sim/journal", query_string={"kind": "request", **params})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return list(answer.get_json()["entries"])


# --- the clock ----------------------------------------------------------------------------------------------------


def test_a_clock_moved_through_one_process_is_seen_by_the_others_next_request(processes: Processes) -> None:
    first, second = processes.start(), processes.start()
    assert clock_of(second) == START.isoformat()
    assert first.post("/_sim/clock", json={"advance": "25h"}).status_code == 200
    assert clock_of(second) == "2026-03-03T10:00:00+00:00"


def test_two_processes_advancing_the_clock_at_once_lose_no_move(processes: Processes) -> None:
    first, second = processes.start(), processes.start()
    clock_of(first), clock_of(second)  # each has read the clock once, and moves it from there

    def advance(http: FlaskClient) -> None:
        for _ in range(5):
            assert http.post("/_sim/clock", json={"advance": "1h"}).status_code == 200

    threads = [threading.Thread(target=advance, args=(http,)) for http in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock_of(first) == clock_of(second) == "2026-03-02T19:00:00+00:00"


def test_a_running_clock_kept_by_one_process_runs_on_in_the_other(processes: Processes) -> None:
    first, second = processes.start(), processes.start()
    assert first.post("/_sim/clock", json={"set": "2030-01-01T00:00:00Z", "freeze": False}).status_code == 200
    read = datetime.fromisoformat(clock_of(second))
    assert datetime(2030, 1, 1, tzinfo=UTC) <= read <= datetime(2030, 1, 1, 0, 1, tzinfo=UTC)
    assert second.get("/_sim/clock").get_json()["frozen"] is False


def test_starting_over_through_one_process_sets_the_clock_the_other_reads(processes: Processes) -> None:
    first, second = processes.start(), processes.start()
    second.get("/_sim/clock")
    reset = first.post("/_sim/reset", json={"fixtures": "demo"})
    assert reset.status_code == 200, reset.get_data(as_text=True)
    assert clock_of(second) == reset.get_json()["clock"]


def test_market_profiles_added_through_one_process_are_known_to_the_other(processes: Processes) -> None:
    first, second = processes.start(), processes.start()
    assert first.post("/_sim/reset", json={"fixtures": "demo"}).status_code == 200
    second.get("/_sim/clock")  # the second knows the demo's markets, not the one added next
    assert first.post("/_sim/parties", json={"data": SLOW_QR}).status_code == 201
    token = second.post("/v2/oauth/token/", data=CLIENT_CREDENTIALS).get_json()["access_token"]
    started = second.post("/api/shops/shop_slow/official-link", json={},
                          headers={"Authorization": f"Bearer {token}"})
    assert started.status_code == 201, started.get_data(as_text=True)
    assert started.get_json()["consent_expires_at"][:10] > clock_of(second)[:10]  # the market's day, not 5 minutes


# --- fault rules --------------------------------------------------------------------------------------------------


def test_a_fault_rule_added_through_one_process_fires_in_the_other(processes: Processes) -> None:
    first, second = processes.start(), processes.start()
    second.get("/_sim/clock")  # the second has looked at the world before the rule is added
    rule = add_fault(first, path="/api/app/me", status=503)
    answer = second.get("/api/app/me")
    assert answer.status_code == 503
    assert first.get(f"/_sim/faults/{rule['id']}").get_json()["hits"] == 1


def test_deleting_a_rule_through_one_process_stops_it_in_the_other(processes: Processes) -> None:
    first, second = processes.start(), processes.start()
    rule = add_fault(first, path="/api/app/me", status=503)
    assert second.get("/api/app/me").status_code == 503
    assert first.delete(f"/_sim/faults/{rule['id']}").status_code == 200
    assert second.get("/api/app/me").status_code == 401  # no session: the endpoint's own answer


def test_a_rule_for_once_fires_once_across_processes_matching_at_once(processes: Processes) -> None:
    clients = [processes.start(), processes.start()]
    add_fault(clients[0], path="/api/app/me", status=503, times=1)
    for http in clients:
        http.get("/_sim/clock")
    statuses: list[int] = []
    gate = threading.Barrier(8)

    def call(http: FlaskClient) -> None:
        gate.wait()
        statuses.append(http.get("/api/app/me").status_code)

    threads = [threading.Thread(target=call, args=(clients[n % 2].application.test_client(),)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 7 + [503]
    listed = clients[1].get("/_sim/faults").get_json()["faults"][0]
    assert (listed["hits"], listed["remaining"], listed["active"]) == (1, 0, False)


def test_a_seeded_rule_draws_the_same_sequence_whichever_process_matches(processes: Processes) -> None:
    clients = [processes.start(), processes.start()]
    add_fault(clients[0], path="/api/app/me", status=503, probability=0.5, seed=42)
    served = [clients[n % 2].get("/api/app/me").status_code == 503 for n in range(20)]
    alone = FaultPlan()
    alone.add({"path": "/api/app/me", "status": 503, "probability": 0.5, "seed": 42})
    assert served == [alone.match("GET", "/api/app/me") is not None for _ in range(20)]


def test_a_request_held_by_a_rule_goes_on_once_another_process_lifts_it(processes: Processes) -> None:
    first, second = processes.start(), processes.start()
    rule = add_fault(first, path="/api/app/me", silent=True, delay="20s")
    answered: list[float] = []

    def held() -> None:
        started = time.monotonic()
        second.application.test_client().get("/api/app/me")
        answered.append(time.monotonic() - started)

    thread = threading.Thread(target=held)
    thread.start()
    time.sleep(0.5)
    assert first.delete(f"/_sim/faults/{rule['id']}").status_code == 200
    thread.join(timeout=10)
    assert answered and answered[0] < 5


# --- the journal --------------------------------------------------------------------------------------------------


def test_a_journal_read_through_one_process_shows_a_request_the_other_answered(processes: Processes) -> None:
    first, second = processes.start(), processes.start()
    first.get("/_sim/journal")  # the first has read the journal before
    assert second.get("/api/app/me").status_code == 401
    assert [e["path"] for e in journal(first)] == ["/api/app/me"]


def test_every_request_answered_in_either_process_is_in_the_journal_numbered_once(processes: Processes) -> None:
    clients = [processes.start(), processes.start()]
    for n in range(30):
        clients[n % 2].get("/api/app/me")
    entries = journal(clients[0])
    assert len(entries) == 30 and [e["seq"] for e in entries] == list(range(1, 31))


def test_deleting_the_journal_through_one_process_forgets_what_the_other_answered(processes: Processes) -> None:
    first, second = processes.start(), processes.start()
    second.get("/api/app/me")
    assert first.delete("/_sim/journal").get_json()["cleared"] == 1
    assert journal(second) == []


def test_the_journal_keeps_its_newest_records_up_to_its_bound(processes: Processes) -> None:
    first, second = processes.start(journal_entries=5), processes.start(journal_entries=5)
    for n in range(12):
        (first, second)[n % 2].get("/api/app/me")
    assert [e["seq"] for e in journal(first)] == [8, 9, 10, 11, 12]


def test_the_background_writer_writes_the_journal_file(processes: Processes, tmp_path: Path) -> None:
    http = processes.start(journal_file=str(tmp_path / "journal.jsonl"))
    http.get("/api/app/me")
    processes.stop(http)
    lines = (tmp_path / "journal.jsonl").read_text().splitlines()
    assert len(lines) == 1 and '"path":"/api/app/me"' in lines[0] and '"seq":1' in lines[0]


# --- a restart ----------------------------------------------------------------------------------------------------


def test_the_journal_goes_on_across_a_start_over_made_in_another_process(processes: Processes) -> None:
    first, second = processes.start(), processes.start()
    second.get("/api/app/me")
    assert first.post("/_sim/reset", json={"fixtures": "demo"}).status_code == 200
    # Each process numbers its requests as it writes them, a few dozen milliseconds after answering (docs/journal.md):
    # the journal's read, whose barrier writes every answered request, orders the start-over before what follows.
    assert [e["path"] for e in journal(first)] == ["/api/app/me", "/_sim/reset"]
    second.get("/api/app/me")
    assert [(e["path"], e["seq"]) for e in journal(first)] == [("/api/app/me", 1), ("/_sim/reset", 2),
                                                               ("/api/app/me", 3)]


def test_a_restart_keeps_the_fault_rules_and_the_journal(processes: Processes) -> None:
    before = processes.start()
    rule = add_fault(before, path="/api/app/me", status=503, times=2)
    assert before.get("/api/app/me").status_code == 503
    processes.stop(before)

    after = processes.start()
    kept = after.get(f"/_sim/faults/{rule['id']}").get_json()
    assert (kept["hits"], kept["remaining"]) == (1, 1)
    assert [(e["path"], e["status"]) for e in journal(after)][:2] == [("/_sim/faults", 201), ("/api/app/me", 503)]
    assert after.get("/api/app/me").status_code == 503
    assert after.get("/api/app/me").status_code == 401
