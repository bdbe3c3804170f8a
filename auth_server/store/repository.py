"""The domain's :class:`~auth_server.domain.repository.Repository` over a SQLAlchemy session."""

from __future__ import annotations

import functools
from collections.abc import Collection
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session
from sqlalchemy.orm import UOWTransaction

from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AppSession
from auth_server.domain.accounts import OrgMember
from auth_server.domain.accounts import Passcode
from auth_server.domain.accounts import Verification
from auth_server.domain.accounts import VerificationOutcome
from auth_server.domain.affiliates import AffiliateInvitation
from auth_server.domain.affiliates import LiveSession
from auth_server.domain.affiliates import ShowcaseItem
from auth_server.domain.events import Event
from auth_server.domain.links import HOLDING_STATES
from auth_server.domain.links import Invitation
from auth_server.domain.links import InvitationState
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.domain.shops import Product
from auth_server.domain.shops import Seller
from auth_server.domain.shops import Shop
from auth_server.store import schema

T = TypeVar("T")
_REPOSITORY = "linksim.repository"  # the session's info key of the repository over it


class SqlRepository:
    def __init__(self, session: Session, *, reading: bool = False) -> None:
        self.session = session
        self.reading = reading  # a transaction that only reads: what it gets are copies (see get)
        self.added_events = False  # whether this transaction added a domain event (the request journal asks)
        self.written_tables: set[str] = set()  # the tables this transaction wrote to (Store.write_mark)
        self._locked: set[tuple[type[Any], str]] = set()  # the rows this transaction read under its lock
        session.info[_REPOSITORY] = self

    def add(self, obj: object) -> None:
        self.session.add(obj)
        if isinstance(obj, Event):
            self.added_events = True

    def remove(self, obj: object) -> None:
        self.session.delete(obj)
        self._locked.clear()  # a row removed is read again, to find it gone

    def flush(self) -> None:
        self.session.flush()

    # by class, for whatever is mapped onto the metadata (the OAuth records map themselves)
    def get(self, cls: type[T], key: str, *, lock: bool = False) -> T | None:
        """The object of ``cls`` whose primary key is ``key``; in a transaction that only reads, a copy
        (:meth:`peek`: it changes nothing, so the ORM's bookkeeping would be paid for nothing)."""
        if self.reading and not lock:
            return self.peek(cls, key)
        if lock and (cls, key) in self._locked:
            lock = False  # read under the lock already: no other transaction can have changed it since
        # Once the lock is ours, read the row again: another transaction may have changed it meanwhile.
        found = self.session.get(cls, key, with_for_update=lock or None, populate_existing=lock)
        if lock and found is not None:
            self._locked.add((cls, key))
        return found

    def peek(self, cls: type[T], key: str) -> T | None:
        """A copy of the object of ``cls`` whose primary key is ``key``, which the session does not keep: one SELECT
        without the ORM's identity map and loading (about a third of what :meth:`get` costs). For a look-up only:
        a change to the copy is never saved (:meth:`get` it, locked, to change it)."""
        shape = _shape(cls)
        row = self.session.connection().execute(shape.by_key, {"key": key}).first()
        return shape.build(row) if row is not None else None

    def insert(self, obj: object) -> None:
        """Write a new object at once, one INSERT, without the session keeping it (the ORM's flush is most of what
        :meth:`add` costs): for a record the rest of the transaction neither reads through the session nor changes."""
        if isinstance(obj, Event):
            raise TypeError("events are added (the request journal counts them), not inserted")
        shape = _shape(type(obj))
        self.session.connection().execute(shape.insert, shape.values(obj))
        self.written_tables.add(shape.table.name)  # past the session's events, which note the others

    def change_where(self, cls: type[Any], where: dict[str, object], **values: object) -> int:
        """Set ``values`` on the rows of ``cls`` whose attributes equal ``where`` (None: IS NULL), in one UPDATE that
        the session does not see (its objects of ``cls`` are not refreshed); how many rows it changed."""
        shape = _shape(cls)
        statement = shape.update(tuple((name, value is None) for name, value in where.items()), tuple(values))
        parameters = {f"where_{name}": value for name, value in where.items() if value is not None}
        parameters.update({f"set_{name}": value for name, value in values.items()})
        self.written_tables.add(shape.table.name)
        return int(self.session.connection().execute(statement, parameters).rowcount)

    def first_where(self, cls: type[T], *, lock: bool = False, **equal: object) -> T | None:
        """The first object of ``cls`` whose attributes equal ``equal``."""
        query = sa.select(cls).filter_by(**equal)
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query.execution_options(populate_existing=True)).first()

    def all_of(self, cls: type[T], *, order_by: str) -> list[T]:
        return self._all(sa.select(cls).order_by(getattr(cls, order_by)))

    def all_where(self, cls: type[T], *, order_by: str, **equal: object) -> list[T]:
        """Every object of ``cls`` whose attributes equal ``equal``."""
        return self._all(sa.select(cls).filter_by(**equal).order_by(getattr(cls, order_by)))

    def all_due(self, cls: type[T], *, due: str, now: datetime, limit: int = 100) -> list[T]:
        """The objects of ``cls`` whose ``due`` time has come (a None time never comes), earliest first."""
        column = getattr(cls, due)
        return self._all(sa.select(cls).where(column.is_not(None), column <= now).order_by(column).limit(limit))

    def claimable(self, cls: type[T], *, due: str, now: datetime, claimed: str, wall_now: datetime,
                  lock: bool = True) -> T | None:
        """The earliest due object of ``cls`` that no one holds (its ``claimed`` time is None or past ``wall_now``),
        locked for this transaction to claim it; on PostgreSQL one another transaction is claiming is skipped, and on
        SQLite the write lock of the transaction keeps claims apart. Not ``lock``: only whether there is one, as a
        reading transaction may ask."""
        column, claim = getattr(cls, due), getattr(cls, claimed)
        query = (sa.select(cls).where(column.is_not(None), column <= now, sa.or_(claim.is_(None), claim <= wall_now))
                 .order_by(column).limit(1))
        if lock:
            query = query.with_for_update(skip_locked=True)
        found: T | None = self.session.scalars(query.execution_options(populate_existing=True)).first()
        return found

    def _all(self, query: sa.Select[Any]) -> list[Any]:
        # Rules read these after taking their locks: refresh objects this session loaded before.
        return list(self.session.scalars(query.execution_options(populate_existing=True)))

    # sellers, shops, products
    def seller(self, seller_id: str) -> Seller | None:
        return self.get(Seller, seller_id)

    def shop(self, shop_id: str, *, lock: bool = False) -> Shop | None:
        return self.get(Shop, shop_id, lock=lock)

    def shops(self, shop_ids: Collection[str] | None = None, *, limit: int | None = None) -> Sequence[Shop]:
        """Every shop, or those of ``shop_ids``; the first ``limit`` of them, by id."""
        query = sa.select(Shop).order_by(schema.shops.c.shop_id).limit(limit)
        if shop_ids is not None:
            query = query.where(schema.shops.c.shop_id.in_(list(shop_ids)))
        return self._all(query)

    def shops_matching(self, text: str, *, limit: int) -> Sequence[Shop]:
        """The shops whose name or id holds ``text`` (in any case), the first ``limit`` of them by id."""
        c = schema.shops.c
        return self._all(sa.select(Shop).where(sa.or_(c.name.icontains(text, autoescape=True),
                                                       c.shop_id.icontains(text, autoescape=True)))
                         .order_by(c.shop_id).limit(limit))

    def count_of(self, cls: type[Any]) -> int:
        """How many objects of ``cls`` the store holds."""
        table = sa.inspect(cls).local_table
        return int(self.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)

    def shops_of_seller(self, seller_id: str) -> Sequence[Shop]:
        c = schema.shops.c
        return self._all(sa.select(Shop).where(c.seller_id == seller_id).order_by(c.shop_id))

    def product(self, product_id: str) -> Product | None:
        return self.get(Product, product_id)

    def products(self, shop_id: str) -> Sequence[Product]:
        return self._all(sa.select(Product).where(schema.products.c.shop_id == shop_id))

    # accounts
    def account(self, open_id: str, *, lock: bool = False) -> Account | None:
        return self.get(Account, open_id, lock=lock)

    def account_by_username(self, username: str) -> Account | None:
        return self.session.scalars(sa.select(Account).where(schema.accounts.c.username == username)).first()

    def usernames(self, open_ids: Collection[str]) -> dict[str, str]:
        """The usernames of the accounts of ``open_ids`` (those there are), by open id: one statement, whatever their
        number."""
        if not open_ids:
            return {}
        c = schema.accounts.c
        rows = self.session.execute(sa.select(c.open_id, c.username).where(c.open_id.in_(list(open_ids))))
        return {open_id: username for open_id, username in rows}

    def accounts(self, *, limit: int | None = None) -> Sequence[Account]:
        """Every account, or the first ``limit`` of them, by username."""
        return self._all(sa.select(Account).order_by(schema.accounts.c.username).limit(limit))

    def accounts_with_ids(self, open_ids: Collection[str]) -> Sequence[Account]:
        c = schema.accounts.c
        return self._all(sa.select(Account).where(c.open_id.in_(list(open_ids))).order_by(c.username))

    def accounts_by_nickname(self, nickname: str) -> Sequence[Account]:
        c = schema.accounts.c
        return self._all(sa.select(Account).where(sa.func.lower(c.nickname) == nickname.lower()).order_by(c.username))

    def accounts_due_for_verification(self, now: datetime) -> Sequence[Account]:
        return self._all(sa.select(Account).where(_verification_due(now)).with_for_update(skip_locked=True))

    def org_members(self, open_id: str) -> Sequence[OrgMember]:
        c = schema.org_members.c
        return self._all(sa.select(OrgMember).where(c.open_id == open_id).order_by(c.id))

    def app_session(self, session_id: str, *, lock: bool = False) -> AppSession | None:
        return self.get(AppSession, session_id, lock=lock)

    def latest_passcode(self, open_id: str, contact: str) -> Passcode | None:
        c = schema.passcodes.c
        query = sa.select(Passcode).where(c.open_id == open_id, c.contact == contact).order_by(c.id.desc())
        return self.session.scalars(query).first()

    # links
    def link(self, link_id: str, *, lock: bool = False) -> Link | None:
        return self.get(Link, link_id, lock=lock)

    def links(self, *, shop_id: str | None = None, open_id: str | None = None) -> Sequence[Link]:
        c = schema.links.c
        query = sa.select(Link).order_by(c.created_at, c.link_id)
        if shop_id is not None:
            query = query.where(c.shop_id == shop_id)
        if open_id is not None:
            query = query.where(c.open_id == open_id)
        return self._all(query)

    def requests_for(self, open_id: str) -> Sequence[Link]:
        """Seller-app consent requests sent to this account and still waiting for its answer."""
        c = schema.links.c
        return self._all(sa.select(Link).where(c.expected_open_id == open_id, c.state == LinkState.PENDING_CONSENT)
                         .order_by(c.created_at, c.link_id))

    def latest_links(self, limit: int) -> Sequence[Link]:
        """The ``limit`` links made last, the newest first."""
        c = schema.links.c
        return self._all(sa.select(Link).order_by(c.created_at.desc(), c.link_id.desc()).limit(limit))

    def holding_links(
        self, *, shop_id: str | None = None, open_id: str | None = None, role: Role | None = None,
        open_ids: Collection[str] | None = None,
    ) -> Sequence[Link]:
        c = schema.links.c
        query = sa.select(Link).where(c.state.in_(HOLDING_STATES)).order_by(c.created_at, c.link_id)
        if shop_id is not None:
            query = query.where(c.shop_id == shop_id)
        if open_id is not None:
            query = query.where(c.open_id == open_id)
        if open_ids is not None:
            query = query.where(c.open_id.in_(list(open_ids)))
        if role is not None:
            query = query.where(c.role == role)
        return self._all(query)

    def official_unbinds(self, shop_id: str) -> int:
        c = schema.links.c
        query = sa.select(sa.func.count()).where(
            c.shop_id == shop_id, c.role == Role.OFFICIAL, c.state == LinkState.UNLINKED
        )
        return int(self.session.scalar(query) or 0)

    def links_due(self, now: datetime) -> Sequence[Link]:
        c = schema.links.c
        return self._all(
            sa.select(Link).where(_link_due(now)).order_by(c.created_at, c.link_id).with_for_update(skip_locked=True))

    def anything_due(self, now: datetime) -> bool:
        """Whether any verification, link, invitation or affiliate invitation came due: one query, nothing loaded."""
        return bool(self.session.scalar(_ANYTHING_DUE, {"now": now}))

    # invitations
    def invitation(self, invitation_id: str, *, lock: bool = False) -> Invitation | None:
        return self.get(Invitation, invitation_id, lock=lock)

    def invitations(self, *, open_id: str | None = None, shop_id: str | None = None) -> Sequence[Invitation]:
        c = schema.invitations.c
        query = sa.select(Invitation).order_by(c.created_at, c.invitation_id)
        if open_id is not None:
            query = query.where(c.open_id == open_id)
        if shop_id is not None:
            query = query.where(c.shop_id == shop_id)
        return self._all(query)

    def latest_invitations(self, limit: int) -> Sequence[Invitation]:
        """The ``limit`` invitations sent last, the newest first."""
        c = schema.invitations.c
        return self._all(sa.select(Invitation).order_by(c.created_at.desc(), c.invitation_id.desc()).limit(limit))

    def invitations_due(self, now: datetime) -> Sequence[Invitation]:
        return self._all(sa.select(Invitation).where(_invitation_due(schema.invitations, now))
                         .with_for_update(skip_locked=True))

    def affiliate_invitation(self, invitation_id: str, *, lock: bool = False) -> AffiliateInvitation | None:
        return self.get(AffiliateInvitation, invitation_id, lock=lock)

    def affiliate_invitations(self, *, open_id: str) -> Sequence[AffiliateInvitation]:
        c = schema.affiliate_invitations.c
        return self._all(sa.select(AffiliateInvitation).where(c.open_id == open_id).order_by(c.created_at))

    def affiliate_invitations_due(self, now: datetime) -> Sequence[AffiliateInvitation]:
        return self._all(sa.select(AffiliateInvitation).where(_invitation_due(schema.affiliate_invitations, now))
                         .with_for_update(skip_locked=True))

    def showcase(self, open_id: str) -> Sequence[ShowcaseItem]:
        c = schema.showcase_items.c
        return self._all(sa.select(ShowcaseItem).where(c.open_id == open_id).order_by(c.id))

    def live_session(self, open_id: str) -> LiveSession | None:
        c = schema.live_sessions.c
        return self.session.scalars(sa.select(LiveSession).where(c.open_id == open_id, c.ended_at.is_(None))).first()

    # the journal
    def events(
        self, *, subject_type: str | None = None, subject_id: str | None = None, after_seq: int = 0,
        limit: int | None = None,
    ) -> Sequence[Event]:
        c = schema.events.c
        query = sa.select(Event).where(c.seq > after_seq).order_by(c.seq).limit(limit)
        if subject_type is not None:
            query = query.where(c.subject_type == subject_type)
        if subject_id is not None:
            query = query.where(c.subject_id == subject_id)
        return self._all(query)

    def event_seq_back(self, count: int) -> int:
        """The seq of the event ``count`` events before the newest (0 when there are not so many)."""
        c = schema.events.c
        return int(self.session.scalar(sa.select(c.seq).order_by(c.seq.desc()).offset(count).limit(1)) or 0)

    def event_seqs(self, *, after_seq: int = 0) -> Sequence[int]:
        """The numbers of the events after ``after_seq``: what the request journal needs, without the events."""
        c = schema.events.c
        return self.session.scalars(sa.select(c.seq).where(c.seq > after_seq).order_by(c.seq)).all()

    # simulator settings (the clock of the command line, for instance)
    def setting(self, key: str, *, lock: bool = False) -> Any:
        """A setting's value; with ``lock``, its row is held until the transaction ends (PostgreSQL)."""
        query = sa.select(schema.settings.c.value).where(schema.settings.c.key == key)
        return self.session.scalar(query.with_for_update() if lock else query)

    def set_setting(self, key: str, value: Any) -> None:
        table = schema.settings
        if self.setting(key) is None:
            self.session.execute(table.insert().values(key=key, value=value))
        else:
            self.session.execute(table.update().where(table.c.key == key).values(value=value))


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _flush: UOWTransaction) -> None:
    repo = session.info.get(_REPOSITORY)
    if repo is not None:  # the flush's objects, still as they were before it
        repo.written_tables.update(_table_of(obj.__class__) for obj in (*session.new, *session.dirty, *session.deleted))


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    repo = state.session.info.get(_REPOSITORY)
    if repo is not None and (state.is_insert or state.is_update or state.is_delete):
        repo.written_tables.add(state.statement.table.name)  # type: ignore[attr-defined]


