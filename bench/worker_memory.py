"""``python -m bench.worker_memory [SECONDS] [FLOW_SECONDS]``: each worker's memory (RSS, PSS, USS) under ``linksim
serve --workers 2`` on the bench's demo database: at start, after the token loads (SECONDS each, 16 connections),
and after QR link flows (FLOW_SECONDS, 8 threads, a new sandbox each). The served section's loads in short, for
comparing two versions of linksim's memory (run it from each one's folder) without the whole section."""

from __future__ import annotations

import sys
import tempfile
from urllib.parse import urlencode

from bench import seed
from bench import served
from bench import servers
from bench.driver import Load
from bench.driver import run_load


def memory(label: str, server: servers.Served) -> None:
    master = servers.shared_memory(server.process.pid)
    workers = ", ".join(f"RSS {m.rss} PSS {m.pss} USS {m.uss}" for m in server.shared_memory_per_worker())
    print(f"{label}: workers {workers}; master RSS {master.rss} PSS {master.pss} USS {master.uss} (MB)", flush=True)


def main(seconds: float = 4.0, flow_seconds: float = 15.0) -> None:
    with tempfile.TemporaryDirectory(prefix="linksim-bench-") as scratch:
        db = f"sqlite:///{scratch}/served.db"
        seeded = seed.demo_with_credentials(db, codes=int(seconds * 3000) + 100)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        credentials = {"client_key": seed.CLIENT_KEY, "client_secret": seed.CLIENT_SECRET}
        with servers.linksim(db, workers=served.WORKERS) as server:
            memory("start", server)
            loads = {
                "client_credentials": Load(server.url + "/v2/oauth/token/", "POST", form, body=urlencode(
                    {**credentials, "grant_type": "client_credentials"})),
                "code_exchange": Load(server.url + "/v2/oauth/token/", "POST", form, bodies=[urlencode(
                    {**credentials, "code": code, "grant_type": "authorization_code",
                     "redirect_uri": seed.REDIRECT_URI}) for code in seeded.codes]),
                "user_info": Load(f"{server.url}/v2/user/info/?fields={served.USER_INFO_FIELDS}",
                                  headers={"Authorization": f"Bearer {seeded.access_token}"}),
            }
            for name, load in loads.items():
                result = run_load(load, seconds=seconds, connections=16)
                print(f"{name}: {result.requests_per_second:.0f} req/s", flush=True)
            memory("after the token loads", server)
            flows = served._flows(server.url, flow_seconds, threads=8)
            print(f"QR link flows: {flows['flows']} ({flows['failures']} failed)", flush=True)
            memory("after the flows", server)


if __name__ == "__main__":
    main(*(float(arg) for arg in sys.argv[1:3]))
