"""HTTP to linksim for the seller's tool: :class:`client_core.Transport` (its timeouts, retries and decoding),
failing as this package's errors: :exc:`SellerRefused`, :exc:`ServerError`, :exc:`ServerUnreachable`."""

from __future__ import annotations

from client_core import transport as core
from client_core.transport import parse_retry_after
from seller_client.errors import SellerRefused
from seller_client.errors import ServerError
from seller_client.errors import ServerUnreachable

__all__ = ["Transport", "parse_retry_after"]


class Transport(core.Transport):
    refused_error = SellerRefused
    unreachable_error = ServerUnreachable
    bad_answer_error = ServerError
