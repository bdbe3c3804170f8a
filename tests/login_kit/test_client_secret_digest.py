"""A partner app's client secret is kept as a keyed digest (HMAC-SHA256 under a key of its own), not a password hash:
it is a long random string, so a slow hash buys nothing and costs every token request. People's passwords keep
their slow hash. A secret kept by an older linksim (a PBKDF2 hash) still signs in."""

from __future__ import annotations

from auth_server.domain.accounts import hash_secret
from auth_server.domain.token_digests import client_secret_digest
from auth_server.domain.token_digests import client_secret_matches
from auth_server.fixtures import add_partner_app
from auth_server.oauth.models import PartnerApp
from auth_server.simulator import Simulator

SECRET = "linksim_demo_secret"


def test_a_client_secret_is_kept_as_a_keyed_digest_never_in_the_clear() -> None:
    kept = client_secret_digest(SECRET)

    assert kept.startswith("hmac_sha256$")
    assert SECRET not in kept


def test_the_same_secret_kept_twice_gives_two_digests_each_under_its_own_key() -> None:
    assert client_secret_digest(SECRET) != client_secret_digest(SECRET)


def test_the_right_secret_matches_its_digest_and_a_wrong_one_does_not() -> None:
    kept = client_secret_digest(SECRET)

    assert client_secret_matches(SECRET, kept)
    assert not client_secret_matches(SECRET + "x", kept)
    assert not client_secret_matches("", kept)


def test_a_secret_an_older_linksim_kept_as_a_password_hash_still_matches() -> None:
    kept = hash_secret(SECRET)

    assert client_secret_matches(SECRET, kept)
    assert not client_secret_matches("wrong", kept)


def test_a_malformed_kept_secret_matches_nothing() -> None:
    assert not client_secret_matches(SECRET, "hmac_sha256$not-hex")
    assert not client_secret_matches(SECRET, "garbage")


def test_a_partner_app_loaded_from_data_keeps_its_secret_as_a_keyed_digest(sim: Simulator) -> None:
    with sim.store.unit_of_work() as repo:
        app = add_partner_app(repo, {"client_key": "digest_app", "client_secret": SECRET,
                                     "redirect_uris": ["https://example.com/cb"]}, sim.clock.now())
        kept = app.client_secret_hash

    assert kept.startswith("hmac_sha256$")
    assert PartnerApp(client_key="k", client_secret_hash=kept, name="n").check_client_secret(SECRET)
