"""One reader of a refusal's violations (``client_core.errors.read_violation``), as strict as the seller's
tool always was, and the names the control client exports."""

from __future__ import annotations

import pytest
import responses

import client_core.control
from seller_client import ServerError
from seller_client.transport import Transport

BASE = "http://linksim.test"


@responses.activate
def test_a_sellers_refusal_whose_rules_are_not_a_list_is_a_server_error() -> None:
    responses.get(f"{BASE}/api/x", status=409, json={"code": "c", "message": "m",
                                                     "violations": [{"code": "c", "message": "m", "rules": "O1"}]})
    transport = Transport(BASE)
    with pytest.raises(ServerError, match="^linksim's refusal's violation has 'rules' of the wrong type: 'O1'$"):
        transport.decode(transport.send("GET", "/api/x"))


@responses.activate
def test_a_sellers_violation_with_a_code_of_the_wrong_type_says_so() -> None:
    responses.get(f"{BASE}/api/x", status=409, json={"code": "c", "message": "m",
                                                     "violations": [{"code": 7, "message": "m"}]})
    transport = Transport(BASE)
    with pytest.raises(ServerError, match="^linksim's refusal's violation has 'code' of the wrong type: 7$"):
        transport.decode(transport.send("GET", "/api/x"))


def test_the_control_client_exports_iso() -> None:
    assert "iso" in client_core.control.__all__
