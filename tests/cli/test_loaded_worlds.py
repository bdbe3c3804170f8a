"""A fresh load of data loaded before (`linksim init --fresh`, `serve --fixtures`) into a database file copies the
world kept from that load rather than replaying the data: the same world, never one a different linksim made, never
a half-made one, and nothing kept from data that was refused."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from auth_server import fixtures
from auth_server.cli import loaded_worlds
from auth_server.cli.setup import load
from auth_server.cli.setup import load_data
from auth_server.store import schema
from auth_server.store.schema import metadata

RANDOM_IDS = re.compile(r"\b(?:lnk|inv|sga)_[0-9a-f]{8,}\b")
DIGESTS = re.compile(r"^(pbkdf2_sha256|hmac_sha256)\$.*$")
RANDOM_COLUMNS = {("shop_grants", "open_id"),  # drawn at random when the authorization is granted
                  ("world_controls", "revision")}  # drawn at random when the table is made


def world_dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table of the world, its rows in the order written, with what is drawn at random at each load (ids,
    salted digests) named by order of first appearance, so two loads of the same data compare equal."""
    seen: dict[str, str] = {}

    def same_each_load(table: str, column: str, value: object) -> object:
        if (table, column) in RANDOM_COLUMNS:
            return seen.setdefault(f"{table}.{column}:{value}", f"<random {len(seen)}>")
        if not isinstance(value, str):
            return value
        value = DIGESTS.sub(r"<\1 digest>", value)
        return RANDOM_IDS.sub(lambda found: seen.setdefault(found.group(), f"<id {len(seen)}>"), value)

    connection = sqlite3.connect(path)
    try:
        dump = {}
        for table in metadata.sorted_tables:
            cursor = connection.execute(f'SELECT * FROM "{table.name}" ORDER BY rowid')
            columns = [description[0] for description in cursor.description]
            dump[table.name] = [tuple(same_each_load(table.name, column, value) for column, value in zip(
                columns, row, strict=True)) for row in cursor]
        return dump
    finally:
        connection.close()


def templates(cache: Path) -> list[str]:
    return sorted(path.name for path in cache.iterdir()) if cache.exists() else []


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(loaded_worlds.CACHE_ENV, str(folder))
    return folder


def test_a_world_copied_from_its_template_is_the_world_the_data_replays_to(tmp_path: Path, cache: Path) -> None:
    load(f"sqlite:///{tmp_path / 'first.db'}", "demo", fresh=True)  # replays the data, and keeps the world
    load(f"sqlite:///{tmp_path / 'copied.db'}", "demo", fresh=True)  # copies it
    load_data(f"sqlite:///{tmp_path / 'replayed.db'}", fixtures.read("demo"))
    copied, replayed = world_dump(tmp_path / "copied.db"), world_dump(tmp_path / "replayed.db")
    assert [name for name in copied if copied[name]] == [name for name in replayed if replayed[name]]
    for table in metadata.sorted_tables:
        assert copied[table.name] == replayed[table.name], table.name
    assert replayed["links"] and replayed["shop_grants"] and replayed["settings"]  # history, authorizations, clock


def test_a_fresh_load_of_data_loaded_before_copies_its_world(tmp_path: Path, cache: Path) -> None:
    load(f"sqlite:///{tmp_path / 'first.db'}", "demo", fresh=True)
    [template] = templates(cache)
    marked = sqlite3.connect(cache / template)  # a mark only a copy of this very file can hold
    with marked:
        marked.execute("INSERT INTO sellers VALUES ('seller_marked', 'Marked', 'ENT-MARK')")
    marked.close()
    loaded = load(f"sqlite:///{tmp_path / 'second.db'}", "demo", fresh=True)
    assert sellers(tmp_path / "second.db") >= {"seller_marked"}
    assert (loaded.sellers, loaded.shops, loaded.history) == (6, 8, 33)  # counted as a replay counts them


