"""linksim's benchmark suite (``make bench``): every figure measured in one run beside its references.

Over HTTP, a load driver (wrk, or :mod:`bench.python_driver` in another process where wrk is missing) drives
linksim's served endpoints, a hello-world app on the same server stack (the ceiling) and the peer mock server
(npm ``oauth2-mock-server``); in-process, the QR link flow through the WSGI app and through the pytest fixtures;
and the one-off figures: cold start, resident memory after many flows, list and search latency at scale. The
report (markdown and JSON) gives each figure and its ratio to its reference; nothing is asserted.
"""
