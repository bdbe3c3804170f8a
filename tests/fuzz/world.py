"""The world the fuzz runs against: linksim in-process with the demo data, and real state made in it first (links
in every state a partner can follow, invitations, a signed-in app, a sandbox, a fault rule, TikTok Shop tokens), so
that generated calls reach existing things rather than answer 404.

A world's secrets (tokens, consent ids, scan URLs) change whenever it is made again, but schemathesis draws part
of its cases once, when the tests are collected. Cases therefore carry *names* of secrets (``FUZZ.partner_token``)
and :class:`FuzzServer`, the WSGI app schemathesis calls, puts the current world's value in their place as each
request arrives. It also counts the requests and their statuses, and makes the world again when an operation left
it unusable (signed out, reset, the clock moved, the token revoked): from a snapshot of its database, or anew.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from auth_server import fixtures
from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.simulator import Simulator

CONTROL_TOKEN = "fuzz-control-token-0123456789"
CLIENT_KEY = "linksim_demo_key"
CLIENT_SECRET = "linksim_demo_secret"
APP_KEY = "6demo0linksim"
APP_SECRET = "linksim_demo_shop_secret"
PASSWORD = "linksim-demo"
HOLDER = "nora"  # the app's signed-in holder: her inbox holds a Seller-app request and two invitations
SANDBOX = "sbx_fuzz"
FAULT = "flt_fuzz"
ACTIVE_LINK = "lnk_fuzz_active"  # maya, official account of shop_acme_us
REVIEW_LINK = "lnk_fuzz_review"  # sunny.a, waiting for shop_review_us's manual review
QR_LINK = "lnk_fuzz_qr"  # a QR code of shop_acme_gb, not scanned yet
REQUEST_LINK = "lnk_fuzz_request"  # a Seller-app request of shop_acme_gb in nora's inbox
INVITATION = "inv_fuzz"  # a marketing invitation of shop_acme_us to nora
AFFILIATE_INVITATION = "aff_fuzz"  # an affiliate invitation of shop_acme_us to nora

FAULT_RULE = {"id": FAULT, "path": "/fuzz/nothing/*", "status": 503}  # a rule no request of the fuzz matches

PLACEHOLDER = re.compile(rb"FUZZ\.([a-z_]+)")


def placeholder(name: str) -> str:
    """What a case carries in place of the world's secret ``name``."""
    return f"FUZZ.{name}"


# Every value a case may carry in a parameter or a top-level body property of this name, besides what
# schemathesis generates: ids that exist in every world (the demo data's and those the set-up chooses), and the
# names of the world's secrets.
REAL_VALUES: dict[str, tuple[str, ...]] = {
    "shop_id": ("shop_acme_us", "shop_acme_gb", "shop_review_us", "shop_nordic_gb", "shop_kopi_id", "shop_mode_sg"),
    "shop": ("shop_acme_us", "shop_nordic_gb"),
    "link_id": (ACTIVE_LINK, REVIEW_LINK, QR_LINK, REQUEST_LINK),
    "flow_id": (ACTIVE_LINK, REVIEW_LINK, QR_LINK, REQUEST_LINK, INVITATION, AFFILIATE_INVITATION),
    "flow": (ACTIVE_LINK, INVITATION),
    "invitation_id": (INVITATION, AFFILIATE_INVITATION),
    "open_id": ("oid_nora", "oid_maya", "oid_cora", "oid_acme_org", "oid_gabe", "oid_otto"),
    "mirror_of": ("oid_maya", "oid_otto"),
    "account": ("maya", "oid_nora", "acme.org", "stella"),
    "username": (HOLDER, "maya", "gabe", "acme.org"),
    "creator": ("cora", "oid_cora"),
    "seller": ("seller@acme.example", "seller_nordic"),
    "partner": ("partner@reach.example", "partner_reach"),
    "q": ("nora", "Sunny", "acme.org"),
    "consent_id": (placeholder("link_consent_id"), placeholder("login_consent_id")),
    "scan_url": (placeholder("link_scan_url"), placeholder("login_scan_url")),
    "client_key": (CLIENT_KEY,),
    "partner_app": (CLIENT_KEY,),
    "client_secret": (CLIENT_SECRET,),
    "app_key": (APP_KEY,),
    "app_secret": (APP_SECRET,),
    "service_id": ("7310000000000000001",),
    "redirect_uri": ("http://127.0.0.1:8080/callback/",),
    "scope": ("user.info.basic", "user.info.basic,user.info.profile"),
    "token": (placeholder("user_token"), placeholder("login_qr_token")),
    "refresh_token": (placeholder("refresh_token"), placeholder("shop_refresh_token")),
    "auth_code": (placeholder("shop_auth_code"),),
    "product_id": ("prod_tent", "prod_lamp", "prod_mug"),
    "sandbox_id": (SANDBOX,),
    "fault_id": (FAULT,),
    "contact": ("admin@acme.example", "ops@acme.example"),
    "password": (PASSWORD,),
    "x-tts-access-token": (placeholder("shop_access_token"),),
}


