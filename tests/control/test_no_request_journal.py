"""``linksim serve --no-request-journal`` (``ServerConfig.request_journal=False``): no request is recorded, for long
load runs that would only pay for it (WireMock's option of the same name); the domain events stay readable, and the
journal's request views say why they have nothing."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from auth_server.config import ServerConfig
from tests.control.test_journal import DEMO_KEY
from tests.control.test_journal import DEMO_SECRET
from tests.control.test_journal import demo_app

LINKSIM = [sys.executable, "-m", "auth_server.cli"]
CLIENT_CREDENTIALS = {"client_key": DEMO_KEY, "client_secret": DEMO_SECRET, "grant_type": "client_credentials"}


def test_the_journal_refuses_to_list_requests_it_never_recorded() -> None:
    client = demo_app(request_journal=False).test_client()
    assert client.post("/v2/oauth/token/", data=CLIENT_CREDENTIALS).status_code == 200

    answer = client.get("/_sim/journal")

    assert answer.status_code == 409
    assert answer.get_json()["code"] == "request_journal_off"
    assert "--no-request-journal" in answer.get_json()["message"]


def test_the_domain_events_stay_readable_without_the_request_journal() -> None:
    answer = demo_app(request_journal=False).test_client().get("/_sim/journal?kind=event")

    assert answer.status_code == 200
    kinds = {(entry["kind"], entry["event"]) for entry in answer.get_json()["entries"]}
    assert ("event", "link.started") in kinds  # the demo's history


def test_clearing_a_journal_that_records_no_request_is_refused() -> None:
    answer = demo_app(request_journal=False).test_client().delete("/_sim/journal")

    assert answer.status_code == 409
    assert answer.get_json()["code"] == "request_journal_off"


def test_a_journal_file_needs_the_request_journal() -> None:
    with pytest.raises(ValueError, match="request journal"):
        ServerConfig(journal_file="journal.jsonl", request_journal=False)


def test_serve_refuses_a_journal_file_without_the_request_journal(tmp_path: Path) -> None:
    done = subprocess.run([*LINKSIM, "--db", f"sqlite:///{tmp_path / 'x.db'}", "serve", "--port", "0",
                           "--no-request-journal", "--journal-file", str(tmp_path / "j.jsonl")],
                          capture_output=True, text=True, timeout=60)

    assert done.returncode == 2
    assert "--journal-file" in done.stderr and "--no-request-journal" in done.stderr


def test_a_server_started_without_the_request_journal_serves_and_records_no_request(tmp_path: Path) -> None:
    server = subprocess.Popen([*LINKSIM, "--db", f"sqlite:///{tmp_path / 'x.db'}", "serve", "--port", "0",
                               "--fixtures", "demo", "--no-request-journal"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        banner = _banner(server)
        found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", banner)
        assert found, banner
        url = found.group(1)
        assert "no request is recorded" in banner

        assert requests.post(f"{url}/v2/oauth/token/", data=CLIENT_CREDENTIALS, timeout=10).status_code == 200
        assert requests.get(f"{url}/_sim/journal", timeout=10).json()["code"] == "request_journal_off"
    finally:
        server.terminate()
        server.communicate(timeout=20)


def _banner(server: subprocess.Popen[str]) -> str:
    output, deadline = "", time.monotonic() + 60
    while "Press Ctrl+C" not in output and time.monotonic() < deadline:
        line = server.stdout.readline()  # type: ignore[union-attr]
        if not line:
            break
        output += line
    return output
