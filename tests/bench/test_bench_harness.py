"""The benchmark harness runs (``make bench``): one short round over HTTP, and the report reads its figures. No
figure is asserted: speed is reported by ``make bench``, never tested."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench import served
from bench import token_floor
from bench.driver import parse_wrk
from bench.report import markdown

WRK_REPORT = (  # wrk pads a latency in seconds with a space
    """Running 1s test @ http://127.0.0.1:8931/
  2 threads and 16 connections
  Latency Distribution
     50%    6.58ms
     75%    9.44ms
     90%   18.70ms
     99%    1.22s{pad}
  241 requests in 1.00s, 6.06MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    240.01
""".format(pad=" ")
)


def test_wrks_report_is_read_with_its_units_and_its_errors() -> None:
    result = parse_wrk(WRK_REPORT)

    assert (result.requests_per_second, result.p50_ms, result.p99_ms, result.errors) == (240.01, 6.58, 1220.0, 3)


@pytest.fixture(scope="module")
def one_short_round(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return served.load_figures(tmp_path_factory.mktemp("bench"), rounds=1, seconds=1, connections=2, peer=False)


def test_one_short_round_over_http_measures_every_endpoint_and_its_references(one_short_round: dict[str, Any]) -> None:
    for name in ("ceiling_hello_world", "floor_client_credentials", "floor_user_info", "client_credentials",
                 "code_exchange", "user_info"):
        assert one_short_round[name]["requests"] > 0, name
        assert one_short_round[name]["errors"] == 0, name
    assert len(one_short_round["resident_mb_per_worker_after_load"]) == served.WORKERS


def test_one_short_round_tells_each_workers_shared_pages_apart(one_short_round: dict[str, Any]) -> None:
    rss, pss, uss = (one_short_round[f"{kind}_mb_per_worker_after_load"] for kind in ("resident", "pss", "uss"))
    assert len(pss) == len(uss) == served.WORKERS
    assert all(0 < own <= share <= whole + 1 for own, share, whole in zip(uss, pss, rss, strict=True))


def test_one_short_round_runs_complete_qr_link_flows_over_http(one_short_round: dict[str, Any]) -> None:
    assert one_short_round["qr_flows_over_http"]["failures"] == 0
    assert one_short_round["qr_flows_over_http"]["flows"] > 0


def test_the_report_gives_each_figure_beside_its_reference() -> None:
    rate = {"requests_per_second": 100.0, "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0}
    latency = {"p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 2.0}
    report = markdown(with_run_facts({
        "served": {"ceiling_hello_world": rate, "client_credentials": {**rate, "requests_per_second": 50.0},
                   "code_exchange": rate, "user_info": rate, "resident_mb_after_load": 90,
                   "qr_flows_over_http": {"flows_per_second": 1.0, "flow": latency, "failures": 0}},
        "wsgi_flows": {"flows_per_second": 1.0, "flow": latency, "flows": 10, "resident_mb_after": 1,
                       "resident_mb_before": 1},
        "fixture_flows": {"flows_per_second": 1.0, "flow": latency},
        "cold_start": {"without_data": latency, "with_demo_data": latency},
        "control_plane": {name: latency for name in ("startup", "startup_cold_process", "sandbox", "sandbox_empty",
                                                     "sandbox_delete")},
        "at_scale": {"sizes": {"small": {"accounts": 100, "shops": 10}, "large": {"accounts": 1000, "shops": 100}},
                     "app_inbox": {"small": latency, "large": latency, "ratio_p50": 1.0}},
    }))

    assert "| linksim `POST /v2/oauth/token/` client_credentials | 50 req/s (p50 1.0 ms, p99 2.0 ms) | 0.50 |" in report


def test_the_report_gives_linksims_token_requests_beside_the_floor() -> None:
    rate = {"requests_per_second": 100.0, "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0}
    latency = {"p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 2.0}
    report = markdown(with_run_facts({
        "served": {"ceiling_hello_world": {**rate, "requests_per_second": 1000.0}, "floor_client_credentials": rate,
                   "client_credentials": {**rate, "requests_per_second": 80.0},
                   "code_exchange": {**rate, "requests_per_second": 60.0}, "user_info": rate,
                   "resident_mb_after_load": 90,
                   "qr_flows_over_http": {"flows_per_second": 1.0, "flow": latency, "failures": 0}},
    }))

    assert "(`bench/token_floor.py`) | 100 req/s (p50 1.0 ms, p99 2.0 ms) | 0.10 | n/a |" in report
    assert "| client_credentials 0.80 × floor, code exchange 0.60 × floor |" in report


def test_the_report_gives_linksims_user_info_beside_the_read_floor() -> None:
    rate = {"requests_per_second": 100.0, "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0}
    latency = {"p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 2.0}
    report = markdown(with_run_facts({
        "served": {"ceiling_hello_world": {**rate, "requests_per_second": 1000.0},
                   "floor_user_info": {**rate, "requests_per_second": 400.0}, "client_credentials": rate,
                   "code_exchange": rate, "user_info": {**rate, "requests_per_second": 300.0},
                   "resident_mb_after_load": 90,
                   "qr_flows_over_http": {"flows_per_second": 1.0, "flow": latency, "failures": 0}},
    }))

    assert ("| floor of a read: a bearer token's row read through authlib's resource protector, same server stack "
            "(`bench/token_floor.py`) | 400 req/s (p50 1.0 ms, p99 2.0 ms) | 0.40 | n/a | |") in report
    assert "| linksim's user info beside the floor of a read | 0.75 × floor | | | |" in report


def test_the_floor_answers_its_token_at_its_user_info_and_refuses_another(tmp_path: Path) -> None:
    database = str(tmp_path / "floor.db")
    token_floor.make_database(database)
    http = token_floor.floor_app(database).test_client()

    answered = http.get("/userinfo", headers={"Authorization": f"Bearer {token_floor.ACCESS_TOKEN}"})
    refused = http.get("/userinfo", headers={"Authorization": "Bearer not-a-token"})

    assert answered.status_code == 200
    assert answered.get_json() == {"client_id": token_floor.CLIENT_ID, "scope": token_floor.SCOPE}
    assert refused.status_code == 401


def test_the_report_gives_the_stored_sandboxes_beside_their_goal() -> None:
    latency = {"p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 2.0}
    report = markdown(with_run_facts({
        "stored_sandboxes": {"sqlite_file": {"create_demo": latency, "create_empty": latency, "delete_demo": latency},
                             "postgres_error": "no PostgreSQL: set LINKSIM_BENCH_POSTGRES_URL to measure it"},
    }))

    assert "| stored sandbox (a SQLite file each): creation with the demo data | p50 1.0 ms, p95 2.0 ms | < 20 ms |" \
        in report
    assert "set LINKSIM_BENCH_POSTGRES_URL" in report


def test_the_statements_harness_notes_each_request_of_a_flow_with_its_statements_and_transactions() -> None:
    from bench import statements

    figures = statements.summary(statements.measure(1))

    names = [row["request"] for row in figures["requests"]]
    assert names[0] == "POST /_sim/sandboxes" and names[-1] == "DELETE /_sim/sandboxes/<id>"
    assert "POST /api/links/<id>/terms" in names
    assert figures["flow"]["statements"] > 0 and figures["flow"]["writes"] > 0


def test_the_report_gives_each_workers_pss_and_uss_beside_its_resident_memory() -> None:
    rate = {"requests_per_second": 100.0, "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0}
    latency = {"p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 2.0}
    report = markdown(with_run_facts({
        "served": {"ceiling_hello_world": rate, "client_credentials": rate, "code_exchange": rate, "user_info": rate,
                   "qr_flows_over_http": {"flows_per_second": 1.0, "flow": latency, "failures": 0},
                   "resident_mb_after_load": 95.5, "resident_mb_per_worker_after_load": [95.5, 94.0],
                   "pss_mb_per_worker_after_load": [75.1, 74.2], "uss_mb_per_worker_after_load": [66.3, 65.0],
                   "pss_mb_master_after_load": 40.2, "uss_mb_master_after_load": 30.1},
    }))

    assert ("each worker: 95.5 MB, 94.0 MB); of which each worker's share of what the processes share and its own "
            "pages: PSS 75.1 MB, 74.2 MB, USS 66.3 MB, 65.0 MB (the master: PSS 40.2 MB, USS 30.1 MB).") in report


def test_each_round_of_code_exchanges_sends_codes_no_other_round_sent() -> None:
    codes = [f"code{n}" for n in range(10)]

    shares = [served.round_share(codes, 3, index) for index in range(3)]

    assert [len(share) for share in shares] == [3, 3, 3]
    assert len({code for share in shares for code in share}) == 9


def with_run_facts(figures: dict[str, Any]) -> dict[str, Any]:
    """A report's figures with the facts of its run (the machine, the settings, how long it took)."""
    return {"machine": {"when": "now", "commit": "abc", "cpus": 2, "cpu": "x", "python": "3.11",
                        "load_average_at_start": [0, 0, 0]},
            "settings": {"driver": "wrk", "connections": 16, "rounds": 1, "seconds": 1, "server": "linksim serve"},
            **figures, "elapsed_s": 1}
