"""The market profiles that ship with linksim (``auth_server/markets.yaml``)."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

from auth_server.domain.policies import Markets


def builtin_market_data() -> dict[str, Any]:
    text = resources.files("auth_server").joinpath("markets.yaml").read_text(encoding="utf-8")
    return dict(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))  # libyaml's, where built


@functools.cache
def builtin_markets() -> Markets:
    """Read once a process (4 ms each time, with Python's YAML parser): the start asks for them, and so does every
    sandbox a process opens and every reload of a world's markets. :class:`Markets` is never changed in place."""
    return Markets.from_mapping(builtin_market_data())
