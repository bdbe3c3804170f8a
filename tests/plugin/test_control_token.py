"""The testing kit against a server whose controls need a token (``linksim serve --control-token``): every
``/_sim`` call carries ``Authorization: Bearer <token>``, and none of the seller's or the phone's calls does."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from auth_server.app import create_app
from auth_server.config import ServerConfig
from linksim import ControlRefused
from linksim import World
from linksim import offline
from linksim.server import LiveServer
from linksim.server import RemoteServer
from linksim.server import app_control_token

TOKEN = "partner-kit-control-token"
BEARER = f"Bearer {TOKEN}"


class AuthorizationLog:
    """WSGI middleware in front of the app: notes each request's path and ``Authorization`` header."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str | None]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.seen.append((environ.get("PATH_INFO", ""), environ.get("HTTP_AUTHORIZATION")))
        return self.app(environ, start_response)


class GuardedServer(LiveServer):
    """A real linksim server (werkzeug in a thread) made with a control token, and the log of what reached it."""

    def __init__(self) -> None:
        app = create_app(config=ServerConfig(control_token=TOKEN))
        self.log = AuthorizationLog(app.wsgi_app)
        app.wsgi_app = self.log  # type: ignore[method-assign]
        super().__init__(app)

    def sandbox_ids(self) -> set[str]:
        answer = self.session.get(f"{self.url}/_sim/sandboxes", headers={"Authorization": BEARER}, timeout=10)
        return {sandbox["id"] for sandbox in answer.json()["sandboxes"]}


@pytest.fixture
def guarded() -> Iterator[GuardedServer]:
    server = GuardedServer()
    try:
        yield server
    finally:
        server.stop()


def test_the_server_refuses_controls_that_come_without_its_token(guarded: GuardedServer) -> None:
    with RemoteServer(guarded.url) as server, pytest.raises(ControlRefused) as refused:
        server.sandbox()
    assert (refused.value.status, refused.value.code) == (401, "control_token_invalid")


def test_a_remote_server_given_the_token_makes_drives_and_deletes_its_sandboxes(guarded: GuardedServer) -> None:
    with RemoteServer(guarded.url, control_token=TOKEN) as server, server.sandbox() as sandbox:
        assert sandbox.clock.advance("25h").isoformat() == "2026-03-03T10:00:00+00:00"
        assert sandbox.inject_fault(path="/api/*", status=503)["id"]
        assert sandbox.id in guarded.sandbox_ids()
    assert sandbox.id not in guarded.sandbox_ids()


def test_the_token_goes_with_every_control_and_never_with_the_sellers_or_phones_calls(
        guarded: GuardedServer) -> None:
    with RemoteServer(guarded.url, control_token=TOKEN) as server, server.sandbox() as sandbox:
        seller, phone = sandbox.seller(), sandbox.phone("maya")
        link = seller.start_official_link("shop_acme_us")
        phone.authorize(phone.scan(link.qr.scan_url if link.qr else ""))
        sandbox.clock.advance("1m")
        seller.wait_for_consent(link.link_id)
    controls = [auth for path, auth in guarded.log.seen if "/_sim" in path]
    others = [auth for path, auth in guarded.log.seen if "/_sim" not in path]
    assert controls and set(controls) == {BEARER}
    assert len(others) >= 4 and BEARER not in others


def test_a_world_sends_the_token_with_its_controls(guarded: GuardedServer) -> None:
    with World(guarded.url, control_token=TOKEN) as main:
        main.reset()
        assert main.clock.now().isoformat() == "2026-03-02T09:00:00+00:00"
    assert [auth for path, auth in guarded.log.seen if path.startswith("/_sim")] == [BEARER, BEARER]


def test_a_live_server_sends_the_token_its_app_was_made_with(guarded: GuardedServer) -> None:
    with guarded.sandbox(fixtures=None) as sandbox:
        assert sandbox.clock.frozen


def test_offline_sends_the_token_of_an_app_made_with_one() -> None:
    with offline(create_app(config=ServerConfig(control_token=TOKEN))) as tiktok:
        assert tiktok.clock.advance("1h").isoformat() == "2026-03-02T10:00:00+00:00"


# --- the pytest plugin -------------------------------------------------------------------------------------------

PARTNER_TEST = """
    def test_links_through_a_server_that_wants_a_control_token(linksim_seller, linksim_phone, linksim_clock):
        linksim_phone.sign_in("maya", "linksim-demo")
        link = linksim_seller.start_official_link("shop_acme_us")
        linksim_phone.authorize(linksim_phone.scan(link.qr.scan_url))
        linksim_clock.advance("1m")
        linksim_seller.wait_for_consent(link.link_id)
        assert linksim_seller.accept_terms(link.link_id).state == "active"
"""


def test_linksim_control_token_opens_the_controls_of_the_linksim_url_server(pytester: pytest.Pytester,
                                                                           guarded: GuardedServer) -> None:
    pytester.makepyfile(test_remote=PARTNER_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", "--linksim-url", guarded.url,
                                           "--linksim-control-token", TOKEN)
    result.assert_outcomes(passed=1)
    assert guarded.sandbox_ids() == set(), "the fixture deleted its sandbox, with the token"


def test_the_control_token_option_defaults_to_linksim_control_token(pytester: pytest.Pytester,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     guarded: GuardedServer) -> None:
    monkeypatch.setenv("LINKSIM_CONTROL_TOKEN", TOKEN)
    pytester.makepyfile(test_remote="""
        def test_gets_a_sandbox_of_the_guarded_server(linksim_sandbox):
            assert linksim_sandbox.clock.frozen
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--linksim-url", guarded.url)
    result.assert_outcomes(passed=1)


def test_the_kit_reads_the_control_token_a_linksim_app_was_made_with() -> None:
    assert app_control_token(create_app(config=ServerConfig(control_token=TOKEN))) == TOKEN


def test_an_app_that_linksim_did_not_make_has_no_control_token() -> None:
    assert app_control_token(Flask("not_linksim")) is None
