"""The README's two-terminal flow, as a user runs it: a real `linksim serve` process, and the seller's and the
phone's commands as processes of their own; the QR code goes through a PNG file and the decoder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

LINKSIM = [sys.executable, "-m", "auth_server.cli"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    process = subprocess.Popen([*LINKSIM, "--db", f"sqlite:///{tmp_path / 'server.db'}", "serve", "--fixtures", "demo",
                                "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        banner, deadline = "", time.monotonic() + 60
        while "Press Ctrl+C" not in banner and time.monotonic() < deadline:
            line = process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            banner += line
        url = re.search(r"serving on (http://127\.0\.0\.1:\d+)", banner)
        assert url, banner
        yield url.group(1)
    finally:
        process.terminate()
        process.communicate(timeout=20)


def linksim(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LINKSIM, *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture
def env(server: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "LINKSIM_URL": server, "LINKSIM_APP_STATE": str(tmp_path / "app-session.json")}


def test_an_official_account_is_linked_from_two_terminals(env: dict[str, str], tmp_path: Path) -> None:
    png = tmp_path / "qr.png"
    seller = subprocess.Popen([*LINKSIM, "seller", "link-official", "shop_acme_us", "--png", str(png)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 30
        while not png.exists() and time.monotonic() < deadline:
            time.sleep(0.1)  # the seller's terminal writes the PNG, then waits for the phone
        assert png.exists()
        assert linksim("app", "sign-in", "maya", "--password", "linksim-demo", env=env).returncode == 0
        scanned = linksim("app", "scan", "--png", str(png), "--authorize", env=env)
        assert scanned.returncode == 0, scanned.stderr
        out, err = seller.communicate(timeout=60)
    finally:
        if seller.poll() is None:
            seller.kill()
            seller.communicate()
    assert seller.returncode == 0, err
    # "scanned" may fall between two polls when the phone scans and authorizes at once
    assert "status: new" in err and "status: confirmed" in err and "status: active" in err
    assert "linked: oid_maya is the official account of shop_acme_us" in out


def test_a_refusal_of_each_rule_group_exits_1_with_its_code(env: dict[str, str], tmp_path: Path) -> None:
    png = tmp_path / "qr.png"
    started = linksim("seller", "link-official", "shop_acme_us", "--png", str(png), "--no-wait", env=env)
    assert started.returncode == 0, started.stderr
    linksim("app", "sign-in", "gabe", "--password", "linksim-demo", env=env)
    official = linksim("app", "scan", "--png", str(png), "--authorize", env=env)  # O4: gabe is from GB
    assert official.returncode == 1 and "region_mismatch" in official.stderr

    linksim("seller", "invite", "shop_acme_us", "@nora", env=env)  # the fourth marketing account is fine
    marketing = linksim("seller", "invite", "shop_acme_us", "@cora", env=env)  # M1 ... once nora has accepted
    linksim("app", "sign-in", "nora", "--password", "linksim-demo", env=env)
    inbox = linksim("--json", "app", "inbox", env=env)
    assert inbox.returncode == 0, inbox.stderr
    invitation_id = re.search(r'"invitation_id": "([^"]+)"', inbox.stdout).group(1)  # type: ignore[union-attr]
    assert linksim("app", "accept", invitation_id, env=env).returncode == 0
    linksim("app", "sign-in", "cora", "--password", "linksim-demo", env=env)
    cora_inbox = linksim("--json", "app", "inbox", env=env).stdout
    cora_invitation = re.search(r'"invitation_id": "([^"]+)"', cora_inbox).group(1)  # type: ignore[union-attr]
    full = linksim("app", "accept", cora_invitation, env=env)
    assert marketing.returncode == 0 and full.returncode == 1 and "marketing_slots_full" in full.stderr

    unlink = linksim("seller", "unlink", "shop_nordic_gb", "@nordic_home", env=env)  # U1: linked 2 hours ago
    assert unlink.returncode == 1 and "unlink_too_early" in unlink.stderr
