"""The runner's helper that stops a child task must never swallow its *caller's* cancellation.

Found when `test_a_till_killed_mid_payment_shows_the_outcome_at_the_next_start` failed under
parallel load: the payment task was cancelled (as a process stop tears it down) while the
runner waited for a child it had just cancelled; ``contextlib.suppress(CancelledError)`` ate the
caller's own cancellation too, and the payment went on.
"""

from __future__ import annotations

import asyncio

import pytest

from pos.services.checkout_runner import _cancelled


async def test_the_callers_cancellation_while_a_child_stops_is_not_swallowed() -> None:
    release = asyncio.Event()

    async def slow_to_stop() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            await release.wait()  # its clean-up takes a moment

    child = asyncio.create_task(slow_to_stop())
    await asyncio.sleep(0)  # the child is running
    caller = asyncio.create_task(_cancelled(child))
    await asyncio.sleep(0)  # the caller has cancelled the child and waits for it to stop
    caller.cancel()  # and now the caller itself is cancelled (its process stops)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert child.done()


async def test_a_child_that_stops_is_waited_for_and_its_end_ignored() -> None:
    async def fails_on_stop() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            raise RuntimeError("a child's own failure while stopping")

    child = asyncio.create_task(fails_on_stop())
    await asyncio.sleep(0)
    await _cancelled(child)  # neither its CancelledError nor its failure reaches the caller
    assert child.done()
