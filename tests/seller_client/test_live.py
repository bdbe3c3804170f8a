"""End to end against a real linksim server on a loopback port: the library, and the command run as a user
would run it (a separate process), with the phone's side played by the simulator's service."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from click.testing import Result
from PIL import Image

from auth_server.domain.shops import ReviewMode
from auth_server.domain.shops import ShopStatus
from auth_server.oauth.identifiers import open_id_for
from auth_server.simulator import Simulator
from seller_client import Link
from seller_client import SellerClient
from seller_client.cli import seller
from tests.conftest import WorldBuilder
from tests.seller_client.conftest import LIVE_KEY
from tests.seller_client.conftest import LIVE_SECRET

ROOT = Path(__file__).resolve().parents[2]
SHOP = "shop_live"


@pytest.fixture
def shop(world: WorldBuilder) -> Any:
    return world.shop_for(LIVE_KEY, SHOP, name="Live Shop")


@pytest.fixture
def client(live_server: str) -> SellerClient:
    return SellerClient(live_server, LIVE_KEY, LIVE_SECRET, timeout=5.0, retries=0)


def run(live_server: str, *args: str) -> Result:
    """The command in this process (click's runner), over real HTTP to the live server."""
    return CliRunner().invoke(seller, ["--url", live_server, "--client-key", LIVE_KEY, "--client-secret",
                                       LIVE_SECRET, *args])


class UserRun:
    """``python -m seller_client.cli ...`` in its own process; ``react`` sees each stderr line as it comes."""

    def __init__(self, live_server: str, *args: str, react: Callable[[str], None]) -> None:
        command = [sys.executable, "-m", "seller_client.cli", "--url", live_server, "--client-key", LIVE_KEY,
                   "--client-secret", LIVE_SECRET, *args]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
        out: list[str] = []
        self.stderr: list[str] = []
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                              cwd=ROOT, env=env) as process:
            assert process.stdout is not None and process.stderr is not None
            stdout = process.stdout
            reader = threading.Thread(target=lambda: out.append(stdout.read()), daemon=True)  # no full pipe
            reader.start()
            try:
                for line in process.stderr:
                    self.stderr.append(line.rstrip("\n"))
                    react(self.stderr[-1])
                self.exit_code = process.wait(timeout=60)
            finally:
                if process.poll() is None:
                    process.kill()
                reader.join(timeout=10)
        self.stdout = "".join(out)


class Phone:
    """The holder's phone, driven by the seller's status line: scan when the code is new, then authorize."""

    def __init__(self, sim: Simulator, open_id: str, *, authorize: bool = True) -> None:
        self.sim = sim
        self.open_id = open_id
        self.authorize = authorize

    def waiting_link(self, shop_id: str = SHOP) -> str:
        waiting = [link for link in self.sim.service.links(shop_id=shop_id) if link.state.value == "pending_consent"]
        assert len(waiting) == 1, waiting
        return waiting[0].link_id

    def __call__(self, line: str) -> None:
        if line == "status: new":
            link_id = self.waiting_link()
            if self.authorize:
                self.sim.service.scan(link_id, self.open_id)
            else:
                self.sim.service.give_consent(link_id, self.open_id, authorize=False)
        elif line == "status: scanned":
            self.sim.service.give_consent(self.waiting_link(), self.open_id)


# --- the library -------------------------------------------------------------------------------------------


def test_the_library_links_an_official_account_by_qr(client: SellerClient, sim: Simulator, holder: Any, shop: Any,
                                                     live_server: str) -> None:
    link = client.start_official_link(SHOP)
    assert link.qr is not None and link.qr.scan_url.startswith(live_server)
    seen: list[str] = []

    def phone(polled: Link) -> None:
        seen.append(polled.consent_status)
        if polled.consent_status == "new":
            sim.service.scan(link.link_id, holder.open_id)
        elif polled.consent_status == "scanned":
            sim.service.give_consent(link.link_id, holder.open_id)

    confirmed = client.wait_for_consent(link.link_id, interval=0.01, timeout=10, on_status=phone)
    assert seen == ["new", "scanned", "confirmed"] and confirmed.open_id == holder.open_id
    linked = client.accept_terms(link.link_id)
    assert linked.state == "active" and linked.token is not None
    assert linked.token.open_id == open_id_for(LIVE_KEY, holder.open_id)
    profile = requests.get(f"{live_server}/v2/user/info/?fields=open_id,display_name", timeout=5,
                           headers={"Authorization": f"Bearer {linked.token.access_token}"}).json()
    assert profile["data"]["user"] == {"open_id": open_id_for(LIVE_KEY, holder.open_id), "display_name": "Live Shop"}
    accounts = client.linked_accounts(SHOP)
    assert accounts.official is not None and accounts.official.open_id == holder.open_id
    assert accounts.official.nickname == "Live Shop"  # the official account takes the shop's name


def test_the_library_gets_the_qr_images(client: SellerClient, shop: Any) -> None:
    link = client.start_official_link(SHOP)
    assert client.qr_png(link.link_id).startswith(b"\x89PNG") and b"<svg" in client.qr_svg(link.link_id)


