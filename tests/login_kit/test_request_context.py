"""The web layer reaches the request's world, its service and the server's settings through one module."""

from __future__ import annotations

import re
from pathlib import Path

from auth_server.web import context


def test_only_the_request_context_reads_the_apps_extensions() -> None:
    web = Path(context.__file__).parent
    readers = [path.relative_to(web).as_posix() for path in sorted(web.rglob("*.py"))
               if re.search(r"\.extensions\b", path.read_text(encoding="utf-8"))]
    assert readers == ["context.py"]
