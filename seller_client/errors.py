"""What can go wrong when a seller's tool talks to linksim, one exception per kind of failure.

``SellerError`` is the base. ``SellerRefused`` is an answer (linksim said no, with stable codes);
``ServerError`` and ``ServerUnreachable`` mean there was no usable answer; ``WaitTimeout`` means the
holder or the reviewer did not act in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from seller_client.models import Link

__all__ = ["SellerError", "SellerRefused", "ServerError", "ServerUnreachable", "Violation", "WaitTimeout"]


@dataclass(frozen=True)
class Violation:
    """One broken rule of a refusal: its stable code, the message for the user, the rules it enforces."""

    code: str
    message: str
    rules: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "rules": list(self.rules), "details": self.details}


class SellerError(Exception):
    """The base of every error this package raises."""


class SellerRefused(SellerError):
    """linksim refused the request; ``code`` is the first violation's, ``violations`` lists them all.

    ``status`` is the HTTP status: 409 a rule, 404 not found, 400 invalid, 403 denied, 410 expired,
    401 no valid partner token (200 for an OAuth error on TikTok's token endpoint, as TikTok answers).
    """

    def __init__(self, code: str, message: str, violations: list[Violation], status: int) -> None:
        self.code = code
        self.message = message
        self.violations = violations or [Violation(code, message)]
        self.status = status
        super().__init__("; ".join(f"{v.code}: {v.message}" for v in self.violations))

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.violations]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "status": self.status,
                "violations": [v.as_dict() for v in self.violations]}


class ServerError(SellerError):
    """linksim's answer was unusable: a 5xx after every retry, or a body that is not what the API promises."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class ServerUnreachable(SellerError):
    """No answer at all: the connection failed or timed out on every attempt."""


class WaitTimeout(SellerError):
    """Waiting for the holder or the review took longer than allowed; ``link`` is the last one seen."""

    def __init__(self, message: str, link: Link) -> None:
        self.link = link
        super().__init__(message)
