"""The market profiles that ship with linksim (``auth_server/markets.yaml``)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from auth_server.domain.policies import Markets


def builtin_market_data() -> dict[str, Any]:
    text = resources.files("auth_server").joinpath("markets.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def builtin_markets() -> Markets:
    return Markets.from_mapping(builtin_market_data())
