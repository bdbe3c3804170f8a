"""``linksim demo``: every flow of RULES.md, run over HTTP by the seller's tool and the app stub.

Each case starts from the demo data in a sandbox of its own (:class:`linksim.Sandbox`), plays the seller
(:class:`SellerClient`) and the holder's phone (:class:`~mobile_stub.app.TikTokApp`, which reads QR codes from
PNG images), moves the simulated clock where a rule needs time to pass, and compares what happened with what
the rules say.
The run prints each step as it happens and ends with a summary table; it succeeds only when every case does.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from linksim.sandbox import Sandbox
from linksim.server import LiveServer
from mobile_stub.app import TikTokApp
from mobile_stub.errors import AppRefused
from seller_client.client import SellerClient
from seller_client.errors import SellerRefused

OK = "ok"


@dataclass(frozen=True)
class Case:
    name: str
    rules: str
    expected: str  # "ok", or the refusal code the rules call for
    play: Callable[[Demo], str]  # returns "ok" or the code it was refused with


@dataclass(frozen=True)
class Outcome:
    case: Case
    actual: str
    detail: str = ""

    @property
    def matches(self) -> bool:
        return self.actual == self.case.expected


class Demo:
    """One linksim server, driven as a seller and as phones; each case in a sandbox of its own (the server's own
    data is left alone)."""

    def __init__(self, server_url: str, say: Callable[[str], None], *, control_token: str | None = None) -> None:
        self.server_url = server_url.rstrip("/")
        self.say = say
        self.control_token = control_token  # it goes to /_sim only, never to the parties' calls
        self.sandbox: Sandbox | None = None
        self.seller = SellerClient(self.server_url, retries=1)
        self.folder = Path(tempfile.mkdtemp(prefix="linksim-demo-"))

    # the simulator's controls
    def reset(self) -> None:
        """A fresh sandbox with the demo data for the next case; the last case's goes."""
        self.close()
        self.sandbox = Sandbox.create(self.server_url, control_token=self.control_token)
        self.seller = self.sandbox.seller(retries=1)  # a new world, a new partner token

    def advance(self, duration: str) -> None:
        self.say(f"    clock +{duration}")
        self._sandbox().clock.advance(duration)

    def close(self) -> None:
        if self.sandbox is not None:
            sandbox, self.sandbox = self.sandbox, None
            sandbox.delete()

    def _sandbox(self) -> Sandbox:
        if self.sandbox is None:
            raise RuntimeError("no sandbox yet: reset() makes one for each case")
        return self.sandbox

    # the parties
    def phone(self, username: str) -> TikTokApp:
        app = self._sandbox().phone(username, retries=1)
        self.say(f"    @{username} signs in to the app")
        return app

    def open_id(self, username: str) -> str:
        return self.seller.find_account(username).open_id

    def qr_link(self, shop_id: str, username: str) -> str:
        """The whole Seller Center flow: QR code as a PNG, scanned and authorized, the terms accepted."""
        link = self.seller.start_official_link(shop_id)
        self.say(f"    seller shows a QR code for {shop_id} ({link.link_id})")
        png = self.folder / f"{link.link_id}.png"
        png.write_bytes(self.seller.qr_png(link.link_id))
        app = self.phone(username)
        consent = app.scan_png(png)
        self.say(f"    @{username} scans {png.name} and taps Authorize")
        app.authorize(consent)
        self.seller.wait_for_consent(link.link_id, interval=0.05, timeout=10)
        linked = self.seller.accept_terms(link.link_id)
        self.say(f"    seller accepts the terms: {linked.state}")
        return OK if linked.state in ("active", "pending_review") else linked.state

    def invite(self, shop_id: str, username: str, *, accept: bool = True) -> str:
        invitation = self.seller.invite_marketing_account(shop_id, self.open_id(username))
        self.say(f"    seller invites @{username} to {shop_id}")
        app = self.phone(username)
        answered = app.accept(invitation.invitation_id) if accept else app.decline(invitation.invitation_id)
        self.say(f"    @{username} {'accepts' if accept else 'declines'}: {answered.state}")
        return OK


def _code_of(play: Callable[[Demo], str], demo: Demo) -> str:
    try:
        return play(demo)
    except (SellerRefused, AppRefused) as refusal:
        return refusal.code


