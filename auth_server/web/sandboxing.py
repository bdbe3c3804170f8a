"""Which world a request reaches: a sandbox named by a path prefix or a header, or else the main world.

``/sandboxes/<id>/...`` works for everything, browsers included: the prefix moves into the WSGI
``SCRIPT_NAME``, so every URL the server builds (scan links, redirects, form actions) stays inside the
sandbox. The ``X-Linksim-Sandbox`` header suits API clients that cannot change their base URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import request

from auth_server.web import context

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment

PATH_PREFIX = "/sandboxes/"
HEADER = "X-Linksim-Sandbox"
ENVIRON_KEY = "linksim.sandbox"


class SandboxPrefix:
    """WSGI middleware: ``/sandboxes/ID/rest`` reaches the app as ``/rest``, mounted at ``/sandboxes/ID``."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        world_id, rest = split_prefix(environ.get("PATH_INFO", ""))
        if world_id is not None:
            # WSGI hands the path over as latin-1; an id is named in UTF-8 (and then refused as unknown).
            environ[ENVIRON_KEY] = world_id.encode("latin-1").decode("utf-8", "replace")
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + PATH_PREFIX + world_id
            environ["PATH_INFO"] = rest
        return self.app(environ, start_response)


def split_prefix(path: str) -> tuple[str | None, str]:
    """``/sandboxes/ID/rest`` -> ``("ID", "/rest")``; a path without the prefix -> ``(None, path)``."""
    if path.startswith(PATH_PREFIX):
        world_id, _, rest = path[len(PATH_PREFIX):].partition("/")
        if world_id:
            return world_id, "/" + rest
    return None, path


def path_inside_world(path: str) -> str:
    """A path this server built, without its sandbox prefix: a sandbox's QR code may be scanned by a phone that
    reaches the sandbox by the header, or the other way round (the code's signature says which world it is)."""
    return split_prefix(path)[1]


def root_outside_sandbox() -> str:
    """The server's own root (no trailing slash), without the sandbox prefix the request came with."""
    root = request.script_root
    if request.environ.get(ENVIRON_KEY) is not None and PATH_PREFIX in root:
        return root[:root.rindex(PATH_PREFIX)]
    return root


def select_world() -> None:
    """Runs before every request; an unknown sandbox is refused (``sandbox_not_found``) before anything else."""
    context.enter_world(sandbox_id())


def sandbox_id() -> str | None:
    """The sandbox the request names (by its path, else its header); None for the main world."""
    named = request.environ.get(ENVIRON_KEY)
    return named if named is not None else request.headers.get(HEADER) or None
