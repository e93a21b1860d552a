"""The people file on a real disk: 0600, atomic replace, hashes not PINs, damage and sharing refused."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos.people import PeopleFile, PeopleFileError, Person, hash_pin, pin_matches
from pos.people.pins import parse_hash


def test_a_pin_hash_is_salted_scrypt_and_checks_only_its_pin() -> None:
    first, second = hash_pin("480263"), hash_pin("480263")
    assert first != second  # a fresh salt each time
    assert first.startswith("scrypt$14$8$1$")
    assert "480263" not in first
    assert pin_matches("480263", first)
    assert pin_matches("480263", second)
    assert not pin_matches("480264", first)
    assert not pin_matches("480263", "plain$480263")
    assert not pin_matches("480263", first[:-2])
    assert parse_hash("scrypt$30$8$1$00$00") is None  # absurd cost refused, not attempted


def test_the_same_salt_gives_the_same_hash() -> None:
    salt = bytes(range(16))
    assert hash_pin("4826", salt=salt) == hash_pin("4826", salt=salt)


def test_people_are_written_0600_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "private" / "people.json"
    store = PeopleFile(path)
    assert store.people() == []
    store.add(Person("Anna", "manager", hash_pin("480263")))
    store.add(Person("Jón", "cashier", hash_pin("4826")))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [(p.name, p.role) for p in store.people()] == [("Anna", "manager"), ("Jón", "cashier")]
    assert store.find("anna") is not None
    assert "480263" not in path.read_text(encoding="utf-8")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["version"] == 1
    assert [entry["name"] for entry in document["people"]] == ["Anna", "Jón"]
    assert [f.name for f in path.parent.iterdir()] == ["people.json"]  # no temporary left


def test_a_name_is_refused_twice_in_any_case(tmp_path: Path) -> None:
    store = PeopleFile(tmp_path / "people.json")
    store.add(Person("Anna", "manager", hash_pin("480263")))
    with pytest.raises(PeopleFileError, match="already"):
        store.add(Person("ANNA", "cashier", hash_pin("4826")))


def test_a_file_others_can_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    PeopleFile(path).add(Person("Anna", "manager", hash_pin("480263")))
    path.chmod(0o644)
    with pytest.raises(PeopleFileError, match=f"chmod 600 {path}"):
        PeopleFile(path).people()


def test_the_repr_never_shows_the_hash() -> None:
    person = Person("Anna", "manager", hash_pin("480263"))
    assert "scrypt" not in repr(person)
    assert person.actor == "manager:Anna"


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe",
        b"not json",
        b"[]",
        b'{"version": 2, "people": []}',
        b'{"version": 1}',
        b'{"version": 1, "people": [1]}',
        b'{"version": 1, "people": [{"name": "A", "role": "boss", "pin": "x"}]}',
        b'{"version": 1, "people": [{"name": "A", "role": "manager", "pin": "sha1$x"}]}',
        b"[" * 100_000,
    ],
)
def test_a_damaged_file_is_refused_with_what_to_do(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "people.json"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(PeopleFileError, match="damaged"):
        PeopleFile(path).people()


def test_a_failed_write_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "people.json"
    store = PeopleFile(path)
    store.add(Person("Anna", "manager", hash_pin("480263")))
    before = path.read_bytes()

    def no_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_replace)
    with pytest.raises(PeopleFileError, match="was not changed"):
        store.add(Person("Jón", "cashier", hash_pin("4826")))
    assert path.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["people.json"]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.sampled_from(["version", "people", "name", "role", "pin"]), inner
                )
            ),
            max_leaves=10,
        ).map(lambda value: json.dumps(value).encode()),
    )
)
def test_any_file_gives_people_or_a_people_file_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzzed.json"
    path.write_bytes(content)
    path.chmod(0o600)
    try:
        people = PeopleFile(path).people()
    except PeopleFileError:
        return
    assert all(isinstance(person, Person) for person in people)
