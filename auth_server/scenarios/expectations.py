"""Comparing what a step answered with what the scenario expects, and ``${name.field}`` substitution.

:func:`judge` answers the reasons a step's outcome does not match (none: it matches), each saying what
was expected and what came, so a report reads like a failed assertion.
"""

from __future__ import annotations

import re
from typing import Any

from auth_server.scenarios.model import REFERENCE
from auth_server.scenarios.model import Expectation
from auth_server.scenarios.steps import Outcome
from auth_server.scenarios.steps import StepFailed


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


MISSING: Any = _Missing()


def lookup(value: Any, path: str) -> Any:
    """The value at a dotted path (``official.nickname``, ``refusals.0.code``), or :data:`MISSING`."""
    for part in path.split(".") if path else []:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.lstrip("-").isdigit() and -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


def substitute(value: Any, saved: dict[str, dict[str, Any]]) -> Any:
    """``value`` with every ``${name.field}`` replaced by what the step saved as ``name`` holds there.

    A string that is one reference as a whole becomes the value itself (a list stays a list); a reference
    inside a longer string is written into it as text.
    """
    if isinstance(value, dict):
        return {key: substitute(item, saved) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, saved) for item in value]
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = REFERENCE.fullmatch(value)
    if whole:
        return _referenced(whole, saved)
    return REFERENCE.sub(lambda match: _as_text(_referenced(match, saved)), value)


def _referenced(match: re.Match[str], saved: dict[str, dict[str, Any]]) -> Any:
    name, path = match.group(1), match.group(2).lstrip(".")
    if name not in saved:
        raise StepFailed(f"{match.group(0)}: nothing was saved as {name!r}")
    found = lookup(saved[name], path)
    if found is MISSING:
        raise StepFailed(f"{match.group(0)}: what was saved as {name!r} has no {path!r} "
                         f"(it has: {', '.join(saved[name]) or 'nothing'})")
    return found


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# --- judging ---------------------------------------------------------------------------------------------------


def judge(expect: Expectation, outcome: Outcome) -> list[str]:
    """Why ``outcome`` does not match ``expect``; an empty list when it does."""
    if outcome.kind == "error":
        return [f"the step could not be carried out: {outcome.value.get('error')}"]
    if expect.refused is None and outcome.kind == "refused":
        return [f"expected ok, got {summary(outcome)}"]
    if expect.refused is not None and outcome.kind == "ok":
        return [f"expected refused: {', '.join(expect.refused)}, got {summary(outcome)}"]
    reasons = []
    if expect.refused is not None:
        got = outcome.codes
        wrong = (sorted(got) != sorted(expect.refused)) if expect.exact_codes else not set(expect.refused) <= set(got)
        if wrong:
            reasons.append(f"expected refused: {', '.join(expect.refused)}, got {summary(outcome)}")
    for path, matcher in expect.fields.items():
        reason = _check(lookup(outcome.value, path), matcher)
        if reason is not None:
            reasons.append(f"{path}: {reason}")
    return reasons


def _check(actual: Any, matcher: Any) -> str | None:
    """Why ``actual`` fails ``matcher`` (a value to equal, or one test), or None when it passes."""
    if isinstance(matcher, dict) and len(matcher) == 1:
        (test, operand), = matcher.items()
        if test == "length":
            size = len(actual) if isinstance(actual, list | dict | str) else None
            return None if size == operand else f"expected length {operand}, got {_shown(actual)}" + (
                f" (length {size})" if size is not None else "")
        if test == "contains":
            held = isinstance(actual, list | dict) and operand in actual or (
                isinstance(actual, str) and isinstance(operand, str) and operand in actual)
            return None if held else f"expected something containing {operand!r}, got {_shown(actual)}"
        if test == "matches":
            found = isinstance(actual, str) and re.search(operand, actual) is not None
            return None if found else f"expected text matching /{operand}/, got {_shown(actual)}"
        if test == "present":
            there = actual is not MISSING and actual is not None
            return None if there == operand else f"expected {'a value' if operand else 'no value'}, got " \
                                                 f"{_shown(actual)}"
        if test == "not":
            return None if actual != operand else f"expected anything but {operand!r}, got it"
    if actual is not MISSING and _equal(actual, matcher):
        return None
    return f"expected {matcher!r}, got {_shown(actual)}"


def _equal(actual: Any, expected: Any) -> bool:
    # True == 1 in Python; a scenario that says true means the JSON true, and 1 means a number.
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    return bool(actual == expected)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def summary(outcome: Outcome) -> str:
    """An outcome in a few words: ``ok (state: active)``, ``refused: unlink_too_early``, ``error: ...``."""
    if outcome.kind == "refused":
        return "refused: " + ", ".join(outcome.codes)
    if outcome.kind == "error":
        return f"error: {outcome.value.get('error')}"
    value = outcome.value
    for key in ("state", "link.state", "verification", "now", "count", "passcode", "name"):
        found = lookup(value, key)
        if found is not MISSING and found is not None:
            return f"ok ({key}: {found})"
    return "ok"
