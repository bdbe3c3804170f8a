"""Single use under concurrency: racing exchanges of one code, and racing refreshes of one refresh token."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.domain.accounts import hash_secret
from auth_server.domain.clock import ManualClock
from auth_server.oauth.models import PartnerApp
from auth_server.simulator import Simulator
from tests.conftest import START
from tests.conftest import WorldBuilder
from tests.conftest import file_store
from tests.login_kit.conftest import ALL_SCOPES
from tests.login_kit.conftest import CALLBACK
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import REDIRECT_URI
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import account_with_password

RACERS = 8


@pytest.fixture
def server(tmp_path: Path):  # noqa: ANN201
    """A real threaded server on a file-backed SQLite database, as `linksim serve` runs."""
    store = file_store(tmp_path)
    sim = Simulator(store, clock=ManualClock(START))
    world = WorldBuilder(sim)
    world._add(PartnerApp(client_key=CLIENT_KEY, client_secret_hash=hash_secret(CLIENT_SECRET), name="Partner",
                          redirect_uris=[REDIRECT_URI], scopes=ALL_SCOPES))
    account_with_password(world, world.account("holder"))
    app = create_app(sim, ServerConfig(secret_key="k"), test_config={"TESTING": True})
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}", app
    http.shutdown()
    thread.join(timeout=10)
    store.dispose()


def race(call: Any) -> list[dict[str, Any]]:
    barrier, answers = threading.Barrier(RACERS), []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        body = call()
        with lock:
            answers.append(body)

    threads = [threading.Thread(target=run) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def a_code(app: Any) -> str:
    browser = Browser(app.test_client())
    browser.sign_in()
    return browser.code()


def test_racing_exchanges_of_one_code_give_one_token(server) -> None:  # noqa: ANN001
    url, app = server
    code = a_code(app)
    answers = race(lambda: requests.post(f"{url}/v2/oauth/token/", data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "authorization_code",
        "code": code, "redirect_uri": CALLBACK}, timeout=30).json())
    assert sum("access_token" in a for a in answers) == 1, answers
    assert {a.get("error") for a in answers if "error" in a} == {"invalid_grant"}


def test_racing_refreshes_of_one_refresh_token_rotate_it_once(server) -> None:  # noqa: ANN001
    url, app = server
    first = requests.post(f"{url}/v2/oauth/token/", data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "authorization_code",
        "code": a_code(app), "redirect_uri": CALLBACK}, timeout=30).json()
    answers = race(lambda: requests.post(f"{url}/v2/oauth/token/", data={
        "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"]}, timeout=30).json())
    assert sum("access_token" in a for a in answers) == 1, answers
