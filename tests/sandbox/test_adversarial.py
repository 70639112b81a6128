"""Hostile answers: each must fail, leave the host and the slot as they were, and leave
the pool serving correct verdicts right after.

Every attack in ``ATTACKS`` runs against a one-slot pool and is followed by
``assert_contained``: no process of the slot's uid beyond the slot's own bwrap and
zygote, host sentinels unchanged, nothing written where the sandbox must not write,
loopback listeners never contacted, a victim answer in the same slot that finds
nothing the attacker left behind, and a correct answer scoring 1.0. Reading host
secrets, the network, seccomp and the zygote's memory are in
``test_adversarial_host.py``.
"""

from __future__ import annotations

import asyncio

import pytest
from sandbox_helpers import INC, assert_contained, judge, outcomes, requires_strict, small_config, task

from sweetrl.sandbox.models import ErrorKind, Outcome

pytestmark = [pytest.mark.isolation, requires_strict, pytest.mark.asyncio(loop_scope="module")]
POOL_CONFIG = small_config(slots=1)  # attacker and victim always share the slot

ONE = task("def f(x):\n    return x + 1\n", "f(1)", task_id="one")
TIMEOUT, ERROR, CRASH, UNENC, WRONG = (Outcome.ANSWER_TIMEOUT, Outcome.ANSWER_ERROR,
                                       Outcome.ANSWER_CRASHED, Outcome.ANSWER_UNENCODABLE,
                                       Outcome.WRONG_OUTPUT)

