"""The OpenAPI document is valid and describes exactly the JSON endpoints the app serves."""

from __future__ import annotations

import re

from flask import Flask
from openapi_spec_validator import validate


def documented(client) -> dict:  # noqa: ANN001
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def served_paths(app: Flask) -> set[str]:
    paths = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        if path.startswith(("/api/", "/v2/", "/oauth/", "/.well-known/", "/openapi", "/_sim/",
                            "/authorization/", "/open/", "/alliance/")):
            paths.add(path if path.endswith("/") or not path.startswith("/v2/") else path + "/")
    return paths


def test_the_document_is_valid_openapi(client) -> None:  # noqa: ANN001
    validate(documented(client))


def test_every_json_endpoint_is_documented_and_nothing_else(app: Flask, client) -> None:  # noqa: ANN001
    assert set(documented(client)["paths"]) == served_paths(app)


def test_the_document_is_made_once_per_process_not_per_request(client) -> None:  # noqa: ANN001
    from auth_server.web.standard_oauth import openapi_json

    documented(client)
    before = openapi_json.cache_info()
    for _ in range(3):
        documented(client)
    after = openapi_json.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 3


def test_a_fault_rules_code_is_one_of_the_catalogues(client) -> None:  # noqa: ANN001
    from auth_server.domain import codes

    documented_codes = documented(client)["components"]["schemas"]["FaultRule"]["properties"]["code"]["enum"]
    assert set(documented_codes) - {None} == set(codes.CATALOGUE)
