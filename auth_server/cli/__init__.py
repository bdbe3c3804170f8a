"""The ``linksim`` command line.

Every command works on the database named by ``--db`` (default ``sqlite:///linksim.db`` in the
working directory, or ``$LINKSIM_DB``). The simulated clock of the command line is kept in that
database, so ``linksim clock advance 25h`` carries over to the next command.

Exit codes: 0 done; 1 refused by a linking rule (the codes are printed); 2 bad usage or input.

The parties' step commands (``start``, ``scan``, ``unlink``, ``org create``, ...) are made from the actions
declared in :mod:`client_core.actions` (:mod:`.steps`); the others are written out in a module per concern.

The commands are imported when ``main`` is first asked for (:func:`_commands`), with the cyclic collector held off:
they make most of a start's objects (modules, classes, the schema's tables), which live as long as the process, and
the collector spent about 45 ms of `linksim serve`'s start finding no garbage among them. What they made is then
frozen out of later collections (:func:`gc.freeze`), which also spares a worker's collections those objects' pages.
"""

from __future__ import annotations

import gc
from types import ModuleType
from typing import Any

__all__ = ["main"]


def __getattr__(name: str) -> Any:
    """``main``, the ``linksim`` group (``from auth_server.cli import main``)."""
    if name == "main":
        return _commands().main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _commands() -> ModuleType:
    collecting = gc.isenabled()
    gc.disable()
    try:
        from auth_server.cli import commands
    finally:
        if collecting:
            gc.freeze()
            gc.enable()
    return commands
