"""What a serving process imports: what `linksim serve` and its workers import to answer requests, and nothing that
only other commands, the clients or rarer requests use (each costs every start its import and every worker its
memory)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from auth_server.cli.setup import load

# Imported where they are used, never by a server that does not use them: the scenario runner and the two clients
# (the `scenario`, `seller` and `app` commands), requests, jsonschema (validating a data file on its first load),
# qrcode (drawing a QR code), Pillow and zxing-cpp (reading an uploaded picture's), cryptography (sealing the first
# link token), concurrent-log-handler (the journal file, when asked for).
UNUSED_BY_SERVING = ("auth_server.scenarios", "seller_client", "mobile_stub", "linksim", "requests", "jsonschema",
                     "qrcode", "PIL", "zxingcpp", "cryptography", "concurrent_log_handler", "portalocker")

SERVING = """
import json, sys
from auth_server.cli import main  # what the linksim command imports
from auth_server.cli import serving, worker_processes  # `linksim serve`, and its workers
from auth_server.app import create_app
from auth_server.cli.context import Context
from auth_server.config import ServerConfig

client = create_app(Context(sys.argv[1], as_json=False).sim, ServerConfig()).test_client()
assert client.get("/_sim/clock").status_code == 200
assert client.get("/").status_code == 200
assert client.get("/app/sign-in").status_code == 200
token = client.post("/v2/oauth/token/", data={"client_key": "linksim_demo_key", "client_secret": "linksim_demo_secret",
                                              "grant_type": "client_credentials"})
assert token.status_code == 200, token.text
assert client.post("/_sim/sandboxes", json={"fixtures": "demo"}).status_code == 201
unused = sys.argv[2:]
print(json.dumps(sorted(name for name in sys.modules
                        if any(name == package or name.startswith(package + ".") for package in unused))))
"""


def test_serving_the_demo_world_imports_nothing_only_other_commands_or_requests_use(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'served.db'}"
    load(db, "demo", fresh=True)  # here: loading a data file the first time validates it (jsonschema)

    run = subprocess.run([sys.executable, "-c", SERVING, db, *UNUSED_BY_SERVING], capture_output=True, text=True)

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []
