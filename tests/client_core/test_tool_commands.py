"""The seller's and the app's tools make their step commands from the action table (client_core.actions)."""

from __future__ import annotations

import click
import pytest

from client_core.actions import ACTIONS
from client_core.actions import Action
from mobile_stub.cli import app
from seller_client.cli import seller

OFFERED = [action for action in ACTIONS.values() if action.tool is not None]
TOOLS = {"seller": seller, "app": app}


def command_at(root: click.Group, path: tuple[str, ...]) -> click.Command:
    command: click.Command = root
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None, f"linksim {root.name} has no command {' '.join(path)}"
        command = found
    return command


@pytest.mark.parametrize("action", OFFERED, ids=lambda action: f"{action.actor}.{action.name}")
def test_every_declared_tool_step_is_a_command_of_the_actors_tool(action: Action) -> None:
    assert action.tool is not None
    command = command_at(TOOLS[action.actor], action.tool.path)
    assert command.help == action.tool.help
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    options = [p for p in command.params if isinstance(p, click.Option)]
    assert [a.name for a in arguments] == [a.name for a in action.tool.arguments]
    assert [o.opts for o in options] == [[o.flag] for o in action.tool.options]
    offered = {a.param for a in action.tool.arguments} | {o.param for o in action.tool.options}
    assert offered <= set(action.params), "the command offers a parameter the action does not declare"
    assert set(action.required) <= offered, "the command leaves out a parameter the action requires"
