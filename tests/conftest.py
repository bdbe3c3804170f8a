"""Shared fixtures: a simulator on in-memory SQLite with a frozen clock, and a small world builder."""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from datetime import UTC
from datetime import date
from datetime import datetime
from itertools import count
from typing import Any

import pytest
import sqlalchemy

from auth_server.cli.loaded_worlds import CACHE_ENV
from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AccountType
from auth_server.domain.accounts import OrgMember
from auth_server.domain.accounts import Verification
from auth_server.domain.clock import ManualClock
from auth_server.domain.links import Link
from auth_server.domain.shops import Product
from auth_server.domain.shops import Seller
from auth_server.domain.shops import Shop
from auth_server.fixtures import add_shop_app
from auth_server.shop_partner.authorizations import ShopAuthorizations
from auth_server.shop_partner.models import ShopApp
from auth_server.shop_partner.models import UserType
from auth_server.simulator import Simulator
from auth_server.store import Store

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class WorldBuilder:
    """Builds parties straight into the store, and runs whole flows through the service.

    Defaults make a link succeed (an active shop in the US on the global market, a verified adult
    account in the US), so each test changes only what its rule is about.
    """

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.service = sim.service
        self._n = count(1)

    def _add(self, *objs: object) -> None:
        with self.sim.store.unit_of_work() as repo:
            for obj in objs:
                repo.add(obj)
                repo.flush()

    def seller(self, seller_id: str | None = None, *, entity: str = "ENT-1") -> Seller:
        seller = Seller(seller_id=seller_id or f"seller{next(self._n)}", name="A seller", entity_id=entity)
        self._add(seller)
        return seller

    def shop(self, shop_id: str | None = None, *, seller: Seller | None = None, **fields: Any) -> Shop:
        seller = seller or self.seller()
        shop_id = shop_id or f"shop{next(self._n)}"
        values: dict[str, Any] = {"name": f"Shop {shop_id}", "region": "US", "market": "global", **fields}
        shop = Shop(shop_id=shop_id, seller_id=seller.seller_id, **values)
        self._add(shop)
        return shop

    def account(self, username: str | None = None, **fields: Any) -> Account:
        username = username or f"user{next(self._n)}"
        values: dict[str, Any] = {
            "nickname": username.title(),
            "region": "US",
            "birth_date": date(1990, 5, 17),
            "verification": Verification.VERIFIED,
            **fields,
        }
        account = Account(open_id=f"oid_{username}", username=username, **values)
        self._add(account)
        return account

    def org_account(self, username: str, *, entity: str, **fields: Any) -> Account:
        return self.account(username, account_type=AccountType.ORGANIZATION, entity_id=entity, birth_date=None,
                            **fields)

    def org_member(self, account: Account, contact: str) -> OrgMember:
        """Someone who may sign in to the organization ``account`` by one-time passcode."""
        member = OrgMember(open_id=account.open_id, contact=contact, added_at=self.sim.clock.now())
        self._add(member)
        return member

    def product(self, shop: Shop, product_id: str | None = None, *, marketplace: bool = False) -> Product:
        product = Product(product_id=product_id or f"prod{next(self._n)}", shop_id=shop.shop_id, title="A product",
                          in_marketplace=marketplace)
        self._add(product)
        return product

    # TikTok Shop's authorizations
    def shop_for(self, client_key: str, shop_id: str | None = None, **fields: Any) -> Shop:
        """A shop (as :meth:`shop` makes it) whose seller authorized the partner app ``client_key``."""
        shop = self.shop(shop_id, **fields)
        self.authorize_partner_app(client_key, shop)
        return shop

    def authorize_partner_app(self, client_key: str, *shops: Shop) -> None:
        """The sellers of ``shops`` authorize the partner app ``client_key`` on TikTok Shop (its Shop app, made here
        if it has none), as on the authorization page: the app then acts for their shops on the linking API."""
        authorizations = self.shop_authorizations()
        app = self.shop_app_of(client_key)
        for shop in {shop.seller_id: shop for shop in shops}.values():
            offer = authorizations.offer_to_seller(app, shop.seller_id, f"Seller {shop.seller_id}")
            authorizations.grant(offer, shop.seller_id, offer.shops[0].region)

    def deauthorize_partner_app(self, client_key: str, shop: Shop) -> None:
        """The shop's seller removes the partner app's Shop app in Seller Center."""
        authorizations = self.shop_authorizations()
        grants = [grant for grant, app in authorizations.grants_of(shop.seller_id, [UserType.SELLER])
                  if app.client_key == client_key]
        assert grants, f"the seller {shop.seller_id} has not authorized {client_key}"
        authorizations.deauthorize(grants[0].grant_id, shop.seller_id)

    def shop_app_of(self, client_key: str) -> ShopApp:
        """The TikTok Shop app that goes with the partner app ``client_key``, registered if there is none."""
        with self.sim.store.unit_of_work() as repo:
            app: ShopApp | None = repo.first_where(ShopApp, client_key=client_key)
            if app is None:
                app = add_shop_app(repo, {"app_key": f"shop_{client_key}"[:64], "app_secret": "shop_app_secret",
                                          "service_id": f"7300{next(self._n):06d}",
                                          "redirect_url": "https://partner.example/shop/callback"},
                                   client_key=client_key, name=client_key, now=self.sim.clock.now())
            return app

    def shop_authorizations(self) -> ShopAuthorizations:
        return ShopAuthorizations(self.sim.store.unit_of_work, self.sim.clock)

    # whole flows
    def link_official(self, shop: Shop, account: Account, **consent: Any) -> Link:
        """Seller Center QR flow: show the code, scan, authorize, accept the terms."""
        link = self.service.start_official_link(shop.shop_id)
        self.service.scan(link.link_id, account.open_id)
        self.service.give_consent(link.link_id, account.open_id, **consent)
        return self.service.accept_terms(link.link_id)

    def link_marketing(self, shop: Shop, account: Account) -> Link:
        """Invite, then accept in the app."""
        invitation = self.service.invite_marketing_account(shop.shop_id, account.open_id)
        accepted = self.service.answer_invitation(invitation.invitation_id, account.open_id, accept=True)
        assert accepted.link_id is not None
        return self.service.get_link(accepted.link_id)

    def advance(self, duration: str) -> datetime:
        return self.sim.clock.advance(duration)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True, scope="session")