@functools.cache
def _table_of(cls: type[Any]) -> str:
    return str(sa.inspect(cls).local_table.name)


# What came due on the clock, as conditions: the due lists load what settling applies, anything_due only asks.
def _verification_due(now: datetime | sa.BindParameter[datetime]) -> sa.ColumnElement[bool]:
    c = schema.accounts.c
    return sa.and_(c.verification == Verification.PENDING, c.verification_due_at <= now,
                   c.verification_outcome != VerificationOutcome.STAY_PENDING)


def _link_due(now: datetime | sa.BindParameter[datetime]) -> sa.ColumnElement[bool]:
    c = schema.links.c
    return sa.or_(sa.and_(c.state == LinkState.PENDING_REVIEW, c.review_due_at <= now),
                  sa.and_(c.state == LinkState.PENDING_CONSENT, c.consent_expires_at <= now))


def _invitation_due(table: sa.Table, now: datetime | sa.BindParameter[datetime]) -> sa.ColumnElement[bool]:
    return sa.and_(table.c.state == InvitationState.PENDING, table.c.expires_at <= now)


_NOW: sa.BindParameter[datetime] = sa.bindparam("now")
# Built once: it is asked before every operation of the service.
_ANYTHING_DUE = sa.select(sa.or_(*(sa.select(table.c[0]).where(condition).exists() for table, condition in (
    (schema.accounts, _verification_due(_NOW)), (schema.links, _link_due(_NOW)),
    (schema.invitations, _invitation_due(schema.invitations, _NOW)),
    (schema.affiliate_invitations, _invitation_due(schema.affiliate_invitations, _NOW))))))


