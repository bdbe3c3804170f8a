"""What the testing kit raises: ``LinksimError``, and ``ControlRefused`` when the server says no to a control."""

from __future__ import annotations

__all__ = ["ControlRefused", "LinksimError"]


class LinksimError(Exception):
    """The base of every error the testing kit raises (the clients raise their own: SellerRefused, AppRefused)."""


class ControlRefused(LinksimError):
    """The server refused a ``/_sim`` control: ``code`` is its stable code (``invalid_input``, ``sandbox_not_found``,
    ``forbidden``...), ``status`` the HTTP status, ``body`` the whole answer (JSON, or the start of its text)."""

    def __init__(self, method: str, path: str, status: int, code: str, message: str, body: object = None) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.message = message
        self.body = body
        super().__init__(f"linksim refused {method} {path} ({status} {code}): {message}")
