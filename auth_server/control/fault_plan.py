"""Fault injection: rules that make matching requests slow, failing or unanswered, to test how a client copes.

A :class:`FaultRule` names the requests it matches (an optional method and a glob on the path inside the
world), what happens to them (a real wall-clock ``delay``, then at most one of: an HTTP error ``status``, an
``oauth_error``, a linking refusal ``code``, or ``silent``: no answer until the delay runs out), and how often
(``times``; ``probability``: the n-th match draws from ``random.Random(f"{seed}:{n}")``, so a run can be repeated,
whichever process serves each request). A :class:`FaultPlan` holds one world's rules in memory, in the order they
were added; the first rule that fires on a request wins. :mod:`.stored_faults` keeps them in the world's store.

A rule with ``webhook: true`` matches the world's outgoing webhooks instead of its requests (an optional ``url``
glob on the delivery URL): the receiver seems to answer its ``status``, to be slow (``delay``), or never to answer
(``silent``).

Pure logic: :mod:`auth_server.web.fault_injection` turns a rule into an answer in the wire format of the
endpoint it hits; :mod:`auth_server.web.webhook_dispatch` turns it into the outcome of a webhook's attempt.
"""

from __future__ import annotations

import fnmatch
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from random import Random
from typing import Any

from auth_server.domain import codes
from auth_server.domain.clock import parse_duration
from auth_server.domain.errors import Refused
from auth_server.domain.inputs import valid_id

MAX_DELAY_SECONDS = 60.0  # a test waiting longer than this is broken, not patient
DEFAULT_SILENCE_SECONDS = 30.0
MAX_RULES = 100
MAX_PATTERN = 200
# The controls must keep answering, or a fault could never be lifted; static files are no endpoint of TikTok's.
NEVER_FAULTED = ("/_sim/", "/static/")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
FAILURES = ("status", "oauth_error", "code", "silent")
OAUTH_ERROR = re.compile(r"[a-z][a-z0-9_]{0,63}")

PRESETS: dict[str, dict[str, Any]] = {
    # The holder's app stops answering: the phone API and the app's screens hang, so a QR code is never scanned.
    "app_silent": {"path": ["/api/app/*", "/app/*"], "silent": True},
    # Everything but the controls answers 503 Service Unavailable, asking the client to come back later.
    "server_down": {"path": "*", "status": 503, "retry_after": 10},
}
FIELDS = ("id", "preset", "method", "path", "delay", "status", "retry_after", "oauth_error", "error_description",
          "code", "details", "silent", "times", "probability", "seed", "webhook", "url")
# A rule's definition: every field but its counters (what a store keeps as the rule, beside the counters).
DEFINITION = ("id", "paths", "method", "delay", "status", "retry_after", "oauth_error", "error_description", "code",
              "details", "silent", "times", "probability", "seed", "preset", "webhook", "urls")
WEBHOOK_FAILURES = ("status", "silent")  # what a receiver can do; OAuth errors and refusals are the server's own
LIFT_POLL_SECONDS = 0.25  # how often a held request asks whether another process lifted its rule


def invalid(field_name: str, problem: str) -> Refused:
    return Refused.because(codes.INVALID_INPUT, field=field_name, problem=problem)


def id_taken(rule_id: str) -> Refused:
    return invalid("id", f"there is a fault rule {rule_id} already: choose another id, or "
                         f"DELETE /_sim/faults/{rule_id} first")


def plan_full(limit: int) -> Refused:
    return invalid("body", f"this world holds {limit} fault rules already: DELETE /_sim/faults to start over")


