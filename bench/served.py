"""The figures taken over HTTP: linksim's endpoints, the ceiling and the peer, in rounds, each round driving every
server in turn with the same driver (so a figure and its references share the machine's state)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import seed
from bench import servers
from bench import token_floor
from bench.driver import Load
from bench.driver import LoadResult
from bench.driver import run_load
from bench.stats import latency_summary

USER_INFO_FIELDS = "open_id,union_id,avatar_url,display_name"
WORKERS = 2  # linksim serve --workers 2, for every figure over HTTP (issue 14)


def _median(results: list[LoadResult]) -> dict[str, Any]:
    """The round whose throughput is the median one, with every round's throughput beside it."""
    ordered = sorted(results, key=lambda r: r.requests_per_second)
    chosen = ordered[(len(ordered) - 1) // 2].as_dict()
    chosen["rounds"] = [round(r.requests_per_second, 1) for r in results]
    return chosen


def round_share(bodies: list[str], rounds: int, round_index: int) -> list[str]:
    """The bodies of one round, none of another's: a round's count leaves out the requests it had in flight when it
    ended, so that the next round starting after what was counted sent some codes again (refused as used: 36 of a
    round's answers once, on a faster server)."""
    share = len(bodies) // rounds
    return bodies[round_index * share:(round_index + 1) * share]


def load_figures(scratch: Path, *, rounds: int, seconds: float, connections: int,
                 peer: bool = True) -> dict[str, Any]:
    codes_needed = max(1000, int(rounds * seconds * 3000))
    seeded = seed.demo_with_credentials(f"sqlite:///{scratch}/served.db", codes=codes_needed)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    results: dict[str, list[LoadResult]] = {}
    with ExitStack() as running:
        ceiling = running.enter_context(servers.hello_world())
        floor = running.enter_context(servers.token_floor(scratch / "floor"))
        linksim = running.enter_context(servers.linksim(f"sqlite:///{scratch}/served.db", workers=WORKERS))
        # The same database served without the request journal (for long load runs): figures beside the goals
        unjournaled = running.enter_context(servers.linksim(f"sqlite:///{scratch}/served.db", workers=WORKERS,
                                                            extra=("--no-request-journal",)))
        peer_served, peer_error = None, None
        if peer:
            try:
                peer_served = running.enter_context(servers.peer(scratch / "peer"))
            except (OSError, RuntimeError, subprocess.CalledProcessError) as error:  # no registry, no node: no peer
                peer_error = f"the peer could not be installed or started: {error}"
        loads: dict[str, Load] = {
            "ceiling_hello_world": Load(ceiling.url + "/"),
            "floor_client_credentials": Load(floor.url + "/token", "POST", form, body=urlencode(
                {"client_id": token_floor.CLIENT_ID, "client_secret": token_floor.CLIENT_SECRET,
                 "grant_type": "client_credentials"})),
            "floor_user_info": Load(floor.url + "/userinfo",
                                    headers={"Authorization": f"Bearer {token_floor.ACCESS_TOKEN}"}),
            "client_credentials": Load(linksim.url + "/v2/oauth/token/", "POST", form, body=urlencode(
                {"client_key": seed.CLIENT_KEY, "client_secret": seed.CLIENT_SECRET,
                 "grant_type": "client_credentials"})),
            "code_exchange": Load(linksim.url + "/v2/oauth/token/", "POST", form, bodies=[urlencode(
                {"client_key": seed.CLIENT_KEY, "client_secret": seed.CLIENT_SECRET, "code": code,
                 "grant_type": "authorization_code", "redirect_uri": seed.REDIRECT_URI})
                for code in seeded.codes]),
            "user_info": Load(f"{linksim.url}/v2/user/info/?fields={USER_INFO_FIELDS}",
                              headers={"Authorization": f"Bearer {seeded.access_token}"}),
        }
        for name in ("client_credentials", "user_info"):
            load = loads[name]
            loads[f"{name}_no_request_journal"] = replace(load, url=load.url.replace(linksim.url, unjournaled.url, 1))
        if peer_served is not None:
            basic = base64.b64encode(b"peer_client:peer_secret").decode()
            loads["peer_client_credentials"] = Load(peer_served.url + "/token", "POST",
                                                    {**form, "Authorization": f"Basic {basic}"},
                                                    body="grant_type=client_credentials&scope=urn%3Aread")
        for round_index in range(rounds):
            for name, load in loads.items():
                if load.bodies:  # each code is good once: every round has codes of its own
                    load = replace(load, bodies=round_share(load.bodies, rounds, round_index))
                results.setdefault(name, []).append(run_load(load, seconds=seconds, connections=connections))
        figures: dict[str, Any] = {name: _median(found) for name, found in results.items()}
        figures["qr_flows_over_http"] = _flows(linksim.url, seconds * rounds, threads=min(connections, 8))
        per_worker = linksim.resident_mb_per_worker()
        figures["resident_mb_after_load"] = round(max(per_worker), 1)  # the largest worker's
        figures["resident_mb_per_worker_after_load"] = [round(mb, 1) for mb in per_worker]
        figures["resident_mb_master_after_load"] = round(linksim.resident_mb(), 1)
        # Beside RSS, not in its place: what each worker takes with its share of the pages it shares (PSS), and alone
        # (USS); the master's figures tell how much of a worker's RSS is the master's pages, shared since the fork.
        shares = linksim.shared_memory_per_worker()
        figures["pss_mb_per_worker_after_load"] = [share.pss for share in shares]
        figures["uss_mb_per_worker_after_load"] = [share.uss for share in shares]
        master = servers.shared_memory(linksim.process.pid)
        figures["pss_mb_master_after_load"], figures["uss_mb_master_after_load"] = master.pss, master.uss
        if peer_error:
            figures["peer_error"] = peer_error
    return figures


def _flows(url: str, seconds: float, threads: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "bench.python_driver", "flows", url, str(seconds), str(threads)],
                         check=True, capture_output=True, text=True).stdout
    figures: dict[str, Any] = json.loads(out)
    return figures


