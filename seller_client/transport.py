"""HTTP to linksim for the seller's tool: :class:`client_core.Transport` (its timeouts, retries and decoding),
failing as this package's errors: :exc:`SellerRefused`, :exc:`ServerError`, :exc:`ServerUnreachable`.

``decode``, ``json_of`` and ``refusal_of`` read an answer as the seller's transport does, for code that
imported them from here before they became :class:`Transport`'s methods.
"""

from __future__ import annotations

from functools import cache

import requests

from client_core import transport as core
from client_core.transport import MAX_RETRY_AFTER
from client_core.transport import SAFE_METHODS
from client_core.transport import is_retryable
from client_core.transport import parse_retry_after
from seller_client.errors import SellerRefused
from seller_client.errors import ServerError
from seller_client.errors import ServerUnreachable

__all__ = ["MAX_RETRY_AFTER", "SAFE_METHODS", "Transport", "decode", "is_retryable", "json_of", "parse_retry_after",
           "refusal_of"]


class Transport(core.Transport):
    refused_error = SellerRefused
    unreachable_error = ServerUnreachable
    bad_answer_error = ServerError


def decode(response: requests.Response) -> object:
    """The JSON of a 2xx answer; any other answer raised as the :exc:`SellerRefused` it carries."""
    return _reader().decode(response)


def json_of(response: requests.Response) -> object:
    """The JSON body of an answer, whatever its status."""
    return _reader().json_of(response)


def refusal_of(response: requests.Response) -> SellerRefused:
    """The refusal in a non-2xx answer."""
    refusal = _reader().refusal_of(response)
    assert isinstance(refusal, SellerRefused)
    return refusal


@cache
def _reader() -> Transport:
    return Transport("http://linksim.invalid")  # reading an answer sends nothing: the URL is never used
