"""``linksim serve --workers 2``: two processes answer on one port, share the main world through the store, read each
other's signed sessions, and all stop on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from auth_server.cli.worker_processes import listening_sockets
from tests.workers.conftest import LINKSIM
from tests.workers.conftest import WORKER_HEADER
from tests.workers.conftest import TwoWorkers

METADATA = "/.well-known/oauth-authorization-server"
TRIES = 200  # requests on fresh connections before both workers must have answered one


def test_both_workers_answer_requests(two_workers: TwoWorkers) -> None:
    seen: set[int] = set()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(TRIES // 8):
            seen |= {pid for pid, _ in pool.map(lambda _: two_workers.answered_by(), range(8))}
            if len(seen) == 2:
                break
    assert seen == two_workers.worker_pids() and len(seen) == 2


def test_a_browser_session_signed_by_one_worker_is_honoured_by_the_other(two_workers: TwoWorkers) -> None:
    browser = requests.Session()
    page = browser.get(f"{two_workers.url}/app/sign-in", timeout=10, headers={"Connection": "close"})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf, page.text
    signed_in = browser.post(f"{two_workers.url}/app/sign-in", timeout=10, allow_redirects=False,
                             headers={"Connection": "close"},
                             data={"csrf_token": csrf.group(1), "username": "maya", "password": "linksim-demo"})
    assert signed_in.status_code == 302, signed_in.text
    signer = int(signed_in.headers[WORKER_HEADER])
    for _ in range(TRIES):
        pid, home = two_workers.answered_by("/app/", cookies=browser.cookies)
        if pid != signer:
            break
    assert pid != signer, "no request reached the other worker"
    assert home.status_code == 200 and "@maya" in home.text


def test_what_one_worker_writes_the_other_reads(two_workers: TwoWorkers) -> None:
    form = {"client_key": "linksim_demo_key", "client_secret": "linksim_demo_secret",
            "grant_type": "client_credentials"}
    with requests.Session() as fresh:
        issued = fresh.post(f"{two_workers.url}/v2/oauth/token/", data=form, timeout=10,
                            headers={"Connection": "close"})
    token, issuer = issued.json()["access_token"], int(issued.headers[WORKER_HEADER])
    for _ in range(TRIES):
        pid, linked = two_workers.answered_by("/api/shops/shop_acme_us/linked-accounts",
                                              headers={"Authorization": f"Bearer {token}"})
        if pid != issuer:
            break
    assert pid != issuer, "no request reached the other worker"
    assert linked.status_code == 200, linked.text


def test_sigterm_stops_the_master_and_every_worker(tmp_path: Path) -> None:
    server = TwoWorkers(f"sqlite:///{tmp_path / 'linksim.db'}")
    workers = server.worker_pids()
    assert len(workers) == 2
    server.stop(signal.SIGTERM)
    assert server.process.returncode == 0
    assert not [pid for pid in workers if _alive(pid)]


def test_ctrl_c_stops_the_master_and_every_worker(tmp_path: Path) -> None:
    server = TwoWorkers(f"sqlite:///{tmp_path / 'linksim.db'}")
    workers = server.worker_pids()
    server.stop(signal.SIGINT)
    assert server.process.returncode == 0
    assert not [pid for pid in workers if _alive(pid)]


def test_the_workers_access_log_masks_the_secrets_of_a_url(tmp_path: Path) -> None:
    server = TwoWorkers(f"sqlite:///{tmp_path / 'linksim.db'}", "--access-log")
    server.answered_by("/app/scan?token=QRTOKENthatmustnotshow0123456789")
    rest = server.stop()
    line = next(line for line in rest.splitlines() if "/app/scan" in line)
    assert "QRTOKENthatmustnotshow0123456789" not in line and "token=QRTO…#" in line


def test_each_worker_serves_as_many_requests_at_once_as_it_has_threads(tmp_path: Path) -> None:
    """Six requests held by a fault rule's delay, on two workers of two threads: one worker has at least three of
    them, and the third waits for a thread; with threads enough, they would all end after one delay."""
    server = TwoWorkers(f"sqlite:///{tmp_path / 'linksim.db'}", "--threads", "2")
    try:
        rule = requests.post(f"{server.url}/_sim/faults", json={"path": "/.well-known/*", "delay": "1s"}, timeout=10)
        assert rule.status_code == 201, rule.text
        started = time.monotonic()
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: server.answered_by(METADATA)[1].status_code, range(6)))
        took = time.monotonic() - started
    finally:
        server.stop()

    assert answers == [200] * 6
    assert took >= 2.0


def test_threads_are_refused_without_workers(tmp_path: Path) -> None:
    refused = subprocess.run([*LINKSIM, "--db", f"sqlite:///{tmp_path / 'linksim.db'}", "serve", "--port", "0",
                              "--threads", "2"], capture_output=True, text=True, timeout=60)

    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "--workers 2 or more" in refused.stderr


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] if Path(f"/proc/{pid}").exists() \
        else "X"
    return state not in ("Z", "X")


def test_each_worker_listens_on_a_socket_of_its_own_so_the_kernel_spreads_connections(
        two_workers: TwoWorkers) -> None:
    port = int(two_workers.url.rsplit(":", 1)[1])
    listening = listening_sockets(port)

    held = {pid: _sockets_of(pid) & listening for pid in two_workers.worker_pids()}

    assert [len(sockets) for sockets in held.values()] == [1, 1], held
    assert len(set().union(*held.values())) == 2, "the workers share one listening socket"
    assert not _sockets_of(two_workers.process.pid) & listening, "the master listens too"


def test_a_second_serve_on_the_workers_port_is_refused(two_workers: TwoWorkers, tmp_path: Path) -> None:
    port = two_workers.url.rsplit(":", 1)[1]
    second = subprocess.run([*LINKSIM, "--db", f"sqlite:///{tmp_path / 'other.db'}", "serve", "--port", port,
                             "--workers", "2"], capture_output=True, text=True, timeout=60)

    assert second.returncode == 2, second.stdout + second.stderr
    assert f"port {port}" in second.stderr and "in use" in second.stderr


def _sockets_of(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes
