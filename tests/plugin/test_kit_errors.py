"""The testing kit's errors and controls, as the kit had them before the client core: its own exception
classes and words, a refusal's path and message, settable settings, its clock's name. One behaviour a test,
against a mocked server."""

from __future__ import annotations

import pytest
import requests
import responses

import linksim
from linksim import ControlRefused
from linksim import LinksimError
from linksim import World

BASE = "http://linksim.test"


@pytest.fixture
def world() -> World:
    return World(BASE)


@responses.activate
def test_an_unreachable_world_is_cannot_reach_linksim_for_the_request(world: World) -> None:
    responses.get(f"{BASE}/_sim/sandboxes", body=requests.ConnectionError("refused"))
    with pytest.raises(LinksimError) as raised:
        world.sandboxes()
    assert str(raised.value) == f"cannot reach linksim for GET {BASE}/_sim/sandboxes: refused"


@responses.activate
def test_an_answer_that_is_not_json_is_named_with_the_request(world: World) -> None:
    responses.get(f"{BASE}/_sim/clock", body="<html>proxy</html>")
    with pytest.raises(LinksimError) as raised:
        world.clock.now()
    assert str(raised.value) == (f"linksim answered GET {BASE}/_sim/clock with something that is not JSON: "
                                 "'<html>proxy</html>'")


@responses.activate
def test_a_refusals_path_is_the_url_without_its_query(world: World) -> None:
    responses.get(f"{BASE}/_sim/journal", status=400, json={"code": "invalid_input", "message": "bad kind"})
    with pytest.raises(ControlRefused) as raised:
        world.journal(kind="nonsense")
    assert raised.value.path == f"{BASE}/_sim/journal"


@responses.activate
def test_a_refusal_without_a_message_has_an_empty_one(world: World) -> None:
    responses.get(f"{BASE}/_sim/faults", status=409, json={"code": "busy"})
    with pytest.raises(ControlRefused) as raised:
        world.faults()
    assert (raised.value.code, raised.value.message) == ("busy", "")


@responses.activate
def test_a_refusal_with_malformed_violations_keeps_the_servers_code(world: World) -> None:
    responses.get(f"{BASE}/_sim/faults", status=400, json={"code": "invalid_input", "message": "m",
                                                           "violations": ["junk"]})
    with pytest.raises(ControlRefused) as raised:
        world.faults()
    assert (raised.value.code, raised.value.message) == ("invalid_input", "m")


def test_linksim_error_takes_any_arguments_as_an_exception_does() -> None:
    assert LinksimError().args == () and LinksimError("a", "b").args == ("a", "b")


def test_linksim_error_is_a_class_of_its_own_in_linksim_errors() -> None:
    assert (LinksimError.__name__, LinksimError.__module__) == ("LinksimError", "linksim.errors")


@responses.activate
def test_a_worlds_timeout_session_and_url_may_be_set(world: World) -> None:
    session = requests.Session()
    world.timeout, world.session, world.base_url = 3.0, session, "http://other.test"
    responses.get("http://other.test/_sim/faults", json={"faults": []})
    assert world.faults() == [] and (world.timeout, world.session) == (3.0, session)
    assert responses.calls[0].request.req_kwargs["timeout"] == 3.0


def test_a_worlds_clock_is_a_sandbox_clock(world: World) -> None:
    assert isinstance(world.clock, linksim.SandboxClock)
    assert repr(world.clock) == f"SandboxClock({BASE!r})"
