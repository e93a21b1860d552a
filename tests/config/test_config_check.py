"""`pos config check`: the example passes and documents every key; planted mistakes all show at once."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from pos.cli import main
from pos.config import schema

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "register.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_passes_config_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NETGIRO_SECRET_KEY", "from-the-environment")
    assert main(["config", "check", str(EXAMPLE)]) == 0
    assert capsys.readouterr().out.strip() == f"{EXAMPLE}: ok"


def test_the_example_documents_every_key_of_the_schema() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    documented: set[str] = set()
    section = ""
    for line in text.splitlines():
        header = re.fullmatch(r"\[(\w+)\]\s*", line)
        if header:
            section = header.group(1)
            continue
        key = re.match(r"#?\s?(\w+) = ", line)
        if key:
            documented.add(f"{section}.{key.group(1)}" if section else key.group(1))
    keys = schema()
    missing = {name for name, spec in keys.items() if spec.kind != "forbidden"} - documented
    assert missing == set()
    for name in (name for name, spec in keys.items() if spec.kind == "forbidden"):
        assert f"{name.rpartition('.')[2]} = … is refused" in text


def test_ten_planted_mistakes_are_reported_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        "[register]\n"
        'registr_id = "R2"\n'  # 1 unknown key
        'store_id = "S 1"\n'  # 2 a space in an id
        'name = "Till \\u202e1"\n'  # 3 a bidi override
        "[store]\n"
        'kennitala = "320199-1239"\n'  # 4 not a date
        'vsk_number = "1234"\n'  # 5 too short
        "[netgiro]\n"
        'secret_key = "hunter2"\n'  # 6 a literal secret
        'confirmation = "sometimes"\n'  # 7 not a mode
        'callback_listen = "[::1]:0"\n'  # 8 IPv6
        "[timing]\n"
        'deadline_s = "soon"\n'  # 9 wrong type
        "code_tries = 0\n",  # 10 not above 0
    )
    assert main(["config", "check", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    errors = [problem for problem in report["problems"] if problem["severity"] == "error"]
    keys = [problem["key"] for problem in errors]
    assert sorted(keys) == sorted(
        [
            "register.registr_id",
            "register.store_id",
            "register.name",
            "store.kennitala",
            "store.vsk_number",
            "netgiro.secret_key",
            "netgiro.confirmation",
            "netgiro.callback_listen",
            "timing.deadline_s",
            "timing.code_tries",
        ]
    )
    assert all(problem["fix"] for problem in report["problems"])
    assert report["ok"] is False
    assert "hunter2" not in json.dumps(report)
    assert "Did you mean register.register_id?" in json.dumps(report)


def test_the_text_report_has_one_line_per_problem_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "[timing]\ncode_tries = 0\ndeadline_s = -1\n[store]\nname = 'B'\n")
    assert main(["config", "check", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("error   timing.deadline_s must be above 0")
    assert lines[1].startswith("error   timing.code_tries must be above 0")
    assert lines[2].startswith("warning [store] has no kennitala")
    assert lines[3] == f"{path}: 2 errors, 1 warning"


def test_warnings_alone_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "[store]\nname = 'Búðin'\nkennitala = '550303-1230'\n")  # check digit
    assert main(["config", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning store.kennitala" in out
    assert "******-1230" in out
    assert "5503031230" not in out and "550303-1230" not in out


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_secret_file_others_can_read_is_refused_with_chmod_600(
    tmp_path: Path, mode: int, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "netgiro.secret"
    secret.write_text("s3cret-value\n", encoding="utf-8")
    os.chmod(secret, mode)
    path = write(tmp_path, "[netgiro]\napp_key = 'mine'\nsecret_key_file = 'netgiro.secret'\n")
    assert main(["config", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"Run: chmod 600 {secret}" in out
    assert "s3cret-value" not in out
    os.chmod(secret, 0o600)
    assert main(["config", "check", str(path)]) == 0


def test_a_broken_file_is_one_problem_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "[register\n")
    assert main(["config", "check", str(path)]) == 1
    assert "is not valid TOML" in capsys.readouterr().out
    assert main(["config", "check", str(tmp_path / "absent.toml")]) == 1


def test_no_file_checks_the_embedded_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check"]) == 0
    assert "embedded sandbox" in capsys.readouterr().out


def test_a_probe_adds_its_warnings_and_runs_only_on_a_readable_file(tmp_path: Path) -> None:
    from pos.config import Problem, Settings
    from pos.services.config_commands import check

    asked: list[Path] = []

    def printer_probe(settings: Settings) -> list[Problem]:
        asked.append(settings.data_dir)
        return [
            Problem(
                settings.source,
                "printer",
                "printer.address",
                "printer.address 10.0.0.9:9100 does not answer.",
                "Check the cable and that the printer is on.",
                "warning",
            )
        ]

    good = write(tmp_path, f"[paths]\ndata_dir = '{tmp_path / 'd'}'\n")
    report = check(good, [printer_probe])
    assert report.exit_code == 0
    assert report.lines()[-2].startswith("warning printer.address 10.0.0.9:9100 does not answer.")
    assert asked == [tmp_path / "d"]
    broken = write(tmp_path, "[paths]\ndata_dir = 1\n")
    assert check(broken, [printer_probe]).exit_code == 1
    assert asked == [tmp_path / "d"]


def test_a_byte_order_mark_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "register.toml"
    path.write_bytes(b'\xef\xbb\xbf[register]\nname = "x"\n')
    assert main(["config", "check", str(path)]) == 1
    assert "byte-order mark" in capsys.readouterr().out


def test_a_network_printer_that_does_not_answer_is_a_warning_not_an_error(
    tmp_path: Path,
) -> None:
    import socket

    from pos.services.config_commands import check

    with socket.socket() as placeholder:  # a port nothing listens on: bound, never listening
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
        path = tmp_path / "register.toml"
        path.write_text(
            f"[paths]\ndata_dir = '{tmp_path / 'data'}'\n\n"
            f"[printer]\nkind = 'network'\nhost = '127.0.0.1'\nport = {port}\n",
            encoding="utf-8",
        )
        report = check(path)
    answers = [p for p in report.problems if p.key == "printer.host"]
    assert [(p.severity, "does not answer" in p.message) for p in answers] == [("warning", True)]
    assert report.exit_code == 0
