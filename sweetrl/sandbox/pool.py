"""A pool of pre-warmed sandbox slots, each a fork server (``zygote.py``) in its own jail.

The pool runs in the service's asyncio loop; untrusted code never runs in this
process. Admission is bounded: when ``max_queue`` evaluations already wait for a slot,
:meth:`SandboxPool.run` raises :class:`~sweetrl.errors.Overloaded` at once. A slot
whose zygote dies, hangs or breaks protocol is killed (with everything in it) and
restarted; the evaluation that was running gets a crash verdict.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import os
import signal
import struct
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sweetrl.errors import Overloaded, Unavailable
from sweetrl.sandbox import cgroups, isolation
from sweetrl.sandbox.config import SandboxConfig

log = logging.getLogger(__name__)


@dataclass
class RunOutput:
    """Raw outcome of running code and calls in a slot (values still encoded)."""

    setup: str  # ok | syntax | definition | timeout | crash
    detail: str = ""
    results: list[list[Any]] = field(default_factory=list)
    queue_seconds: float = 0.0
    run_seconds: float = 0.0


def parse_reply(body: bytes, seq: int) -> RunOutput:
    """Rows of a reply (one JSON value per line) -> RunOutput.

    The zygote frames the reply, so the channel cannot desync; but the rows were
    written by the process that ran the code, which may have tampered with them. A
    reply without the right ``["seq", n]`` first row is that run's crash, nothing
    more. Rows that do not parse are dropped (the evaluator reports their calls as
    missing)."""
    rows = []
    for line in body.split(b"\n"):
        if line:
            try:
                rows.append(json.loads(line))
            except (ValueError, RecursionError):
                continue
    if not rows or rows[0] != ["seq", seq]:
        return RunOutput(setup="crash", detail="the evaluated code tampered with its report")
    out = RunOutput(setup="crash", detail="no setup report")
    for row in rows[1:]:
        if not isinstance(row, list) or len(row) != 4:
            continue
        if row[0] == "setup" and out.detail == "no setup report":
            out.setup, out.detail = str(row[1]), str(row[3])[:300]
        elif type(row[0]) is int:
            out.results.append(row)
    return out


class SlotFailure(Exception):
    """The slot's zygote died, hung or broke protocol."""


class SlotDead(SlotFailure):
    """The slot's zygote was already gone before a run was sent to it (it died while idle,
    e.g. from something a previous run left behind): not the next code's doing."""


