"""The JSON Schema of a scenario file (``linksim scenario schema`` prints it; docs/scenarios.md explains it).

The seller's and the app's actions and their parameters come from :mod:`client_core.actions`, so the schema, the
runner and the documentation cannot disagree about them. A scenario's ``data`` is checked against the
data file schema (:data:`auth_server.fixtures.SCHEMA`), so its problems are named as precisely as a data
file's. A few checks no JSON Schema expresses well (one actor per step, a ``${name}`` saved by an earlier
step, a regular expression that compiles) are made in :mod:`.model`, with the same kind of message.
"""

from __future__ import annotations

from typing import Any

import jsonschema

from auth_server import fixtures
from auth_server.scenarios.steps import APP_ACTIONS
from auth_server.scenarios.steps import CONTROL_METHODS
from auth_server.scenarios.steps import SELLER_ACTIONS
from client_core.actions import Action
from client_core.actions import Param

__all__ = ["SCHEMA", "place", "problems"]

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
REFERENCE_PATTERN = r"^\$\{[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*\}$"
RULE_PATTERN = r"^[OMUE][0-9]{1,2}$"
MATCHERS = ("length", "contains", "matches", "present", "not")

_DURATION = {"type": "string", "pattern": r"^\s*\d+\s*[a-z]+(\s*\d+\s*[a-z]+)*\s*$",
             "description": "a duration: 30s, 5m, 24h, 7d, 2w, or combined (23h59m59s)"}
_REFERENCE = {"type": "string", "pattern": REFERENCE_PATTERN,
              "description": "a value saved by an earlier step, as a whole: ${name.field}"}

_PARAM_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "boolean": {"anyOf": [{"type": "boolean"}, _REFERENCE]},
    "strings": {"anyOf": [{"type": "array", "items": {"type": "string"}}, _REFERENCE]},
}


def _param_schema(param: Param) -> dict[str, Any]:
    return {**_PARAM_TYPES[param.kind], "description": param.doc}


def _actor_schema(actions: dict[str, Action], *, holder: bool) -> dict[str, Any]:
    """``{action: NAME, ...parameters}``: each action allows exactly its own parameters."""
    common: dict[str, Any] = {"action": {"enum": sorted(actions)}}
    if holder:
        common["as"] = {"type": "string", "minLength": 1,
                        "description": "whose phone: the username the app signs in with (one phone per name)"}
    return {
        "type": "object",
        "required": ["action", "as"] if holder else ["action"],
        "properties": {**common, **{name: {} for action in actions.values() for name in action.params}},
        "allOf": [
            {
                "if": {"properties": {"action": {"const": action.name}}},
                "then": {
                    "description": action.doc,
                    "required": action.required,
                    "properties": {**common, **{name: _param_schema(p) for name, p in action.params.items()}},
                    "additionalProperties": False,
                },
            }
            for action in actions.values()
        ],
    }


_MATCHER: dict[str, Any] = {
    "description": "a value the field must equal, or one test: {length: N}, {contains: V}, {matches: REGEX}, "
                   "{present: true|false} or {not: V}",
    "if": {"type": "object", "minProperties": 1, "maxProperties": 1, "propertyNames": {"enum": list(MATCHERS)}},
    "then": {"properties": {"length": {"type": "integer", "minimum": 0}, "matches": {"type": "string"},
                            "present": {"type": "boolean"}}},
}