def test_a_world_kept_by_a_different_linksim_is_never_copied(tmp_path: Path, cache: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    load(f"sqlite:///{tmp_path / 'first.db'}", "demo", fresh=True)
    [template] = templates(cache)
    marked = sqlite3.connect(cache / template)
    with marked:
        marked.execute("INSERT INTO sellers VALUES ('seller_marked', 'Marked', 'ENT-MARK')")
    marked.close()
    monkeypatch.setattr(loaded_worlds, "linksim_fingerprint", lambda: "another linksim")
    load(f"sqlite:///{tmp_path / 'second.db'}", "demo", fresh=True)
    assert "seller_marked" not in sellers(tmp_path / "second.db")
    assert len(templates(cache)) == 2


def test_the_fingerprint_follows_the_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    before = loaded_worlds.linksim_fingerprint()
    loaded_worlds.linksim_fingerprint.cache_clear()
    monkeypatch.setattr(loaded_worlds, "schema_fingerprint", lambda: "other tables")
    try:
        assert loaded_worlds.linksim_fingerprint() != before
    finally:
        loaded_worlds.linksim_fingerprint.cache_clear()


def test_data_that_names_no_start_is_replayed_each_time_and_kept_nowhere(tmp_path: Path, cache: Path) -> None:
    data_file = tmp_path / "no-start.yaml"
    data_file.write_text("sellers: [{id: s1, name: S, entity: E1, shops: [{id: shop1, name: Shop, region: US}]}]\n")
    load(f"sqlite:///{tmp_path / 'world.db'}", str(data_file), fresh=True)
    assert templates(cache) == []
    assert sellers(tmp_path / "world.db") == {"s1"}


def test_a_refused_data_file_leaves_no_world_behind(tmp_path: Path, cache: Path) -> None:
    data_file = tmp_path / "refused.yaml"
    data_file.write_text("start: 2026-03-02T09:00:00Z\n"
                         "sellers: [{id: s1, name: S, entity: E1, shops: [{id: shop1, name: Shop, region: US}]}]\n"
                         "history: [{action: link_official, shop: shop1, account: nobody, ago: 1d}]\n")
    result = linksim("--db", f"sqlite:///{tmp_path / 'world.db'}", "init", "--fresh", "--fixtures", str(data_file))
    assert result.returncode == 2 and "no account @nobody" in result.stderr
    assert templates(cache) == []


def test_an_invalid_data_file_is_refused_as_before_and_keeps_nothing(tmp_path: Path, cache: Path) -> None:
    data_file = tmp_path / "invalid.yaml"
    data_file.write_text("start: 2026-03-02T09:00:00Z\nsellers: [{id: s1}]\n")
    result = linksim("--db", f"sqlite:///{tmp_path / 'world.db'}", "init", "--fresh", "--fixtures", str(data_file))
    assert result.returncode == 2 and "does not follow the data file format" in result.stderr
    assert templates(cache) == []


def test_two_fresh_loads_at_once_each_get_a_whole_world_and_keep_one(tmp_path: Path, cache: Path) -> None:
    loads = [subprocess.Popen([sys.executable, "-m", "auth_server.cli", "--db", f"sqlite:///{tmp_path / f'w{n}.db'}",
                               "init", "--fresh"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, loaded_worlds.CACHE_ENV: str(cache)}) for n in range(3)]
    for process in loads:
        _, error = process.communicate(timeout=120)
        assert process.returncode == 0, error
    worlds = [world_dump(tmp_path / f"w{n}.db") for n in range(3)]
    assert worlds[0] == worlds[1] == worlds[2]
    assert [name for name in templates(cache) if name.endswith(".db")] == [templates(cache)[0]]
    assert not [name for name in templates(cache) if name.startswith(".")]  # no draft left


def test_a_fresh_load_over_a_served_world_starts_it_over(tmp_path: Path, cache: Path) -> None:
    db = f"sqlite:///{tmp_path / 'world.db'}"
    load(db, "demo", fresh=True)
    connection = sqlite3.connect(tmp_path / "world.db")
    with connection:
        connection.execute("INSERT INTO sellers VALUES ('seller_later', 'Later', 'ENT-LATER')")
    connection.close()
    load(db, "demo", fresh=True)
    assert "seller_later" not in sellers(tmp_path / "world.db")
    assert world_dump(tmp_path / "world.db") == world_dump(cache / templates(cache)[0])


def sellers(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute(f"SELECT seller_id FROM {schema.sellers.name}")}
    finally:
        connection.close()


def linksim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auth_server.cli", *args], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ))
