"""What can go wrong when a seller's tool talks to linksim, one exception per kind of failure.

``SellerError`` is the base. ``SellerRefused`` is an answer (linksim said no, with stable codes);
``ServerError`` and ``ServerUnreachable`` mean there was no usable answer; ``WaitTimeout`` means the
holder or the reviewer did not act in time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from client_core.errors import BadAnswer
from client_core.errors import ClientError
from client_core.errors import Refused
from client_core.errors import Unreachable
from client_core.errors import Violation

if TYPE_CHECKING:
    from seller_client.models import Link

__all__ = ["SellerError", "SellerRefused", "ServerError", "ServerUnreachable", "Violation", "WaitTimeout"]


class SellerError(ClientError):
    """The base of every error this package raises."""


class SellerRefused(SellerError, Refused):
    """linksim refused the request; ``code`` is the first violation's, ``violations`` lists them all.

    ``status`` is the HTTP status: 409 a rule, 404 not found, 400 invalid, 403 denied, 410 expired,
    401 no valid partner token (200 for an OAuth error on TikTok's token endpoint, as TikTok answers).
    """


class ServerError(SellerError, BadAnswer):
    """linksim's answer was unusable: a 5xx after every retry, or a body that is not what the API promises."""


class ServerUnreachable(SellerError, Unreachable):
    """No answer at all: the connection failed or timed out on every attempt."""


class WaitTimeout(SellerError):
    """Waiting for the holder or the review took longer than allowed; ``link`` is the last one seen."""

    def __init__(self, message: str, link: Link) -> None:
        self.link = link
        super().__init__(message)