@dataclass
class Traffic:
    """What the fuzz sent: requests by status class, and the worlds it made."""

    statuses: Counter[str] = field(default_factory=Counter)
    worlds: int = 0
    restores: int = 0

    def record(self, status: int) -> None:
        self.statuses["requests"] += 1
        self.statuses[f"{status // 100}xx"] += 1
        if status == 404:
            self.statuses["404"] += 1

    def figures(self) -> dict[str, int]:
        return {**self.statuses, "worlds": self.worlds, "restores": self.restores}


class World:
    """linksim with the demo data at its start, and the set-up's state; its secrets by name."""

    def __init__(self) -> None:
        data = fixtures.read(fixtures.DEMO)
        simulator = Simulator.in_memory(start=datetime.fromisoformat(str(data["start"]).replace("Z", "+00:00")))
        fixtures.load(simulator.service, data, now=simulator.clock.now())
        self.simulator = simulator
        self.start = simulator.clock.now()
        self.app: Flask = create_app(simulator, ServerConfig(control_token=CONTROL_TOKEN))
        self.secrets: dict[str, str] = {"control_token": CONTROL_TOKEN}
        self._set_up(self.app.test_client())
        self.markets = simulator.markets
        self.snapshot = simulator.store.copy()
        self.fingerprint = self._fingerprint()

    def _control(self) -> FlaskClient:
        http = self.app.test_client()
        http.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {CONTROL_TOKEN}"
        return http

    def _fingerprint(self) -> dict[str, Any]:
        """What the controls show of the world's settings: its clock, fault rules, sandboxes, the demo Shop app,
        and the shops the set-up uses."""
        http = self._control()
        paths = ["/_sim/clock", "/_sim/faults", "/_sim/sandboxes", f"/_sim/shop-apps/{APP_KEY}",
                 *(f"/_sim/shops/{shop}" for shop in ("shop_acme_us", "shop_acme_gb", "shop_review_us"))]
        return {path: http.get(path).get_json() for path in paths}

    def restore(self) -> None:
        """Put the world back as the set-up left it, secrets included: its database from the snapshot, its
        markets and clock, its fault rules and sandboxes."""
        simulator = self.simulator
        simulator.store.restore(self.snapshot)
        simulator.markets = simulator.service.markets = self.markets
        simulator.clock.freeze()
        simulator.clock.set(self.start)
        http = self._control()
        http.delete("/_sim/faults")
        http.post("/_sim/faults", json=FAULT_RULE)
        for sandbox in http.get("/_sim/sandboxes").get_json()["sandboxes"]:
            http.delete(f"/_sim/sandboxes/{sandbox['id']}")
        http.post("/_sim/sandboxes", json={"id": SANDBOX})

    def _set_up(self, http: FlaskClient) -> None:
        control = {"Authorization": f"Bearer {CONTROL_TOKEN}"}

        def call(method: str, path: str, *, ok: int = 200, **kwargs: Any) -> Any:
            response = http.open(path, method=method, **kwargs)
            assert response.status_code == ok, (method, path, response.status_code, response.get_data(as_text=True))
            return response.get_json()

        def flow(link_id: str, *actions: str, holder: str) -> None:
            for action in actions:
                call("POST", f"/_sim/flows/{link_id}", json={"action": action, "as": holder}, headers=control)

        partner = call("POST", "/v2/oauth/token/", data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                         "grant_type": "client_credentials"})["access_token"]
        self.secrets["partner_token"] = partner
        as_partner = {"Authorization": f"Bearer {partner}"}

        def start_link(shop_id: str, link_id: str, **body: Any) -> Any:
            return call("POST", f"/api/shops/{shop_id}/official-link", ok=201, headers=as_partner,
                        json={"link_id": link_id, **body})

        start_link("shop_acme_us", ACTIVE_LINK)
        flow(ACTIVE_LINK, "scan", "authorize", "accept_terms", holder="maya")
        user = call("GET", f"/api/links/{ACTIVE_LINK}/token", headers=as_partner)
        self.secrets["user_token"], self.secrets["refresh_token"] = user["access_token"], user["refresh_token"]
        start_link("shop_review_us", REVIEW_LINK)
        flow(REVIEW_LINK, "scan", "authorize", "accept_terms", holder="sunny.a")
        self.secrets["link_scan_url"] = start_link("shop_acme_gb", QR_LINK)["qr"]["scan_url"]
        start_link("shop_acme_gb", REQUEST_LINK, via="app", username=HOLDER, agreed=True)
        call("POST", "/api/shops/shop_acme_us/marketing-invitations", ok=201, headers=as_partner,
             json={"open_id": f"oid_{HOLDER}", "invitation_id": INVITATION})
        call("POST", "/api/shops/shop_acme_us/affiliate-invitations", ok=201, headers=as_partner,
             json={"open_id": f"oid_{HOLDER}", "commission_rate": "12.5", "invitation_id": AFFILIATE_INVITATION})

        session = call("POST", "/api/app/sessions", ok=201, json={"username": HOLDER, "password": PASSWORD})["token"]
        self.secrets["app_session"] = session
        as_holder = {"Authorization": f"Bearer {session}"}
        login_qr = call("POST", "/v2/oauth/get_qrcode/", data={"client_key": CLIENT_KEY, "scope": "user.info.basic"})
        self.secrets["login_scan_url"], self.secrets["login_qr_token"] = login_qr["scan_qrcode_url"], login_qr["token"]
        for kind in ("link", "login"):
            consent = call("POST", "/api/app/scans", headers=as_holder,
                           json={"scan_url": self.secrets[f"{kind}_scan_url"]})
            self.secrets[f"{kind}_consent_id"] = consent["consent_id"]

        call("POST", "/_sim/sandboxes", ok=201, headers=control, json={"id": SANDBOX})
        call("POST", "/_sim/faults", ok=201, headers=control, json=FAULT_RULE)
        for _ in range(2):  # one code for the fuzz to trade, one traded here for the tokens
            code = call("POST", "/_sim/shop-authorizations", ok=201, headers=control,
                        json={"app_key": APP_KEY, "seller": "seller@acme.example"})["code"]
            self.secrets["shop_auth_code"] = code
        shop = call("GET", "/api/v2/token/get", query_string={"app_key": APP_KEY, "app_secret": APP_SECRET,
                                                              "auth_code": code, "grant_type": "authorized_code"})
        self.secrets["shop_access_token"] = shop["data"]["access_token"]
        self.secrets["shop_refresh_token"] = shop["data"]["refresh_token"]

    def usable(self) -> bool:
        """Whether the set-up's state is still there: the clock at its start, the tokens and the session alive,
        the links, the sandbox and the fault rule as they were made."""
        http = self.app.test_client()
        control = {"Authorization": f"Bearer {CONTROL_TOKEN}"}
        checks: Iterable[tuple[str, dict[str, str], Callable[[Any], bool]]] = (
            ("/_sim/clock", control, lambda body: body["now"] == self.start.isoformat() and body["frozen"]),
            (f"/api/links/{ACTIVE_LINK}", {"Authorization": f"Bearer {self.secrets['partner_token']}"},
             lambda body: body["state"] == "active"),
            (f"/api/links/{QR_LINK}", {"Authorization": f"Bearer {self.secrets['partner_token']}"},
             lambda body: body["state"] == "pending_consent"),
            ("/api/app/inbox", {"Authorization": f"Bearer {self.secrets['app_session']}"},
             lambda body: len(body["requests"]) == 1 and len(body["invitations"]) == 1),
            ("/v2/user/info/?fields=open_id", {"Authorization": f"Bearer {self.secrets['user_token']}"},
             lambda body: body["error"]["code"] == "ok"),
            (f"/_sim/sandboxes/{SANDBOX}", control, lambda body: True),
            (f"/_sim/faults/{FAULT}", control, lambda body: body["active"]),
        )
        for path, headers, healthy in checks:
            response = http.get(path, headers=headers)
            if response.status_code != 200 or not healthy(response.get_json()):
                return False
        return self._fingerprint() == self.fingerprint


