"""How a sandbox slot is isolated: levels, probes, the slot command, the seccomp filter.

Two named levels:

``strict`` (default)
    bubblewrap puts each slot in new user, network (loopback only, down), pid, ipc,
    uts, cgroup and mount namespaces with a read-only view of the system directories
    (``/usr``, ``/etc`` basics) and nothing else of the host (no ``/work``, ``/home``,
    ``/root``, host ``/tmp``), a read-only root, a private size-capped tmpfs at
    ``/tmp`` and ``/dev/shm`` (the only writable places), uid 65534 without
    capabilities, no further user namespaces, and ``--die-with-parent``. When the service runs as root each slot also runs as its
    own host uid (claimed exclusively, see :func:`claim_uid`), so RLIMIT_NPROC binds (it does not for
    uid 0) and slots cannot signal each other. A seccomp filter denies the syscalls
    untrusted code never needs (ptrace, mount, namespaces, bpf, keyctl, SysV IPC,
    non-unix sockets, ...).
``process``
    A weaker level for hosts without user namespaces (e.g. Kubernetes pods that
    forbid them, ideally combined with a gVisor runtimeClass and a deny-all
    NetworkPolicy): a separate process with rlimits, seccomp and a dedicated uid when
    root, but **no network, pid or mount isolation**. It is used only when the
    operator names it explicitly.

When a mechanism the chosen level requires is missing, :func:`check_available` raises
:class:`IsolationUnavailable` with what is missing and how to fix it; the service
refuses to start rather than running untrusted code with less isolation.
"""

from __future__ import annotations

import errno
import functools
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

LEVELS = ("strict", "process")
SANDBOX_UID = 65534

# Syscalls denied with EPERM: none is needed to define and call a Python function.
DENIED_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "reboot", "swapon", "swapoff", "acct", "quotactl", "syslog", "settimeofday",
    "clock_settime", "adjtimex", "clock_adjtime", "sethostname", "setdomainname",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "shmget", "shmat", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl",
    "semget", "semop", "semctl", "semtimedop", "mq_open", "name_to_handle_at",
    "open_by_handle_at", "lookup_dcookie", "vhangup", "personality",
)
# CLONE_NEWNS, NEWUSER, NEWPID, NEWNET, NEWUTS, NEWIPC, NEWCGROUP
_NAMESPACE_FLAG_BITS = (0x00020000, 0x10000000, 0x20000000, 0x40000000, 0x04000000, 0x08000000, 0x02000000)
AF_UNIX = 1


class IsolationUnavailable(RuntimeError):
    """A mechanism the configured isolation level requires is missing on this host."""


@dataclass(frozen=True)
class SlotPlan:
    """Everything needed to start one slot's zygote."""

    argv: list[str]
    user: int | None
    group: int | None
    env: dict[str, str]
    sweep: str
    wipe_dirs: list[str]


def is_root() -> bool:
    return os.geteuid() == 0


def _world_readable(path: Path) -> bool:
    """Whether an unprivileged uid can read and execute ``path`` (all parents searchable)."""
    try:
        path = path.resolve()
        if not path.stat().st_mode & stat.S_IROTH:
            return False
        for parent in path.parents:
            if not parent.stat().st_mode & stat.S_IXOTH:
                return False
        return True
    except OSError:
        return False


def find_interpreter(configured: str = "") -> str:
    """Python interpreter for slots: configured, else the first world-readable candidate."""
    import sys

    if configured:
        return configured
    candidates = [Path(sys.executable), Path(sys.base_prefix) / "bin" / "python3",
                  Path("/usr/local/bin/python3"), Path("/usr/bin/python3")]
    for cand in candidates:
        if cand.exists() and _world_readable(cand):
            return str(cand.resolve())
    raise IsolationUnavailable(
        "no Python interpreter readable by the sandbox uid; install Debian's python3 "
        "(apt-get install python3) or set sandbox.interpreter"
    )


def _interpreter_binds(interpreter: str) -> list[str]:
    """Read-only binds so ``interpreter`` and its stdlib work inside the sandbox."""
    import sys

    real = Path(interpreter).resolve()
    binds: list[str] = []
    roots = ["/usr", "/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives"]
    for prefix in {str(real.parent.parent), sys.base_prefix}:
        if not prefix.startswith("/usr") and Path(prefix).exists() and _world_readable(Path(prefix)):
            roots.append(prefix)
    for src in roots:
        if Path(src).exists():
            binds += ["--ro-bind", src, src]
    return binds


@functools.cache
def bwrap_path() -> str | None:
    return shutil.which("bwrap")


