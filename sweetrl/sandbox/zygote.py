"""Fork server that runs *inside* a sandbox slot and executes untrusted code.

This file is stdlib-only and self-contained: the supervisor (``pool.py``) passes its
source to ``python -c`` in the sandbox, where no project package is importable.

Protocol (stdin/stdout of this process, owned by the trusted supervisor): every
frame is a 4-byte big-endian length followed by UTF-8 JSON.

* start-up: argv[1] is a JSON object of limits; this process applies seccomp (the
  BPF program arrives as the first frame, hex, possibly empty), pre-imports common
  modules, then writes ``{"ready": true, "pid": ...}``.
* request: ``{"seq": n, "code": str, "calls": [str, ...]}``
* response: ``{"seq": n, "setup": "ok"|"syntax"|"definition"|"timeout"|"crash",
  "detail": str, "results": [[index, status, seconds, payload], ...]}`` where status
  is ``"ok"`` (payload: the encoded value) or ``"error"|"timeout"|"crash"|
  "unencodable"`` (payload: a short detail string).

Each request is served by a *worker* forked from this process before the request is
read: the worker reads the request, forks the call processes, builds the response in
a memfd, and exits. So the request and its outputs (for instance a ground truth's
code and results) only ever live in the worker's memory, never in this process's,
whose memory every later request inherits. A call process drops to the request
limits (rlimits), redirects stdio to /dev/null, defines the code and evaluates the
calls in order, streaming one JSON line per call to a private pipe; the worker
enforces the per-call wall-clock limit by SIGKILL and restarts a fresh call process
for the calls after a timeout or crash. When the worker is gone this process kills
every other process it can signal (the whole slot in a pid namespace), empties the
writable directories and only then forwards the response, or a crash response when
the evaluation killed its worker.

What this is NOT: a security boundary by itself. The boundary is the slot around it
(namespaces, dedicated uid, seccomp, rlimits, cgroups); this process only keeps
requests apart and turns misbehaviour into verdicts.
"""

import ctypes
import errno
import json
import os
import resource
import select
import signal
import struct
import sys
import time

LIMITS = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
PER_CALL_TIMEOUT = float(LIMITS.get("per_test_timeout_s", 5.0))
EVAL_TIMEOUT = float(LIMITS.get("eval_timeout_s", 20.0))
MEMORY_BYTES = int(LIMITS.get("memory_bytes", 512 << 20))
MAX_PROCESSES = int(LIMITS.get("max_processes", 32))
FILE_BYTES = int(LIMITS.get("file_bytes", 16 << 20))
OPEN_FILES = int(LIMITS.get("open_files", 64))
MAX_OUTPUT = int(LIMITS.get("max_output_bytes", 1 << 20))
SWEEP = LIMITS.get("sweep", "all")  # "all": kill(-1) (own uid / pid namespace); "pgroup"
WIPE_DIRS = LIMITS.get("wipe_dirs", ["/tmp", "/dev/shm"])
MAX_DEPTH = 64
MAX_NODES = 200_000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
PR_SET_DUMPABLE = 4
SECCOMP_MODE_FILTER = 2

_LIBC = ctypes.CDLL(None, use_errno=True)


# --------------------------------------------------------------------------- framing
def _read_exact(fd, n):
    parts = []
    while n:
        chunk = os.read(fd, n)
        if not chunk:
            return None
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def read_frame(fd):
    head = _read_exact(fd, 4)
    if head is None:
        return None
    data = _read_exact(fd, struct.unpack(">I", head)[0])
    return None if data is None else json.loads(data)


def encode_frame(obj):
    data = json.dumps(obj, ensure_ascii=True).encode()
    return struct.pack(">I", len(data)) + data


