"""`linksim serve` names its start page, and the start page lists what the banner prints."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from tests.cli.test_serve_guards import Server


def test_serve_names_the_start_page_and_seller_center_and_the_start_page_answers(tmp_path: Path) -> None:
    server = Server(f"sqlite:///{tmp_path / 'serve.db'}", "--fixtures", "demo", "--port", "0")
    try:
        assert re.search(rf"start here: +{re.escape(server.url)}/ ", server.output), server.output
        assert f"{server.url}/seller/" in server.output
        page = requests.get(f"{server.url}/", headers={"Accept": "text/html"}, timeout=10)
        assert page.status_code == 200 and 'data-testid="demo-password"' in page.text
        assert f"<code>{server.url}/seller/</code>" in page.text
    finally:
        server.stop()