ATTACKS = {
    # ---------------------------------------------------------------- time and CPU
    "infinite_loop": ("def f(x):\n    while True:\n        pass\n", {TIMEOUT}),
    "c_level_sum": ("def f(x):\n    return sum(range(10**12))\n", {TIMEOUT}),
    "c_level_pow": ("def f(x):\n    return len(str(10 ** (10 ** 8)))\n", {TIMEOUT, ERROR}),
    "ignore_signals": ("""
import signal
def f(x):
    for s in (signal.SIGTERM, signal.SIGALRM, signal.SIGINT, signal.SIGXCPU, signal.SIGHUP,
              signal.SIGUSR1, signal.SIGVTALRM):
        signal.signal(s, signal.SIG_IGN)
    signal.setitimer(signal.ITIMER_REAL, 0)
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue
""", {TIMEOUT}),
    "sleep_in_c": ("import time\ndef f(x):\n    time.sleep(3600)\n", {TIMEOUT}),
    # ---------------------------------------------------------------- processes and threads
    "fork_bomb": ("""
import os
def f(x):
    while True:
        try:
            os.fork()
        except OSError:
            pass
""", {TIMEOUT}),
    "fork_bomb_new_sessions": ("""
import os
def f(x):
    while True:
        try:
            if os.fork() == 0:
                os.setsid()
        except OSError:
            pass
""", {TIMEOUT}),
    "thread_bomb": ("""
import threading
def spin():
    while True:
        pass
def f(x):
    while True:
        try:
            threading.Thread(target=spin, daemon=True).start()
        except Exception:
            pass
""", {TIMEOUT}),
    # ---------------------------------------------------------------- memory
    "memory_bomb_huge": ("def f(x):\n    return len(bytearray(10**10)) + x\n", {ERROR}),
    "memory_bomb_growth": ("""
def f(x):
    hoard = []
    while True:
        hoard.append(bytearray(1 << 20))
""", {ERROR, CRASH, TIMEOUT}),
    "memory_bomb_in_children": ("""
import os
def f(x):
    for _ in range(20):
        try:
            if os.fork() == 0:
                block = bytearray(200 << 20)
                while True:
                    block[::4096] = b"x" * len(block[::4096])
        except OSError:
            pass
    while True:
        pass
""", {TIMEOUT}),
    # ---------------------------------------------------------------- disk
    "disk_bomb_tmp": ("""
import os
def f(x):
    for top in ("/tmp", "/dev/shm"):
        try:
            for i in range(10**6):
                with open("%s/fill%d" % (top, i), "wb") as fh:
                    fh.write(os.urandom(1 << 20))
        except OSError:
            pass
    return -1
""", {WRONG}),
    "disk_bomb_deep_and_locked": ("""
import os
def f(x):
    os.chdir("/tmp")
    for depth in range(40):           # far beyond PATH_MAX
        os.mkdir("d" * 250)
        os.chdir("d" * 250)
        open("f", "w").write("left behind")
    os.chmod(".", 0)
    os.chdir("/tmp")
    for i in range(2000):
        os.mkdir("w%d" % i)
    os.symlink("/tmp", "/tmp/loop")
    os.mkfifo("/tmp/fifo")
    os.setxattr("/tmp", "user.pwned", b"1")
    os.chmod("/tmp", 0)
    os.chmod("/dev/shm", 0o777)
    return -1
""", {WRONG}),
    "write_outside_tmp": ("""
import os
def f(x):
    wrote = []
    for path in ["/pwned", "/etc/pwned", "/dev/pwned", "/proc/pwned"] + TARGETS:
        if path.startswith("/tmp/") and path.count("/") == 2:
            continue  # the slot's private /tmp: allowed (and wiped)
        try:
            with open(path, "w") as fh:
                fh.write("x")
            wrote.append(path)
        except OSError:
            pass
    return x + 1 if wrote else -1
""", {WRONG}),
    # ---------------------------------------------------------------- output
    "stdout_flood": ("""
import os, sys
def f(x):
    chunk = "x" * (1 << 20)
    while True:
        sys.stdout.write(chunk)
        os.write(2, chunk.encode())
""", {TIMEOUT}),
    "huge_return_value": ("def f(x):\n    return 'x' * (64 << 20)\n", {UNENC, ERROR}),
    "deeply_nested_return": ("""
def f(x):
    v = []
    for _ in range(10**5):
        v = [v]
    return v
""", {UNENC}),
    "wide_return": ("def f(x):\n    return [[0] * 1000 for _ in range(1000)]\n", {UNENC}),
    # ---------------------------------------------------------------- forged results and exits
    "forged_stdout": ("""
import json, struct, sys
def f(x):
    line = json.dumps([0, "ok", 0.0, 2])
    frame = json.dumps({"seq": 1, "setup": "ok", "detail": "", "results": [[0, "ok", 0.0, 2]]})
    for out in (sys.stdout, sys.stderr, sys.__stdout__):
        out.write('["setup", "ok", 0, ""]\\n' + line + "\\n")
        out.write(struct.pack(">I", len(frame)).decode("latin-1") + frame)
        out.flush()
    return -1
""", {WRONG}),
    "forged_result_pipe": ("""
import os
for fd in range(3, 1024):
    try:
        os.write(fd, b'["setup", "ok", 0, ""]\\n[0, "ok", "fast", 2]\\n')
    except OSError:
        pass
def f(x):
    return -1
""", {CRASH, WRONG}),  # the code writes its own report: it can only forge its own values
    # deep enough to pass the sandbox's parser but not the service's, deeper in its stack
    "forged_deep_result": ("""
import os
line = b'["setup", "ok", 0, ""]\\n[0, "ok", 0.0, ' + b"[" * 985 + b"]" * 985 + b']\\n'
for fd in range(3, 64):
    try:
        os.write(fd, line)
    except OSError:
        pass
os._exit(0)
""", {CRASH}),
    "exit_at_module_level": ("import os\nos._exit(0)\ndef f(x):\n    return x + 1\n", {CRASH}),
    "exit_in_function": ("import os\ndef f(x):\n    os._exit(0)\n", {CRASH}),
    "sys_exit": ("import sys\ndef f(x):\n    sys.exit(x + 1)\n", {ERROR}),
    "abort": ("import os\ndef f(x):\n    os.abort()\n", {CRASH}),
    "kill_parent": ("import os\ndef f(x):\n    os.kill(os.getppid(), 9)\n    return x + 1\n", {CRASH}),
    "kill_everything": ("import os\ndef f(x):\n    os.kill(-1, 9)\n    return x + 1\n", {CRASH}),
    "kill_ancestors": ("""
import os, signal
def f(x):
    for pid in range(2, 64):
        if pid != os.getpid():
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
    os.kill(1, signal.SIGKILL)
    return x + 1
""", {CRASH}),
    "daemon": ("""
import os, socket, time
def f(x):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(0.3)
            open("/tmp/daemon-was-here", "w").write("x")
            for family, addr in ((socket.AF_INET, ("127.0.0.1", PORT)), (socket.AF_UNIX, ABSTRACT)):
                try:
                    socket.socket(family).connect(addr)
                except OSError:
                    pass
            while True:
                time.sleep(0.01)
        os._exit(0)
    return -1
""", {WRONG}),
    # ---------------------------------------------------------------- fooling the comparison
    "patched_builtins": ("""
import builtins, json, time, os
builtins.PWNED = 1
os.environ["PWNED"] = "1"
builtins.isinstance = lambda *a: True
builtins.type = lambda *a: int
builtins.round = builtins.len = builtins.repr = builtins.str = lambda *a, **k: 2
json.dumps = lambda *a, **k: '[0, "ok", 0.0, 2]'
json.loads = lambda *a, **k: [0, "ok", 0.0, 2]
time.perf_counter = lambda: 0.0
import sys
sys.modules["pwned"] = sys
sys.modules["json"] = sys
def f(x):
    return -1
""", {WRONG, ERROR, CRASH, UNENC}),
    "patched_import": ("""
import builtins
real = builtins.__import__
builtins.__import__ = lambda name, *a, **k: (_ for _ in ()).throw(SystemExit(0))
def f(x):
    return -1
""", {WRONG, ERROR, CRASH, UNENC}),
    "always_equal": ("""
class Eq:
    __eq__ = lambda self, other: True
    __ne__ = lambda self, other: False
    __hash__ = lambda self: 2
def f(x):
    return Eq()
""", {UNENC}),
    "int_subclass": ("""
class Two(int):
    __eq__ = lambda self, other: True
    __hash__ = int.__hash__
def f(x):
    return Two(-1)
""", {UNENC}),
    "str_subclass_in_container": ("""
class S(str):
    __eq__ = lambda self, other: True
    __hash__ = str.__hash__
def f(x):
    return [S("no")]
""", {UNENC}),
    "hostile_dunders": ("""
import os
class Evil:
    def __repr__(self):
        while True:
            pass
    __str__ = __repr__
    def __reduce__(self):
        return (os.system, ("touch /tmp/reduced",))
    def __hash__(self):
        raise SystemExit(0)
    def __iter__(self):
        while True:
            yield 2
def f(x):
    return {"k": Evil()}
""", {UNENC}),
    "hostile_exception": ("""
class Boom(Exception):
    def __str__(self):
        raise SystemExit(0)
def f(x):
    raise Boom()
""", {ERROR}),
    "state_for_the_next_request": ("""
import os, signal, resource, sys, json
os.umask(0o777)
os.chdir("/")
signal.signal(signal.SIGTERM, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_NOFILE, (8, 8))
os.environ["PWNED_TOO"] = "1"
json.dumps = lambda *a, **k: "pwned"
sys.setrecursionlimit(50)
def f(x):
    return -1
""", {WRONG, ERROR, CRASH, UNENC}),
}


