"""An action declared with no run of its own gets one on each side, derived from its declaration."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
import pytest
from click.testing import CliRunner

from auth_server.cli import main
from auth_server.cli import steps as cli_steps
from auth_server.cli.context import Context
from auth_server.cli.steps import command_of
from auth_server.scenarios import steps as scenario_steps
from client_core.actions import ACCOUNT
from client_core.actions import ACTIONS
from client_core.actions import HOLDER
from client_core.actions import SHOP
from client_core.actions import Action
from client_core.actions import Argument
from client_core.actions import Command
from client_core.actions import Param

# Declared here only, so no side binds a run of its own to them: what they get is the default.
RENAME_AGAIN = Action(
    "seller", "rename_again", "Rename the shop once more", {"shop": SHOP, "name": Param("string", "the name", True)},
    Command(("rename-again",), "Rename SHOP_ID.", (Argument("shop", "shop_id"), Argument("name", "name")),
            text="{shop_id} is now {name!r}"),
    service="rename_shop", client="rename_shop",
)
UNLINK_AGAIN = Action(
    "seller", "unlink_again", "Unlink an account", {"shop": SHOP, "account": ACCOUNT},
    Command(("unlink-again",), None, (Argument("shop", "shop_id"), Argument("account", "account")),
            text="link {link_id}: {state.value}"),
    service="unlink", client="unlink",
)
VERIFY_AGAIN = Action(
    "app", "verify_again", "Start identity verification", {},
    Command(("verify-again",), None, (Argument(HOLDER, "account"),), text="@{username}: {verification.value}"),
    service="start_verification", client="start_verification",
)
DECIDE_AGAIN = Action(
    "seller", "decide_again", "Decide a review", {"link": Param("string", "the link", True),
                                                  "approve": Param("boolean", "approve?", True),
                                                  "note": Param("string", "a note")},
    client="decide",
)


@pytest.fixture
def linksim(tmp_path: Path):  # noqa: ANN201
    db = f"sqlite:///{tmp_path / 'linksim.db'}"
    assert CliRunner().invoke(main, ["--db", db, "init", "--fixtures", "demo"]).exit_code == 0

    @click.group()
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def tool(click_ctx: click.Context, as_json: bool) -> None:
        click_ctx.obj = Context(db, as_json=as_json)

    for action in (RENAME_AGAIN, UNLINK_AGAIN, VERIFY_AGAIN):
        tool.add_command(command_of(action, cli_steps.default_run(action)))

    def run(*args: str) -> Any:
        return CliRunner().invoke(tool, list(args))

    run.db = db  # type: ignore[attr-defined]
    return run


def test_the_command_line_calls_the_services_method_and_prints_the_declared_text(linksim) -> None:  # noqa: ANN001
    result = linksim("rename-again", "shop_nordic_gb", "Nordic Three")
    assert (result.exit_code, result.output) == (0, "shop_nordic_gb is now 'Nordic Three'\n")
    answer = json.loads(linksim("--json", "rename-again", "shop_nordic_gb", "Nordic Four").output)
    assert (answer["shop_id"], answer["name"]) == ("shop_nordic_gb", "Nordic Four")


def test_the_command_line_acts_for_the_holder_and_resolves_accounts_to_open_ids(linksim) -> None:  # noqa: ANN001
    result = linksim("verify-again", "maya")
    assert (result.exit_code, result.output) == (0, "@maya: verified\n")
    assert CliRunner().invoke(main, ["--db", linksim.db, "clock", "advance", "1d"]).exit_code == 0
    result = linksim("unlink-again", "shop_nordic_gb", "nordic_home")  # @otto, renamed after the shop (E2)
    assert result.exit_code == 0 and result.output.endswith(": unlinked\n"), result.output


class Recorder:
    """A client whose every method answers what it was called with, as the clients' models carry their JSON."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def rename_shop(self, shop_id: str, name: str) -> SimpleNamespace:
        return self._answer("rename_shop", shop_id, name)

    def unlink(self, shop_id: str, open_id: str) -> SimpleNamespace:
        return self._answer("unlink", shop_id, open_id)

    def start_verification(self) -> SimpleNamespace:
        return self._answer("start_verification")

    def decide(self, link_id: str, *, approve: bool, note: str | None = None) -> SimpleNamespace:
        return self._answer("decide", link_id, approve=approve, note=note)

    def _answer(self, method: str, *args: Any, **kwargs: Any) -> SimpleNamespace:
        self.calls.append((method, args, kwargs))
        return SimpleNamespace(raw={"method": method})


def session_with(seller: Recorder, app: Recorder) -> Any:
    return SimpleNamespace(seller=seller, phone=lambda holder: SimpleNamespace(app=app),
                           open_id=lambda name: f"oid_{name}")


def test_a_scenario_calls_the_clients_method_and_answers_its_json() -> None:
    seller, app = Recorder(), Recorder()
    session = session_with(seller, app)
    run = scenario_steps.default_run
    assert run(RENAME_AGAIN)(session, {"action": "rename_again", "shop": "s1", "name": "N"}) == {
        "method": "rename_shop"}
    run(UNLINK_AGAIN)(session, {"action": "unlink_again", "shop": "s1", "account": "otto"})
    run(VERIFY_AGAIN)(session, {"action": "verify_again", HOLDER: "maya"})
    run(DECIDE_AGAIN)(session, {"action": "decide_again", "link": "l1", "approve": False})
    assert seller.calls == [("rename_shop", ("s1", "N"), {}), ("unlink", ("s1", "oid_otto"), {}),
                            ("decide", ("l1",), {"approve": False, "note": None})]
    assert app.calls == [("start_verification", (), {})]


def test_every_declared_action_has_a_run_on_each_side_it_is_offered() -> None:
    assert all(key in cli_steps.RUNS for key, action in ACTIONS.items() if action.command)
    assert set(scenario_steps.SELLER_RUNS) == set(scenario_steps.SELLER_ACTIONS)
    assert set(scenario_steps.APP_RUNS) == set(scenario_steps.APP_ACTIONS)
