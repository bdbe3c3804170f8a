"""`linksim demo`: every flow of the rules over HTTP, as the seller and as phones, each outcome checked."""

from __future__ import annotations

import json

from click.testing import CliRunner

from auth_server.cli import main
from linksim import demo


def test_the_demo_runs_every_case_and_every_outcome_matches(tmp_path) -> None:  # noqa: ANN001
    result = CliRunner().invoke(main, ["--db", f"sqlite:///{tmp_path / 'unused.db'}", "--json", "demo"])
    assert result.exit_code == 0, result.output
    outcomes = json.loads(result.stdout)
    assert len(outcomes) == len(demo.CASES) >= 30
    assert all(o["matches"] for o in outcomes), [o for o in outcomes if not o["matches"]]
    assert {o["expected"] for o in outcomes} >= {"ok", "official_slot_taken", "marketing_slots_full",
                                                 "marketing_link_quota_exceeded", "unlink_too_early",
                                                 "consent_incomplete", "qr_unreadable"}


def test_a_case_whose_outcome_differs_fails_the_run() -> None:
    wrong = demo.Case("a link the rules allow, expected refused", "O9", "official_slot_taken",
                      lambda d: d.qr_link("shop_acme_us", "maya"))
    with demo.in_process_server() as url:
        outcomes = demo.run(url, lambda line: None, cases=(wrong,))
    assert [o.actual for o in outcomes] == ["ok"] and not outcomes[0].matches
    assert "MISMATCH" in demo.summary(outcomes)


def test_the_demo_leaves_the_servers_own_data_alone() -> None:
    import requests

    with demo.in_process_server() as url:
        requests.post(f"{url}/_sim/clock", json={"set": "2027-01-01T00:00:00Z"}, timeout=10)
        case = demo.Case("a QR link", "O9", "ok", lambda d: d.qr_link("shop_acme_us", "maya"))
        outcomes = demo.run(url, lambda line: None, cases=(case,))
        assert outcomes[0].matches
        assert requests.get(f"{url}/_sim/clock", timeout=10).json()["now"] == "2027-01-01T00:00:00+00:00"
        assert requests.get(f"{url}/_sim/sandboxes", timeout=10).json()["count"] == 0  # its sandbox is gone
