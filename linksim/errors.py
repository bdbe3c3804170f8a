"""What the testing kit raises: ``LinksimError``, and ``ControlRefused`` when the server says no to a control.

Both are the client core's errors (:mod:`client_core.errors`) under the kit's own classes: the controls are
sent by :class:`client_core.ControlPlane`, through the kit's transport (:mod:`linksim.sandbox`).
"""

from __future__ import annotations

from client_core import errors as core

__all__ = ["ControlRefused", "LinksimError"]


class LinksimError(core.ControlError):
    """The base of every error the testing kit raises (the clients raise their own: SellerRefused, AppRefused)."""


class ControlRefused(LinksimError, core.ControlRefused):
    """The server refused a ``/_sim`` control: ``code`` is its stable code (``invalid_input``, ``sandbox_not_found``,
    ``forbidden``...), ``status`` the HTTP status, ``body`` the whole answer (JSON, or the start of its text)."""
