"""Fixtures of the sandbox tests.

``pool`` is module-scoped (tests run in the module's event loop, see each file's
``pytestmark``): starting a slot takes ~50 ms, but most tests only need a warm one. A
module sets ``POOL_CONFIG`` to size it. ``host`` holds what the sandbox must neither
see nor touch on this machine; ``baseline`` is the slot's process count when idle.
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import pytest
import pytest_asyncio
from sandbox_helpers import INC, INC_RIGHT, live_processes, slot_uids, small_config

from sweetrl.sandbox.evaluator import EvalItem, Evaluator
from sweetrl.sandbox.pool import SandboxPool

REPO = Path(__file__).resolve().parents[2]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pool(request):
    config = getattr(request.module, "POOL_CONFIG", None) or small_config()
    async with SandboxPool(config) as p:
        yield p


class Host:
    """Secrets, listeners and write targets on the host, and the check that they are intact."""

    def __init__(self, tmp: Path):
        tag = os.urandom(8).hex()
        self.secret = f"SECRET-{tag}"
        # 0644 files in world-searchable dirs: readable by any uid on the host
        self.dirs = [tmp, Path(tempfile.mkdtemp(prefix=".sandbox-test-", dir=REPO.parent))]
        self.secret_paths = []
        for d in self.dirs:
            os.chmod(d, 0o755)
            path = d / "secret.txt"
            path.write_text(self.secret)
            os.chmod(path, 0o644)
            self.secret_paths.append(path)
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.port = self.tcp.getsockname()[1]
        self.abstract_name = f"\0sweetrl-sandbox-test-{tag}"
        self.abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.abstract.bind(self.abstract_name)
        self.unix_path = tmp / "host.sock"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(str(self.unix_path))
        self.listeners = [self.tcp, self.abstract, self.unix]
        for sock in self.listeners:
            sock.listen(16)
            sock.setblocking(False)
        self.write_targets = [REPO / f".pwned-{tag}", Path(f"/etc/pwned-{tag}"),
                              Path(f"/usr/pwned-{tag}"), Path(f"/pwned-{tag}"),
                              Path(f"/tmp/pwned-{tag}"), tmp / "pwned", self.secret_paths[1]]
        self._state = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in self.secret_paths}
        self.baseline = 0

    def fill(self, code: str) -> str:
        """``code`` with PORT, ABSTRACT, UNIX_PATH, SECRET_PATHS and TARGETS filled in."""
        return (code.replace("PORT", str(self.port)).replace("ABSTRACT", repr(self.abstract_name))
                .replace("UNIX_PATH", repr(str(self.unix_path)))
                .replace("SECRET_PATHS", repr([str(p) for p in self.secret_paths]))
                .replace("TARGETS", repr([str(p) for p in self.write_targets])))

    def check(self) -> None:
        for p, before in self._state.items():
            assert (p.read_bytes(), p.stat().st_mtime_ns) == before, f"{p} changed"
        for p in self.write_targets:
            if p not in self._state:
                assert not p.exists(), f"the sandbox wrote {p}"
        for listener in self.listeners:
            with pytest.raises(BlockingIOError):
                conn, _ = listener.accept()
                conn.close()

    def close(self) -> None:
        for sock in self.listeners:
            sock.close()
        for d in self.dirs:
            for p in d.iterdir():
                p.unlink()
            d.rmdir()


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    h = Host(tmp_path_factory.mktemp("host-secret"))
    yield h
    h.close()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def baseline(pool, host):
    """Live processes of the slots' uids when idle: per slot bwrap, its pid 1, the zygote."""
    assert (await Evaluator(pool).evaluate(EvalItem(INC, INC_RIGHT))).success
    host.baseline = len(live_processes(slot_uids(pool)))
    if os.geteuid() == 0:  # else no dedicated uids, and no process checks
        assert host.baseline == 3 * pool.config.slot_count, live_processes(slot_uids(pool))
    return host.baseline
