"""An organization account's members are managed by naming it; naming an account that is no organization finds no
organization account (404 ``not_an_organization``), as a made-up id would: the request itself is well formed."""

from __future__ import annotations

import pytest

from auth_server.domain import codes
from auth_server.domain.errors import Refused
from tests.conftest import WorldBuilder


def test_removing_a_member_of_an_account_that_is_no_organization_finds_no_organization(world: WorldBuilder) -> None:
    personal = world.account("nora")
    with pytest.raises(Refused) as refused:
        world.service.remove_org_member(personal.open_id, "ops@acme.example")
    assert refused.value.code == codes.NOT_AN_ORGANIZATION
    assert codes.CATALOGUE[codes.NOT_AN_ORGANIZATION].kind is codes.Kind.NOT_FOUND
