"""Helpers of the sandbox tests: small configs, tasks, judging, host-side process probes.

A plain module (not conftest) so test files import it by a name no other test
folder uses.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from sweetrl.sandbox import isolation
from sweetrl.sandbox.codec import decode
from sweetrl.sandbox.config import MiB, SandboxConfig
from sweetrl.sandbox.evaluator import EvalItem, Evaluator
from sweetrl.sandbox.models import BackendTask, Evaluation, Outcome
from sweetrl.sandbox.models import TestCase as Case
from sweetrl.sandbox.pool import SandboxPool


def strict_available() -> str | None:
    """None when the 'strict' level (bubblewrap namespaces + seccomp) works here."""
    try:
        isolation.check_available("strict", seccomp=True)
    except isolation.IsolationUnavailable as exc:
        return str(exc)
    return None


def small_config(**overrides) -> SandboxConfig:
    """Fast limits for tests: 1 s per case, 256 MiB, 16 MiB tmpfs."""
    values = dict(slots=1, per_test_timeout_s=1.0, eval_timeout_s=10.0, memory_bytes=256 * MiB,
                  tmp_bytes=16 * MiB, file_bytes=8 * MiB, max_processes=32)
    values.update(overrides)
    return SandboxConfig(**values)


def task(ground_truth: str, *calls: str, task_id: str = "t") -> BackendTask:
    return BackendTask(task_id, ground_truth,
                       tuple(Case(f"case{i}", c) for i, c in enumerate(calls)))


INC = task("def f(x):\n    return x + 1\n", "f(1)", "f(41)", task_id="inc")
INC_RIGHT = "```python\ndef f(x):\n    return 1 + x\n```"


async def judge(pool_or_evaluator, t: BackendTask, code: str) -> Evaluation:
    """Evaluate ``code`` (already code, no fence extraction) against task ``t``."""
    ev = pool_or_evaluator if isinstance(pool_or_evaluator, Evaluator) else Evaluator(pool_or_evaluator)
    return await ev.evaluate(EvalItem(t, code, answer_is_code=True))


async def probe(pool: SandboxPool, code: str, call: str = "f()"):
    """Run ``code`` and one call in the pool; the decoded value, or (status, detail)."""
    out = await pool.run(code, [call])
    if out.setup != "ok":
        return ("setup:" + out.setup, out.detail)
    (_, status, _, payload), = out.results
    return decode(payload) if status == "ok" else (status, payload)


def outcomes(ev: Evaluation) -> list[Outcome]:
    return [t.outcome for t in ev.tests]


# Judged in the same slot after an attack: "clean" unless the attack left something behind.
VICTIM = task("def f():\n    return 'clean'\n", "f()", task_id="victim")
VICTIM_CODE = r'''
import builtins, json, math, os, resource, signal, sys
def f():
    left = []
    for top in ("/tmp", "/dev/shm"):
        if os.listdir(top):
            left.append((top, sorted(os.listdir(top))[:3]))
        if oct(os.stat(top).st_mode & 0o7777) != "0o755" or not os.access(top, os.W_OK):
            left.append(("mode", top, oct(os.stat(top).st_mode)))
        if os.listxattr(top):
            left.append(("xattr", top))
    for path in ("/pwned", "/etc/pwned", "/dev/pwned"):
        if os.path.exists(path):
            left.append(path)
    if any(k.startswith("PWNED") for k in os.environ) or hasattr(builtins, "PWNED"):
        left.append("env/builtins")
    if json.dumps([1]) != "[1]" or math.sqrt(4) != 2.0 or len("ab") != 2 or "pwned" in sys.modules:
        left.append("modules")
    mask = os.umask(0o22)
    if mask != 0o22 or os.getcwd() != "/tmp":
        left.append(("umask/cwd", mask, os.getcwd()))
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        left.append("signals")
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] != 64:
        left.append("rlimit")
    me, parent = os.getpid(), os.getppid()
    for p in os.listdir("/proc"):
        if p.isdigit() and int(p) not in (1, 2, me, parent):
            try:
                state = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                left.append(("process", p, open("/proc/%s/cmdline" % p, "rb").read()[:60]))
    return "clean" if not left else repr(left)
'''


async def assert_contained(pool: SandboxPool, host) -> None:
    """After an attack: nothing of it alive or left in the slot, the host intact
    (``host``: the conftest fixture), and the pool judging correctly."""
    procs = await settled_processes(pool, host.baseline)
    assert len(procs) == host.baseline, f"processes survived the evaluation: {procs}"
    host.check()
    victim = await judge(pool, VICTIM, VICTIM_CODE)
    assert victim.success, victim.tests[0].detail
    healthy = await Evaluator(pool).evaluate(EvalItem(INC, INC_RIGHT))
    assert healthy.reward == 1.0, healthy


# ------------------------------------------------------------------ host-side probes
def slot_uids(pool: SandboxPool) -> list[int]:
    """Host uids of the pool's slots; empty unless root (only root gives slots their own)."""
    return [s.plan.user for s in pool._slots if s.plan.user is not None]


def live_processes(uids: list[int]) -> list[tuple[int, int, str]]:
    """(pid, uid, comm) of the live (not zombie) host processes owned by ``uids``."""
    wanted, found = set(uids), []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{name}/status").read_text().splitlines()
                          if ":" in line)
            uid, state = int(fields["Uid"].split()[0]), fields["State"].split()[0]
        except (OSError, KeyError, ValueError):
            continue
        if uid in wanted and state not in ("Z", "X"):
            found.append((int(name), uid, fields["Name"].strip()))
    return sorted(found)


async def settled_processes(pool: SandboxPool, expected: int, timeout: float = 3.0):
    """Slot processes once their number is back to ``expected`` (a restarted slot's old
    processes take a moment to die), or what is there at the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        procs = live_processes(slot_uids(pool))
        if len(procs) <= expected or time.monotonic() > deadline:
            return procs
        await asyncio.sleep(0.05)


requires_strict = pytest.mark.skipif(strict_available() is not None,
                                     reason=f"strict isolation unavailable: {strict_available()}")
requires_root = pytest.mark.skipif(os.geteuid() != 0, reason="dedicated slot uids need root")