@functools.cache
def seccomp_program() -> bytes:
    """The compiled BPF program (raw ``sock_filter`` array) of our deny list."""
    try:
        import pyseccomp as sc
    except ImportError as exc:  # pragma: no cover - depends on host
        raise IsolationUnavailable(
            "seccomp needs the 'pyseccomp' package and libseccomp.so.2 "
            "(pip install 'sweetrl[sandbox]'; apt-get install libseccomp2)"
        ) from exc
    flt = sc.SyscallFilter(defaction=sc.ALLOW)
    for name in DENIED_SYSCALLS:
        try:
            flt.add_rule(sc.ERRNO(errno.EPERM), name)
        except (ValueError, RuntimeError, OSError):
            continue  # syscall unknown on this architecture
    flt.add_rule(sc.ERRNO(errno.EPERM), "socket", sc.Arg(0, sc.NE, AF_UNIX))
    # Rules on one syscall are OR-ed: deny clone() asking for any new namespace.
    for flag in _NAMESPACE_FLAG_BITS:
        flt.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    # clone3 passes flags in memory a filter cannot read: make libc fall back to clone.
    flt.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    with tempfile.TemporaryFile() as fh:
        flt.export_bpf(fh)
        fh.seek(0)
        return fh.read()


@functools.cache
def _bwrap_works() -> str | None:
    """None when an unprivileged bwrap sandbox starts here, else the reason it does not."""
    path = bwrap_path()
    if path is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    cmd = [path, "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr",
           "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
           "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev",
           "--uid", str(SANDBOX_UID), "/usr/bin/true"]
    kwargs: dict = {}
    if is_root():
        kwargs = {"user": 65533, "group": 65533, "extra_groups": []}
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=20, **kwargs)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap failed to start: {exc}"
    if proc.returncode != 0:
        return ("bubblewrap cannot create namespaces here (user namespaces disabled?): "
                + proc.stderr.decode(errors="replace").strip()[:200])
    return None


def check_available(level: str, *, seccomp: bool) -> list[str]:
    """Raise :class:`IsolationUnavailable` unless ``level`` can be enforced; return mechanisms."""
    if level not in LEVELS:
        raise IsolationUnavailable(f"unknown isolation level {level!r}; choose one of {LEVELS}")
    mechanisms = ["rlimits", "fresh-process-per-evaluation"]
    if level == "strict":
        reason = _bwrap_works()
        if reason:
            raise IsolationUnavailable(
                f"isolation 'strict' is unavailable: {reason}. Fix the host, or explicitly "
                "choose the weaker level with sandbox.isolation=process "
                "(no network/pid/mount isolation)."
            )
        mechanisms += ["userns", "netns", "pidns", "ipcns", "utsns", "mountns",
                       "read-only-root", "private-tmp"]
    if seccomp:
        seccomp_program()
        mechanisms.append("seccomp")
    if is_root():
        mechanisms.append("dedicated-uid")
    return mechanisms


UID_LOCK_DIR = Path("/run/sweetrl-sandbox")
UID_SPAN = 65536


class UidClaim:
    """An exclusive claim on one host uid, held while the lock file stays open.

    Several pools may run on one host (the service, a ``sweet sandbox check``, tests):
    each slot needs a uid no other slot uses, or killing one slot's leftover processes
    by uid would hit another's. The kernel drops the ``flock`` when the holder dies.
    """

    def __init__(self, uid: int, fd: int):
        self.uid = uid
        self._fd = fd

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def claim_uid(base: int) -> UidClaim:
    """Claim the first free uid at or above ``base`` (root only)."""
    import fcntl

    UID_LOCK_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.lstat(UID_LOCK_DIR)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o077:
        raise IsolationUnavailable(f"{UID_LOCK_DIR} must be a root-owned 0700 directory")
    for uid in range(base, base + UID_SPAN):
        fd = os.open(UID_LOCK_DIR / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return UidClaim(uid, fd)
    raise IsolationUnavailable(f"no free sandbox uid in [{base}, {base + UID_SPAN})")


def plan_slot(level: str, uid: int | None, *, interpreter: str, zygote_source: str,
              limits_json: str, tmp_bytes: int) -> SlotPlan:
    """The command that starts a slot's zygote at ``level``, as host ``uid`` (root only)."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp", "PYTHONHASHSEED": "0",
           "PYTHONDONTWRITEBYTECODE": "1"}
    py = [interpreter, "-P", "-s", "-S", "-c", zygote_source, limits_json]
    if level == "process":
        return SlotPlan(argv=py, user=uid, group=uid, env=env,
                        sweep="all" if uid is not None else "pgroup", wipe_dirs=[])
    bwrap = bwrap_path()
    assert bwrap is not None
    argv = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
            "--clearenv", *_interpreter_binds(interpreter)]
    for link, target in (("/lib", "usr/lib"), ("/lib64", "usr/lib64"), ("/bin", "usr/bin"),
                         ("/sbin", "usr/sbin")):
        if Path(link).is_symlink():
            argv += ["--symlink", target, link]
        elif Path(link).is_dir():
            argv += ["--ro-bind", link, link]
    argv += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(tmp_bytes), "--tmpfs", "/tmp",
             "--size", str(tmp_bytes), "--tmpfs", "/dev/shm",
             # bwrap's root and /dev are tmpfs writable by the sandbox uid, with no size
             # cap and not wiped between requests: only /tmp and /dev/shm stay writable.
             "--remount-ro", "/dev", "--remount-ro", "/",
             "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
             "--hostname", "sandbox", "--chdir", "/tmp"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    return SlotPlan(argv=argv + py, user=uid, group=uid, env=env, sweep="all",
                    wipe_dirs=["/tmp", "/dev/shm"])
