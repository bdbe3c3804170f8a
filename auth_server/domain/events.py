"""Domain events: the append-only record of side effects and transitions, and how their values are written."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from dataclasses import is_dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

_SECRETS = frozenset({"password_hash", "code_hash"})


@dataclass(kw_only=True, eq=False)
class Event:
    """Something that happened: when (on the simulated clock), who did it, to what, and what changed.

    ``changes`` maps each changed attribute to ``[before, after]``; other facts go in ``data``.
    """

    at: datetime
    actor: str
    kind: str
    subject_type: str
    subject_id: str
    changes: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "kind": self.kind,
            "subject": f"{self.subject_type}:{self.subject_id}",
            "changes": self.changes,
            "data": self.data,
        }


def plain(value: Any) -> Any:
    """A value as JSON carries it: times in ISO 8601, durations in seconds, enums by value, no secrets."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value) if f.name not in _SECRETS}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value
