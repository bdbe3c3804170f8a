"""A click command made from an action's declaration (:mod:`client_core.actions`) and its run on the service.

The command's arguments, options and help come from the declaration (:mod:`client_core.commands` makes it); what
it is given reaches the run as the action's parameters, named as a scenario names them (an option left out is
absent, as in a scenario step).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from auth_server.cli.context import Context
from client_core import commands
from client_core.actions import Action

Run = Callable[[Context, dict[str, Any]], None]  # carries out an action on the service and prints its answer


def command_of(action: Action, run: Run) -> click.Command:
    form = action.command
    if form is None:
        raise ValueError(f"the command line offers no {action.actor} action {action.name!r}")
    return commands.command_of(form, run, Context)
