"""A world's fault rules kept in its store, so that every process serving the world applies the same rules.

Each process caches the rules (reloaded when the world's revision changes, :mod:`.world_controls`) to match a request
by its method and path without a read. A rule that matches is then counted in the store, in one transaction: its
``matched`` counter taken only while it has ``times`` left (a conditional UPDATE, so ``times: 1`` fires once however
many processes match at once), its probability drawn for that count (``Random(f"{seed}:{n}")``, repeatable), and
``hits`` counted if it fires. Each count bumps the revision, so the other processes see the new counters.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import sqlalchemy as sa

from auth_server.control import world_controls
from auth_server.control.fault_plan import MAX_RULES
from auth_server.control.fault_plan import FaultRule
from auth_server.control.fault_plan import id_taken
from auth_server.control.fault_plan import plan_full
from auth_server.control.tables import fault_rules
from auth_server.control.world_controls import session_of
from auth_server.domain import codes
from auth_server.domain.errors import Refused
from auth_server.store import Store

C = fault_rules.c
IN_FORCE = sa.or_(C.times.is_(None), C.hits < C.times)


class StoredFaultPlan:
    """A :class:`~auth_server.control.fault_plan.FaultPlan` whose rules and counters are rows of the world's store."""

    def __init__(self, store: Store, *, limit: int = MAX_RULES) -> None:
        self.store = store
        self.limit = limit
        self._cached: list[FaultRule] = []
        self._definitions: dict[str, str] = {}
        self._lock = threading.Lock()

    # --- the cache ---------------------------------------------------------------------------------------------

    def reload(self, repo: Any) -> None:
        """Take the rules as ``repo``'s transaction reads them; a rule gone is lifted (its held requests go on)."""
        rows = session_of(repo).execute(sa.select(fault_rules).order_by(C.position)).all()
        with self._lock:
            fresh = [self._rule_of(row) for row in rows]
            gone = [rule for rule in self._cached if rule.id not in {r.id for r in fresh}]
            self._cached = fresh
        for rule in gone:
            rule.lift()

    def _rule_of(self, row: Any) -> FaultRule:
        """The cached rule of ``row`` (the caller holds the lock), made anew if its definition changed."""
        rule = next((r for r in self._cached if r.id == row.id), None)
        if rule is None or self._definitions.get(row.id) != row.definition:
            if rule is not None:
                rule.lift()
            rule = FaultRule.from_definition(json.loads(row.definition))
            rule.still_there = lambda rule_id=row.id: self._in_force(rule_id)
            self._definitions[row.id] = row.definition
        rule.matched, rule.hits = row.matched, row.hits
        return rule

    def _cache(self, rows: list[Any]) -> list[FaultRule]:
        with self._lock:
            return [self._rule_of(row) for row in rows]

    # --- what the requests ask ---------------------------------------------------------------------------------

    def match(self, method: str, path: str) -> FaultRule | None:
        """The first active rule that matches the request and fires (counted in the store), or None."""
        return self._first_firing(lambda rule: rule.matches(method, path))

    def match_webhook(self, url: str) -> FaultRule | None:
        return self._first_firing(lambda rule: rule.matches_webhook(url))

    def _first_firing(self, matches: Any) -> FaultRule | None:
        with self._lock:
            candidates = [rule for rule in self._cached if rule.active and matches(rule)]
        for rule in candidates:
            if self._fires(rule):
                return rule
        return None

    def _fires(self, rule: FaultRule) -> bool:
        with self.store.unit_of_work() as repo:
            session = session_of(repo)
            # The row is the caller's until the transaction ends (SQLite's write lock, PostgreSQL's row lock).
            matched = session.execute(sa.update(fault_rules).where(C.id == rule.id, IN_FORCE)
                                      .values(matched=C.matched + 1).returning(C.matched)).scalar_one_or_none()
            if matched is None:  # used up or lifted by another process meanwhile
                row = session.execute(sa.select(C.matched, C.hits).where(C.id == rule.id)).one_or_none()
                fired = False
            else:
                fired = rule.draw(matched)
                if fired:
                    session.execute(sa.update(fault_rules).where(C.id == rule.id).values(hits=C.hits + 1))
                row = session.execute(sa.select(C.matched, C.hits).where(C.id == rule.id)).one()
                world_controls.bump(repo)
        if row is None:
            rule.lift()
        else:
            rule.matched, rule.hits = row.matched, row.hits
        return fired

    def _in_force(self, rule_id: str) -> bool:
        with self.store.reading() as repo:
            return session_of(repo).scalar(sa.select(C.id).where(C.id == rule_id)) is not None

    # --- the controls ------------------------------------------------------------------------------------------

    def add(self, body: object) -> FaultRule:
        """Add the rule a JSON body describes (see :meth:`FaultRule.from_json`) after the others."""
        with self.store.unit_of_work() as repo:
            session = session_of(repo)
            kept = world_controls.counters(repo, lock=True)  # one add at a time: ids and positions stay unique
            taken = set(session.scalars(sa.select(C.id)))
            number = kept.fault_ids + 1
            while f"flt_{number}" in taken:
                number += 1
            rule = FaultRule.from_json(body, f"flt_{number}")
            if rule.id in taken:
                raise id_taken(rule.id)
            if len(taken) >= self.limit:  # make room by forgetting retired rules
                session.execute(sa.delete(fault_rules).where(sa.not_(IN_FORCE)))
                if (session.scalar(sa.select(sa.func.count()).select_from(fault_rules)) or 0) >= self.limit:
                    raise plan_full(self.limit)
            position = (session.scalar(sa.select(sa.func.max(C.position))) or 0) + 1
            definition = json.dumps(rule.definition(), sort_keys=True)
            session.execute(fault_rules.insert().values(id=rule.id, position=position, definition=definition,
                                                        times=rule.times, matched=0, hits=0))
            if rule.id == f"flt_{number}":
                world_controls.change(repo, fault_ids=number)  # never handed out again, even once the rule is gone
            world_controls.bump(repo)
            row = session.execute(sa.select(fault_rules).where(C.id == rule.id)).one()
        with self._lock:
            cached = self._rule_of(row)
            self._cached = [r for r in self._cached if r.id != rule.id] + [cached]
        return cached

    def get(self, rule_id: str) -> FaultRule:
        with self.store.reading() as repo:
            row = session_of(repo).execute(sa.select(fault_rules).where(C.id == rule_id)).one_or_none()
        if row is None:
            raise Refused.because(codes.FAULT_NOT_FOUND, fault=rule_id)
        return self._cache([row])[0]

    def remove(self, rule_id: str) -> FaultRule:
        with self.store.unit_of_work() as repo:
            session = session_of(repo)
            row = session.execute(sa.select(fault_rules).where(C.id == rule_id)).one_or_none()
            if row is None:
                raise Refused.because(codes.FAULT_NOT_FOUND, fault=rule_id)
            session.execute(sa.delete(fault_rules).where(C.id == rule_id))
            world_controls.bump(repo)
        rule = self._cache([row])[0]
        with self._lock:
            self._cached = [r for r in self._cached if r.id != rule_id]
        rule.lift()
        return rule

    def clear(self) -> int:
        with self.store.unit_of_work() as repo:
            removed = session_of(repo).execute(sa.delete(fault_rules)).rowcount  # type: ignore[attr-defined]
            world_controls.bump(repo)
        self.release()
        return int(removed)

    def release(self) -> None:
        """Let go of the requests this process's rules hold, writing nothing: the world is going away (its store may
        be gone already)."""
        with self._lock:
            lifted, self._cached = self._cached, []
        for rule in lifted:
            rule.lift()

    def rules(self) -> list[FaultRule]:
        with self.store.reading() as repo:
            rows = session_of(repo).execute(sa.select(fault_rules).order_by(C.position)).all()
        return self._cache(list(rows))