def test_the_library_renews_a_token_the_server_no_longer_accepts(client: SellerClient, shop: Any, sim: Simulator,
                                                                 live_server: str) -> None:
    client.start_official_link(SHOP)
    first = client.credentials.token
    assert first is not None
    requests.post(f"{live_server}/v2/oauth/revoke/", timeout=5, data={
        "client_key": LIVE_KEY, "client_secret": LIVE_SECRET, "token": first.access_token})
    client.linked_accounts(SHOP)  # a 401 partner_token_invalid, a new token, the same call again
    assert client.credentials.token is not None and client.credentials.token.access_token != first.access_token


# --- the command, run as a user would ----------------------------------------------------------------------


def test_link_official_by_qr_with_png_and_svg(live_server: str, sim: Simulator, holder: Any, shop: Any,
                                              tmp_path: Path) -> None:
    png, svg = tmp_path / "qr.png", tmp_path / "qr.svg"
    user = UserRun(live_server, "link-official", SHOP, "--png", str(png), "--svg", str(svg), "--interval", "0.05",
                   "--wait-timeout", "30", react=Phone(sim, holder.open_id))
    assert user.exit_code == 0, user.stderr
    assert [line for line in user.stderr if line.startswith("status:")] == [
        "status: new", "status: scanned", "status: confirmed", "status: active"]
    assert f"linked: {holder.open_id} is the official account of {SHOP}" in user.stdout
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size[0] == image.size[1] >= 100
        image.verify()
    assert ET.parse(svg).getroot().tag.endswith("svg")
    scan_url = next(word for line in user.stdout.splitlines() if "or open " in line for word in line.split()
                    if word.startswith("http"))
    zxingcpp = pytest.importorskip("zxingcpp")
    with Image.open(png) as image:
        # QR codes only, as the phone's camera reads them: a stretch of modules can pass for a 1-D barcode too.
        qr_codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert [found.text for found in qr_codes] == [scan_url]


def test_an_expired_code_is_replaced_by_a_fresh_one(live_server: str, sim: Simulator, holder: Any,
                                                    shop: Any) -> None:
    phone = Phone(sim, holder.open_id)
    first_code = True

    def react(line: str) -> None:
        nonlocal first_code
        if line == "status: new" and first_code:
            first_code = False
            sim.clock.advance("6m")  # type: ignore[attr-defined]  # nobody scans: the code expires
        else:
            phone(line)

    user = UserRun(live_server, "link-official", SHOP, "--retries", "1", "--interval", "0.05", "--wait-timeout",
                   "30", react=react)
    assert user.exit_code == 0, user.stderr
    assert user.stderr == ["status: new", "status: expired", "the QR code expired; here is a fresh one (1 of 1)",
                           "status: new", "status: scanned", "status: confirmed", "status: active"]
    assert [link.state.value for link in sim.service.links(shop_id=SHOP)] == ["expired", "active"]


def test_an_expired_code_without_retries_exits_1_with_qr_expired(live_server: str, sim: Simulator,
                                                                 shop: Any) -> None:
    def react(line: str) -> None:
        if line == "status: new":
            sim.clock.advance("6m")  # type: ignore[attr-defined]

    user = UserRun(live_server, "link-official", SHOP, "--interval", "0.05", "--wait-timeout", "30", react=react)
    assert user.exit_code == 1
    assert any(line.startswith("  qr_expired: The QR code expired at") for line in user.stderr)


def test_the_holder_cancelling_exits_1_with_consent_denied(live_server: str, sim: Simulator, holder: Any,
                                                           shop: Any) -> None:
    user = UserRun(live_server, "link-official", SHOP, "--interval", "0.05", "--wait-timeout", "30",
                   react=Phone(sim, holder.open_id, authorize=False))
    assert user.exit_code == 1
    assert any(line.startswith("  consent_denied: ") for line in user.stderr)


def test_the_seller_app_flow(live_server: str, sim: Simulator, holder: Any, shop: Any) -> None:
    def react(line: str) -> None:
        if line == "status: new":
            sim.service.give_consent(Phone(sim, holder.open_id).waiting_link(), holder.open_id)

    user = UserRun(live_server, "link-official", SHOP, "--via", "app", "--username", "@holder", "--interval", "0.05",
                   "--wait-timeout", "30", react=react)
    assert user.exit_code == 0, user.stderr
    assert user.stderr == ["status: new", "status: confirmed", "status: active"]  # no scan: the app's inbox
    assert f"linked: {holder.open_id} is the official account of {SHOP}" in user.stdout
    [link] = sim.service.links(shop_id=SHOP)
    assert (link.channel.value, link.state.value) == ("app_toggle", "active")


# --- a refusal for each rule group -------------------------------------------------------------------------


