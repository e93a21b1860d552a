"""``pos pay`` leaves its receipt in the default file printer; ``pos receipt show`` reads it back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from tests.devices.loopback_printer import closed_port, loopback_printer
from tests.e2e.harness import SandboxProcess, run_pos, sandbox_process, write_config
from tests.support.escpos_parser import parse


@pytest.fixture(scope="module")
def accepting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    with sandbox_process(tmp_path_factory.mktemp("accepting"), "--auto-accept-after", "0.3") as sb:
        yield sb


def test_a_headless_paid_sale_ends_with_its_receipt_printed_and_showable(
    accepting: SandboxProcess, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    config = write_config(tmp_path / "register.toml", accepting.base_url, data_dir)
    paid = run_pos(["pay", "1990", "8223281", "--json", "--config", str(config)], data_dir)
    assert paid.returncode == 0, paid.stderr
    sale_id = paid.json()["sale_id"]
    assert f"Receipt of sale {sale_id} printed (file)" in paid.stderr
    (receipt_file,) = (data_dir / "receipts").glob(
        "*.bin"
    )  # receipt-NNNNNN, or sale-NNNNNN before numbers
    printed = parse(receipt_file.read_bytes())
    assert any(line.startswith("SAMTALS") and "1.990 kr." in line for line in printed.lines)

    number = int(receipt_file.stem.split("-")[1])
    shown = run_pos(["receipt", "show", str(number), "--config", str(config)], data_dir)
    assert shown.returncode == 0, shown.stderr
    shown_text = [ln for ln in shown.stdout.splitlines() if not ln.startswith(("[", "- - -"))]
    assert shown_text == printed.lines

    picture = tmp_path / "copy.png"
    copy = run_pos(
        ["receipt", "show", str(number), "--copy", "--png", str(picture), "--config", str(config)],
        data_dir,
    )
    assert copy.returncode == 0, copy.stderr
    codes = {(r.format.name, r.text) for r in zxingcpp.read_barcodes(Image.open(picture))}
    code = printed.first("qr_data").value  # the sale's code, or its reference before numbers
    assert code in (f"S1-R1-R{number}", paid.json()["reference"])
    assert codes == {("QRCode", code), ("Code128", code)}


def test_showing_a_receipt_that_is_not_there_says_so(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    done = run_pos(["receipt", "show", "1"], data_dir)
    assert done.returncode == 2 and "no journal" in done.stderr.lower()


def test_pay_prints_on_the_configured_network_printer(
    accepting: SandboxProcess, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    config = write_config(tmp_path / "register.toml", accepting.base_url, data_dir)
    with loopback_printer() as listener:
        with config.open("a", encoding="utf-8") as toml:
            toml.write(
                f'\n[printer]\nkind = "network"\nhost = "127.0.0.1"\nport = {listener.port}\n'
            )
            toml.write("\n[receipt]\nwidth = 32\n")
        paid = run_pos(["pay", "1990", "8223281", "--json", "--config", str(config)], data_dir)
        assert paid.returncode == 0, paid.stderr
        assert "printed (network)" in paid.stderr
        printed = parse(listener.data)
    assert all(len(line) <= 32 for line in printed.lines)
    assert any(line.startswith("SAMTALS") for line in printed.lines)
    assert not (data_dir / "receipts").exists()


def test_a_printer_that_is_off_never_changes_the_payments_outcome(
    accepting: SandboxProcess, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    config = write_config(tmp_path / "register.toml", accepting.base_url, data_dir)
    with config.open("a", encoding="utf-8") as toml:
        toml.write(f'\n[printer]\nkind = "network"\nhost = "127.0.0.1"\nport = {closed_port()}\n')
    paid = run_pos(["pay", "1990", "8223281", "--json", "--config", str(config)], data_dir)
    assert paid.returncode == 0 and paid.json()["state"] == "PAID"
    assert "not printed: unreachable" in paid.stderr and "The sale is paid" in paid.stderr


@pytest.mark.parametrize(
    ("point", "then"),
    [
        ("journal.print_uncertain", "printed (file)"),  # killed before the claim: still queued
        ("journal.print_sending", "may not have printed: reprint it as a copy"),  # after it
    ],
)
def test_pos_recover_prints_what_a_killed_pay_left_queued_and_never_resends_a_claimed_job(
    point: str, then: str, accepting: SandboxProcess, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    config = write_config(tmp_path / "register.toml", accepting.base_url, data_dir)
    killed = run_pos(
        ["pay", "1990", "8223281", "--config", str(config)], data_dir, POS_CRASH_AT=point
    )
    assert killed.returncode == -9
    recovered = run_pos(["recover", "--config", str(config)], data_dir)
    assert recovered.returncode == 0, recovered.stderr
    assert then in recovered.stderr
    printed = (
        sorted(p.name for p in (data_dir / "receipts").glob("*.bin"))
        if (data_dir / "receipts").exists()
        else []
    )
    assert len(printed) == (1 if point == "journal.print_uncertain" else 0)
