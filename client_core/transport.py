"""HTTP to linksim: a timeout on every call, bounded retries with exponential backoff, and answers decoded into
JSON or a refusal.

What is retried: a connection that fails (nothing reached the server, so any method is safe), a read timeout on
GET (safe to repeat), and 5xx or (by default) 429 answers. A POST is retried on a 5xx because linksim runs each
request in one transaction that rolls back on a failure, and a 502/503 from a proxy in front means the request
never arrived; a POST whose answer timed out is not, since it may have been applied. A ``Retry-After`` header
sets the wait (by default).

Each client words its failures and names its exceptions (the class attributes and :meth:`Transport.failed`),
and may set its own policy through the class attributes (the app stub neither retries a 429 nor reads
``Retry-After``, and skips a malformed violation); the loop is the same for all.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from typing import ClassVar
from typing import Literal
from urllib.parse import urlsplit

import requests

from client_core.errors import BadAnswer
from client_core.errors import ClientError
from client_core.errors import MalformedViolation
from client_core.errors import Refused
from client_core.errors import Unreachable
from client_core.errors import Violation
from client_core.errors import read_violation

__all__ = ["DEFAULT_BACKOFF", "DEFAULT_RETRIES", "DEFAULT_TIMEOUT", "MAX_BACKOFF", "MAX_RETRY_AFTER", "SAFE_METHODS",
           "Failure", "Transport", "is_retryable", "parse_retry_after"]

DEFAULT_TIMEOUT = 10.0  # seconds, for connecting and for each read
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.5  # seconds before the first retry; doubled for each one after it
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0  # a server asking for longer is broken for a test tool; don't hang on it
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FailureKind = Literal["unreachable", "not_resent", "server_failed", "broken"]


def is_retryable(status: int) -> bool:
    """The default policy (:attr:`Transport.retry_statuses`): a 5xx or a 429."""
    return status >= 500 or status == 429


@dataclass(frozen=True)
class Failure:
    """Why a request got no usable answer, for the client to put in its own words.

    ``unreachable``: every attempt failed to connect or (a GET) timed out; ``not_resent``: an unsafe request
    timed out, so it was not sent again; ``server_failed``: a 5xx on every attempt (``response`` is the last);
    ``broken``: requests failed in another way (an invalid URL, too many redirects).
    """

    kind: FailureKind
    base_url: str
    method: str
    path: str
    attempts: int
    timeout: float
    error: requests.RequestException | None = None
    response: requests.Response | None = None

    @property
    def tries(self) -> str:
        return f"(tried {self.attempts} time{'s' if self.attempts > 1 else ''})"

    @property
    def reason(self) -> str:
        """A short cause, not urllib3's paragraph about connection pools."""
        if self.response is not None:
            return f"HTTP {self.response.status_code}"
        if isinstance(self.error, requests.ConnectTimeout):
            return f"the connection timed out after {self.timeout:g}s"
        if isinstance(self.error, requests.Timeout):
            return f"no answer within {self.timeout:g}s"
        match = re.search(r"\[Errno -?\d+\] ([^'\"\)]+)", str(self.error))
        return match.group(1).strip().lower() if match else (str(self.error) or type(self.error).__name__)


