"""HTTP to linksim: a timeout on every call, bounded retries with exponential backoff, and answers decoded
into JSON or a typed error.

What is retried: a connection that fails (nothing reached the server, so any method is safe), a read
timeout on GET (safe to repeat), and 5xx or 429 answers. A POST is retried on a 5xx because linksim runs
each request in one transaction that rolls back on a failure, and a 502/503 from a proxy in front means
the request never arrived; a POST whose answer timed out is not, since it may have been applied.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from seller_client.errors import SellerRefused
from seller_client.errors import ServerError
from seller_client.errors import ServerUnreachable
from seller_client.models import violation_of

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_RETRY_AFTER = 60.0  # a server asking for longer is broken for a test tool; don't hang on it


def is_retryable(status: int) -> bool:
    return status >= 500 or status == 429


class Transport:
    """Sends requests to one linksim server and retries what is safe to retry.

    ``retries`` is how many times a failed attempt is repeated (so ``retries + 1`` attempts in all); the
    n-th repeat waits ``backoff * 2**n`` seconds (at most ``max_backoff``), or what a ``Retry-After``
    header asks. ``sleep`` is injectable so tests see the waits without waiting.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("the timeout must be more than 0 seconds")
        if retries < 0 or backoff < 0:
            raise ValueError("retries and backoff cannot be negative")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.session = session or requests.Session()

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """The server's answer (any status below 500); raises ServerUnreachable or ServerError otherwise."""
        url = self.base_url + path
        method = method.upper()
        attempt = 0
        while True:
            try:
                response = self.session.request(method, url, json=json, data=data, params=params,
                                                headers=dict(headers or {}), timeout=self.timeout)
            except requests.ConnectionError as exc:  # ConnectTimeout too: the request was never sent
                failure: str = _reason(exc, self.timeout)
                retry_after = None
            except requests.Timeout as exc:
                if method not in SAFE_METHODS:
                    raise ServerUnreachable(
                        f"linksim at {self.base_url} gave no answer to {method} {path} within {self.timeout:g}s; "
                        "it may have been applied, so it was not sent again") from exc
                failure = _reason(exc, self.timeout)
                retry_after = None
            except requests.RequestException as exc:
                raise ServerError(f"{method} {path} to linksim at {self.base_url} failed: {exc}") from exc
            else:
                if not is_retryable(response.status_code):
                    return response
                if attempt >= self.retries:
                    if response.status_code == 429:
                        return response  # a refusal like any other: decode() reports it
                    raise ServerError(f"linksim at {self.base_url} answered {method} {path} with "
                                      f"{response.status_code} {_server_message(response)} "
                                      f"{_tries(attempt)}", status=response.status_code)
                failure = f"HTTP {response.status_code}"
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if attempt >= self.retries:
                raise ServerUnreachable(f"cannot reach linksim at {self.base_url}: {failure} {_tries(attempt)}")
            self.sleep(self.delay(attempt, retry_after))
            attempt += 1

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """How long to wait before repeat number ``attempt`` (from 0)."""
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER)
        return float(min(self.backoff * 2**attempt, self.max_backoff))


def decode(response: requests.Response) -> object:
    """The JSON of a 2xx answer; any other answer raised as the refusal it carries."""
    if not 200 <= response.status_code < 300:
        raise refusal_of(response)
    return json_of(response)


def json_of(response: requests.Response) -> object:
    try:
        return response.json()
    except ValueError:
        raise ServerError(f"linksim answered {_request_line(response)} with {response.status_code} and a body that "
                          f"is not JSON: {_excerpt(response)}", status=response.status_code) from None


def refusal_of(response: requests.Response) -> SellerRefused:
    """The refusal in a non-2xx answer: ``{code, message, violations}`` (violations may be missing)."""
    body = json_of(response)
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        raise ServerError(f"linksim refused {_request_line(response)} with {response.status_code} but no code: "
                          f"{_excerpt(response)}", status=response.status_code)
    message = body.get("message")
    violations = body.get("violations") or []
    if not isinstance(violations, list):
        raise ServerError(f"linksim's refusal of {_request_line(response)} has violations that are not a list",
                          status=response.status_code)
    return SellerRefused(body["code"], message if isinstance(message, str) else body["code"],
                         [violation_of(v, "refusal's violation") for v in violations], response.status_code)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _reason(exc: requests.RequestException, timeout: float) -> str:
    """A short cause, not urllib3's paragraph about connection pools."""
    if isinstance(exc, requests.ConnectTimeout):
        return f"the connection timed out after {timeout:g}s"
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g}s"
    match = re.search(r"\[Errno -?\d+\] ([^'\"\)]+)", str(exc))
    return match.group(1).strip().lower() if match else (str(exc) or type(exc).__name__)


def _tries(attempt: int) -> str:
    return f"(tried {attempt + 1} time{'s' if attempt else ''})"


def _server_message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "(" + _excerpt(response) + ")"
    message = body.get("message") if isinstance(body, dict) else None
    return f"({message})" if isinstance(message, str) else ""


def _request_line(response: requests.Response) -> str:
    request = response.request
    path = urlsplit(request.url or "").path if request is not None else "?"
    return f"{request.method if request is not None else '?'} {path}"


def _excerpt(response: requests.Response, limit: int = 120) -> str:
    text = " ".join(response.text.split())
    return repr(text[:limit] + ("…" if len(text) > limit else "")) if text else "an empty body"
