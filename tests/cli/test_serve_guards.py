"""A running server's database is not wiped under it: a second `linksim serve` binds its port before it touches
the database, and `serve --fixtures` or `init --fresh` on a database a running server uses is refused, naming it."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

LINKSIM = [sys.executable, "-m", "auth_server.cli"]


class Server:
    def __init__(self, db: str, *args: str) -> None:
        self.process = subprocess.Popen([*LINKSIM, "--db", db, "serve", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.output = ""
        deadline = time.monotonic() + 60
        while "Press Ctrl+C" not in self.output and time.monotonic() < deadline:
            line = self.process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            self.output += line
        found = re.search(r"serving on (http://127\.0\.0\.1:(\d+))", self.output)
        if not found:
            self.process.kill()  # it never said it serves: it must not outlive the test either
            self.process.communicate(timeout=20)
        assert found, self.output
        self.url, self.port = found.group(1), found.group(2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.communicate(timeout=20)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'served.db'}"


@pytest.fixture
def running(db: str) -> Iterator[Server]:
    server = Server(db, "--fixtures", "demo", "--port", "0")
    try:
        yield server
    finally:
        server.stop()


def linksim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LINKSIM, *args], capture_output=True, text=True, timeout=60)


def client_token(server: Server) -> str:
    answer = requests.post(f"{server.url}/v2/oauth/token/", timeout=10, data={
        "client_key": "linksim_demo_key", "client_secret": "linksim_demo_secret", "grant_type": "client_credentials"})
    token: str = answer.json()["access_token"]
    return token


def test_init_fresh_on_a_served_database_is_refused_naming_the_server(running: Server, db: str) -> None:
    token = client_token(running)
    result = linksim("--db", db, "init", "--fresh")
    assert result.returncode == 2
    assert f"linksim serve at {running.url}" in result.stderr and "stop it first" in result.stderr
    still = requests.get(f"{running.url}/api/shops/shop_acme_us/linked-accounts", timeout=10,
                         headers={"Authorization": f"Bearer {token}"})
    assert still.status_code == 200  # the server's partner token and parties are all still there


def test_a_second_serve_with_fixtures_on_a_served_database_is_refused(running: Server, db: str) -> None:
    token = client_token(running)
    result = linksim("--db", db, "serve", "--fixtures", "demo", "--port", "0")
    assert result.returncode == 2 and f"linksim serve at {running.url}" in result.stderr
    assert requests.get(f"{running.url}/api/shops/shop_acme_us/linked-accounts", timeout=10,
                        headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_second_serve_on_a_taken_port_ends_before_it_touches_the_database(running: Server, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    result = linksim("--db", f"sqlite:///{other}", "serve", "--fixtures", "demo", "--port", running.port)
    assert result.returncode == 2 and not other.exists()
    assert f"port {running.port} on 127.0.0.1 is in use" in result.stderr


def test_several_workers_on_a_taken_port_end_before_they_touch_the_database(running: Server, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    result = linksim("--db", f"sqlite:///{other}", "serve", "--workers", "2", "--port", running.port)
    assert result.returncode == 2 and not other.exists()
    assert f"port {running.port} on 127.0.0.1 is in use" in result.stderr


def test_several_workers_on_an_in_memory_database_are_refused() -> None:
    result = linksim("--db", "sqlite://", "serve", "--workers", "2", "--port", "0")
    assert result.returncode == 2 and "cannot share an in-memory database" in result.stderr


def test_a_database_whose_server_stopped_can_start_over(db: str) -> None:
    Server(db, "--fixtures", "demo", "--port", "0").stop()
    assert linksim("--db", db, "init", "--fresh").returncode == 0


def test_a_database_whose_server_was_killed_can_start_over(db: str) -> None:
    server = Server(db, "--fixtures", "demo", "--port", "0")
    server.process.kill()  # no chance to give the lease back: its process is gone, so the lease is stale
    server.process.communicate(timeout=20)
    assert linksim("--db", db, "init", "--fresh").returncode == 0


def test_two_servers_given_one_secret_key_take_each_others_app_sessions(db: str, tmp_path: Path) -> None:
    key = ["--secret-key", "one-key-for-every-worker-of-this-db"]
    first = Server(db, "--fixtures", "demo", "--port", "0", *key)
    second = Server(db, "--port", "0", *key)
    try:
        session = requests.post(f"{first.url}/api/app/sessions", timeout=10,
                                json={"username": "maya", "password": "linksim-demo"}).json()["token"]
        me = requests.get(f"{second.url}/api/app/me", timeout=10, headers={"Authorization": f"Bearer {session}"})
        assert me.status_code == 200 and me.json()["username"] == "maya"
    finally:
        second.stop()
        first.stop()


def test_a_secret_key_shorter_than_16_characters_is_refused(db: str) -> None:
    result = linksim("--db", db, "serve", "--secret-key", "short", "--port", "0")
    assert result.returncode == 2 and "16 characters" in result.stderr


def test_the_access_log_masks_the_secrets_of_a_url_and_has_no_colour_codes(db: str) -> None:
    server = Server(db, "--fixtures", "demo", "--port", "0", "--access-log")
    try:
        requests.get(f"{server.url}/app/scan?token=QRTOKENthatmustnotshow0123456789", timeout=10)
    finally:
        server.process.terminate()
        rest, _ = server.process.communicate(timeout=20)
    line = next(line for line in rest.splitlines() if "/app/scan" in line)
    assert "QRTOKENthatmustnotshow0123456789" not in line and "token=QRTO…#" in line
    assert "\x1b[" not in rest


def test_serve_can_name_the_issuer_on_the_authorize_redirect(db: str) -> None:
    server = Server(db, "--fixtures", "demo", "--port", "0", "--authorization-response-iss")
    try:
        metadata = requests.get(f"{server.url}/.well-known/oauth-authorization-server", timeout=10).json()
        assert metadata["authorization_response_iss_parameter_supported"] is True
    finally:
        server.stop()