def cold_start(scratch: Path, runs: int) -> dict[str, Any]:
    """``linksim serve`` from the process's start to its first answered request, on a new database file, without
    data and with the demo data (``--fixtures demo``): one process (``without_data``, ``with_demo_data``), then
    ``--workers 2`` (the same, ``_workers_2``)."""
    figures = {}
    for workers, suffix in ((1, ""), (WORKERS, f"_workers_{WORKERS}")):
        for name, fixtures in (("without_data", None), ("with_demo_data", "demo")):
            samples = []
            for run in range(runs):
                db = scratch / f"cold-{name}{suffix}-{run}.db"
                with servers.linksim(f"sqlite:///{db}", workers=workers, fixtures=fixtures) as served:
                    samples.append(served.started_ms)
            figures[name + suffix] = latency_summary(samples)
    return figures


def at_scale(scratch: Path, *, accounts: int, shops: int, runs: int) -> dict[str, Any]:
    """List and search latency with ``accounts`` accounts and ``shops`` shops, against 100 accounts and 10 shops:
    the seller's account search (by username, by nickname), a shop's linked accounts, and the app's inbox."""
    from linksim.server import RemoteServer

    figures: dict[str, Any] = {}
    for label, (many_accounts, many_shops) in (("small", (100, 10)), ("large", (accounts, shops))):
        db = scratch / f"scale-{label}.db"
        seed.many_parties(f"sqlite:///{db}", accounts=many_accounts, shops=many_shops)
        with servers.linksim(f"sqlite:///{db}", workers=WORKERS) as served:
            server = RemoteServer(served.url)
            world = server_world(server)
            seller, phone = world.seller(), world.phone("maya")
            calls: dict[str, Callable[[], object]] = {
                "search_by_username": partial(seller.search_accounts, "@maya"),
                "search_by_nickname": partial(seller.search_accounts, "Bulk User 7"),
                "shop_linked_accounts": partial(seller.linked_accounts, "shop_acme_us"),
                "app_inbox": phone.inbox,
            }
            for name, call in calls.items():
                call()
                samples = []
                for _ in range(runs):
                    start = time.perf_counter()
                    call()
                    samples.append((time.perf_counter() - start) * 1000)
                figures.setdefault(name, {})[label] = latency_summary(samples)
            world.close()
            server.stop()
    for per_size in figures.values():
        per_size["ratio_p50"] = round(per_size["large"]["p50_ms"] / per_size["small"]["p50_ms"], 2)
    figures["sizes"] = {"small": {"accounts": 100, "shops": 10}, "large": {"accounts": accounts, "shops": shops}}
    return figures


def server_world(server: Any) -> Any:
    from linksim.sandbox import World

    return World(server.url)

