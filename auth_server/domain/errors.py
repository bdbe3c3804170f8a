"""The refusal every linksim operation raises when it will not do what was asked."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from auth_server.domain import codes
from auth_server.domain.codes import Kind


@dataclass(frozen=True)
class Violation:
    """One reason for a refusal: a stable code, the rule it enforces, and what to do."""

    code: str
    message: str
    rules: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, code: str, **details: Any) -> Violation:
        entry = codes.get(code)
        return cls(code, entry.render(**details), entry.rules, details)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "rules": list(self.rules), "details": self.details}


class Refused(Exception):
    """Raised when linksim refuses a request; carries every violation found, not only the first."""

    def __init__(self, violations: list[Violation] | Violation) -> None:
        self.violations = [violations] if isinstance(violations, Violation) else list(violations)
        if not self.violations:
            raise ValueError("a refusal needs at least one violation")
        super().__init__("; ".join(f"{v.code}: {v.message}" for v in self.violations))

    @classmethod
    def because(cls, code: str, **details: Any) -> Refused:
        return cls(Violation.of(code, **details))

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.violations]

    @property
    def code(self) -> str:
        """The first code: what a client that matches on one code should look at."""
        return self.violations[0].code

    @property
    def kind(self) -> Kind:
        return codes.get(self.code).kind

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.violations[0].message,
            "violations": [v.as_dict() for v in self.violations],
        }
