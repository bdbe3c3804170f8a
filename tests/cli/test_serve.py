"""`linksim serve` as a user runs it: a real server process, answering over HTTP."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import requests


def test_serve_loads_the_demo_and_answers_login_kit_requests(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "auth_server.cli", "--db", f"sqlite:///{tmp_path / 'serve.db'}", "serve",
               "--fixtures", "demo", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        banner = ""
        deadline = time.monotonic() + 60
        while "Press Ctrl+C" not in banner and time.monotonic() < deadline:
            line = process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            banner += line
        base = re.search(r"serving on (http://127\.0\.0\.1:\d+)", banner)
        assert base, banner
        assert "client_key linksim_demo_key client_secret linksim_demo_secret" in banner
        token = requests.post(f"{base.group(1)}/v2/oauth/token/", data={
            "client_key": "linksim_demo_key", "client_secret": "linksim_demo_secret",
            "grant_type": "client_credentials"}, timeout=10).json()
        assert token["access_token"].startswith("clt.") and token["expires_in"] == 7200
        page = requests.get(f"{base.group(1)}/app/sign-in", timeout=10)
        assert page.status_code == 200 and 'data-testid="sign-in-form"' in page.text
    finally:
        process.terminate()
        rest, _ = process.communicate(timeout=20)  # also closes the pipe
    assert '"GET /app/sign-in' not in rest  # no access log unless --access-log
