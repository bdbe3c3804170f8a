"""What the app stub raises: one base class, and one subclass per way a call can fail."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any


class AppError(Exception):
    """Base of every error the app stub raises."""


@dataclass(frozen=True)
class Violation:
    """One reason for a refusal: a stable code, the rules it enforces, and what to do."""

    code: str
    message: str
    rules: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


class AppRefused(AppError):
    """The server refused the call: ``code`` and ``message`` of the first reason, every reason in ``violations``,
    and the HTTP ``status``. A subclass of :exc:`AppError`."""

    def __init__(self, code: str, message: str, *, status: int, violations: list[Violation] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.violations = violations or [Violation(code, message)]

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.violations]


class ServerUnavailable(AppError):
    """The server could not be reached, did not answer in time, or kept failing (HTTP 5xx) after every retry.
    A subclass of :exc:`AppError`."""


class MalformedAnswer(AppError):
    """The server answered, but not with what the API documents (not JSON, or a field missing or of the wrong
    type). A subclass of :exc:`AppError`."""


class QrCodeNotFound(AppError):
    """The image holds no QR code the decoder can read, or is not an image at all. A subclass of
    :exc:`AppError`."""