# --- the cases: RULES.md, one behaviour each ------------------------------------------------------------------


def _declined_then_accepted(demo: Demo) -> str:
    invitation = demo.seller.invite_marketing_account("shop_acme_us", demo.open_id("nora"))
    app = demo.phone("nora")
    app.decline(invitation.invitation_id)
    demo.say("    @nora declines, then tries to accept")
    app.accept(invitation.invitation_id)
    return OK


def _expired_invitation(demo: Demo) -> str:
    invitation = demo.seller.invite_marketing_account("shop_acme_us", demo.open_id("nora"))
    demo.advance("7d")
    demo.phone("nora").accept(invitation.invitation_id)
    return OK


def _toggles(permissions: list[str], answered_by: str = "maya") -> Callable[[Demo], str]:
    def play(demo: Demo) -> str:
        link = demo.seller.start_official_link("shop_acme_us", via="app", username="maya")
        demo.say(f"    seller sends a request to @maya's app ({link.link_id})")
        demo.phone(answered_by).answer_request(link.link_id, permissions)
        demo.say(f"    @{answered_by} turns on {', '.join(permissions)} and taps Continue")
        return OK if demo.seller.accept_terms(link.link_id).state == "active" else "not_linked"

    return play


def _unlink(shop_id: str, username: str, after: str | None = None) -> Callable[[Demo], str]:
    def play(demo: Demo) -> str:
        if after:
            demo.advance(after)
        demo.seller.unlink(shop_id, demo.open_id(username))
        demo.say(f"    seller unlinks @{username} from {shop_id}")
        return OK

    return play


def _fifth_marketing_account(demo: Demo) -> str:
    demo.invite("shop_acme_us", "nora")  # Acme Outdoor has three: the fourth is fine
    return demo.invite("shop_acme_us", "cora")


def _quota(demo: Demo) -> str:
    demo.invite("shop_review_us", "quinn")  # the 10th marketing link in 180 days
    demo.advance("1d")
    demo.seller.unlink("shop_review_us", demo.open_id("quinn"))
    return demo.invite("shop_nordic_gb", "quinn")  # the 11th


def _verify_then_link(demo: Demo) -> str:
    demo.phone("uma").start_verification()
    demo.say("    @uma completes identity verification in the app")
    return demo.qr_link("shop_acme_us", "uma")


def _relink_elsewhere(demo: Demo) -> str:
    demo.advance("22h")  # Nordic Home's official account was linked 2 hours before the demo's start
    demo.seller.unlink("shop_nordic_gb", demo.open_id("nordic_home"))
    return demo.qr_link("shop_acme_gb", "nordic_home")


def _org_account(username: str, shop_id: str) -> Callable[[Demo], str]:
    def play(demo: Demo) -> str:
        link = demo.seller.create_organization_account(shop_id, username, email="admin@example.com")
        demo.say(f"    seller creates the organization account @{username} for {shop_id}")
        return OK if link.state == "active" else link.state

    return play


