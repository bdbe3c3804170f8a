"""The append-only journal of side effects and transitions."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any


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