class FuzzServer:
    """The WSGI app schemathesis calls: the current world, with each secret's name replaced by its value; it
    counts what it serves."""

    def __init__(self) -> None:
        self.traffic = Traffic()
        self.world = self._new_world()

    def _new_world(self) -> World:
        self.traffic.worlds += 1
        return World()

    def ensure_usable(self) -> None:
        """Put the world back if the last operation left it unusable, or make it again if that is not enough."""
        if self.world.usable():
            return
        self.traffic.restores += 1
        self.world.restore()
        if not self.world.usable():
            self.world = self._new_world()

    def _fill(self, raw: bytes) -> bytes:
        return PLACEHOLDER.sub(lambda match: self.world.secrets.get(match[1].decode(), match[0].decode()).encode(),
                               raw)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        for key in ("PATH_INFO", "QUERY_STRING", *(name for name in environ if name.startswith("HTTP_"))):
            value = environ.get(key)
            if isinstance(value, str) and "FUZZ." in value:
                environ[key] = self._fill(value.encode("latin-1")).decode("latin-1")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            body = environ["wsgi.input"].read(length)
            filled = self._fill(body) if b"FUZZ." in body else body
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(filled), str(len(filled))

        def counting_start_response(status: str, headers: Any, *args: Any) -> Any:
            self.traffic.record(int(status.split()[0]))
            return start_response(status, headers, *args)

        return self.world.app(environ, counting_start_response)
