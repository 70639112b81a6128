"""The slot pool: bounded admission, cancellation, and the weaker 'process' level."""

from __future__ import annotations

import asyncio
import time

import pytest
from sandbox_helpers import (INC, INC_RIGHT, judge, live_processes, outcomes, requires_root,
                             requires_strict, settled_processes, slot_uids, small_config)

from sweetrl.errors import Overloaded
from sweetrl.sandbox.evaluator import EvalItem, Evaluator
from sweetrl.sandbox.models import Outcome
from sweetrl.sandbox.pool import SandboxPool

pytestmark = pytest.mark.asyncio(loop_scope="module")
POOL_CONFIG = small_config(slots=1, max_queue=1, per_test_timeout_s=0.5)
HANG = "def f(x):\n    while True:\n        pass\n"


@pytest.mark.isolation
@requires_strict
async def test_a_full_queue_fails_fast_with_overloaded(pool):
    running = asyncio.create_task(pool.run(HANG, ["f(1)"]))
    await asyncio.sleep(0.05)
    waiting = asyncio.create_task(pool.run("def f(x):\n    return x\n", ["f(1)"]))
    await asyncio.sleep(0.05)
    assert (pool.busy, pool.waiting) == (1, 1)
    t0 = time.perf_counter()
    with pytest.raises(Overloaded, match="queue is full"):
        await pool.run("def f(x):\n    return x\n", ["f(1)"])
    assert time.perf_counter() - t0 < 0.1
    assert (await running).results[0][1] == "timeout"
    assert (await waiting).results == [[0, "ok", pytest.approx(0, abs=0.5), 1]]


@pytest.mark.isolation
@requires_strict
async def test_a_cancelled_run_recycles_its_slot(pool):
    restarts = pool.restarts
    run = asyncio.create_task(pool.run(HANG, ["f(1)"]))
    await asyncio.sleep(0.1)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert pool.restarts == restarts + 1
    assert (await Evaluator(pool).evaluate(EvalItem(INC, INC_RIGHT))).success


@pytest.mark.isolation
@requires_strict
async def test_a_zygote_that_died_while_idle_does_not_fail_the_next_run(pool):
    restarts = pool.restarts
    slot = pool._slots[0]
    slot.proc.kill()  # as if something a previous run left behind took it down later
    await slot.proc.wait()
    await asyncio.sleep(0.05)
    assert (await Evaluator(pool).evaluate(EvalItem(INC, INC_RIGHT))).success
    assert pool.restarts == restarts + 1


@requires_root  # a dedicated uid per slot is what lets the zygote sweep without a pid namespace
async def test_process_level_judges_and_sweeps_quickly():
    async with SandboxPool(small_config(isolation="process", slots=1)) as pool:
        ev = Evaluator(pool)
        assert (await ev.evaluate(EvalItem(INC, INC_RIGHT))).success
        idle = len(live_processes(slot_uids(pool)))
        assert idle == 1  # just the zygote
        daemon = ("import os, time\ndef f(x):\n    if os.fork() == 0:\n        os.setsid()\n"
                  "        time.sleep(60)\n    return -1\n")
        t0 = time.perf_counter()
        wrong = await judge(ev, INC, daemon)
        # The sweep only waits for processes of the slot's uid, not for the whole host's.
        assert time.perf_counter() - t0 < 0.5
        assert outcomes(wrong) == [Outcome.WRONG_OUTPUT] * 2
        assert len(await settled_processes(pool, idle)) == idle
