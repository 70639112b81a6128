"""Hostile answers that go after the host or other requests' data: files, environment,
network, privileged syscalls, and what earlier requests left in the slot's memory.

Each probe reports what it managed to do (decoded on the trusted side); the test
asserts it managed nothing, then that everything is contained (see
``sandbox_helpers.assert_contained``).
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

import pytest
from sandbox_helpers import assert_contained, judge, outcomes, probe, requires_strict, small_config, task

from sweetrl.sandbox.models import Outcome
from sweetrl.sandbox.pool import SandboxPool

pytestmark = [pytest.mark.isolation, requires_strict, pytest.mark.asyncio(loop_scope="module")]
POOL_CONFIG = small_config(slots=1)

FIND_SECRET = r"""
import os
def hunt(secret):
    # Files whose content holds ``secret``: everywhere but /proc, /sys, /dev (a read of
    # /dev/ptmx would block) and /usr (read-only system files).
    found = []
    for top in ("/", "/dev/shm"):
        for root, dirs, files in os.walk(top):
            if root == "/":
                dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr")]
            for name in files:
                path = os.path.join(root, name)
                try:
                    with open(path, "rb") as fh:
                        if secret in fh.read(1 << 20):
                            found.append(path)
                except OSError:
                    pass
    return found
"""


async def test_host_files_are_not_visible(pool, host, baseline):
    paths = [*map(str, host.secret_paths), "/etc/shadow", "/etc/passwd", "/root", "/home", "/work",
             "/run", "/var", "/sys/kernel"]
    code = FIND_SECRET + f"""
def f():
    report = {{}}
    for path in {paths!r}:
        try:
            with open(path, "rb") as fh:
                report[path] = fh.read(200)
        except OSError as exc:
            report[path] = type(exc).__name__
    report["/"] = sorted(os.listdir("/"))
    report["/etc"] = sorted(os.listdir("/etc"))
    report["hunt"] = hunt({host.secret.encode()!r})
    return report
"""
    report = await probe(pool, code)
    assert host.secret not in repr(report)
    for path in paths:
        assert report[path] == "FileNotFoundError", (path, report[path])
    # only what the slot command binds (system dirs read-only, private /tmp, /proc, /dev)
    assert set(report["/"]) <= {"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc",
                                "sbin", "tmp", "usr"}
    assert set(report["/etc"]) <= {"alternatives", "ld.so.cache", "localtime"}
    assert report["hunt"] == []
    # The same search as an answer, which passes only if it finds the secret.
    t = task(f"def f():\n    return {host.secret!r}\n", "f()")
    steal = FIND_SECRET + f"""
def f():
    for path in hunt(b"SECRET-"):
        return open(path).read().strip()
"""
    assert outcomes(await judge(pool, t, steal)) == [Outcome.WRONG_OUTPUT]
    await assert_contained(pool, host)


async def test_writes_land_only_in_the_private_tmp(pool, host, baseline):
    code = r'''
import os
def f():
    wrote = []
    for path in TARGETS + ["/pwned", "/etc/pwned", "/dev/pwned", "/usr/pwned", "/bin/pwned",
                           "/proc/pwned", "/proc/sys/kernel/hostname", "/tmp/ok", "/dev/shm/ok"]:
        try:
            with open(path, "w") as fh:
                fh.write("x")
            wrote.append(path)
        except OSError:
            pass
    return wrote
'''
    wrote = await probe(pool, host.fill(code))
    # /tmp/pwned-<tag> is a host target too, but in the sandbox it is the private /tmp
    private = [str(p) for p in host.write_targets if p.parent == Path("/tmp")]
    assert sorted(wrote) == sorted(["/tmp/ok", "/dev/shm/ok", *private])
    await assert_contained(pool, host)  # includes: none of the host targets exists


async def test_the_host_environment_is_not_visible(monkeypatch, host):
    # A fresh pool, started while the service's environment holds a secret.
    monkeypatch.setenv("SWEETRL_TEST_SECRET", host.secret)
    code = f"""
import glob, os
def found():
    hits = [k for k, v in os.environ.items() if "SWEETRL" in k or "SECRET-" in v]
    paths = glob.glob("/proc/*/environ") + glob.glob("/proc/*/cmdline") + ["/proc/{os.getpid()}/environ"]
    for path in paths:
        try:
            if b"SECRET-" in open(path, "rb").read():
                hits.append(path)
        except OSError:
            pass
    return hits
def f():
    return found(), sorted(os.environ)