class _Shape:
    """How a mapped class's objects are read by primary key and written, in SQLAlchemy Core (statements built once)."""

    def __init__(self, cls: type[Any]) -> None:
        mapper = sa.inspect(cls)
        self.cls = cls
        self.columns = [(attribute.key, attribute.columns[0]) for attribute in mapper.column_attrs]
        (key,) = mapper.primary_key
        self.by_key = sa.select(*(column for _, column in self.columns)).where(key == sa.bindparam("key"))
        self.table = mapper.local_table
        self.insert = self.table.insert()
        self._by_name: dict[str, sa.Column[Any]] = dict(self.columns)
        self._updates: dict[tuple[tuple[tuple[str, bool], ...], tuple[str, ...]], sa.Update] = {}

    def column(self, name: str) -> sa.Column[Any]:
        return self._by_name[name]

    def update(self, where: tuple[tuple[str, bool], ...], values: tuple[str, ...]) -> sa.Update:
        """``UPDATE`` of the rows whose attributes named in ``where`` equal the parameters ``where_<name>`` (or are
        NULL, where flagged), setting the attributes named in ``values`` to ``set_<name>``: built once for each shape
        of call (building it again each time, and finding its compiled form by it, was most of what it cost)."""
        statement = self._updates.get((where, values))
        if statement is None:
            condition = [self.column(name).is_(None) if is_null
                         else self.column(name) == sa.bindparam(f"where_{name}", type_=self.column(name).type)
                         for name, is_null in where]
            statement = self._updates[(where, values)] = self.table.update().where(*condition).values(
                {self.column(name): sa.bindparam(f"set_{name}", type_=self.column(name).type) for name in values})
        return statement

    def build(self, row: sa.Row[Any]) -> Any:
        return self.cls(**{name: value for (name, _), value in zip(self.columns, row, strict=True)})

    def values(self, obj: object) -> dict[str, Any]:
        return {column.key: getattr(obj, name) for name, column in self.columns}


_SHAPES: dict[type[Any], _Shape] = {}


def _shape(cls: type[Any]) -> _Shape:
    shape = _SHAPES.get(cls)
    if shape is None:  # two threads may build it at once: the same shape either way
        shape = _SHAPES[cls] = _Shape(cls)
    return shape
