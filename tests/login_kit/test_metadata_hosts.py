"""The RFC 8414 metadata answers under any Host a simulator is reached by (a proxy, a container's name, 0.0.0.0),
each URL on that host, never a 500 (issue 13, defect 7)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize("host", ["0.0.0.0:8765", "linksim:8765", "proxy.example", "127.0.0.1:8765"])
def test_the_metadata_answers_under_any_host(client: FlaskClient, host: str) -> None:
    answer = client.get("/.well-known/oauth-authorization-server", headers={"Host": host})
    assert answer.status_code == 200
    document = answer.get_json()
    assert document["issuer"] == f"http://{host}"
    assert document["token_endpoint"] == f"http://{host}/oauth/token"