def _loaded_worlds_kept_in_the_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The worlds `linksim init --fresh` and `serve --fixtures` keep (auth_server.cli.loaded_worlds) go to a folder of
    the run, not the user's cache; the servers the tests start inherit it."""
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("linksim-cache"))
    yield
    if before is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = before


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator.in_memory(start=START)
    yield simulator
    simulator.store.dispose()


@pytest.fixture
def world(sim: Simulator) -> WorldBuilder:
    return WorldBuilder(sim)


@pytest.fixture
def service(sim: Simulator):  # noqa: ANN201
    return sim.service


@pytest.fixture(params=["sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Store]:
    """A real database for tests of storage and concurrency: a SQLite file, then PostgreSQL."""
    store = file_store(tmp_path) if request.param == "sqlite-file" else postgres_store()
    yield store
    store.dispose()


@pytest.fixture
def database_world(database: Store) -> WorldBuilder:
    return WorldBuilder(Simulator(database, clock=ManualClock(START)))


def postgres_url() -> str | None:
    return os.environ.get("LINKSIM_TEST_POSTGRES_URL") or None


def file_store(tmp_path: Any) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'linksim.db'}")
    store.create_schema()
    return store


def postgres_store() -> Store:
    """A clean schema on the PostgreSQL server the test script started (skips when there is none)."""
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server: run the suite with `make test`, which starts one")
    store = Store(_own_schema(url))
    store.reset()
    return store


def _own_schema(url: str) -> str:
    """Under pytest-xdist each worker keeps its tables in a schema of its own, or their resets would collide."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return in_schema(url, worker) if worker else url


def in_schema(url: str, schema: str) -> str:
    """The PostgreSQL ``url`` with its tables in ``schema`` (made if missing)."""
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    engine.dispose()
    own = sqlalchemy.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return own.render_as_string(hide_password=False)


UnitOfWork = Callable[[], AbstractContextManager[Any]]


def noting(opened: list[str] | None, kind: str, open_one: UnitOfWork) -> UnitOfWork:
    """``open_one`` (a store's unit of work or reading), noting ``kind`` in ``opened`` for each transaction it opens:
    what the tests that count a request's transactions read."""
    @contextmanager
    def transaction() -> Iterator[Any]:
        if opened is not None:
            opened.append(kind)
        with open_one() as repo:
            yield repo
    return transaction

