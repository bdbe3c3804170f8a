"""RFC 9207 against mix-up (RFC 9700 4.4): with the server's ``authorization_response_iss`` setting on, the
authorization response names the issuer (``iss``, the metadata's ``issuer``), on a code and on an error alike, and
the metadata says so. Off by default: TikTok's own redirect carries no ``iss``."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.simulator import Simulator
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import redirect_params

METADATA = "/.well-known/oauth-authorization-server"


@pytest.fixture
def app(sim: Simulator, partner_app: object, holder: object) -> Flask:
    config = ServerConfig(secret_key="test-secret", authorization_response_iss=True)
    return create_app(sim, config, test_config={"TESTING": True})


def test_the_code_names_the_issuer_of_the_metadata(client: FlaskClient, browser: Browser) -> None:
    browser.sign_in()
    answer = browser.consent()
    issuer = client.get(METADATA).get_json()["issuer"]
    assert redirect_params(answer)["iss"] == issuer and "code" in redirect_params(answer)


def test_a_refusal_names_the_issuer_too(client: FlaskClient, browser: Browser) -> None:
    browser.sign_in()
    answer = browser.consent(decision="cancel")
    assert redirect_params(answer)["error"] == "access_denied"
    assert redirect_params(answer)["iss"] == client.get(METADATA).get_json()["issuer"]


def test_the_metadata_says_the_issuer_is_on_the_response(client: FlaskClient) -> None:
    assert client.get(METADATA).get_json()["authorization_response_iss_parameter_supported"] is True


def test_by_default_the_redirect_has_no_issuer_as_tiktoks(sim: Simulator, partner_app: object, holder: object) -> None:
    client = create_app(sim, ServerConfig(secret_key="test-secret"), test_config={"TESTING": True}).test_client()
    browser = Browser(client)
    browser.sign_in()
    assert "iss" not in redirect_params(browser.consent())
    assert "iss" not in redirect_params(browser.consent(decision="cancel"))
    assert client.get(METADATA).get_json()["authorization_response_iss_parameter_supported"] is False
