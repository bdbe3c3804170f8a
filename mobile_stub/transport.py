"""JSON over HTTP for the app stub: :class:`client_core.Transport` (timeouts, bounded retries with backoff),
answers that must be JSON objects, refusals as :exc:`AppRefused`, failures as :exc:`ServerUnavailable`.

The app's policy, as it always was: only a failed connection, a GET's timeout and a 5xx are retried (a 429 is
refused at once), after the backoff alone (``Retry-After`` is not read); a refusal needs a code and a message,
and a malformed violation in it is skipped."""

from __future__ import annotations

from typing import Any

import requests

from client_core import transport as core
from client_core.errors import ClientError
from client_core.transport import DEFAULT_BACKOFF
from client_core.transport import DEFAULT_RETRIES
from client_core.transport import DEFAULT_TIMEOUT
from client_core.transport import MAX_BACKOFF
from client_core.transport import Failure
from mobile_stub.errors import AppRefused
from mobile_stub.errors import MalformedAnswer
from mobile_stub.errors import ServerUnavailable
from mobile_stub.errors import Violation

__all__ = ["DEFAULT_BACKOFF", "DEFAULT_RETRIES", "DEFAULT_TIMEOUT", "MAX_BACKOFF", "Transport"]


class Transport(core.Transport):
    """Calls one server's JSON API; what is retried, and how long it waits, is :class:`client_core.Transport`'s."""

    refused_error = AppRefused
    unreachable_error = ServerUnavailable
    bad_answer_error = MalformedAnswer
    violation_type = Violation
    retry_statuses = frozenset()
    honour_retry_after = False
    refusal_needs_message = True
    lenient_violations = True

    def check_arguments(self, base_url: str, timeout: float, retries: int, backoff: float) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the server URL must start with http:// or https://, not {base_url!r}")
        if retries < 0 or timeout <= 0 or backoff < 0:
            raise ValueError("retries and backoff must be 0 or more, and the timeout more than 0")

    def call(self, method: str, path: str, *, json: dict[str, Any] | None = None,
             token: str | None = None) -> dict[str, Any]:
        """The JSON object the server answers with; a refusal raises :exc:`AppRefused`."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.send(method, path, json=json, headers=headers)
        body = self.decode(response)
        if not isinstance(body, dict):
            raise MalformedAnswer(f"HTTP {response.status_code} from {response.url} is not a JSON object")
        return body

    def failed(self, failure: Failure) -> ClientError:
        request = f"{failure.method} {failure.path}"
        if failure.kind == "broken":
            return ServerUnavailable(f"{failure.method} {failure.base_url}{failure.path}: {failure.error}")
        if failure.response is not None:
            cause = f"{request}: the server failed (HTTP {failure.response.status_code})"
        elif isinstance(failure.error, requests.ConnectionError):
            cause = f"cannot reach the server at {failure.base_url} ({type(failure.error).__name__})"
        else:
            cause = f"{request}: no answer within {failure.timeout:g} s"
        if failure.kind == "not_resent":  # sent once only: a second one could, say, answer a consent twice
            return ServerUnavailable(cause)
        return ServerUnavailable(f"{cause}, after {failure.attempts} tries" if failure.attempts > 1 else
                                 f"{cause}, after 1 try")

    def json_of(self, response: requests.Response) -> object:
        try:
            return response.json()
        except ValueError:
            raise MalformedAnswer(
                f"HTTP {response.status_code} from {response.url} is not JSON: {response.text[:200]!r}") from None

    def malformed_refusal(self, response: requests.Response, body: object) -> ClientError:
        if not isinstance(body, dict):
            return MalformedAnswer(f"HTTP {response.status_code} from {response.url} is not a JSON object")
        return MalformedAnswer(f"HTTP {response.status_code} without a refusal's code and message: {body!r:.200}")
