"""docs/scripting.md's Python script, run as the page has it, after the page's own terminals linked @maya."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import requests

from client_core import ControlPlane
from linksim.server import LiveServer
from mobile_stub import TikTokApp
from seller_client import SellerClient

PAGE = Path(__file__).resolve().parents[2] / "docs" / "scripting.md"


def the_script() -> str:
    section = PAGE.read_text(encoding="utf-8").split("## The same from a Python script", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL)[1]  # type: ignore[index]


def test_the_python_script_links_maya_after_the_terminals_above_did(tmp_path: Path) -> None:
    with LiveServer() as server, ControlPlane(server.url) as world, requests.Session() as session, \
            TikTokApp(server.url) as phone:
        world.reset()
        seller = SellerClient(server.url, session=session)
        link = seller.start_official_link("shop_acme_us")  # what the page's terminals did
        phone.sign_in("maya", "linksim-demo")
        phone.authorize(phone.scan(link.qr.scan_url))
        assert seller.accept_terms(link.link_id).state == "active"
        script = the_script().replace("http://127.0.0.1:8765", server.url)
        done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["active"]
