"""Any document: load_settings raises only ConfigError, check_config never raises, set refuses cleanly."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pos.config import (
    ConfigProblems,
    check_config,
    load_settings,
    parse_sections,
    read_toml,
    schema,
)
from pos.config.editing import set_key
from pos.core.errors import ConfigError

values = st.one_of(
    st.text(max_size=24),
    st.sampled_from(["550303-1240", "12345", "0.0.0.0:0", "[::1]:0", "callback", "https://a.is/"]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)
keys = st.sampled_from(sorted({name.rpartition(".")[2] for name in schema()} | {"x"}))
sections = st.sampled_from(["register", "store", "netgiro", "timing", "paths", "stor"])
documents = st.dictionaries(sections, st.dictionaries(keys, values, max_size=5), max_size=5)


def toml(document: dict[str, dict[str, object]]) -> str:
    import tomlkit

    return tomlkit.dumps(document)


@settings(max_examples=100, deadline=None)
@given(document=documents)
def test_any_document_gives_settings_or_one_config_error(
    document: dict[str, dict[str, object]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.toml"
        path.write_text(toml(document), encoding="utf-8")
        problems = check_config(path)
        assert all(problem.fix for problem in problems)
        try:
            loaded = load_settings(path)
        except ConfigProblems as exc:
            assert set(exc.problems) <= set(problems)
            return
        assert {p for p in loaded.problems} <= set(problems)


@settings(max_examples=100, deadline=None)
@given(key=st.sampled_from(sorted(schema())), value=st.text(max_size=30))
def test_set_any_value_writes_a_loadable_key_or_refuses(key: str, value: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.toml"
        path.write_text("# a comment\n[register]\nname = 'Till 1'  # kept\n", encoding="utf-8")
        try:
            set_key(path, key, value)
        except ConfigError:
            assert path.read_text(encoding="utf-8").startswith("# a comment\n")
            return
        assert "# kept" in path.read_text(encoding="utf-8")
        _values, problems = parse_sections(path, read_toml(path), need_secret=False)
        assert [p for p in problems if p.key == key and p.severity == "error"] == []


odd_files = st.sampled_from(
    [
        "",
        "[[register]]\nname = 'x'\n",
        "register = 5\n",
        "register.name = 'x'\n",
        "store = {name = 'x'}\n",
        "[register.sub]\na = 1\n",
        "language = 'is'\n[register]\n",
        "[netgiro]\nsecret_key = 'hunter2'\n",
    ]
)


@settings(max_examples=80, deadline=None)
@given(
    start=st.one_of(odd_files, documents.map(toml)),
    key=st.sampled_from(sorted(schema())),
    value=st.text(max_size=20),
)
def test_set_on_any_file_writes_or_refuses_with_a_config_error(
    start: str, key: str, value: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.toml"
        path.write_text(start, encoding="utf-8")
        try:
            set_key(path, key, value)
        except ConfigError:
            assert path.read_text(encoding="utf-8") == start
