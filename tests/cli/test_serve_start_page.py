"""`linksim serve` names its start page, and the start page lists what the banner prints."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import requests


def test_serve_names_the_start_page_and_seller_center_and_the_start_page_answers(tmp_path: Path) -> None:
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
        assert re.search(rf"start here: +{re.escape(base.group(1))}/ ", banner), banner
        assert f"{base.group(1)}/seller/" in banner
        page = requests.get(f"{base.group(1)}/", headers={"Accept": "text/html"}, timeout=10)
        assert page.status_code == 200 and 'data-testid="demo-password"' in page.text
        assert f"<code>{base.group(1)}/seller/</code>" in page.text
    finally:
        process.terminate()
        process.communicate(timeout=20)
