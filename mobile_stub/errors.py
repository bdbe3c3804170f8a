"""What the app stub raises: one base class, and one subclass per way a call can fail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from client_core import errors as core
from client_core.errors import BadAnswer
from client_core.errors import ClientError
from client_core.errors import Refused
from client_core.errors import Unreachable

__all__ = ["AppError", "AppRefused", "MalformedAnswer", "QrCodeNotFound", "ServerUnavailable", "Violation"]


class AppError(ClientError):
    """Base of every error the app stub raises."""


@dataclass(frozen=True)
class Violation(core.Violation):
    """One reason for a refusal: a stable code, the rules it enforces, and what to do. Unlike the seller's,
    two are equal only if their ``details`` are too (as the app's always were)."""

    details: dict[str, Any] = field(default_factory=dict)


class AppRefused(AppError, Refused):
    """The server refused the call: ``code`` and ``message`` of the first reason, every reason in ``violations``,
    and the HTTP ``status``. A subclass of :exc:`AppError`."""

    def __init__(self, code: str, message: str, *, status: int,
                 violations: Sequence[core.Violation] | None = None) -> None:
        Refused.__init__(self, code, message, list(violations or ()) or [Violation(code, message)], status)
        self.args = (f"{code}: {message}",)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ServerUnavailable(AppError, Unreachable):
    """The server could not be reached, did not answer in time, or kept failing (HTTP 5xx) after every retry.
    A subclass of :exc:`AppError`."""


class MalformedAnswer(AppError, BadAnswer):
    """The server answered, but not with what the API documents (not JSON, or a field missing or of the wrong
    type). A subclass of :exc:`AppError`."""


class QrCodeNotFound(AppError):
    """The image holds no QR code the decoder can read, or is not an image at all. A subclass of
    :exc:`AppError`."""
