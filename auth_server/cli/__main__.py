"""``python -m auth_server.cli``: the ``linksim`` command."""

from auth_server.cli import main

main()
