"""The holder grants only what the partner app asked for, and always user.info.basic (issue 13, defect 8): the
consent form's toggles cannot add a scope, whether or not the authorize URL names any."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import csrf_of
from tests.login_kit.conftest import redirect_params


def granted(client: FlaskClient, url: str, toggles: list[str]) -> list[str]:
    page = client.get(url)
    answer: Any = client.post(url, data={"decision": "authorize", "granted_scope": toggles,
                                         "csrf_token": csrf_of(page.get_data(as_text=True))})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return redirect_params(answer)["scopes"].split(",")


def test_without_a_scope_in_the_url_only_user_info_basic_is_granted(client: FlaskClient, browser: Browser) -> None:
    browser.sign_in()
    url = browser.authorize_url().replace("scope=user.info.basic,user.info.profile&", "")
    assert "scope=" not in url
    assert granted(client, url, ["user.info.stats", "user.info.profile"]) == ["user.info.basic"]


def test_a_toggle_for_a_scope_not_asked_for_adds_nothing(client: FlaskClient, browser: Browser) -> None:
    browser.sign_in()
    assert granted(client, browser.authorize_url(), ["user.info.profile", "video.list"]) == [
        "user.info.basic", "user.info.profile"]


def test_user_info_basic_is_granted_even_when_the_url_leaves_it_out(client: FlaskClient, browser: Browser) -> None:
    browser.sign_in()
    url = browser.authorize_url(scope="user.info.profile")
    assert granted(client, url, ["user.info.profile"]) == ["user.info.basic", "user.info.profile"]