@dataclass(eq=False)
class FaultRule:
    """One rule: which requests, what happens to them, how often; and how many it matched and hit so far."""

    id: str
    paths: tuple[str, ...]
    method: str | None = None
    delay: float = 0.0  # wall-clock seconds, before the failure (or before the request goes on)
    status: int | None = None
    retry_after: int | None = None
    oauth_error: str | None = None
    error_description: str | None = None
    code: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    silent: bool = False
    times: int | None = None  # None: every time
    probability: float | None = None  # None: every match
    seed: int | str | None = None
    preset: str | None = None
    webhook: bool = False  # matches outgoing webhooks (by ``urls``), not requests
    urls: tuple[str, ...] = ()
    matched: int = 0  # requests the method and path matched
    hits: int = 0  # of those, the ones the fault was applied to
    # Whether the rule is still in force elsewhere (its store), asked while a request waits out its delay.
    still_there: Callable[[], bool] | None = field(default=None, repr=False)
    _lifted: threading.Event = field(init=False, repr=False, default_factory=threading.Event)

    @classmethod
    def from_json(cls, body: object, rule_id: str) -> FaultRule:
        """A rule from a request body, every field checked; ``rule_id`` unless the body names its own."""
        if not isinstance(body, dict):
            raise invalid("body", "send a fault rule as a JSON object, such as "
                                  '{"path": "/v2/oauth/token*", "status": 503, "times": 1}')
        unknown = sorted(set(body) - set(FIELDS))
        if unknown:
            raise invalid(unknown[0], f"a fault rule has no such field; it has {', '.join(FIELDS)}")
        preset = body.get("preset")
        if preset is not None:
            if not isinstance(preset, str) or preset not in PRESETS:
                raise invalid("preset", f"there is no preset {preset!r}; the presets are {', '.join(PRESETS)}")
            body = {**PRESETS[preset], **body}  # the caller's fields override the preset's
        failures = [name for name in FAILURES if body.get(name) not in (None, False)]
        if len(failures) > 1:
            raise invalid(failures[1], f"a rule does one thing: {' or '.join(failures)}, not both")
        webhook = _flag(body.get("webhook"), "webhook")
        if webhook:
            _webhook_rule(body, failures)
        elif body.get("url") is not None:
            raise invalid("url", 'url matches outgoing webhooks: add "webhook": true, or match requests by path')
        silent = _flag(body.get("silent"), "silent")
        delay = _delay(body.get("delay"))
        if silent and body.get("delay") is None:
            delay = DEFAULT_SILENCE_SECONDS
        if not failures and not delay:
            raise invalid("body", "say what the fault does: a delay, and/or a status, an oauth_error, a code, "
                                  "or silent")
        status = _integer(body.get("status"), "status", 400, 599)
        oauth_error = _oauth_error(body.get("oauth_error"))
        code = _code(body.get("code"))
        probability = _probability(body.get("probability"))
        _only_with(body, "retry_after", "status", status)
        _only_with(body, "error_description", "oauth_error", oauth_error)
        _only_with(body, "details", "code", code)
        _only_with(body, "seed", "probability", probability)
        seed = _seed(body.get("seed")) if probability is not None else None
        return cls(
            id=valid_id(body["id"], "id") if body.get("id") is not None else rule_id,
            paths=_paths(body.get("path")) if not webhook else (),
            method=_method(body.get("method")),
            delay=delay,
            status=status,
            retry_after=_integer(body.get("retry_after"), "retry_after", 0, 86_400),
            oauth_error=oauth_error,
            error_description=_text(body.get("error_description"), "error_description"),
            code=code,
            details=_details(body.get("details")),
            silent=silent,
            times=_integer(body.get("times"), "times", 1, 1_000_000),
            probability=probability,
            # Without a seed of its own, a rule draws one, and shows it, so that an unlucky run can be replayed.
            seed=seed if seed is not None or probability is None else secrets.randbelow(2**31),
            preset=preset,
            webhook=webhook,
            urls=_urls(body.get("url")) if webhook else (),
        )

    def definition(self) -> dict[str, Any]:
        """What the rule is, without its counters: what :meth:`from_definition` makes it again from."""
        values = {name: getattr(self, name) for name in DEFINITION}
        return {**values, "paths": list(self.paths), "urls": list(self.urls), "details": dict(self.details)}

    @classmethod
    def from_definition(cls, definition: dict[str, Any]) -> FaultRule:
        values = {name: definition[name] for name in DEFINITION if name in definition}
        return cls(**{**values, "paths": tuple(values.get("paths", ())), "urls": tuple(values.get("urls", ()))})

    def matches(self, method: str, path: str) -> bool:
        if self.webhook:
            return False
        if self.method is not None and self.method != method.upper():
            return False
        return any(fnmatch.fnmatchcase(path, pattern) for pattern in self.paths)

    def matches_webhook(self, url: str) -> bool:
        return self.webhook and any(fnmatch.fnmatchcase(url, pattern) for pattern in self.urls)

    @property
    def failure(self) -> str | None:
        """What the rule answers with (``status``, ``oauth_error``, ``code``, ``silent``), or None: a delay only."""
        return next((name for name in FAILURES if getattr(self, name) not in (None, False)), None)

    @property
    def remaining(self) -> int | None:
        return None if self.times is None else max(self.times - self.hits, 0)

    @property
    def active(self) -> bool:
        return self.remaining != 0 and not self._lifted.is_set()

    def wait_out_delay(self, seconds: float | None = None) -> bool:
        """Sleep for the delay (or ``seconds``); True if the rule was lifted meanwhile (the request then goes on
        as if unfaulted)."""
        seconds = self.delay if seconds is None else seconds
        if seconds <= 0:
            return False
        if self.still_there is None:
            return self._lifted.wait(seconds)
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self._lifted.wait(min(left, LIFT_POLL_SECONDS)):
                return True
            if not self.still_there():
                self.lift()
                return True
        return False

    def lift(self) -> None:
        self._lifted.set()  # wakes the requests held in wait_out_delay

    def fires(self) -> bool:
        """Count a matching request; True if the fault applies to it (its probability drawn, if it has one)."""
        self.matched += 1
        if not self.draw(self.matched):
            return False
        self.hits += 1
        return True

    def draw(self, n: int) -> bool:
        """Whether the ``n``-th match fires by the rule's probability: the same for the same seed, in any process."""
        return self.probability is None or Random(f"{self.seed}:{n}").random() < self.probability

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "preset": self.preset, "method": self.method,
            "path": (self.paths[0] if len(self.paths) == 1 else list(self.paths)) if not self.webhook else None,
            "delay": self.delay, "status": self.status, "retry_after": self.retry_after,
            "oauth_error": self.oauth_error, "error_description": self.error_description,
            "code": self.code, "details": self.details, "silent": self.silent,
            "times": self.times, "probability": self.probability, "seed": self.seed, "webhook": self.webhook,
            "url": (self.urls[0] if len(self.urls) == 1 else list(self.urls)) if self.webhook else None,
            "matched": self.matched, "hits": self.hits, "remaining": self.remaining, "active": self.active,
        }