def test_shop_not_active_exits_1_with_its_code(live_server: str, world: WorldBuilder) -> None:
    world.shop_for(LIVE_KEY, "pending", status=ShopStatus.PENDING_APPROVAL)
    result = run(live_server, "link-official", "pending", "--no-wait")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1].startswith("  shop_not_active: The shop is pending approval")
    refused = json.loads(run(live_server, "--json", "link-official", "pending").stdout)["refused"]
    assert (refused["code"], refused["status"], refused["violations"][0]["rules"]) == ("shop_not_active", 409,
                                                                                       ["O1"])


def test_marketing_slots_full_exits_1(live_server: str, world: WorldBuilder, shop: Any, holder: Any) -> None:
    for n in range(4):
        world.link_marketing(shop, world.account(f"creator{n}"))
    result = run(live_server, "invite", SHOP, "@holder")
    assert result.exit_code == 1 and "  marketing_slots_full: " in result.stderr
    criteria = run(live_server, "--json", "criteria", SHOP, holder.open_id)
    assert criteria.exit_code == 1
    assert [v["code"] for v in json.loads(criteria.stdout)["violations"]] == ["marketing_slots_full"]


def test_unlink_too_early_exits_1_then_works_a_day_later(live_server: str, world: WorldBuilder, shop: Any,
                                                         holder: Any) -> None:
    world.link_official(shop, holder)  # the official account takes the shop's name: @holder is now @live_shop
    result = run(live_server, "unlink", SHOP, "@live_shop")
    assert result.exit_code == 1 and "  unlink_too_early: " in result.stderr
    world.advance("25h")
    result = run(live_server, "unlink", SHOP, holder.open_id)
    assert result.exit_code == 0 and f"unlinked {holder.open_id} from {SHOP}" in result.stdout


def test_not_found_and_wrong_credentials_exit_1(live_server: str, shop: Any) -> None:
    result = run(live_server, "--json", "link", "lnk_nope")
    assert result.exit_code == 1 and json.loads(result.stdout)["refused"]["status"] == 404
    wrong = CliRunner().invoke(seller, ["--url", live_server, "--client-key", LIVE_KEY, "--client-secret", "nope",
                                        "linked", SHOP])
    assert wrong.exit_code == 1 and "  invalid_client: " in wrong.stderr


def test_an_unreachable_server_exits_3(live_server: str) -> None:
    result = CliRunner().invoke(seller, ["--url", "http://127.0.0.1:9", "--http-retries", "0", "link", "lnk_1"])
    assert result.exit_code == 3 and "cannot reach linksim at http://127.0.0.1:9" in result.stderr


# --- the other actions over HTTP ---------------------------------------------------------------------------


def test_terms_and_a_manual_review(live_server: str, world: WorldBuilder, sim: Simulator, holder: Any,
                                   client: SellerClient) -> None:
    world.shop_for(LIVE_KEY, SHOP, review_mode=ReviewMode.MANUAL)
    link = client.start_official_link(SHOP)  # the partner app's own link: another app's would not be found
    sim.service.give_consent(link.link_id, holder.open_id)
    result = run(live_server, "terms", link.link_id)
    assert result.exit_code == 0 and "review: manual" in result.stdout
    assert run(live_server, "review", link.link_id, "approve").exit_code == 0
    assert json.loads(run(live_server, "--json", "link", link.link_id).stdout)["state"] == "active"
    table = run(live_server, "linked", SHOP).stdout.splitlines()
    assert table[0].split() == ["role", "username", "nickname", "phone/email", "bound", "at"]
    assert table[2].split()[0] == "official"


def test_declining_the_terms_is_terms_not_accepted(live_server: str, sim: Simulator, shop: Any,
                                                   holder: Any, client: SellerClient) -> None:
    link = client.start_official_link(SHOP)
    sim.service.give_consent(link.link_id, holder.open_id)
    result = run(live_server, "terms", link.link_id, "--decline")
    assert result.exit_code == 1 and "  terms_not_accepted: " in result.stderr


def test_search_invite_and_follow_the_invitation(live_server: str, sim: Simulator, shop: Any, holder: Any) -> None:
    found = json.loads(run(live_server, "--json", "search", "holder").stdout)["accounts"]
    assert [a["open_id"] for a in found] == [holder.open_id]
    assert run(live_server, "criteria", SHOP, "@holder").stdout.startswith("eligible")
    invitation = json.loads(run(live_server, "--json", "invite", SHOP, "@holder").stdout)
    sim.service.answer_invitation(invitation["invitation_id"], holder.open_id, accept=True)
    result = run(live_server, "invitation", invitation["invitation_id"])
    assert result.exit_code == 0 and "state: accepted" in result.stdout
    assert "marketing  @holder" in run(live_server, "linked", SHOP).stdout


def test_org_create_and_rename(live_server: str, shop: Any) -> None:
    created = run(live_server, "--json", "org-create", SHOP, "@live_org", "--email", "ops@live.test",
                  "--member", "+1 555 0100")
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["channel"] == "organization"
    renamed = run(live_server, "rename", SHOP, "Renamed Shop")
    assert renamed.exit_code == 0 and renamed.stdout.strip() == f"{SHOP} is now called 'Renamed Shop'"
    assert "Renamed Shop" in run(live_server, "linked", SHOP).stdout
