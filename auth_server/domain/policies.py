"""Per-market policy profiles.

The documents disagree on some limits (the global help pages say 24 hours before an
unlink; Tokopedia's says 48 hours and at most three official unbinds). Each variant
is a profile of plain data; a shop's market picks its profile. Adding a market means
adding data (see ``auth_server/markets.yaml``), never a branch in the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import fields
from dataclasses import replace
from datetime import timedelta
from typing import Any

from auth_server.domain.clock import parse_duration
from auth_server.domain.links import Role
from auth_server.domain.shops import ReviewMode


@dataclass(frozen=True, kw_only=True)
class Policy:
    market: str
    official_unlink_wait: timedelta = timedelta(hours=24)
    marketing_unlink_wait: timedelta = timedelta(hours=24)
    official_unbinds_per_shop: int | None = None  # None: no limit
    marketing_links_per_account: int = 10
    marketing_link_window: timedelta = timedelta(days=180)
    marketing_slots_per_shop: int = 4
    region_must_match: frozenset[Role] = frozenset({Role.OFFICIAL})
    holder_checks_for: frozenset[Role] = frozenset({Role.OFFICIAL})  # roles whose holder's standing and age count
    minimum_age: int = 18
    eligible_regions: frozenset[str] | None = None  # None: every region
    official_permissions: tuple[str, ...] = ("profile_information", "content", "audience_data")
    live_mirroring_allowed: bool = True
    relink_wait: timedelta = timedelta(0)
    qr_lifetime: timedelta = timedelta(minutes=5)
    invitation_lifetime: timedelta = timedelta(days=7)
    passcode_lifetime: timedelta = timedelta(minutes=5)
    review_mode: ReviewMode = ReviewMode.AUTO
    review_delay: timedelta = timedelta(0)
    shopping_bag_delay: timedelta = timedelta(0)
    sources: tuple[str, ...] = ()

    def unlink_wait(self, role: Role) -> timedelta:
        return self.official_unlink_wait if role is Role.OFFICIAL else self.marketing_unlink_wait

    @classmethod
    def from_mapping(cls, market: str, data: Mapping[str, Any], base: Policy | None = None) -> Policy:
        """Build a profile from plain data (durations as ``24h``), on top of ``base`` if given."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known) - {"inherits"})
        if unknown:
            raise ValueError(f"market {market!r}: unknown settings {', '.join(unknown)}; known: {', '.join(known)}")
        values: dict[str, Any] = {"market": market}
        for name, raw in data.items():
            if name == "inherits":
                continue
            values[name] = _convert(name, raw, market)
        return replace(base, **values) if base is not None else cls(**values)


def _convert(name: str, raw: Any, market: str) -> Any:
    try:
        if name.endswith(("_wait", "_window", "_lifetime", "_delay")):
            return parse_duration(str(raw))
        if name in ("region_must_match", "holder_checks_for"):
            return frozenset(Role(r) for r in raw)
        if name == "eligible_regions":
            return None if raw is None else frozenset(str(r).upper() for r in raw)
        if name in ("official_permissions", "sources"):
            return tuple(str(r) for r in raw)
        if name == "review_mode":
            return ReviewMode(raw)
        if name in ("official_unbinds_per_shop",):
            return None if raw is None else int(raw)
        if name in ("marketing_links_per_account", "marketing_slots_per_shop", "minimum_age"):
            return int(raw)
        if name == "live_mirroring_allowed":
            if not isinstance(raw, bool):
                raise ValueError("write true or false")
            return raw
    except (TypeError, ValueError) as exc:
        raise ValueError(f"market {market!r}: setting {name}: {exc}") from None
    return raw


class Markets:
    """The policy profiles by market name."""

    def __init__(self, profiles: Mapping[str, Policy]) -> None:
        self._profiles = dict(profiles)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Mapping[str, Any]]) -> Markets:
        """Build profiles from data; a profile may ``inherits`` another one defined before or after it."""
        built: dict[str, Policy] = {}

        def build(name: str, trail: tuple[str, ...]) -> Policy:
            if name in built:
                return built[name]
            if name not in data:
                raise ValueError(f"market {trail[-1]!r} inherits {name!r}, which is not defined")
            if name in trail:
                raise ValueError(f"markets inherit in a circle: {' -> '.join((*trail, name))}")
            spec = data[name] or {}
            parent = spec.get("inherits")
            base = build(parent, (*trail, name)) if parent else None
            built[name] = Policy.from_mapping(name, spec, base)
            return built[name]

        for name in data:
            build(name, ())
        return cls(built)

    def merged(self, other: Markets) -> Markets:
        return Markets({**self._profiles, **other._profiles})

    def __getitem__(self, market: str) -> Policy:
        try:
            return self._profiles[market]
        except KeyError:
            raise KeyError(f"unknown market {market!r}; known markets: {', '.join(sorted(self._profiles))}") from None

    def __contains__(self, market: object) -> bool:
        return market in self._profiles

    @property
    def default(self) -> Policy:
        """The profile for what belongs to no shop (``global`` when it is defined)."""
        return self._profiles.get("global") or self._profiles[self.names()[0]]

    def names(self) -> list[str]:
        return sorted(self._profiles)
