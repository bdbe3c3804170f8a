"""Offline mode for ``httpx``: what :func:`linksim.offline.offline` does for ``requests``, through ``respx``.

Imported only where httpx is installed. Inside the block every httpx client, sync or async, made before or inside
it (``httpx.Client()`` with its default transport), sends what it sends to TikTok's hosts to the same
:class:`~linksim.offline.WsgiBridge` as ``requests`` does: the same app, the same sandbox, the same timeouts
(``httpx.ReadTimeout`` when a fault holds a request longer than the client's read timeout). Any other host is
unreachable (``httpx.ConnectError``) unless a route of your own on ``Offline.httpx_mock`` answers it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx
import respx

if TYPE_CHECKING:
    from linksim.offline import WsgiBridge

__all__ = ["httpx_router"]

UNREACHABLE = "linksim: unreachable"  # the catch-all route's name


def httpx_router(bridge: WsgiBridge, pattern: re.Pattern[str]) -> respx.MockRouter:
    """A respx router (not started) that hands httpx requests matching ``pattern`` to ``bridge``."""
    router = respx.mock(assert_all_called=False, assert_all_mocked=True)

    def to_linksim(request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {}).get("read")
        answer = bridge.run(request.method, str(request.url), list(request.headers.multi_items()),
                            request.read(), float(timeout) if timeout is not None else None)
        if answer is None:
            raise httpx.ReadTimeout(f"linksim (offline) did not answer {request.method} {request.url} "
                                    f"within {timeout:g} s", request=request)
        status, headers, body = answer
        # The body is whole and already decoded for the wire: no Content-Encoding to undo, no length to frame.
        return httpx.Response(status, headers=[(name, value) for name, value in headers
                                               if name.lower() not in ("content-encoding", "transfer-encoding")],
                              content=body, request=request)

    def unreachable(request: httpx.Request, route: respx.Route) -> httpx.Response | None:
        # Routes the test adds after this one still answer their hosts: step aside for them.
        routes = list(router.routes)
        later = routes[routes.index(route) + 1:]
        if any(other.pattern is None or other.pattern.match(request) for other in later):
            return None
        raise httpx.ConnectError(f"linksim (offline): {request.url.host} is not one of TikTok's hosts, and no "
                                 "route answers it (add one to Offline.httpx_mock)", request=request)

    router.route(url__regex=pattern).mock(side_effect=to_linksim)
    router.route(name=UNREACHABLE).mock(side_effect=unreachable)
    return router
