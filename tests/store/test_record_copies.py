"""``SqlRepository.peek`` and ``insert``: the look-up and the write of the hot OAuth records (a token request's
partner app and token) without the ORM's identity map and flush, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from auth_server.domain.events import Event
from auth_server.oauth.models import PartnerApp
from auth_server.oauth.models import Token
from auth_server.store import Store

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _app() -> PartnerApp:
    return PartnerApp(client_key="aw_copy", client_secret_hash="digest", name="Copy app",
                      redirect_uris=["https://example.test/cb"], scopes=["user.info.basic", "user.info.profile"],
                      created_at=NOW, developer="dev_1")


def _token(digest: str = "digest-of-act") -> Token:
    return Token(access_token_digest=digest, refresh_token_digest="digest-of-rft", client_key="aw_copy",
                 scope="user.info.basic", issued_at=NOW, expires_in=86400, refresh_expires_in=31536000)


def _with_app(database: Store) -> None:
    with database.unit_of_work() as repo:
        repo.add(_app())


def test_a_peeked_record_holds_what_get_reads(database: Store) -> None:
    _with_app(database)

    with database.reading() as repo:
        peeked = repo.peek(PartnerApp, "aw_copy")
    with database.reading() as repo:
        got = repo.get(PartnerApp, "aw_copy")

    assert peeked is not None and got is not None
    assert vars_of(peeked) == vars_of(got)
    assert peeked.scopes == ["user.info.basic", "user.info.profile"] and peeked.created_at == NOW


def test_peeking_a_missing_key_finds_nothing(database: Store) -> None:
    with database.reading() as repo:
        assert repo.peek(PartnerApp, "aw_none") is None


def test_a_change_to_a_peeked_copy_is_never_saved(database: Store) -> None:
    _with_app(database)

    with database.unit_of_work() as repo:
        peeked = repo.peek(PartnerApp, "aw_copy")
        assert peeked is not None
        peeked.name = "Changed"

    with database.reading() as repo:
        kept = repo.get(PartnerApp, "aw_copy")
    assert kept is not None and kept.name == "Copy app"


def test_an_inserted_record_is_kept_under_its_attributes_names(database: Store) -> None:
    _with_app(database)

    with database.unit_of_work() as repo:
        repo.insert(_token())

    with database.reading() as repo:
        kept = repo.get(Token, "digest-of-act")
    assert kept is not None
    assert (kept.refresh_token_digest, kept.issued_at, kept.refresh_expires_in) == ("digest-of-rft", NOW, 31536000)


def test_an_insert_goes_with_its_transaction_when_it_rolls_back(database: Store) -> None:
    _with_app(database)

    with pytest.raises(RuntimeError), database.unit_of_work() as repo:
        repo.insert(_token())
        raise RuntimeError("the request failed after the insert")

    with database.reading() as repo:
        assert repo.peek(Token, "digest-of-act") is None


def test_events_are_added_not_inserted(database: Store) -> None:
    event = Event(at=NOW, actor="test", kind="copied", subject_type="account", subject_id="u1")

    with pytest.raises(TypeError, match="added"), database.unit_of_work() as repo:
        repo.insert(event)


def vars_of(record: object) -> dict[str, object]:
    return {name: value for name, value in vars(record).items() if not name.startswith("_sa_")}


def test_a_read_only_transaction_gets_copies_the_session_does_not_keep(database: Store) -> None:
    _with_app(database)

    with database.reading() as repo:
        got = repo.get(PartnerApp, "aw_copy")
        assert got is not None and got not in repo.session


def test_a_transaction_that_may_write_gets_the_sessions_own_object(database: Store) -> None:
    _with_app(database)

    with database.unit_of_work() as repo:
        got = repo.get(PartnerApp, "aw_copy")
        assert got is not None and got in repo.session


def test_a_conditional_change_reports_the_rows_it_changed(database: Store) -> None:
    _with_app(database)
    with database.unit_of_work() as repo:
        repo.insert(_token())

    with database.unit_of_work() as repo:
        first = repo.change_where(Token, {"access_token_digest": "digest-of-act", "access_revoked_at": None},
                                  access_revoked_at=NOW)
    with database.unit_of_work() as repo:
        again = repo.change_where(Token, {"access_token_digest": "digest-of-act", "access_revoked_at": None},
                                  access_revoked_at=NOW)

    assert (first, again) == (1, 0)
    with database.reading() as repo:
        kept = repo.get(Token, "digest-of-act")
    assert kept is not None and kept.access_revoked_at == NOW
