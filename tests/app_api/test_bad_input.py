"""Whatever a caller sends, the app API answers a JSON refusal in the 4xx range: never a 500, never HTML."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

ENDPOINTS = [
    ("POST", "/api/app/sessions"),
    ("POST", "/api/app/passcodes"),
    ("POST", "/api/app/scans"),
    ("POST", "/api/app/consents/abc"),
    ("POST", "/api/app/consents/..%2F..%2Fme"),
    ("POST", "/api/app/requests/lnk_x"),
    ("POST", "/api/app/invitations/inv_x"),
    ("POST", "/api/app/verification"),
    ("GET", "/api/app/me"),
    ("GET", "/api/app/inbox"),
]
BODIES: list[dict[str, Any]] = [
    {"data": b"not json", "content_type": "application/json"},
    {"data": b"\xff\xfe\x00", "content_type": "application/json"},
    {"json": ["a", "list"]},
    {"json": "a string"},
    {"json": None},
    {"json": {"username": {"$ne": 1}, "password": None, "contact": 3, "passcode": [], "scan_url": {},
              "decision": None, "permissions": {}, "scopes": 7}},
    {"json": {"username": "x" * 10_000, "password": "y" * 10_000, "scan_url": "z" * 10_000}},
    {"data": {"username": "holder", "password": "form-encoded"}},
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
@pytest.mark.parametrize("signed_in", [False, True])
def test_garbage_is_a_json_refusal(client: FlaskClient, phone: dict[str, str], method: str, path: str,
                                   body: dict[str, Any], signed_in: bool) -> None:
    response = client.open(path, method=method, headers=phone if signed_in else {}, **body)
    assert 400 <= response.status_code < 500 or response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    assert isinstance(answer, dict)
    if response.status_code >= 400:
        assert isinstance(answer["code"], str) and isinstance(answer["message"], str)


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/app/sessions"), ("DELETE", "/api/app/me"),
                                              ("GET", "/api/app/nowhere"), ("PUT", "/api/app/scans")])
def test_wrong_paths_and_methods_are_json(client: FlaskClient, phone: dict[str, str], method: str, path: str) -> None:
    response = client.open(path, method=method, headers=phone)
    expected = {404: "not_found", 405: "method_not_allowed"}
    assert response.status_code in expected and response.get_json()["code"] == expected[response.status_code]
    assert response.get_json()["violations"][0]["code"] == expected[response.status_code]


def test_a_body_over_the_limit_is_refused_as_json(client: FlaskClient) -> None:
    response = client.post("/api/app/sessions", data=b"{" + b" " * 70_000 + b"}", content_type="application/json")
    assert response.status_code == 413 and response.get_json()["code"] == "request_entity_too_large"