def write_all(fd, data, offset=None):
    """Write all of ``data`` to ``fd`` (at ``offset`` with pwrite when given)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view) if offset is None else os.pwrite(fd, view, offset)
        view = view[n:]
        if offset is not None:
            offset += n


# --------------------------------------------------------------------------- hardening
class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def apply_seccomp(bpf):
    """Install a compiled BPF filter (8-byte sock_filter entries) on this process."""
    if _LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")
    if not bpf:
        return
    buf = ctypes.create_string_buffer(bpf, len(bpf))
    prog = _SockFprog(len(bpf) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if _LIBC.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "seccomp filter rejected")


def make_undumpable():
    # Children share our uid: without this they could open /proc/<us>/fd/1 (the
    # supervisor's pipe) or ptrace us and forge frames for later requests.
    _LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


# --------------------------------------------------------------------------- encoding
class Unencodable(Exception):
    pass


def _encoder():
    import base64
    import collections
    import datetime
    import decimal
    import fractions

    simple = {
        datetime.date: "date", datetime.datetime: "datetime", datetime.time: "time",
    }
    budget = [0]

    def enc(v, depth):
        budget[0] += 1
        if budget[0] > MAX_NODES:
            raise Unencodable("value has too many elements")
        if depth > MAX_DEPTH:
            raise Unencodable("value nested too deeply")
        t = type(v)
        if v is None or t is bool or t is str:
            return v
        if t is int:
            # hex: no int/str digit limit, linear time both ways
            return v if -(2**53) < v < 2**53 else {"i": format(v, "x")}
        if t is float:
            return v if v == v and v not in (float("inf"), float("-inf")) else {"f": repr(v)}
        if t is list:
            return [enc(x, depth + 1) for x in v]
        if t is tuple or (isinstance(v, tuple) and hasattr(t, "_fields")):
            return {"t": [enc(x, depth + 1) for x in v]}
        if t is dict or t is collections.defaultdict:
            return {"d": [[enc(k, depth + 1), enc(x, depth + 1)] for k, x in v.items()]}
        if t is collections.OrderedDict:
            return {"od": [[enc(k, depth + 1), enc(x, depth + 1)] for k, x in v.items()]}
        if t is collections.Counter:
            return {"ctr": [[enc(k, depth + 1), enc(x, depth + 1)] for k, x in v.items()]}
        if t is set:
            return {"s": [enc(x, depth + 1) for x in v]}
        if t is frozenset:
            return {"fs": [enc(x, depth + 1) for x in v]}
        if t is bytes:
            return {"b": base64.b64encode(v).decode()}
        if t is bytearray:
            return {"ba": base64.b64encode(bytes(v)).decode()}
        if t is complex:
            return {"c": [repr(v.real), repr(v.imag)]}
        if t is decimal.Decimal:
            return {"dec": str(v)}
        if t is fractions.Fraction:
            return {"frac": [str(v.numerator), str(v.denominator)]}
        if t is datetime.timedelta:
            return {"td": [v.days, v.seconds, v.microseconds]}
        if t in simple:
            return {simple[t]: v.isoformat()}
        if t is range:
            return {"range": [v.start, v.stop, v.step]}
        raise Unencodable("cannot encode a value of type %s" % t.__name__[:80])

    def encode(value):
        budget[0] = 0
        return enc(value, 0)

    return encode


# --------------------------------------------------------------------------- child
def _short(exc):
    try:
        text = "%s: %s" % (type(exc).__name__, exc)
    except BaseException:
        text = type(exc).__name__
    return text[:300]


def run_child(wfd, code, calls, start):
    """Body of a forked child: never returns."""
    try:
        os.setpgid(0, 0)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, wfd)
        os.closerange(wfd + 1, 1 << 16)
        cpu = int(PER_CALL_TIMEOUT * max(1, len(calls) - start)) + 1
        for res, value in (
            (resource.RLIMIT_AS, MEMORY_BYTES),
            (resource.RLIMIT_CPU, cpu),
            (resource.RLIMIT_FSIZE, FILE_BYTES),
            (resource.RLIMIT_NOFILE, OPEN_FILES),
            (resource.RLIMIT_NPROC, MAX_PROCESSES),
            (resource.RLIMIT_CORE, 0),
        ):
            resource.setrlimit(res, (value, value))
        encode = _encoder()
        out = os.fdopen(wfd, "w", buffering=1)
        try:
            compiled = compile(code, "<answer>", "exec")
        except BaseException as exc:  # SyntaxError, ValueError (NUL bytes), MemoryError
            out.write(json.dumps(["setup", "syntax", 0, _short(exc)]) + "\n")
            os._exit(0)
        namespace = {"__name__": "__answer__"}
        try:
            exec(compiled, namespace)
        except BaseException as exc:
            out.write(json.dumps(["setup", "definition", 0, _short(exc)]) + "\n")
            os._exit(0)
        out.write(json.dumps(["setup", "ok", 0, ""]) + "\n")
        for i in range(start, len(calls)):
            t0 = time.perf_counter()
            try:
                value = eval(compile(calls[i], "<test>", "eval"), namespace)
                line = json.dumps([i, "ok", time.perf_counter() - t0, encode(value)])
            except Unencodable as exc:
                line = json.dumps([i, "unencodable", time.perf_counter() - t0, str(exc)])
            except BaseException as exc:
                line = json.dumps([i, "error", time.perf_counter() - t0, _short(exc)])
            if len(line) > MAX_OUTPUT:
                line = json.dumps([i, "unencodable", time.perf_counter() - t0, "value too large"])
            out.write(line + "\n")
        out.flush()
    except BaseException:
        pass
    os._exit(0)


# --------------------------------------------------------------------------- zygote side
def sweep():
    """Kill everything of our uid but us (and the namespace's init); reap what is ours.

    With ``SWEEP == "pgroup"`` the worker already killed each call's process group;
    processes that left their group survive (that level is documented as weak)."""
    for _ in range(200):
        if SWEEP == "all":
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
        _reap()
        if SWEEP != "all" or not _others_alive():
            return
        time.sleep(0.001)


def _reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _others_alive():
    """Whether a live process of our uid other than us (and pid 1) exists.

    Only our uid counts: without a pid namespace /proc lists the whole host."""
    me, uid = os.getpid(), str(os.getuid()).encode()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in (1, me):
            continue
        try:
            with open("/proc/%s/status" % name, "rb") as f:
                fields = dict(line.split(b":", 1) for line in f if b":" in line)
            state, real_uid = fields[b"State"].split()[0], fields[b"Uid"].split()[0]
        except (OSError, KeyError, IndexError, ValueError):
            continue
        if real_uid == uid and state not in (b"Z", b"X"):
            return True
    return False


_TOP_MODES = {}  # mode of each wiped directory at start-up, restored after every request


def wipe():
    """Empty the writable directories and restore their mode and extended attributes.

    Runs when nothing else of the slot is alive. Iterative and relative to directory
    fds, so neither deep nor long paths (beyond PATH_MAX) leave anything behind."""
    for top in WIPE_DIRS:
        try:
            if top in _TOP_MODES:
                os.chmod(top, _TOP_MODES[top])
            for name in os.listxattr(top):
                os.removexattr(top, name)
        except OSError:
            pass
        _empty(top)


def _empty(top):
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        fd = os.open(top, flags)
    except OSError:
        return
    names = []  # path from ``top`` down to ``fd``
    stuck = set()  # inodes of directories that could not be emptied: never re-entered
    try:
        while True:
            below = None
            with os.scandir(fd) as entries:
                for entry in entries:
                    try:
                        if not entry.is_dir(follow_symlinks=False):
                            os.unlink(entry.name, dir_fd=fd)
                            continue
                        if entry.inode() in stuck:
                            continue
                        os.rmdir(entry.name, dir_fd=fd)
                    except OSError:
                        if entry.is_dir(follow_symlinks=False) and entry.inode() not in stuck:
                            below = entry
                            break
            if below is not None:
                try:
                    os.chmod(below.name, 0o700, dir_fd=fd)  # a directory: nothing to follow
                    child = os.open(below.name, flags, dir_fd=fd)
                except OSError:
                    stuck.add(below.inode())
                    continue
                os.close(fd)
                fd = child
                names.append((below.name, below.inode()))
                continue
            if not names:
                return
            parent = os.open("..", flags, dir_fd=fd)
            os.close(fd)
            fd = parent
            name, inode = names.pop()
            try:
                os.rmdir(name, dir_fd=fd)
            except OSError:
                stuck.add(inode)
    finally:
        os.close(fd)


def run_request(code, calls):
    """Run ``code`` then ``calls`` in forked children; return (setup, detail, results)."""
    results = []
    setup, detail = "ok", ""
    start = 0
    budget_end = time.monotonic() + EVAL_TIMEOUT
    while True:
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            run_child(wfd, code, calls, start)
        try:
            os.setpgid(pid, pid)  # also done by the child; whichever runs first wins the race
        except OSError:
            pass
        os.close(wfd)
        next_index, received, buf = start, 0, b""
        phase_setup = True
        deadline = min(time.monotonic() + PER_CALL_TIMEOUT, budget_end)
        outcome = None  # None: child finished cleanly
        t_call = time.perf_counter()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                outcome = "timeout"
                break
            ready, _, _ = select.select([rfd], [], [], remaining)
            if not ready:
                outcome = "timeout"
                break
            chunk = os.read(rfd, 65536)
            if not chunk:
                break
            received += len(chunk)
            if received > MAX_OUTPUT + 4096:
                outcome = "crash:output limit exceeded"
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                try:
                    rec = json.loads(line)
                    idx, status, seconds, payload = rec
                    if not _shallow(payload):
                        raise ValueError("nested too deeply")
                except (ValueError, TypeError, RecursionError):
                    outcome = "crash:malformed result line"
                    break
                if phase_setup:
                    if idx != "setup":
                        outcome = "crash:protocol violation"
                        break
                    phase_setup = False
                    if status != "ok":
                        setup, detail = status, payload[:300] if isinstance(payload, str) else ""
                else:
                    if (idx != next_index or status not in ("ok", "error", "unencodable")
                            or type(seconds) not in (int, float)):
                        outcome = "crash:protocol violation"
                        break
                    results.append([idx, status, float(seconds), payload])
                    next_index += 1
                t_call = time.perf_counter()
                deadline = min(time.monotonic() + PER_CALL_TIMEOUT, budget_end)
            if outcome:
                break
            if setup != "ok" or next_index >= len(calls):
                # All reported: do not wait for EOF, which a process the code forked
                # (holding the pipe) could delay until the deadline.
                break
        os.close(rfd)
        _end_child(pid)
        if setup != "ok":
            return setup, detail, []
        if outcome is None and next_index >= len(calls):
            return setup, detail, results
        # The child timed out, crashed or stopped early at call ``next_index``.
        kind = "timeout" if outcome == "timeout" else "crash"
        why = outcome.split(":", 1)[1] if outcome and ":" in outcome else (
            "time limit exceeded" if kind == "timeout" else "process died")
        if phase_setup:  # died while defining the code
            return kind, why, []
        results.append([next_index, kind, time.perf_counter() - t_call, why])
        start = next_index + 1
        if start < len(calls) and time.monotonic() >= budget_end:
            # The evaluation's total time budget is spent: the rest are not run.
            for i in range(start, len(calls)):
                results.append([i, "timeout", 0.0, "evaluation time budget exhausted"])
            start = len(calls)
        if start >= len(calls):
            return setup, detail, results


def _shallow(value, limit=3 * MAX_DEPTH + 8):
    """Whether parsed JSON ``value`` nests at most ``limit`` deep (what the encoder can
    produce: up to three JSON levels per value level). Deeper frames could exhaust the
    trusted side's recursion limit when it parses the response."""
    stack = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if depth > limit:
            return False
        if type(v) is list:
            stack.extend((x, depth + 1) for x in v)
        elif type(v) is dict:
            stack.extend((x, depth + 1) for x in v.values())
    return True


def _end_child(pid):
    """Kill a call process and its process group (it may have left it; the zygote's
    sweep gets those) and reap it."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def serve_request(ctl, reply_fd):
    """Body of a request worker: never returns.

    Reads one request from stdin, reports ``seq`` on ``ctl``, runs the request, writes
    the response frame into the memfd ``reply_fd`` and reports ``done``."""
    try:
        req = read_frame(0)
        if req is None:
            os.write(ctl, b"eof\n")
            os._exit(0)
        os.write(ctl, b"seq %d\n" % req["seq"])
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1):  # the supervisor's pipes stay with the zygote
            os.dup2(null, fd)
        os.close(null)
        setup, detail, results = run_request(req["code"], req["calls"])
        frame = encode_frame({"seq": req["seq"], "setup": setup, "detail": detail,
                              "results": results})
        write_all(reply_fd, frame, offset=0)
        os.write(ctl, b"done\n")
    except BaseException as exc:
        try:
            os.write(2, ("sandbox worker failed: %s\n" % _short(exc)).encode())
        except BaseException:
            pass
    os._exit(0)


def serve(reply_fd):
    """Serve requests until stdin closes; each in a fresh worker, then sweep and wipe."""
    while True:
        select.select([0], [], [])  # a request (or EOF) is waiting; the worker reads it
        ctl_r, ctl_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ctl_r)
            serve_request(ctl_w, reply_fd)
        os.close(ctl_w)
        report = []
        while True:  # until EOF: the worker exited (its call processes closed ``ctl``)
            chunk = os.read(ctl_r, 4096)
            if not chunk:
                break
            report.append(chunk)
        os.close(ctl_r)
        lines = b"".join(report).split()
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        sweep()
        wipe()
        if b"eof" in lines:
            return 0
        if b"seq" not in lines:
            return 1  # died before reading a whole request: the channel state is unknown
        seq = int(lines[lines.index(b"seq") + 1])
        if b"done" in lines:
            size, offset = os.fstat(reply_fd).st_size, 0
            while offset < size:
                sent = os.sendfile(1, reply_fd, offset, size - offset)
                if sent <= 0:
                    return 1
                offset += sent
        else:
            write_all(1, encode_frame({"seq": seq, "setup": "crash", "results": [],
                                       "detail": "the sandbox worker was killed"}))
        os.ftruncate(reply_fd, 0)


def preload():
    # Warm the fork server: answers commonly import these.
    for name in ("math", "re", "collections", "itertools", "functools", "string",
                 "datetime", "decimal", "fractions", "json", "random", "statistics",
                 "heapq", "bisect", "operator", "typing", "copy", "enum", "base64"):
        try:
            __import__(name)
        except ImportError:
            pass


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    hello = read_frame(0)
    if hello is None:
        return 1
    try:
        apply_seccomp(bytes.fromhex(hello.get("seccomp", "")))
    except OSError as exc:
        write_all(1, encode_frame({"ready": False, "error": "seccomp: %s" % exc}))
        return 1
    if SWEEP == "all" and os.geteuid() == 0:
        # kill(-1) as uid 0 outside a pid namespace would hit the whole host.
        write_all(1, encode_frame({"ready": False, "error": "refusing sweep=all as uid 0"}))
        return 1
    make_undumpable()
    for top in WIPE_DIRS:
        try:
            _TOP_MODES[top] = os.stat(top).st_mode & 0o7777
        except OSError:
            pass
    reply_fd = os.memfd_create("sweetrl-reply")
    preload()
    import gc
    gc.collect()
    gc.freeze()
    write_all(1, encode_frame({"ready": True, "pid": os.getpid(), "uid": os.getuid()}))
    return serve(reply_fd)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            sys.exit(0)
        raise
