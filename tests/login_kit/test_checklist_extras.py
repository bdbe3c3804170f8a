"""Two items of docs/security.md that no other test pins: no implicit grant (RFC 9700 2.1.2), and the access token
is read from the Authorization header only, never from the query (4.9)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from flask.testing import FlaskClient

from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import exchange
from tests.login_kit.conftest import redirect_params


def test_the_implicit_grant_is_refused_unsupported_response_type(browser: Browser) -> None:
    browser.sign_in()
    answer = browser.client.get(browser.authorize_url(response_type="token"))
    assert answer.status_code == 302 and redirect_params(answer)["error"] == "unsupported_response_type"
    assert "access_token" not in answer.headers["Location"]


def test_a_valid_token_in_the_query_is_not_taken(client: FlaskClient, browser: Browser) -> None:
    browser.sign_in()
    token = exchange(client, browser.code()).get_json()["access_token"]
    in_query = client.get(f"/v2/user/info/?fields=open_id&access_token={token}")
    assert in_query.status_code == 401
    assert client.get("/v2/user/info/?fields=open_id", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_every_test_the_checklist_names_exists() -> None:
    """docs/security.md cannot point at a test that was renamed or removed."""
    root = Path(__file__).parents[2]
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", (root / "docs" / "security.md").read_text(encoding="utf-8"))
    assert len(named) > 15
    for path, test in named:
        source = root / path
        assert source.exists(), path
        if test:
            names = {node.name for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
                     if isinstance(node, ast.FunctionDef)}
            assert test in names, f"{path}::{test}"
