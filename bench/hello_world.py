"""The ceiling's server: a Flask hello-world served as ``linksim serve`` serves (werkzeug, threaded)."""

from __future__ import annotations

from flask import Flask
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def main() -> None:
    app = Flask(__name__)
    app.add_url_rule("/", "hello", lambda: "Hello, World!")
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    print(f"serving on http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