_EXPECT: dict[str, Any] = {
    "description": "what the step must answer: ok (the default), or {refused: CODE} (or a list of every code), "
                   "and fields of the answer (dotted paths, e.g. state, official.nickname, refusals.0.code)",
    "type": ["string", "object"],
    "if": {"type": "string"},
    "then": {"const": "ok"},
    "else": {
        "properties": {
            "refused": {"anyOf": [{"type": "string", "minLength": 1},
                                  {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}],
                        "description": "the step is refused with this code among its codes (a list: exactly these)"},
        },
        "propertyNames": {"pattern": r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$"},
        "additionalProperties": _MATCHER,
    },
}

_STEP: dict[str, Any] = {
    "type": "object",
    "description": "one actor acting (seller, app, clock or control), what it must answer, and what to keep",
    "additionalProperties": False,
    "properties": {
        "seller": {**_actor_schema(SELLER_ACTIONS, holder=False),
                   "description": "the seller's tool (seller_client.SellerClient) in the scenario's sandbox"},
        "app": {**_actor_schema(APP_ACTIONS, holder=True),
                "description": "the TikTok app on a holder's phone (mobile_stub.TikTokApp), signed in on first use"},
        "clock": {
            "type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 1,
            "description": "move the sandbox's simulated clock: {advance: 25h} or {set: ISO time}",
            "properties": {"advance": _DURATION, "set": {"type": "string", "minLength": 1}},
        },
        "control": {
            "type": "object", "additionalProperties": False,
            "description": "any call to the sandbox's control plane: {post: /_sim/..., json: {...}}, {get: ...} "
                           "or {delete: ...}",
            "properties": {
                **{method: {"type": "string", "pattern": "^/_sim/"} for method in CONTROL_METHODS},
                "json": {"description": "the body of a post (any JSON value)"},
            },
        },
        "expect": _EXPECT,
        "save": {"type": "string", "pattern": NAME_PATTERN,
                 "description": "keep the answer (or the refusal) under this name, for ${name.field} later"},
        "note": {"type": "string", "description": "a line for the reader, printed in the report"},
    },
}

_DATA_SCHEMA = {key: value for key, value in fixtures.SCHEMA.items() if key != "$schema"}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "linksim scenario file",
    "description": "One scenario: the parties of its own sandbox, then steps by actor, each with what it must "
                   "answer. Run with `linksim scenario run FILE`; the format is docs/scenarios.md.",
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "steps"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "description": "what the scenario shows, in a line"},
        "description": {"type": "string"},
        "rules": {"type": "array", "items": {"type": "string", "pattern": RULE_PATTERN},
                  "description": "the rules of RULES.md it exercises (O1..O11, M1..M10, U1..U3, E1..E5)"},
        "fixtures": {"enum": [fixtures.DEMO], "description": "start from the built-in demo data"},
        "data": {**_DATA_SCHEMA, "description": "or from parties of its own (the data file format, "
                                                "docs/fixtures.md); without partner_apps the demo partner app "
                                                "is added, authorized by the sellers"},
        "start": {"type": "string", "minLength": 1,
                  "description": "the sandbox's time at the start (default: the data's start)"},
        "partner": {
            "type": "object", "additionalProperties": False, "required": ["client_key", "client_secret"],
            "description": "the partner app the seller's tool signs in as (default: the demo app)",
            "properties": {"client_key": {"type": "string"}, "client_secret": {"type": "string"}},
        },
        "steps": {"type": "array", "minItems": 1, "items": _STEP},
    },
}


def problems(document: Any) -> list[str]:
    """Every place where ``document`` breaks the schema, as ``place: problem`` (empty when it follows it)."""
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    found = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{place(e.absolute_path)}: {_message(e)}" for e in _deepest(found)]


def place(path: Any) -> str:
    """A JSON path as a reader writes it: ``steps[3].seller.shop``."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return text.lstrip(".") or "(top level)"


def _deepest(errors: list[jsonschema.ValidationError]) -> list[jsonschema.ValidationError]:
    """The errors that say the most: an ``anyOf`` or ``if``/``then`` is replaced by the reasons inside it."""
    result = []
    for error in errors:
        if error.context:
            best = jsonschema.exceptions.best_match(error.context)
            result.append(best if best is not None else error)
        else:
            result.append(error)
    return result


def _message(error: jsonschema.ValidationError) -> str:
    return error.message if len(error.message) <= 300 else error.message[:297] + "..."

