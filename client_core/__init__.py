"""The bottom of linksim's client layer: what every tool that speaks to a linksim server shares.

- :class:`Transport` (:mod:`client_core.transport`): one server's base URL, a ``requests`` session, a timeout on
  every call, the retry policy (backoff, ``Retry-After``), and the reading of answers: JSON, or a refusal;
  :class:`Failure` is why a request got no usable answer, for a client to word;
- :class:`Refused` and :class:`Violation` (:mod:`client_core.errors`): a refusal with linksim's stable codes;
  :class:`ClientError` is the base of every client's errors (catch it once for any client), :class:`Unreachable`,
  :class:`BadAnswer` and :class:`ControlError` its kinds;
- :class:`ControlPlane` (:mod:`client_core.control`): the ``/_sim`` controls (sandboxes, clock, faults, journal,
  forced transitions, parties, settings), and :class:`WorldClock`, a world's clock, as ``ControlPlane.clock``.

``seller_client``, ``mobile_stub``, the partner kit ``linksim`` and the scenario runner build on it; it imports
none of them, and nothing of the server.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from client_core.control import ControlPlane
    from client_core.control import WorldClock
    from client_core.errors import BadAnswer
    from client_core.errors import ClientError
    from client_core.errors import ControlError
    from client_core.errors import ControlRefused
    from client_core.errors import Refused
    from client_core.errors import Unreachable
    from client_core.errors import Violation
    from client_core.transport import Failure
    from client_core.transport import Transport

__all__ = ["BadAnswer", "ClientError", "ControlError", "ControlPlane", "ControlRefused", "Failure", "Refused",
           "Transport", "Unreachable", "Violation", "WorldClock"]

# Imported when first named: `linksim serve` reads client_core.actions (its step commands) and needs no HTTP client,
# whose import (requests) costs it about 60 ms of its cold start.
_HOMES = {"ControlPlane": "control", "WorldClock": "control", "Failure": "transport", "Transport": "transport",
          **{name: "errors" for name in ("BadAnswer", "ClientError", "ControlError", "ControlRefused", "Refused",
                                         "Unreachable", "Violation")}}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"client_core.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
