"""Partner apps come from data files, and can be registered while the server runs (loopback callers only)."""

from __future__ import annotations

from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import exchange

NEW_APP = {"client_key": "new_app", "client_secret": "new_secret_1", "name": "New App",
           "redirect_uris": ["https://new.example/callback"], "scopes": ["user.info.basic"]}


def test_a_partner_app_registered_at_runtime_can_be_used_at_once(client) -> None:  # noqa: ANN001
    created = client.post("/_sim/partner-apps", json=NEW_APP)
    assert created.status_code == 201 and created.get_json()["client_key"] == "new_app"
    token = client.post("/v2/oauth/token/", data={"client_key": "new_app", "client_secret": "new_secret_1",
                                                  "grant_type": "client_credentials"}).get_json()
    assert token["access_token"].startswith("clt.")


def test_a_malformed_partner_app_is_refused_with_the_place(client) -> None:  # noqa: ANN001
    response = client.post("/_sim/partner-apps", json={**NEW_APP, "redirect_uris": ["ftp://x"]})
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_input" and "redirect_uris" in response.get_json()["message"]


def test_a_client_key_cannot_be_registered_twice(client) -> None:  # noqa: ANN001
    client.post("/_sim/partner-apps", json=NEW_APP)
    assert client.post("/_sim/partner-apps", json=NEW_APP).get_json()["code"] == "invalid_input"


def test_the_controls_refuse_callers_from_elsewhere(client) -> None:  # noqa: ANN001
    response = client.post("/_sim/partner-apps", json=NEW_APP, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 403


def test_a_partner_app_uses_only_its_registered_redirect_uris(browser: Browser) -> None:
    browser.sign_in()
    page = browser.client.get(browser.authorize_url(redirect_uri="https://partner.example/auth/callback"))
    assert page.status_code == 200
    assert "access_token" in exchange(browser.client, browser.code(redirect_uri="https://partner.example/auth/callback"),
                                      redirect_uri="https://partner.example/auth/callback").get_json()


def test_redirect_uris_follow_tiktoks_rules(client) -> None:  # noqa: ANN001
    for uri in ["http://partner.example/cb", "https://partner.example/cb?x=1", "https://partner.example/cb#top",
                "http://127.0.0.1/cb", "https://" + "a" * 512]:
        response = client.post("/_sim/partner-apps", json={**NEW_APP, "redirect_uris": [uri]})
        assert response.status_code == 400, uri
    ok = client.post("/_sim/partner-apps", json={**NEW_APP, "redirect_uris": ["http://localhost:*/cb"]})
    assert ok.status_code == 201


def test_the_clock_is_read_and_moved_over_http(client, sim) -> None:  # noqa: ANN001
    before = client.get("/_sim/clock").get_json()
    moved = client.post("/_sim/clock", json={"advance": "25h"}).get_json()
    from auth_server.domain.clock import parse_time

    assert (parse_time(moved["now"]) - parse_time(before["now"])).total_seconds() == 25 * 3600
    assert client.post("/_sim/clock", json={"set": "2027-01-01T00:00:00Z"}).get_json()["now"] == (
        "2027-01-01T00:00:00+00:00")
    assert client.post("/_sim/clock", json={"advance": "soon"}).status_code == 400
    assert client.post("/_sim/clock", json={}).status_code == 400


def test_reset_loads_the_demo_and_freezes_the_clock_at_its_start(client) -> None:  # noqa: ANN001
    loaded = client.post("/_sim/reset", json={"fixtures": "demo"}).get_json()
    assert loaded["partner_apps"] == 1 and loaded["clock"] == "2026-03-02T09:00:00+00:00"
    assert client.get("/_sim/clock").get_json() == {"now": "2026-03-02T09:00:00+00:00", "frozen": True}
    token = client.post("/v2/oauth/token/", data={"client_key": "linksim_demo_key",
                                                  "client_secret": "linksim_demo_secret",
                                                  "grant_type": "client_credentials"}).get_json()
    assert token["access_token"].startswith("clt.")


def test_reset_with_a_malformed_data_file_is_refused_and_changes_nothing(client) -> None:  # noqa: ANN001
    response = client.post("/_sim/reset", json={"data": {"sellers": [{"id": 1}]}})
    assert response.status_code == 400 and response.get_json()["code"] == "invalid_input"
    from tests.login_kit.conftest import CLIENT_KEY
    from tests.login_kit.conftest import CLIENT_SECRET

    still_there = client.post("/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                        "grant_type": "client_credentials"}).get_json()
    assert still_there["access_token"].startswith("clt.")


def test_a_partner_app_registered_at_runtime_may_name_its_developer(client) -> None:  # noqa: ANN001
    created = client.post("/_sim/partner-apps", json={**NEW_APP, "developer": "dev_partner"})
    assert created.status_code == 201 and created.get_json()["developer"] == "dev_partner"
    alone = client.post("/_sim/partner-apps", json={**NEW_APP, "client_key": "alone_app"}).get_json()
    assert alone["developer"] == "alone_app"  # without one, the app is its own developer
