"""What the client core raises, and the parts of a refusal.

Each client keeps its own names for these (``seller_client.SellerRefused``, ``mobile_stub.AppRefused``,
``linksim.ControlRefused``...): they are subclasses or aliases of the classes here, so code that serves every
client (the scenario runner) catches :class:`Refused` or :class:`ClientError` once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

__all__ = ["BadAnswer", "ClientError", "ControlError", "ControlRefused", "MalformedViolation", "Refused", "Unreachable",
           "Violation", "read_violation"]


@dataclass(frozen=True)
class Violation:
    """One broken rule of a refusal: its stable code, the message for the user, the rules it enforces."""

    code: str
    message: str
    rules: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "rules": list(self.rules), "details": self.details}


class MalformedViolation(ValueError):
    """A violation as sent is not what the API documents: ``problem`` is ``not_object``, ``missing`` or
    ``wrong_type``, ``name`` the field; each client words it (:meth:`describe` is the seller's wording)."""

    def __init__(self, problem: str, name: str | None = None, value: object = None) -> None:
        super().__init__(problem, name, value)
        self.problem = problem
        self.name = name
        self.value = value

    def describe(self, what: str) -> str:
        if self.problem == "not_object":
            return f"linksim sent {type(self.value).__name__} where {what} should be a JSON object"
        if self.problem == "missing":
            return f"linksim's {what} has no {self.name!r}"
        return f"linksim's {what} has {self.name!r} of the wrong type: {self.value!r}"


def read_violation(value: object, *, violation_type: type[Violation] = Violation, strict_rules: bool = True,
                   extras: bool = True) -> Violation:
    """The one reader of a violation's JSON (``{code, message, rules, details}``); raises
    :exc:`MalformedViolation`. ``strict_rules``: ``rules`` that are not a list are malformed (else read as none);
    ``extras=False``: only ``code`` and ``message`` are read."""
    if not isinstance(value, dict):
        raise MalformedViolation("not_object", value=value)
    for name in ("code", "message"):
        if value.get(name) is None:
            raise MalformedViolation("missing", name)
        if not isinstance(value[name], str):
            raise MalformedViolation("wrong_type", name, value[name])
    if not extras:
        return violation_type(value["code"], value["message"])
    rules, details = value.get("rules"), value.get("details")
    if rules is not None and not isinstance(rules, list):
        if strict_rules:
            raise MalformedViolation("wrong_type", "rules", rules)
        rules = None
    return violation_type(value["code"], value["message"], tuple(str(r) for r in rules or ()),
                          dict(details) if isinstance(details, dict) else {})


class ClientError(Exception):
    """The base of every error a client of linksim raises."""


class Refused(ClientError):
    """linksim refused: ``code`` and ``message`` of the first violation, every one in ``violations``, the HTTP
    ``status`` (409 a rule, 404 not found, 400 invalid, 403 denied, 410 expired, 401 no valid token)."""

    def __init__(self, code: str, message: str, violations: Sequence[Violation] | None = None,
                 status: int = 0) -> None:
        self.code = code
        self.message = message
        self.violations = list(violations or ()) or [Violation(code, message)]
        self.status = status
        super().__init__("; ".join(f"{v.code}: {v.message}" for v in self.violations))

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.violations]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "status": self.status,
                "violations": [v.as_dict() for v in self.violations]}


class Unreachable(ClientError):
    """No answer at all: the connection failed or timed out on every attempt."""


class BadAnswer(ClientError):
    """An answer that cannot be used: a 5xx after every retry, or a body that is not what the API documents."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class ControlError(ClientError):
    """A control of linksim (``/_sim``) could not be carried out: no answer, or one that is not JSON.
    The partner kit's ``linksim.LinksimError`` is a subclass."""


class ControlRefused(ControlError, Refused):
    """The server refused a ``/_sim`` control: ``code`` is its stable code (``invalid_input``, ``sandbox_not_found``,
    ``forbidden``...), ``status`` the HTTP status, ``body`` the whole answer (JSON, or the start of its text)."""

    def __init__(self, method: str, path: str, status: int, code: str, message: str, body: object = None,
                 violations: Sequence[Violation] = ()) -> None:
        Refused.__init__(self, code, message, violations, status)
        self.method = method
        self.path = path
        self.body = body
        self.args = (f"linksim refused {method} {path} ({status} {code}): {message}",)
