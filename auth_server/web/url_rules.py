"""The app's URL rules: Werkzeug's, with each URL builder compiled when it is first used.

Werkzeug compiles two URL builders for every rule when the rule is added (Python source generated and compiled:
about 0.1 ms each), for ``url_for``. The app has some 130 rules, so that was about 28 ms of every ``create_app``,
hence of ``linksim serve``'s start and of each worker's, while a process builds the URLs of a few of them. Here a
builder is compiled the first time it builds a URL, and kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule

Builder = Callable[..., tuple[str, str]]


class BuiltWhenFirstUsed(Rule):
    """A rule whose URL builders are compiled by their first ``url_for``. Two threads building the same rule's first
    URL at once may both compile it: the same builder, kept twice, harmlessly."""

    def _compile_builder(self, append_unknown: bool = True) -> Builder:
        compiled: Builder | None = None

        def build(rule: Rule, **values: Any) -> tuple[str, str]:
            nonlocal compiled
            if compiled is None:
                compiled = Rule._compile_builder(rule, append_unknown)
            return compiled(rule, **values)

        return build
