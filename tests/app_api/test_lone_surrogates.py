"""A lone surrogate in a JSON string (``"\\ud800"``: no character, and no UTF-8) is invalid input, answered 400 like
any bad JSON, on every JSON endpoint; never a 500, and the request still has its journal entry (issue 13, defect 7)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from auth_server.app import create_app

LONE = '{"username": "\\ud800", "password": "x"}'
AS_KEY = '{"\\udfff": 1}'


@pytest.fixture
def http() -> FlaskClient:
    return create_app().test_client()


@pytest.mark.parametrize("body", [LONE, AS_KEY])
@pytest.mark.parametrize("path", ["/api/app/sessions", "/_sim/sandboxes", "/_sim/parties", "/_sim/faults",
                                  "/_sim/clock"])
def test_a_lone_surrogate_is_invalid_input(http: FlaskClient, path: str, body: str) -> None:
    answer = http.post(path, data=body, content_type="application/json")
    assert answer.status_code == 400 and answer.get_json()["code"] == "invalid_input"


def test_a_refused_surrogate_still_has_its_journal_entry(http: FlaskClient) -> None:
    http.post("/api/app/sessions", data=LONE, content_type="application/json")
    entries = http.get("/_sim/journal").get_json()["entries"]
    assert any(entry["path"] == "/api/app/sessions" and entry["status"] == 400 for entry in entries)


def test_a_real_pair_of_surrogates_is_a_character_and_is_taken(http: FlaskClient) -> None:
    answer = http.post("/api/app/sessions", data='{"username": "\\ud83d\\ude00", "password": "x"}',
                       content_type="application/json")
    assert answer.status_code == 403 and answer.get_json()["code"] == "invalid_credentials"
