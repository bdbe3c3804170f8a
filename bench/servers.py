"""The servers a run measures, each a process of its own, started here and stopped by its process id."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

PEER_PACKAGE = "oauth2-mock-server@8.2.3"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Served:
    name: str
    url: str
    process: subprocess.Popen[str]
    started_ms: float  # from the process's start to its first answered request

    def stop(self) -> None:
        stop_process(self.process)

    def resident_mb(self) -> float:
        return resident_mb(self.process.pid)

    def worker_pids(self) -> list[int]:
        """The server's worker processes (gunicorn's): the children of its process."""
        return children(self.process.pid)

    def resident_mb_per_worker(self) -> list[float]:
        """Each worker's resident memory; the process's own when it has no workers."""
        return [resident_mb(pid) for pid in self.worker_pids()] or [self.resident_mb()]

    def shared_memory_per_worker(self) -> list[SharedMemory]:
        """Each worker's memory, its share of what it shares with the master and the other workers told apart."""
        return [shared_memory(pid) for pid in self.worker_pids()] or [shared_memory(self.process.pid)]


def stop_process(process: subprocess.Popen[str]) -> None:
    """SIGTERM (SIGINT for linksim serve, which ends on it), then SIGKILL if it lingers; by the process id only."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def resident_mb(pid: int) -> float:
    """VmRSS of the process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@dataclass(frozen=True)
class SharedMemory:
    """A process's memory beside what it shares (Linux's smaps_rollup), in MB. Its resident memory (RSS) counts every
    page it maps whole, those the workers share with their master since the fork too; PSS counts a shared page
    divided by the processes sharing it (the PSS of a server's processes add up to what they take together); USS
    counts only its private pages (what stopping it would give back)."""

    rss: float
    pss: float
    uss: float


def shared_memory(pid: int) -> SharedMemory:
    """A process's RSS, PSS and USS, from /proc (Linux)."""
    kib: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        kib[name.rstrip(":")] = int(value)
    return SharedMemory(round(kib["Rss"] / 1024, 1), round(kib["Pss"] / 1024, 1),
                        round((kib["Private_Clean"] + kib["Private_Dirty"]) / 1024, 1))


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc (Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return sorted(found)


def _start(name: str, command: list[str], banner: str, probe: str, *, cwd: Path = ROOT,
           env: dict[str, str] | None = None) -> Served:
    """Start ``command``, read its first lines until ``banner`` (a regex whose group 1 is the base URL) matches,
    then wait for ``probe`` (a path) to answer."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
    assert process.stdout is not None
    seen: list[str] = []
    url = None
    for line in process.stdout:
        seen.append(line)
        found = re.search(banner, line)
        if found:
            url = found.group(1).rstrip("/")
            break
    if url is None:
        error = process.stderr.read() if process.stderr else ""
        stop_process(process)
        raise RuntimeError(f"{name} did not start: {''.join(seen)}{error}")
    while True:
        try:
            if requests.get(url + probe, timeout=5).status_code < 500:
                break
        except requests.ConnectionError:
            pass
        if time.perf_counter() - start > 60:
            stop_process(process)
            raise RuntimeError(f"{name} does not answer at {url}{probe}")
        time.sleep(0.005)
    served = Served(name, url, process, (time.perf_counter() - start) * 1000)
    # Drain what it prints from here on, so that a full pipe never stalls it.
    _drain(process)
    return served


def _drain(process: subprocess.Popen[str]) -> None:
    import threading

    for stream in (process.stdout, process.stderr):
        if stream is not None:
            threading.Thread(target=lambda s=stream: [None for _ in s], daemon=True).start()


@contextmanager
def linksim(db_url: str, *, workers: int = 1, fixtures: str | None = None,
            extra: tuple[str, ...] = ()) -> Iterator[Served]:
    """``linksim serve --workers N`` on ``db_url``, on a free port (1: one process, werkzeug's threaded server;
    more: gunicorn's master and N workers)."""
    command = [sys.executable, "-m", "auth_server.cli", "--db", db_url, "serve", "--port", "0",
               "--oauth-error-status", "400", "--workers", str(workers), *extra]
    if fixtures:
        command += ["--fixtures", fixtures]
    served = _start("linksim serve", command, r"linksim is serving on (\S+)", "/_sim/clock")
    try:
        if workers > 1:
            _every_worker_answers(served, workers)
        yield served
    finally:
        served.stop()


def _every_worker_answers(served: Served, workers: int) -> None:
    """Wait until each worker has answered a request: a load that opens its connections while a worker still makes
    its app finds one worker only, which then holds every keep-alive connection of the run (half the throughput,
    and twice the CPU a request, on this project's 2-core machine)."""
    seen: set[str] = set()
    deadline = time.perf_counter() + 60
    while len(seen) < workers:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"only {len(seen)} of linksim's {workers} workers answered within 60 s")
        answer = requests.get(served.url + "/_sim/clock", headers={"Connection": "close"}, timeout=5)
        seen.add(answer.headers.get("X-Linksim-Worker", ""))
        time.sleep(0.01)


@contextmanager
def hello_world() -> Iterator[Served]:
    """The ceiling: a Flask hello-world on the server stack ``linksim serve --workers 2`` runs (gunicorn, 2 workers)."""
    served = _start("hello world", [sys.executable, "-m", "bench.hello_world"], r"serving on (\S+)", "/")
    try:
        yield served
    finally:
        served.stop()


@contextmanager
def token_floor(scratch: Path) -> Iterator[Served]:
    """The floor: a token endpoint with nothing but authlib and a SQLite file under linksim's server stack
    (:mod:`bench.token_floor`), on a database of its own in ``scratch``."""
    scratch.mkdir(parents=True, exist_ok=True)
    served = _start("token floor", [sys.executable, "-m", "bench.token_floor", str(scratch / "floor.db")],
                    r"serving on (\S+)", "/token")
    try:
        yield served
    finally:
        served.stop()


def install_peer(scratch: Path) -> Path:
    """npm's ``oauth2-mock-server`` in ``scratch`` (installed once): the path of its command."""
    command = scratch / "node_modules" / ".bin" / "oauth2-mock-server"
    if not command.exists():
        scratch.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(scratch),
                        PEER_PACKAGE], check=True, capture_output=True, text=True)
    return command


@contextmanager
def peer(scratch: Path) -> Iterator[Served]:
    """The peer mock server, listening on a free port of the loopback address."""
    command = install_peer(scratch)
    served = _start("oauth2-mock-server", ["node", str(command), "-a", "127.0.0.1", "-p", "0"],
                    r"(http://\S+)", "/.well-known/openid-configuration", cwd=scratch)
    try:
        yield served
    finally:
        served.stop()