class FaultPlan:
    """A world's fault rules, in order. Thread-safe: requests match while a test adds and removes rules.

    A rule whose ``times`` are used up retires: it stays listed (with its counters, for the test to check)
    but matches nothing more.
    """

    def __init__(self, *, limit: int = MAX_RULES) -> None:
        self.limit = limit
        self._rules: list[FaultRule] = []
        self._next = 1
        self._lock = threading.Lock()

    def add(self, body: object) -> FaultRule:
        """Add the rule a JSON body describes (see :meth:`FaultRule.from_json`) after the others."""
        with self._lock:
            fresh = self._fresh_id()
            rule = FaultRule.from_json(body, fresh)
            if any(r.id == rule.id for r in self._rules):
                raise id_taken(rule.id)
            if len(self._rules) >= self.limit:
                self._rules = [r for r in self._rules if r.active]  # make room by forgetting retired rules
            if len(self._rules) >= self.limit:
                raise plan_full(self.limit)
            self._rules.append(rule)
            if rule.id == fresh:
                self._next += 1  # never handed out again, even once the rule is gone
            return rule

    def _fresh_id(self) -> str:
        taken = {r.id for r in self._rules}
        while f"flt_{self._next}" in taken:
            self._next += 1
        return f"flt_{self._next}"

    def match(self, method: str, path: str) -> FaultRule | None:
        """The first active rule that matches the request and fires (counted), or None."""
        with self._lock:
            for rule in self._rules:
                if rule.active and rule.matches(method, path) and rule.fires():
                    return rule
        return None

    def match_webhook(self, url: str) -> FaultRule | None:
        """The first active webhook rule that matches a delivery to ``url`` and fires (counted), or None."""
        with self._lock:
            for rule in self._rules:
                if rule.active and rule.matches_webhook(url) and rule.fires():
                    return rule
        return None

    def get(self, rule_id: str) -> FaultRule:
        with self._lock:
            found = next((r for r in self._rules if r.id == rule_id), None)
        if found is None:
            raise Refused.because(codes.FAULT_NOT_FOUND, fault=rule_id)
        return found

    def remove(self, rule_id: str) -> FaultRule:
        with self._lock:
            found = next((r for r in self._rules if r.id == rule_id), None)
            if found is None:
                raise Refused.because(codes.FAULT_NOT_FOUND, fault=rule_id)
            self._rules.remove(found)
        found.lift()
        return found

    def clear(self) -> int:
        with self._lock:
            removed, self._rules = self._rules, []
        for rule in removed:
            rule.lift()
        return len(removed)

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)


# --- checks of each field -----------------------------------------------------------------------------------


def _paths(value: object) -> tuple[str, ...]:
    patterns = [value] if isinstance(value, str) else value
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) for p in patterns):
        raise invalid("path", 'give a glob on the path, such as "/v2/oauth/token*" or "/api/shops/*/official-link" '
                              "(or a list of them); * matches anything, / included")
    for pattern in patterns:
        if not (pattern.startswith("/") or pattern.startswith("*")) or len(pattern) > MAX_PATTERN:
            raise invalid("path", f"{pattern[:MAX_PATTERN]!r} is not a path glob: start it with / (or *), "
                                  f"at most {MAX_PATTERN} characters")
        if pattern.startswith("/sandboxes/"):
            raise invalid("path", "give the path inside the world, without /sandboxes/ID: a rule added through a "
                                  "sandbox's prefix or header applies to that sandbox only")
        if pattern.startswith(("/_sim", "/static/")):
            raise invalid("path", "the controls (/_sim/...) and static files are never faulted, so that a fault "
                                  "can always be lifted")
    return tuple(patterns)


def _webhook_rule(body: dict[str, Any], failures: list[str]) -> None:
    for name in ("path", "method", "preset"):
        if body.get(name) is not None:
            raise invalid(name, "a webhook rule matches outgoing webhooks by their url (a glob), not by "
                                f"{name}: leave {name} out")
    for name in failures:
        if name not in WEBHOOK_FAILURES:
            raise invalid(name, "a webhook's receiver can answer a status, be slow (delay) or never answer "
                                f"(silent); {name} is the server's own kind of answer")


def _urls(value: object) -> tuple[str, ...]:
    if value is None:
        return ("*",)
    patterns = [value] if isinstance(value, str) else value
    if (not isinstance(patterns, list) or not patterns
            or not all(isinstance(p, str) and 0 < len(p) <= MAX_PATTERN for p in patterns)):
        raise invalid("url", 'give a glob on the delivery URL, such as "http://127.0.0.1:*/hooks*" or "*/tiktok*" '
                             f"(or a list of them), at most {MAX_PATTERN} characters; leave it out for every webhook")
    return tuple(patterns)


def _method(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.upper() not in METHODS:
        raise invalid("method", f"give an HTTP method ({', '.join(sorted(METHODS))}), or leave it out for any")
    return value.upper()


def _delay(value: object) -> float:
    if value is None:
        return 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = parse_duration(value).total_seconds()
        except ValueError as error:
            raise invalid("delay", str(error)) from None
    else:
        raise invalid("delay", 'give a duration, such as "0.5s" or "30s", or a number of seconds')
    if not 0 <= seconds <= MAX_DELAY_SECONDS:
        raise invalid("delay", f"give at most {MAX_DELAY_SECONDS:g} seconds (the delay is real time), and not less "
                               "than 0")
    return seconds


def _integer(value: object, field_name: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid(field_name, f"give a whole number from {low} to {high}")
    return value


def _flag(value: object, field_name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise invalid(field_name, "give true or false")
    return value


def _oauth_error(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not OAUTH_ERROR.fullmatch(value):
        raise invalid("oauth_error", "give an OAuth error code, such as invalid_grant, invalid_client or "
                                     "temporarily_unavailable (lower case letters, digits and _)")
    return value


def _text(value: object, field_name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 500:
        raise invalid(field_name, "give a non-empty text of at most 500 characters")
    return value


def _code(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in codes.CATALOGUE:
        raise invalid("code", f"{value!r} is not a linksim refusal code; the codes are in the README's table "
                              "(or `linksim codes`), such as official_slot_taken or qr_expired")
    return value


def _details(value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if (not isinstance(value, dict) or len(value) > 20
            or not all(isinstance(v, (str, int, float, bool)) or v is None for v in value.values())):
        raise invalid("details", "give an object of at most 20 plain values that fill the code's message, "
                                 'such as {"holder": "@maya"}')
    return dict(value)


def _probability(value: object) -> float | None:
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise invalid("probability", "give a number from 0 to 1 (0.25: one matching request in four, on average)")
    return float(value)


def _seed(value: object) -> int | str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise invalid("seed", "give a whole number or a text: the same seed draws the same sequence")
    return value


def _only_with(body: dict[str, Any], field_name: str, needs: str, present: object) -> None:
    if body.get(field_name) is not None and present is None:
        raise invalid(field_name, f"{field_name} goes with {needs}, which this rule does not have")
