"""The customer page in a real headless browser (Debian's chromium, driven by Playwright).

Clicking Accept makes the client's next CheckCart say paid; Reject says cancelled; the SMS code
read off the page pays a kennitala cart.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pos.core.public_test_data import FIRST_TEST_APPLICATION, TEST_SSN_UNLIMITED_CREDIT
from pos.core.result_codes import ConfirmationType
from pos.netgiro.client import NetgiroClient
from pos.netgiro.requests import InsertCartRequest
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )

from playwright.async_api import BrowserContext, Page, async_playwright  # noqa: E402


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        context: BrowserContext = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
        )
        try:
            yield context.pages[0] if context.pages else await context.new_page()
        finally:
            await context.close()


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[RunningSandbox]:
    running = RunningSandbox(SandboxSettings(state_file=tmp_path / "sandbox.sqlite3", port=0))
    running.start()
    try:
        yield running
    finally:
        await asyncio.to_thread(running.stop)


@pytest.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator[NetgiroClient]:
    app = FIRST_TEST_APPLICATION
    async with NetgiroClient(sandbox.base_url, app.app_key, app.secret_key) as netgiro:
        yield netgiro


async def insert(client: NetgiroClient, customer: str) -> str:
    request = InsertCartRequest(1990, "R1-web", customer, ConfirmationType.AUTOMATIC)
    answer = await client.insert_cart(request)
    assert answer.transaction_id is not None
    return answer.transaction_id


@pytest.mark.parametrize(("button", "code"), [("Accept", 10200), ("Reject", 10201)])
async def test_the_customer_answers_a_push_on_the_page(
    page: Page, sandbox: RunningSandbox, client: NetgiroClient, button: str, code: int
) -> None:
    transaction_id = await insert(client, "8223281")
    await page.goto(sandbox.customer_page_url)
    request = page.locator(f'[data-testid="request"][data-transaction-id="{transaction_id}"]')
    await request.get_by_role("button", name=button).click()
    await request.wait_for(state="detached", timeout=10_000)
    answer = await client.check_cart(transaction_id)
    assert answer.result_code == code


async def test_the_sms_code_read_off_the_page_pays_a_kennitala_cart(
    page: Page, sandbox: RunningSandbox, client: NetgiroClient
) -> None:
    transaction_id = await insert(client, TEST_SSN_UNLIMITED_CREDIT)
    await page.goto(sandbox.customer_page_url)
    sms = page.locator(f'[data-testid="sms"][data-transaction-id="{transaction_id}"]')
    code = (await sms.get_by_test_id("sms-code").inner_text(timeout=10_000)).strip()
    assert (await client.check_cart(transaction_id)).result_code == 10428
    answer = await client.confirm_cart(transaction_id, code)
    assert answer.result_code == 10200
    assert answer.payment_successful


async def test_the_page_makes_an_app_code_that_pays(
    page: Page, sandbox: RunningSandbox, client: NetgiroClient
) -> None:
    await page.goto(sandbox.customer_page_url)
    await page.get_by_role("button", name="Show an app code").click()
    shown = page.locator("#app-code")
    await shown.filter(has_text="500004-").wait_for(timeout=10_000)
    transaction_id = await insert(client, await shown.inner_text())
    assert (await client.check_cart(transaction_id)).result_code == 10200
    if os.environ.get("POS_SCREENSHOT_DIR"):
        await page.screenshot(
            path=str(Path(os.environ["POS_SCREENSHOT_DIR"]) / "customer-page.png")
        )