class Transport:
    """Sends requests to one linksim server and retries what is safe to retry.

    ``retries`` is how many times a failed attempt is repeated (so ``retries + 1`` attempts in all); the n-th
    repeat waits ``backoff * 2**n`` seconds (at most ``max_backoff``), or what a ``Retry-After`` header asks.
    ``sleep`` is injectable so tests see the waits without waiting.
    """

    refused_error: ClassVar[type[Refused]] = Refused
    unreachable_error: ClassVar[type[ClientError]] = Unreachable
    bad_answer_error: ClassVar[type[BadAnswer]] = BadAnswer
    violation_type: ClassVar[type[Violation]] = Violation
    # The policy: the statuses below 500 retried too (a 5xx always is), and whether Retry-After sets the wait.
    retry_statuses: ClassVar[frozenset[int]] = frozenset({429})
    honour_retry_after: ClassVar[bool] = True
    # A refusal must carry a message (else it is malformed); a malformed violation is skipped (else malformed).
    refusal_needs_message: ClassVar[bool] = False
    lenient_violations: ClassVar[bool] = False

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.check_arguments(base_url, timeout, retries, backoff)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.session = session or requests.Session()

    def check_arguments(self, base_url: str, timeout: float, retries: int, backoff: float) -> None:
        """Raises ValueError for arguments that cannot work (a client may word it its own way)."""
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not a linksim URL: {base_url!r} (use http://HOST:PORT)")
        if timeout <= 0:
            raise ValueError("the timeout must be more than 0 seconds")
        if retries < 0 or backoff < 0:
            raise ValueError("retries and backoff cannot be negative")

    def retryable(self, status: int) -> bool:
        return status >= 500 or status in self.retry_statuses

    def close(self) -> None:
        self.session.close()

    # --- sending ---------------------------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """The server's answer (any status below 500, or a retried one after every retry); raises what
        :meth:`failed` makes of a request that got no usable answer."""
        url = self.base_url + path
        method = method.upper()
        attempt = 0
        while True:
            retry_after = None
            try:
                response = self.session.request(method, url, json=json, data=data, params=params,
                                                headers=dict(headers or {}), timeout=self.timeout)
            except requests.ConnectionError as exc:  # ConnectTimeout too: the request was never sent
                failure = self._failure("unreachable", method, path, attempt, error=exc)
            except requests.Timeout as exc:
                if method not in SAFE_METHODS:
                    raise self.failed(self._failure("not_resent", method, path, attempt, error=exc)) from exc
                failure = self._failure("unreachable", method, path, attempt, error=exc)
            except requests.RequestException as exc:
                raise self.failed(self._failure("broken", method, path, attempt, error=exc)) from exc
            else:
                if not self.retryable(response.status_code):
                    return response
                if attempt >= self.retries:
                    if response.status_code < 500:
                        return response  # a refusal like any other (a 429): decode() reports it
                    raise self.failed(self._failure("server_failed", method, path, attempt, response=response))
                failure = self._failure("unreachable", method, path, attempt, response=response)
                if self.honour_retry_after:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if attempt >= self.retries:
                raise self.failed(failure)
            self.sleep(self.delay(attempt, retry_after))
            attempt += 1

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """How long to wait before repeat number ``attempt`` (from 0)."""
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER)
        return float(min(self.backoff * 2**attempt, self.max_backoff))

    def _failure(self, kind: FailureKind, method: str, path: str, attempt: int, *,
                 error: requests.RequestException | None = None, response: requests.Response | None = None) -> Failure:
        return Failure(kind, self.base_url, method, path, attempt + 1, self.timeout, error, response)

    def failed(self, failure: Failure) -> ClientError:
        """The exception for a request that got no usable answer (a client may word it its own way)."""
        where = f"linksim at {failure.base_url}"
        request = f"{failure.method} {failure.path}"
        if failure.kind == "not_resent":
            return self.unreachable_error(f"{where} gave no answer to {request} within {failure.timeout:g}s; it may "
                                          "have been applied, so it was not sent again")
        if failure.kind == "broken":
            return self.bad_answer(f"{request} to {where} failed: {failure.error}")
        if failure.kind == "server_failed" and failure.response is not None:
            status = failure.response.status_code
            return self.bad_answer(f"{where} answered {request} with {status} "
                                   f"{_server_message(failure.response)} {failure.tries}", status=status)
        return self.unreachable_error(f"cannot reach {where}: {failure.reason} {failure.tries}")

    def bad_answer(self, message: str, *, status: int | None = None) -> ClientError:
        """The exception for an answer that cannot be used (a 5xx after every retry, a body not as documented)."""
        return self.bad_answer_error(message, status=status)

    # --- reading answers -------------------------------------------------------------------------------------

    def decode(self, response: requests.Response) -> object:
        """The JSON of a 2xx answer; any other answer raised as the refusal it carries."""
        if not 200 <= response.status_code < 300:
            raise self.refusal_of(response)
        return self.json_of(response)

    def json_of(self, response: requests.Response) -> object:
        """The JSON body of an answer, whatever its status."""
        try:
            return response.json()
        except ValueError:
            raise self.bad_answer(f"linksim answered {_request_line(response)} with {response.status_code} "
                                  f"and a body that is not JSON: {_excerpt(response)}",
                                  status=response.status_code) from None

    def refusal_of(self, response: requests.Response) -> Refused:
        """The refusal in a non-2xx answer: ``{code, message, violations}`` (the message and violations may be
        missing, unless :attr:`refusal_needs_message`); a body without a code is a bad answer."""
        body = self.json_of(response)
        if not isinstance(body, dict) or not isinstance(body.get("code"), str) or (
                self.refusal_needs_message and not isinstance(body.get("message"), str)):
            raise self.malformed_refusal(response, body)
        violations = body.get("violations") or []
        if not isinstance(violations, list):
            if not self.lenient_violations:
                raise self.bad_answer(f"linksim's refusal of {_request_line(response)} has violations that "
                                      "are not a list", status=response.status_code)
            violations = []
        read = [self.violation_of(v) for v in violations]
        return self.refused_error(body["code"], self.refusal_message(body),
                                  violations=[v for v in read if v is not None], status=response.status_code)

    def refusal_message(self, body: dict[str, Any]) -> str:
        """A refusal's message: the server's, or its code when it sent none."""
        message = body.get("message")
        return message if isinstance(message, str) else str(body["code"])

    def malformed_refusal(self, response: requests.Response, body: object) -> ClientError:
        """The exception for a non-2xx answer that carries no refusal's code."""
        return self.bad_answer(f"linksim refused {_request_line(response)} with {response.status_code} but "
                               f"no code: {_excerpt(response)}", status=response.status_code)

    def violation_of(self, value: object) -> Violation | None:
        """One violation of a refusal; a malformed one is a bad answer, or None (skipped) if
        :attr:`lenient_violations`."""
        try:
            return read_violation(value, violation_type=self.violation_type,
                                  strict_rules=not self.lenient_violations)
        except MalformedViolation as malformed:
            if self.lenient_violations:
                return None
            raise self.bad_answer(malformed.describe("refusal's violation")) from None


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
