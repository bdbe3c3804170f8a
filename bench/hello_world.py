"""The ceiling's server: a Flask hello-world served as ``linksim serve --workers 2`` serves (gunicorn, the same
worker class, threads and settings: :class:`auth_server.cli.worker_processes.WorkerProcesses`)."""

from __future__ import annotations

import socket

from flask import Flask

from auth_server.cli.serving import THREADS
from auth_server.cli.worker_processes import WorkerProcesses

WORKERS = 2


def hello_app() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/", "hello", lambda: "Hello, World!")
    return app


def main() -> None:
    listening = socket.create_server(("127.0.0.1", 0), backlog=socket.SOMAXCONN)
    print(f"serving on http://127.0.0.1:{listening.getsockname()[1]}", flush=True)
    try:
        WorkerProcesses(listening, hello_app, workers=WORKERS, threads=THREADS, access_log=False).run()
    except SystemExit as ended:  # gunicorn's master ends with one, after stopping its workers
        if ended.code not in (0, None):
            raise


if __name__ == "__main__":
    main()
