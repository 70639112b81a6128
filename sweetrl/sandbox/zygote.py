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

For each request a child is forked; it drops to the request limits (rlimits),
redirects stdio to /dev/null, defines the code and evaluates the calls in order,
streaming one JSON line per call to a private pipe. This process enforces the
per-call wall-clock limit by SIGKILL, restarts a fresh child for the calls after a
timeout or crash, and after every request kills every other process it can signal
(the whole slot in a pid namespace) and wipes the writable directories.

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
def read_frame(stream):
    head = stream.read(4)
    if len(head) < 4:
        return None
    (n,) = struct.unpack(">I", head)
    return json.loads(stream.read(n))


def write_frame(stream, obj):
    data = json.dumps(obj, ensure_ascii=True).encode()
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


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
            return v if -(2**53) < v < 2**53 else {"i": str(v)}
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


# --------------------------------------------------------------------------- supervisor side
def sweep(child_pgid):
    """Kill everything but us (and the namespace's init); reap what is ours."""
    for _ in range(200):
        try:
            if SWEEP == "all":
                os.kill(-1, signal.SIGKILL)
            else:
                os.killpg(child_pgid, signal.SIGKILL)
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
    me = os.getpid()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in (1, me):
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in (b"Z", b"X"):
            return True
    return False


def wipe():
    for top in WIPE_DIRS:
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            _remove(entry.path)


def _remove(path):
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, 0o700)
            for entry in os.scandir(path):
                _remove(entry.path)
            os.rmdir(path)
        else:
            os.unlink(path)
    except OSError:
        pass


def run_request(code, calls):
    """Run ``code`` then ``calls`` in forked children; return (setup, detail, results)."""
    results = []
    setup, detail = "ok", ""
    start = 0
    while True:
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            run_child(wfd, code, calls, start)
        os.close(wfd)
        next_index, received, buf = start, 0, b""
        phase_setup = True
        deadline = time.monotonic() + PER_CALL_TIMEOUT
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
                except (ValueError, TypeError, RecursionError):
                    outcome = "crash:malformed result line"
                    break
                if phase_setup:
                    if idx != "setup":
                        outcome = "crash:protocol violation"
                        break
                    phase_setup = False
                    if status != "ok":
                        setup, detail = status, str(payload)[:300]
                else:
                    if idx != next_index or status not in ("ok", "error", "unencodable"):
                        outcome = "crash:protocol violation"
                        break
                    results.append([idx, status, float(seconds), payload])
                    next_index += 1
                t_call = time.perf_counter()
                deadline = time.monotonic() + PER_CALL_TIMEOUT
            if outcome:
                break
        os.close(rfd)
        sweep(pid)
        wipe()
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
        if start >= len(calls):
            return setup, detail, results


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
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    hello = read_frame(stdin)
    if hello is None:
        return 1
    try:
        apply_seccomp(bytes.fromhex(hello.get("seccomp", "")))
    except OSError as exc:
        write_frame(stdout, {"ready": False, "error": "seccomp: %s" % exc})
        return 1
    if SWEEP == "all" and os.geteuid() == 0:
        # kill(-1) as uid 0 outside a pid namespace would hit the whole host.
        write_frame(stdout, {"ready": False, "error": "refusing sweep=all as uid 0"})
        return 1
    make_undumpable()
    preload()
    import gc
    gc.collect()
    gc.freeze()
    write_frame(stdout, {"ready": True, "pid": os.getpid(), "uid": os.getuid()})
    while True:
        req = read_frame(stdin)
        if req is None:
            return 0
        setup, detail, results = run_request(req["code"], req["calls"])
        write_frame(stdout, {"seq": req["seq"], "setup": setup, "detail": detail, "results": results})


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            sys.exit(0)
        raise
