"""The step commands are made from the declared actions (client_core.actions), and the command list stays put."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from auth_server.cli import main
from auth_server.cli.context import Context
from auth_server.cli.steps import RUNS
from auth_server.cli.steps import command_of
from auth_server.scenarios.steps import APP_ACTIONS
from auth_server.scenarios.steps import APP_RUNS
from auth_server.scenarios.steps import SELLER_ACTIONS
from auth_server.scenarios.steps import SELLER_RUNS
from client_core.actions import ACTIONS
from client_core.actions import HOLDER
from client_core.actions import Action
from client_core.actions import Actor

OFFERED = [action for action in ACTIONS.values() if action.command is not None]

# What `linksim --help` listed before the step commands were made from the table: the same, still (and
# `rules`, docs/rules.md's command, since issue 12).
COMMANDS = {
    (): ["affiliate", "answer", "app", "app-fault", "clock", "codes", "consent", "demo", "init", "invite", "journal",
         "link", "linked", "links", "live", "markets", "org", "profile", "rename-account", "rename-shop", "review",
         "review-mode", "rules", "scan", "scenario", "search", "seller", "serve", "shop-status", "show", "sign-in",
         "standing", "start", "terms", "unlink", "verification-outcome", "verify"],
    ("affiliate",): ["answer", "invite", "showcase-add", "sign-up"],
    ("clock",): ["advance", "freeze", "run", "set", "show"],
    ("link",): ["marketing", "official", "organization"],
    ("live",): ["end", "start"],
    ("org",): ["create", "passcode", "remove-member", "sign-in"],
    ("scenario",): ["list", "run", "schema"],
}


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group), f"linksim {' '.join(path)}: {command.name} is no group"
        found = command.get_command(click.Context(command), name)
        assert found is not None, f"linksim has no command {' '.join(path)}"
        command = found
    return command


@pytest.mark.parametrize("path", list(COMMANDS), ids=lambda path: " ".join(path) or "linksim")
def test_linksim_help_lists_the_same_commands_as_before(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    listed = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed if line.strip()] == COMMANDS[path]


@pytest.mark.parametrize("action", OFFERED, ids=lambda action: f"{action.actor}.{action.name}")
def test_every_declared_step_has_its_command_with_the_declared_parameters(action: Action) -> None:
    assert action.command is not None
    command = command_at(action.command.path)
    assert command.help == action.command.help
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    options = [p for p in command.params if isinstance(p, click.Option)]
    assert [a.name for a in arguments] == [a.name for a in action.command.arguments]
    assert [o.opts for o in options] == [[o.flag] for o in action.command.options]
    for argument, declared in zip(arguments, action.command.arguments, strict=True):
        choices = tuple(declared.choices) if declared.choices is not None else None
        assert getattr(argument.type, "choices", None) == choices
    offered = {a.param for a in action.command.arguments} | {o.param for o in action.command.options}
    holder = {HOLDER} if action.actor == "app" else set()
    assert offered <= set(action.params) | holder, "the command offers a parameter the action does not declare"
    assert set(action.required) <= offered, "the command leaves out a parameter the action requires"


def test_every_command_line_step_has_a_run_and_every_run_a_declared_command() -> None:
    assert set(RUNS) == {(action.actor, action.name) for action in OFFERED}


def test_every_scenario_action_has_its_http_run() -> None:
    assert set(SELLER_RUNS) == set(SELLER_ACTIONS)
    assert set(APP_RUNS) == set(APP_ACTIONS)


@pytest.mark.parametrize(("action", "args", "params"), [
    (("app", "consent"), ["lnk_1", "maya"], {"link": "lnk_1", "as": "maya"}),
    (("app", "consent"), ["lnk_1", "maya", "--deny", "--permission", "content", "--permission", "x"],
     {"link": "lnk_1", "as": "maya", "authorize": False, "permissions": ["content", "x"]}),
    (("seller", "decide_review"), ["lnk_1", "reject"], {"link": "lnk_1", "approve": False}),
    (("seller", "start_official_link"), ["shop_1", "--account", "maya"],
     {"shop": "shop_1", "via": "qr", "username": "maya"}),
])
def test_a_command_hands_its_run_the_parameters_as_a_scenario_names_them(
        action: tuple[Actor, str], args: list[str], params: dict[str, object]) -> None:
    seen: list[dict[str, object]] = []
    command = command_of(ACTIONS[action], lambda ctx, given: seen.append(given))

    @click.group()
    @click.pass_context
    def linksim(click_ctx: click.Context) -> None:
        click_ctx.obj = Context("sqlite://", as_json=False)

    linksim.add_command(command)
    result = CliRunner().invoke(linksim, [command.name or "", *args])
    assert result.exit_code == 0, result.output
    assert seen == [params]