"""
    async with SandboxPool(small_config(slots=1)) as fresh:
        hits, names = await probe(fresh, code)
        assert hits == []
        assert names == ["HOME", "LANG", "PATH", "PWD", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED"]
        t = task(f"def f():\n    return {host.secret!r}\n", "f()")
        steal = code + f"def f():\n    return {host.secret!r} if found() else None\n"
        assert not (await judge(fresh, t, steal)).success


async def test_the_network_is_unreachable(pool, host, baseline):
    code = r'''
import socket
def f():
    report = {}
    attempts = {
        "tcp": (socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", PORT)),
        "tcp6": (socket.AF_INET6, socket.SOCK_STREAM, ("::1", PORT)),
        "udp": (socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", 53)),
        "abstract": (socket.AF_UNIX, socket.SOCK_STREAM, ABSTRACT),
        "unix": (socket.AF_UNIX, socket.SOCK_STREAM, UNIX_PATH),
        "netlink": (socket.AF_NETLINK, socket.SOCK_RAW, (0, 0)),
        "packet": (socket.AF_PACKET, socket.SOCK_RAW, None),
    }
    for name, (family, kind, addr) in attempts.items():
        try:
            s = socket.socket(family, kind)
            s.settimeout(0.5)
            s.connect(addr)
            report[name] = "connected"
        except OSError as exc:
            report[name] = type(exc).__name__
    return report
'''
    report = await probe(pool, host.fill(code))
    assert report == {"tcp": "PermissionError", "tcp6": "PermissionError", "udp": "PermissionError",
                      "abstract": "ConnectionRefusedError", "unix": "FileNotFoundError",
                      "netlink": "PermissionError", "packet": "PermissionError"}
    await assert_contained(pool, host)  # includes: no listener was contacted


# x86_64 numbers of denied syscalls that libc has no wrapper for
RAW_SYSCALLS = {"bpf": 321, "io_uring_setup": 425, "keyctl": 250, "userfaultfd": 323,
                "perf_event_open": 298, "process_vm_readv": 310, "pidfd_getfd": 438, "mq_open": 240}


async def test_seccomp_denies_privileged_and_unneeded_syscalls(pool, host, baseline):
    raw = RAW_SYSCALLS if platform.machine() == "x86_64" else {}
    code = f"""
import ctypes, errno, socket
libc = ctypes.CDLL(None, use_errno=True)
def err(rc):
    return "ok" if rc >= 0 else errno.errorcode[ctypes.get_errno()]
def f():
    r = {{}}
    r["ptrace"] = err(libc.ptrace(0, 0, None, None))  # PTRACE_TRACEME: allowed to anyone unfiltered
    r["shmget"] = err(libc.shmget(0, 4096, 0o1600))   # SysV IPC: likewise
    r["unshare_user"] = err(libc.unshare(0x10000000))
    r["unshare_net"] = err(libc.unshare(0x40000000))
    r["mount"] = err(libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
    r["umount"] = err(libc.umount2(b"/tmp", 2))
    r["chroot"] = err(libc.chroot(b"/tmp"))
    r["setns"] = err(libc.setns(0, 0))
    for name, nr in {raw!r}.items():
        r[name] = err(libc.syscall(nr, 0, 0, 0, 0, 0))
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        r["socket_inet"] = "ok"
    except PermissionError:
        r["socket_inet"] = "PermissionError"
    return r
"""
    report = await probe(pool, code)
    names = ["ptrace", "shmget", "unshare_user", "unshare_net", "mount", "umount", "chroot", "setns", *raw]
    assert report == {**{name: "EPERM" for name in names}, "socket_inet": "PermissionError"}
    await assert_contained(pool, host)


# Scans the process's own memory, which a fork inherits from its parents, for what an
# earlier request to this slot (here: the task's ground truth) left there: its outputs,
# or its source, which it then runs to answer every test right.
MEMORY_THIEF = r'''
# the thief
import ctypes, json, re
def memory():
    with open("/proc/self/maps") as maps:
        for line in maps:
            addr, perms, _, _, _, *name = line.split()
            if "r" not in perms or (name and name[0] not in ("[heap]", "[stack]")):
                continue
            lo, hi = (int(x, 16) for x in addr.split("-"))
            if hi - lo < 1 << 28:
                yield ctypes.string_at(lo, hi - lo)
def stolen_sources():
    for block in memory():
        for m in re.finditer(rb'"code": "', block):
            try:
                text = block[m.end() - 1:m.end() + 200_000].decode("utf-8", "replace")
                code, _ = json.JSONDecoder().raw_decode(text)
            except ValueError:
                continue
            if "# the thief" not in code:  # not its own request
                yield code
def f(x):
    for code in stolen_sources():  # run what earlier requests ran, e.g. the ground truth
        try:
            namespace = {}
            exec(code, namespace)
            return namespace["f"](x)
        except Exception:
            continue
    for block in memory():  # else the ground truth's reported outputs
        for m in re.finditer(rb"TOKEN-[0-9a-f]{32}[0-9]+", block):
            if m.group(0).endswith(str(x * 7919).encode()):
                return m.group(0).decode()
    return -1
'''


async def test_earlier_requests_cannot_be_read_from_memory(pool, host, baseline):
    token = "TOKEN-" + os.urandom(16).hex()
    gt = f"def f(x):\n    secret = {token[:6]!r} + {token[6:]!r}\n    return secret + str(x * 7919)\n"
    t = task(gt, "f(1)", "f(2)", task_id="memory")
    ev = await judge(pool, t, MEMORY_THIEF)  # the ground truth ran in this slot just before
    assert outcomes(ev) == [Outcome.WRONG_OUTPUT] * 2, ev.tests
    assert [t.detail.endswith("got -1") for t in ev.tests] == [True, True]  # found nothing
    await assert_contained(pool, host)
