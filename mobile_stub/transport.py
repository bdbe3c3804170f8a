"""JSON over HTTP for the app stub: timeouts, bounded retries with backoff, refusals as :exc:`AppRefused`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from mobile_stub.errors import AppRefused
from mobile_stub.errors import MalformedAnswer
from mobile_stub.errors import ServerUnavailable
from mobile_stub.errors import Violation

DEFAULT_TIMEOUT = 10.0  # seconds, for connecting and for each read
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.5  # seconds before the first retry; doubled for each one after it
MAX_BACKOFF = 8.0


class Transport:
    """Calls one server's JSON API.

    A connection error (nothing reached the server) or an HTTP 5xx is tried again, ``retries`` times at
    most, after ``backoff``, then twice as long each time (at most ``MAX_BACKOFF``); ``sleep`` is injectable
    so that tests need not wait.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the server URL must start with http:// or https://, not {base_url!r}")
        if retries < 0 or timeout <= 0 or backoff < 0:
            raise ValueError("retries and backoff must be 0 or more, and the timeout more than 0")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.session = session or requests.Session()

    def close(self) -> None:
        self.session.close()

    def call(self, method: str, path: str, *, json: dict[str, Any] | None = None,
             token: str | None = None) -> dict[str, Any]:
        """The JSON object the server answers with; a refusal raises :exc:`AppRefused`."""
        url = f"{self.base_url}{path}"
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        attempt = 0
        while True:
            try:
                response = self.session.request(method, url, json=json, headers=headers, timeout=self.timeout)
            except requests.ConnectionError as error:  # ConnectTimeout too: the request never reached the server
                failure = f"cannot reach the server at {self.base_url} ({type(error).__name__})"
            except requests.Timeout:
                failure = f"{method} {path}: no answer within {self.timeout:g} s"
                if method != "GET":
                    # The server may have done it already: sending it again could, say, answer a consent twice.
                    raise ServerUnavailable(failure) from None
            except requests.RequestException as error:
                raise ServerUnavailable(f"{method} {url}: {error}") from None
            else:
                if response.status_code < 500:
                    return _answer(response)
                failure = f"{method} {path}: the server failed (HTTP {response.status_code})"
            if attempt >= self.retries:
                tries = f"{attempt + 1} tries" if attempt else "1 try"
                raise ServerUnavailable(f"{failure}, after {tries}")
            self.sleep(min(self.backoff * 2**attempt, MAX_BACKOFF))
            attempt += 1


def _answer(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise MalformedAnswer(
            f"HTTP {response.status_code} from {response.url} is not JSON: {response.text[:200]!r}"
        ) from None
    if not isinstance(body, dict):
        raise MalformedAnswer(f"HTTP {response.status_code} from {response.url} is not a JSON object")
    if response.status_code >= 400:
        raise _refusal(body, response.status_code)
    return body


def _refusal(body: dict[str, Any], status: int) -> AppRefused:
    code, message = body.get("code"), body.get("message")
    if not isinstance(code, str) or not isinstance(message, str):
        raise MalformedAnswer(f"HTTP {status} without a refusal's code and message: {body!r:.200}")
    violations = []
    for item in body.get("violations") or []:
        if isinstance(item, dict) and isinstance(item.get("code"), str) and isinstance(item.get("message"), str):
            rules, details = item.get("rules"), item.get("details")
            violations.append(Violation(item["code"], item["message"],
                                        tuple(map(str, rules)) if isinstance(rules, list) else (),
                                        details if isinstance(details, dict) else {}))
    return AppRefused(code, message, status=status, violations=violations)
