"""``pos pay`` end to end against a separate ``pos sandbox`` process over loopback HTTP.

All nine customer-id × confirmation combinations, and the flows a counter meets: reject,
expiry, cashier cancel, cancel-too-late, a wrong SMS code then the right one, a customer with no
credit, an unknown customer, and bad input that must touch nothing.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos.core.public_test_data import TEST_SSN_NO_CREDIT, TEST_SSN_UNLIMITED_CREDIT
from tests.e2e.harness import (
    SandboxProcess,
    assert_invariants,
    finish,
    journal_rows,
    run_pos,
    sandbox_process,
    start_pos,
    wait_until,
    write_config,
)
from tests.e2e.test_crash_sweep import generator_token

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def accepting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    with sandbox_process(tmp_path_factory.mktemp("accepting"), "--auto-accept-after", "0.3") as sb:
        yield sb


@pytest.fixture(scope="module")
def silent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    args = ("--poll-interval-ms", "1500", "--cart-ttl", "4")
    with sandbox_process(tmp_path_factory.mktemp("silent"), *args) as sb:
        yield sb


def config_for(
    sandbox: SandboxProcess, tmp_path: Path, confirmation: str = "manual", deadline_s: float = 20.0
) -> tuple[Path, Path]:
    data_dir = tmp_path / "data"
    config = write_config(
        tmp_path / "register.toml",
        sandbox.base_url,
        data_dir,
        confirmation=confirmation,
        deadline_s=deadline_s,
    )
    return config, data_dir


def customer_for(kind: str, sandbox: SandboxProcess) -> tuple[str, list[str]]:
    if kind == "gsm":
        return "8223281", []
    if kind == "ssn":
        return TEST_SSN_UNLIMITED_CREDIT, ["--code", generator_token(sandbox)]
    return f"500004-{generator_token(sandbox)}", []


@pytest.mark.parametrize("confirmation", ["manual", "automatic", "callback"])
@pytest.mark.parametrize("kind", ["gsm", "ssn", "app_code"])
def test_every_customer_id_pays_in_every_confirmation_type(
    kind: str, confirmation: str, accepting: SandboxProcess, tmp_path: Path
) -> None:
    config, data_dir = config_for(accepting, tmp_path, confirmation)
    customer, extra = customer_for(kind, accepting)
    done = run_pos(["pay", "1990", customer, "--json", "--config", str(config), *extra], data_dir)
    assert done.returncode == 0, done.stderr
    outcome = done.json()
    assert outcome["state"] == "PAID"
    assert outcome["invoice_number"] is not None
    assert customer not in done.stdout + done.stderr
    cart = accepting.cart(outcome["TransactionId"])
    assert cart is not None and cart["ResultCode"] == 10200
    assert_invariants(accepting, config, data_dir)


def test_the_customer_rejecting_is_not_paid(silent: SandboxProcess, tmp_path: Path) -> None:
    config, data_dir = config_for(silent, tmp_path)
    before = len(silent.carts())
    paying = start_pos(["pay", "2001", "8223281", "--json", "--config", str(config)], data_dir)
    cart = wait_until(lambda: silent.newest_cart(before), what="the cart")
    silent.act(cart["TransactionId"], "reject")
    done = finish(paying)
    assert done.returncode == 1, done.stderr
    assert done.json()["state"] == "CANCELLED"
    assert_invariants(silent, config, data_dir)


def test_a_cart_that_expires_is_not_paid(silent: SandboxProcess, tmp_path: Path) -> None:
    config, data_dir = config_for(silent, tmp_path)
    done = run_pos(["pay", "2002", "7700001", "--json", "--config", str(config)], data_dir)
    assert done.returncode == 1, done.stderr
    assert done.json()["state"] == "CANCELLED"
    assert_invariants(silent, config, data_dir)


def test_the_deadline_cancels_the_cart(silent: SandboxProcess, tmp_path: Path) -> None:
    config, data_dir = config_for(silent, tmp_path, deadline_s=1.0)
    done = run_pos(["pay", "2003", "7700001", "--json", "--config", str(config)], data_dir)
    assert done.returncode == 1, done.stderr
    assert done.json()["state"] == "CANCELLED"
    assert "Time is up" in done.stderr
    assert_invariants(silent, config, data_dir)


def test_the_cashier_cancels_with_ctrl_c(silent: SandboxProcess, tmp_path: Path) -> None:
    config, data_dir = config_for(silent, tmp_path)
    before = len(silent.carts())
    paying = start_pos(["pay", "2004", "8223281", "--json", "--config", str(config)], data_dir)
    wait_until(lambda: silent.newest_cart(before), what="the cart")
    paying.send_signal(signal.SIGINT)
    done = finish(paying)
    assert done.returncode == 1, done.stderr
    assert done.json()["state"] == "CANCELLED"
    cart = silent.cart(done.json()["TransactionId"])
    assert cart is not None and cart["ResultCode"] == 10201
    assert_invariants(silent, config, data_dir)


def test_cancelling_after_the_customer_paid_records_the_sale_as_paid(
    silent: SandboxProcess, tmp_path: Path
) -> None:
    config, data_dir = config_for(silent, tmp_path, "automatic")
    before = len(silent.carts())
    paying = start_pos(["pay", "2005", "8223281", "--json", "--config", str(config)], data_dir)
    cart = wait_until(lambda: silent.newest_cart(before), what="the cart")
    silent.act(cart["TransactionId"], "accept")  # paid now; the till has not polled yet
    paying.send_signal(signal.SIGINT)
    done = finish(paying)
    assert done.returncode == 0, done.stderr
    assert done.json()["state"] == "PAID"
    assert_invariants(silent, config, data_dir)


def test_a_wrong_sms_code_asks_again_and_the_right_one_pays(
    silent: SandboxProcess, tmp_path: Path
) -> None:
    config, data_dir = config_for(silent, tmp_path)
    token = generator_token(silent)
    done = run_pos(
        ["pay", "2006", TEST_SSN_UNLIMITED_CREDIT, "--json", "--config", str(config)],
        data_dir,
        stdin=f"0000\n{token}\n",
    )
    assert done.returncode == 0, done.stderr
    assert done.json()["state"] == "PAID"
    assert "not accepted" in done.stderr
    assert_invariants(silent, config, data_dir)


def test_a_customer_with_no_credit_is_declined(silent: SandboxProcess, tmp_path: Path) -> None:
    config, data_dir = config_for(silent, tmp_path)
    done = run_pos(["pay", "2007", TEST_SSN_NO_CREDIT, "--json", "--config", str(config)], data_dir)
    assert done.returncode == 1, done.stderr
    assert done.json()["state"] == "DECLINED"


def test_an_unknown_customer_is_declined(silent: SandboxProcess, tmp_path: Path) -> None:
    config, data_dir = config_for(silent, tmp_path)
    done = run_pos(["pay", "2008", "6991234", "--json", "--config", str(config)], data_dir)
    assert done.returncode == 1, done.stderr
    outcome = done.json()
    assert (outcome["state"], outcome["result_code"]) == ("DECLINED", 10306)


@pytest.mark.parametrize(
    ("amount", "customer", "message"),
    [
        ("1990", "011399-2349", "13 is not a month"),
        ("1990", "822328", "6 digits"),
        ("1990", "5551234", "landline"),
        ("19a0", "8223281", "19a0 is not an amount"),
        ("0", "8223281", "amount is zero"),
        ("-100", "8223281", "-100 is negative"),
        ("99999999999", "8223281", "more than the till takes in one payment"),
    ],
)
def test_bad_input_gets_a_message_and_touches_nothing(
    amount: str, customer: str, message: str, silent: SandboxProcess, tmp_path: Path
) -> None:
    config, data_dir = config_for(silent, tmp_path)
    before = len(silent.carts())
    done = run_pos(["pay", "--config", str(config), "--", amount, customer], data_dir)
    assert done.returncode == 2
    assert message.lower() in done.stderr.lower()
    assert "Traceback" not in done.stderr
    assert len(silent.carts()) == before
    assert not (data_dir / "journal.sqlite3").exists()


def test_pos_journal_lists_attempts_with_their_states(
    silent: SandboxProcess, tmp_path: Path
) -> None:
    config, data_dir = config_for(silent, tmp_path)
    run_pos(["pay", "2009", TEST_SSN_NO_CREDIT, "--config", str(config)], data_dir)
    [sale] = journal_rows(config, data_dir)
    [attempt] = sale["attempts"]
    assert attempt["state"] == "DECLINED"
    assert "TransactionId" in attempt
    assert attempt["customer"] == "******-2229"


def test_a_second_pos_on_a_busy_register_is_refused_and_the_first_is_untouched(
    silent: SandboxProcess, tmp_path: Path
) -> None:
    # A long deadline: the first payment must still be waiting after the second `pos` has
    # started and been refused, however loaded the machine is.
    config, data_dir = config_for(silent, tmp_path, deadline_s=120.0)
    before = len(silent.carts())
    first = start_pos(["pay", "2010", "8223281", "--json", "--config", str(config)], data_dir)
    cart = wait_until(lambda: silent.newest_cart(before), what="the first cart")
    second = run_pos(["pay", "2011", "7700001", "--config", str(config)], data_dir)
    assert second.returncode == 2
    assert "register is busy" in second.stderr
    assert len(silent.carts()) == before + 1
    silent.act(cart["TransactionId"], "accept")
    done = finish(first)
    assert done.returncode == 0, done.stderr
    assert done.json()["state"] == "PAID"
    assert_invariants(silent, config, data_dir)
