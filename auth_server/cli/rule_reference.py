"""``linksim rules``: every rule, as the code enforces it: what it allows and refuses (the rule book), the checks
that enforce it (``rules.py``), the codes it refuses with (``codes.py``), the market settings it reads and their
values in each built-in market (``markets.yaml``), and the shipped scenarios that exercise it. docs/rules.md is
``linksim rules --markdown`` (``make docs`` writes it; a test checks it is current).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import fields
from typing import Any

import click

from auth_server.cli.context import Context
from auth_server.cli.context import pass_ctx
from auth_server.domain import codes
from auth_server.domain import rules
from auth_server.domain.clock import format_duration
from auth_server.domain.policies import Markets
from auth_server.domain.policies import Policy
from auth_server.domain.rule_book import RULE_BOOK
from auth_server.markets import builtin_markets
from auth_server.scenarios import model

RULE_ID = re.compile(r"^([OMUE]\d+)")
SETTING_READ = re.compile(r"\bpolicy\.([a-z_]+)")
SELF_READ = re.compile(r"\bself\.([a-z_]+)")
SETTINGS = {f.name for f in fields(Policy)} - {"market", "sources"}


@dataclass(frozen=True)
class RuleEntry:
    rule_id: str
    statement: str
    checks: tuple[str, ...]  # the functions of rules.py that enforce it
    codes: tuple[str, ...]  # the refusal codes that name it
    settings: tuple[str, ...]  # the market settings its checks read
    scenarios: tuple[str, ...]  # the shipped scenarios that exercise it


def entries() -> list[RuleEntry]:
    """Every rule of the book, joined with the code that names it."""
    checks = _checks()
    refusals = {rule_id: tuple(sorted(c.name for c in codes.CATALOGUE.values() if rule_id in c.rules))
                for rule_id in RULE_BOOK}
    scenarios = _scenarios()
    made = []
    for rule_id, statement in RULE_BOOK.items():
        enforcing = checks.get(rule_id, [])
        made.append(RuleEntry(
            rule_id, statement,
            checks=tuple(check.__name__ for check in enforcing),
            codes=refusals[rule_id],
            settings=tuple(sorted({name for check in enforcing for name in settings_read(check)})),
            scenarios=tuple(scenarios.get(rule_id, [])),
        ))
    return made


def named_rule_ids() -> set[str]:
    """Every rule id the code names: its checks, its refusal codes, its shipped scenarios."""
    return set(_checks()) | {rule for c in codes.CATALOGUE.values() for rule in c.rules} | set(_scenarios())


def settings_read(check: Callable[..., Any]) -> set[str]:
    """The market settings a check reads (``policy.<setting>``, and through a method of the policy, what it reads)."""
    found: set[str] = set()
    for name in SETTING_READ.findall(inspect.getsource(check)):
        method = getattr(Policy, name, None)
        if callable(method):
            found |= {read for read in SELF_READ.findall(inspect.getsource(method)) if read in SETTINGS}
        elif name in SETTINGS:
            found.add(name)
    return found


def _checks() -> dict[str, list[Callable[..., Any]]]:
    by_rule: dict[str, list[Callable[..., Any]]] = {}
    for group in (rules.SHOP_RULES, rules.LINK_RULES, rules.CONSENT_RULES, rules.UNLINK_RULES):
        for rule in group:
            for rule_id in rule.ids:
                known = by_rule.setdefault(rule_id, [])
                if rule.check not in known:  # the link rules include the shop rules
                    known.append(rule.check)
    # Checks outside the link and unlink rules name their rule first in their docstring ("E2: ...").
    for _, function in inspect.getmembers(rules, inspect.isfunction):
        found = RULE_ID.match(inspect.getdoc(function) or "")
        if function.__module__ == rules.__name__ and found and function not in by_rule.get(found.group(1), []):
            by_rule.setdefault(found.group(1), []).append(function)
    return by_rule


def _scenarios() -> dict[str, list[str]]:
    by_rule: dict[str, list[str]] = {}
    for path in model.library():
        for rule_id in model.load(path).rules:
            by_rule.setdefault(rule_id, []).append(path.stem)
    return by_rule


def _value(value: Any) -> str:
    if value is None:
        return "no limit"
    if hasattr(value, "total_seconds"):
        return format_duration(value)
    if isinstance(value, frozenset | tuple | list):
        return ", ".join(sorted(str(getattr(v, "value", v)) for v in value)) or "none"
    return str(getattr(value, "value", value))


def markdown(markets: Markets | None = None) -> str:
    """docs/rules.md."""
    markets = markets or builtin_markets()
    names = markets.names()
    lines = [
        "# The linking rules, as linksim enforces them",
        "",
        "<!-- Made by `linksim rules --markdown` (make docs) from the code: edit auth_server/domain/rule_book.py,",
        "     rules.py, codes.py or markets.yaml, not this page. A test checks that it is current. -->",
        "",
        "Each rule has an id (O: official account, M: marketing accounts, U: unlinking, E: effects of a link).",
        "For each: what it allows and refuses; the checks in `auth_server/domain/rules.py` that enforce it; the",
        "refusal codes that name it (their messages are in the README's table of codes); the market settings its",
        f"checks read, with their values in each built-in market ({', '.join(f'`{n}`' for n in names)}); and the",
        "shipped scenarios that exercise it (`linksim scenario run O02`).",
        "",
    ]
    for entry in entries():
        lines += [f"## {entry.rule_id}", "", entry.statement, ""]
        lines.append(f"- checks: {_listed(entry.checks) or 'none of its own (a flow, an effect or a reading)'}")
        lines.append(f"- refuses with: {_listed(entry.codes) or 'nothing (it refuses nothing itself)'}")
        if entry.settings:
            lines.append("- market settings:")
            for setting in entry.settings:
                values = "; ".join(f"{name}: {_value(getattr(markets[name], setting))}" for name in names)
                lines.append(f"  - `{setting}` ({values})")
        lines.append(f"- scenarios: {_listed(entry.scenarios) or 'none'}")
        lines.append("")
    return "\n".join(lines)


def _listed(items: tuple[str, ...]) -> str:
    return ", ".join(f"`{item}`" for item in items)


@click.command(name="rules")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print docs/rules.md.")
@pass_ctx
def rules_command(ctx: Context, as_markdown: bool) -> None:
    """Every rule: what it allows and refuses, its checks, its refusal codes, its market settings, its scenarios."""
    if as_markdown:
        click.echo(markdown(), nl=False)
        click.echo()
        return
    made = entries()
    ctx.emit([entry.__dict__ for entry in made],
             lambda: "\n".join(f"{e.rule_id:<4} {e.statement}\n     refuses with: {', '.join(e.codes) or '-'}"
                               for e in made))