class Slot:
    """One jailed fork server and the pipes to it."""

    def __init__(self, index: int, plan: isolation.SlotPlan, config: SandboxConfig,
                 seccomp_hex: str):
        self.index = index
        self.plan = plan
        self.config = config
        self.seccomp_hex = seccomp_hex
        self.proc: asyncio.subprocess.Process | None = None
        self.cgroup: cgroups.SlotCgroup | None = None
        self.seq = 0
        self.runs = 0
        self._stderr: collections.deque[bytes] = collections.deque(maxlen=32)
        self._stderr_task: asyncio.Task | None = None

    async def start(self) -> None:
        uid = self.plan.user
        kwargs: dict[str, Any] = {}
        if uid is not None:
            kwargs = {"user": uid, "group": self.plan.group, "extra_groups": []}
        self.proc = await asyncio.create_subprocess_exec(
            *self.plan.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self.plan.env, start_new_session=True,
            limit=2 * self.config.max_output_bytes + (1 << 16), **kwargs)
        self._stderr_task = asyncio.create_task(self._drain_stderr())
        try:
            await self._send({"seccomp": self.seccomp_hex})
            hello = await asyncio.wait_for(self._recv(), self.config.start_timeout_s)
        except (asyncio.TimeoutError, SlotFailure, ConnectionError) as exc:
            await self.kill()
            raise Unavailable(f"sandbox slot {self.index} failed to start: {exc}; "
                              f"stderr: {self.stderr_tail()}") from None
        if not hello.get("ready"):
            await self.kill()
            raise Unavailable(f"sandbox slot {self.index} refused to start: {hello.get('error')}")
        if self.cgroup is not None and uid is not None:
            # Nothing untrusted has run yet: every process of the slot's uid is ours.
            for pid in cgroups.pids_of_uid(uid):
                with contextlib.suppress(OSError):
                    self.cgroup.add(pid)

    async def _drain_stderr(self) -> None:
        assert self.proc and self.proc.stderr
        while chunk := await self.proc.stderr.read(4096):
            self._stderr.append(chunk[:512])

    def stderr_tail(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")[-500:]

    async def _send(self, obj: dict) -> None:
        assert self.proc and self.proc.stdin
        data = json.dumps(obj).encode()
        self.proc.stdin.write(struct.pack(">I", len(data)) + data)
        await self.proc.stdin.drain()

    async def _recv_bytes(self) -> bytes:
        assert self.proc and self.proc.stdout
        try:
            (n,) = struct.unpack(">I", await self.proc.stdout.readexactly(4))
            if n > 2 * self.config.max_output_bytes + (1 << 17):
                raise SlotFailure(f"oversized frame ({n} bytes)")
            return await self.proc.stdout.readexactly(n)
        except asyncio.IncompleteReadError as exc:
            raise SlotFailure(f"zygote closed or garbled its channel ({type(exc).__name__})") from None

    async def _recv(self) -> dict:
        try:
            return json.loads(await self._recv_bytes())
        except (ValueError, RecursionError) as exc:
            raise SlotFailure(f"zygote garbled its channel ({type(exc).__name__})") from None

    async def run(self, code: str, calls: list[str]) -> RunOutput:
        if self.proc is None or self.proc.returncode is not None or (
                self.proc.stdout is not None and self.proc.stdout.at_eof()):
            raise SlotDead("slot is not running")
        self.seq += 1
        self.runs += 1
        seq = self.seq
        backstop = min(self.config.per_test_timeout_s * (len(calls) + 1),
                       self.config.eval_timeout_s + self.config.per_test_timeout_s) * 1.5 + 5.0
        try:
            await self._send({"seq": seq, "code": code, "calls": calls})
            body = await asyncio.wait_for(self._recv_bytes(), backstop)
        except asyncio.TimeoutError:
            raise SlotFailure(f"no reply within {backstop:.0f}s") from None
        except (ConnectionError, BrokenPipeError) as exc:
            raise SlotFailure(f"zygote pipe broken: {exc}") from None
        return parse_reply(body, seq)

    async def kill(self) -> None:
        proc = self.proc
        if proc is None:
            return
        # os.kill, not proc.kill(): Popen.send_signal polls first, which can reap the
        # process behind asyncio's child watcher ("Unknown child process pid" warnings).
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                kill(proc.pid, signal.SIGKILL)
        if self.plan.user is not None:  # stragglers of the dedicated uid (process level)
            for pid in cgroups.pids_of_uid(self.plan.user):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(proc.wait(), 10)
        if self._stderr_task:
            self._stderr_task.cancel()
        self.proc = None


class SandboxPool:
    """Pre-warmed slots with bounded admission. Use as ``async with SandboxPool(cfg)``."""

    def __init__(self, config: SandboxConfig):
        config.validate()
        self.config = config
        self.mechanisms: list[str] = []
        self._slots: list[Slot] = []
        self._idle: asyncio.Queue[Slot] = asyncio.Queue()
        self._waiting = 0
        self._busy = 0
        self.restarts = 0
        self.started = False
        self._claims: list[isolation.UidClaim] = []

    @property
    def waiting(self) -> int:
        """Evaluations waiting for a slot right now."""
        return self._waiting

    @property
    def busy(self) -> int:
        return self._busy

    async def start(self) -> None:
        """Check isolation, claim uids, start every slot; on any failure undo it all."""
        try:
            await self._start()
        except BaseException:
            await self.close()
            raise

    async def _start(self) -> None:
        cfg = self.config
        loop = asyncio.get_running_loop()
        self.mechanisms = await loop.run_in_executor(
            None, lambda: isolation.check_available(cfg.isolation, seccomp=cfg.seccomp))
        interpreter = isolation.find_interpreter(cfg.interpreter)
        seccomp_hex = isolation.seccomp_program().hex() if cfg.seccomp else ""
        source = resources.files("sweetrl.sandbox").joinpath("zygote.py").read_text()
        cgroup_mechs: set[str] = set()
        for i in range(cfg.slot_count):
            claim = isolation.claim_uid(cfg.host_uid_base) if isolation.is_root() else None
            if claim is not None:
                self._claims.append(claim)
            plan = isolation.plan_slot(cfg.isolation, claim.uid if claim else None,
                                       interpreter=interpreter, zygote_source=source,
                                       limits_json="", tmp_bytes=cfg.tmp_bytes)
            limits = json.dumps({
                "per_test_timeout_s": cfg.per_test_timeout_s, "eval_timeout_s": cfg.eval_timeout_s,
                "memory_bytes": cfg.memory_bytes,
                "max_processes": cfg.max_processes, "file_bytes": cfg.file_bytes,
                "open_files": cfg.open_files, "max_output_bytes": cfg.max_output_bytes,
                "sweep": plan.sweep, "wipe_dirs": plan.wipe_dirs, "max_calls": cfg.max_test_cases,
            })
            plan.argv[-1] = limits
            slot = Slot(i, plan, cfg, seccomp_hex)
            if cfg.cgroups != "off" and plan.user is not None:
                slot.cgroup = cgroups.create(f"uid-{plan.user}", pids_max=cfg.max_processes + 8,
                                             memory_bytes=cfg.memory_bytes + cfg.tmp_bytes * 2
                                             + (256 << 20))
                if slot.cgroup:
                    cgroup_mechs.update(slot.cgroup.mechanisms)
            if cfg.cgroups == "require" and slot.cgroup is None:
                raise Unavailable("sandbox.cgroups=require but cgroups are not writable here "
                                  "(needs root and a writable /sys/fs/cgroup)")
            self._slots.append(slot)
        outcomes = await asyncio.gather(*(s.start() for s in self._slots), return_exceptions=True)
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        if failures:
            raise failures[0]
        for s in self._slots:
            self._idle.put_nowait(s)
        self.mechanisms += sorted(cgroup_mechs)
        self.started = True
        log.info("sandbox pool: %d slots, isolation=%s, mechanisms=%s",
                 len(self._slots), cfg.isolation, ",".join(self.mechanisms))

    async def run(self, code: str, calls: list[str]) -> RunOutput:
        """Run ``code`` and then each call in a fresh sandboxed process."""
        if not self.started:
            raise Unavailable("sandbox pool is not started")
        if self._idle.empty() and self._waiting >= self.config.max_queue:
            raise Overloaded(f"sandbox queue is full ({self.config.max_queue} waiting); retry later")
        t0 = time.perf_counter()
        self._waiting += 1
        try:
            slot = await self._idle.get()
        finally:
            self._waiting -= 1
        t1 = time.perf_counter()
        self._busy += 1
        try:
            try:
                try:
                    out = await slot.run(code, calls)
                except SlotDead as exc:  # died while idle: run this code on a fresh zygote
                    log.warning("sandbox slot %d had died while idle (%s; stderr: %s); restarting "
                                "it before this run", slot.index, exc, slot.stderr_tail() or "-")
                    await self._restart(slot)
                    out = await slot.run(code, calls)
            except SlotFailure as exc:
                log.warning("sandbox slot %d failed (%s; stderr: %s); restarting it",
                            slot.index, exc, slot.stderr_tail() or "-")
                out = RunOutput(setup="crash", detail=f"sandbox process died: {exc}"[:300])
                await self._restart(slot)
            except asyncio.CancelledError:
                # The caller went away mid-run: the slot's state is unknown, recycle it.
                await asyncio.shield(self._restart(slot))
                raise
        finally:
            self._busy -= 1
            self._idle.put_nowait(slot)
        out.queue_seconds = t1 - t0
        out.run_seconds = time.perf_counter() - t1
        return out

    async def _restart(self, slot: Slot) -> None:
        await slot.kill()
        if not self.started:  # closing: do not bring slots back
            return
        self.restarts += 1
        slot.seq = 0
        try:
            await slot.start()
        except Unavailable as exc:  # keep the slot object; the next run retries a start
            log.error("sandbox slot %d could not restart: %s", slot.index, exc)

    async def close(self) -> None:
        self.started = False
        await asyncio.gather(*(s.kill() for s in self._slots), return_exceptions=True)
        for s in self._slots:
            if s.cgroup:
                s.cgroup.remove()
        for claim in self._claims:  # only after every process of the uid is gone
            claim.release()
        self._claims.clear()
        self._slots.clear()
        self.started = False

    async def __aenter__(self) -> "SandboxPool":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