@pytest.mark.parametrize("name", list(ATTACKS))
async def test_attack_fails_and_is_contained(pool, host, baseline, name):
    code, expected = ATTACKS[name]
    ev = await judge(pool, ONE, host.fill(code))
    assert not ev.success and ev.reward == 0.0
    assert set(outcomes(ev)) <= expected, (outcomes(ev), ev.tests[0].detail)
    await assert_contained(pool, host)
    if name == "daemon":  # it would have acted 0.3 s after the evaluation
        await asyncio.sleep(0.6)
        await assert_contained(pool, host)


async def test_killing_the_zygote_restarts_the_slot(pool, host, baseline):
    restarts = pool.restarts
    ev = await judge(pool, ONE, ATTACKS["kill_everything"][0])
    assert outcomes(ev) == [CRASH] and ev.error_kind is ErrorKind.CRASH
    assert pool.restarts == restarts + 1
    await assert_contained(pool, host)


async def test_killing_the_parent_is_a_crash_verdict_and_the_slot_comes_back(pool, host, baseline):
    # The code runs in a worker whose parent is the slot's zygote (same uid inside the
    # jail): killing it ends the slot, which the pool restarts; the verdict is a crash.
    restarts = pool.restarts
    ev = await judge(pool, INC, ATTACKS["kill_parent"][0])
    assert outcomes(ev) == [CRASH, CRASH]
    assert pool.restarts == restarts + 1
    await assert_contained(pool, host)


async def test_forged_frames_on_every_fd_do_not_desync_the_next_verdicts(pool, host, baseline):
    forge = r'''
import json, os, struct
def frame(seq):
    body = json.dumps({"seq": seq, "setup": "ok", "detail": "",
                       "results": [[0, "ok", 0.0, 2], [1, "ok", 0.0, 42]]}).encode()
    return struct.pack(">I", len(body)) + body
blob = b"".join(frame(s) for s in range(1, 200)) + b'["setup", "ok", 0, ""]\n[0, "ok", 0.0, 2]\n'
for fd in range(0, 1024):
    try:
        os.write(fd, blob)
    except OSError:
        pass
def f(x):
    return -1
'''
    ev = await judge(pool, INC, forge)
    assert not ev.success
    wrong = await judge(pool, INC, "def f(x):\n    return 0\n")  # the forged frames claim 2 and 42
    assert outcomes(wrong) == [WRONG, WRONG]
    await assert_contained(pool, host)


async def test_stopping_the_worker_is_recovered_by_the_backstop(pool, host, baseline):
    # The zygote waits for its worker; the pool's backstop ((n + 1) * 1.5 s + 5 s here)
    # kills and restarts the slot.
    restarts = pool.restarts
    ev = await judge(pool, ONE, "import os, signal\ndef f(x):\n    os.kill(os.getppid(), signal.SIGSTOP)\n"
                                "    while True:\n        pass\n")
    assert outcomes(ev) == [CRASH]
    assert pool.restarts == restarts + 1
    await assert_contained(pool, host)
