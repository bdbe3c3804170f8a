"""linksim's testing kit for partners: test the code that links TikTok accounts to a TikTok Shop against a
simulated TikTok, in the test process, with no network.

- the pytest plugin (:mod:`linksim.pytest_plugin`, found by pytest through its entry point): the fixtures
  ``linksim_server``, ``linksim_sandbox``, ``linksim_seller``, ``linksim_phone``, ``linksim_clock``,
  ``linksim_webhooks``;
- :class:`LiveServer` / :class:`Sandbox`: the same without pytest;
- :func:`offline`: partner code that calls TikTok's hosts with ``requests`` or ``httpx`` runs against linksim
  in-process;
- :class:`WebhookReceiver`: collects an app's webhooks in a test and checks their signatures;
- :mod:`linksim.demo`: ``linksim demo``, every flow of the rules played against a server, each in a sandbox.

The guide is docs/testing-your-integration.md. Names are imported when first used, so that pytest loading
the plugin does not load the simulator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from linksim.errors import ControlRefused
    from linksim.errors import LinksimError
    from linksim.offline import Offline
    from linksim.offline import offline
    from linksim.sandbox import Sandbox
    from linksim.sandbox import SandboxClock
    from linksim.sandbox import World
    from linksim.server import LiveServer
    from linksim.server import RemoteServer
    from linksim.server import Server
    from linksim.shop_apps import ShopAuthorization
    from linksim.webhooks import WebhookReceiver

__all__ = ["ControlRefused", "LinksimError", "LiveServer", "Offline", "RemoteServer", "Sandbox", "SandboxClock",
           "Server", "ShopAuthorization", "WebhookReceiver", "World", "offline"]

_HOME = {
    "ControlRefused": "linksim.errors",
    "LinksimError": "linksim.errors",
    "Offline": "linksim.offline",
    "offline": "linksim.offline",
    "Sandbox": "linksim.sandbox",
    "SandboxClock": "linksim.sandbox",
    "World": "linksim.sandbox",
    "LiveServer": "linksim.server",
    "RemoteServer": "linksim.server",
    "Server": "linksim.server",
    "ShopAuthorization": "linksim.shop_apps",
    "WebhookReceiver": "linksim.webhooks",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'linksim' has no attribute {name!r}")
    module = importlib.import_module(_HOME[name])
    # linksim.offline is the module (callable: it calls its offline()), as Python binds it once it is imported.
    value = module if name == "offline" else getattr(module, name)
    globals()[name] = value
    return value