CASES: tuple[Case, ...] = (
    Case("official account by QR code (Seller Center)", "O9 E1 E2", OK, lambda d: d.qr_link("shop_acme_us", "maya")),
    Case("shop pending approval", "O1", "shop_not_active", lambda d: d.qr_link("shop_mode_sg", "maya")),
    Case("shop in a region that is not eligible", "O1", "shop_region_not_eligible",
         lambda d: d.qr_link("shop_mode_kr", "maya")),
    Case("a second official account", "O2", "official_slot_taken", lambda d: d.qr_link("shop_nordic_gb", "gabe")),
    Case("official at another shop", "O3", "account_linked_elsewhere",
         lambda d: d.qr_link("shop_acme_gb", "nordic_home")),
    Case("unlinked there, linked here", "O3 U3", OK, _relink_elsewhere),
    Case("account from another region", "O4", "region_mismatch", lambda d: d.qr_link("shop_acme_us", "gabe")),
    Case("identity not verified", "O5", "identity_not_verified", lambda d: d.qr_link("shop_acme_us", "uma")),
    Case("verified in the app, then linked", "O5", OK, _verify_then_link),
    Case("marketing account as official too", "O6", "same_account_both_roles",
         lambda d: d.qr_link("shop_acme_us", "mika")),
    Case("restricted account", "O7", "account_restricted", lambda d: d.qr_link("shop_acme_us", "rex")),
    Case("holder under 18", "O7", "underage", lambda d: d.qr_link("shop_acme_us", "tim")),
    Case("organization account for the seller's entity", "O8", OK, _org_account("brand.new", "shop_acme_us")),
    Case("existing account as an organization account", "O8", "org_conversion_not_supported",
         _org_account("maya", "shop_acme_us")),
    Case("Seller-app flow, every toggle on", "O10", OK,
         _toggles(["profile_information", "content", "audience_data"])),
    Case("Seller-app flow, a toggle left off", "O10", "consent_incomplete", _toggles(["profile_information"])),
    Case("Seller-app request answered by another account", "O10", "account_mismatch",
         _toggles(["profile_information", "content", "audience_data"], answered_by="nora")),
    Case("fourth marketing account", "M1", OK, lambda d: d.invite("shop_acme_us", "nora")),
    Case("fifth marketing account", "M1", "marketing_slots_full", _fifth_marketing_account),
    Case("marketing account during probation", "M2", "shop_in_probation", lambda d: d.invite("shop_acme_gb", "gabe")),
    Case("11th marketing link in 180 days", "M3", "marketing_link_quota_exceeded", _quota),
    Case("official account as marketing too", "M4", "same_account_both_roles",
         lambda d: d.invite("shop_nordic_gb", "nordic_home")),
    Case("declined invitation", "M5", "invitation_declined", _declined_then_accepted),
    Case("expired invitation", "M5", "invitation_expired", _expired_invitation),
    Case("marketing account not verified", "M6", "identity_not_verified", lambda d: d.invite("shop_acme_us", "uma")),
    Case("unlink before 24 hours", "U1", "unlink_too_early", _unlink("shop_nordic_gb", "nordic_home")),
    Case("unlink at 24 hours", "U1", OK, _unlink("shop_nordic_gb", "nordic_home", after="22h")),
    Case("unlink before 48 hours (tokopedia)", "U2 M9", "unlink_too_early", _unlink("shop_kopi_id", "kopi_kita")),
    Case("a fourth official unbind (tokopedia)", "U2", "unbind_limit_reached", _unlink("shop_batik_id", "budi")),
    Case("the QR code will not scan", "troubleshooting", "qr_unreadable",
         lambda d: d.qr_link("shop_acme_us", "stella")),
    Case("authorization failed", "troubleshooting", "authorization_failed",
         lambda d: d.qr_link("shop_acme_us", "cash")),
)


def run(base_url: str, say: Callable[[str], None], cases: tuple[Case, ...] = CASES, *,
        control_token: str | None = None) -> list[Outcome]:
    demo = Demo(base_url, say, control_token=control_token)
    outcomes = []
    try:
        for number, case in enumerate(cases, 1):
            say(f"[{number}/{len(cases)}] {case.name} ({case.rules}): expect {case.expected}")
            demo.reset()
            try:
                actual = _code_of(case.play, demo)
                outcome = Outcome(case, actual)
            except Exception as error:  # noqa: BLE001 - a broken case is reported, and the run goes on
                outcome = Outcome(case, "error", f"{type(error).__name__}: {error}")
            say(f"    → {outcome.actual}{'' if outcome.matches else '   MISMATCH ' + outcome.detail}")
            outcomes.append(outcome)
    finally:
        demo.close()
    return outcomes


def summary(outcomes: list[Outcome]) -> str:
    rows = [("case", "rules", "expected", "actual", "match")] + [
        (o.case.name, o.case.rules, o.case.expected, o.actual, "ok" if o.matches else "MISMATCH") for o in outcomes]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    passed = sum(o.matches for o in outcomes)
    lines.append(f"\n{passed} of {len(outcomes)} cases behaved as the rules say.")
    return "\n".join(lines)


@contextmanager
def in_process_server() -> Iterator[str]:
    """A linksim server of its own (:class:`linksim.server.LiveServer`), for a demo with no server to talk to."""
    with LiveServer() as server:  # every case runs in a sandbox anyway
        yield server.url
