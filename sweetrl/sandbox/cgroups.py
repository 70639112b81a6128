"""Per-slot cgroups (pids and memory limits) on cgroup v1 or v2, where writable.

The sandbox works without cgroups (rlimits and the dedicated uid still bound each
slot); with them, a slot's process count and memory (tmpfs included) have a hard cap
that no rlimit trick escapes. Only root can create them on a typical host.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
ROOT = Path("/sys/fs/cgroup")
GROUP = "sweetrl-sandbox"


class SlotCgroup:
    """The cgroup(s) of one slot: created, joined by the slot's processes, removed."""

    def __init__(self, dirs: dict[str, Path]):
        self.dirs = dirs

    @property
    def mechanisms(self) -> list[str]:
        return [f"cgroup-{name}" for name in sorted(self.dirs)]

    def add(self, pid: int) -> None:
        for path in {p for p in self.dirs.values()}:
            (path / "cgroup.procs").write_text(str(pid))

    def remove(self) -> None:
        for path in set(self.dirs.values()):
            try:
                path.rmdir()
            except OSError as exc:  # still has (dying) members; it is reused next start
                log.debug("cgroup %s not removed: %s", path, exc)


def _v2_controllers() -> set[str]:
    try:
        return set((ROOT / "cgroup.controllers").read_text().split())
    except OSError:
        return set()


def create(slot: str, *, pids_max: int, memory_bytes: int) -> SlotCgroup | None:
    """Create the slot's cgroup with limits; None when cgroups are not writable here."""
    dirs: dict[str, Path] = {}
    try:
        if {"pids", "memory"} <= _v2_controllers():  # unified hierarchy
            parent = ROOT / GROUP
            parent.mkdir(exist_ok=True)
            (parent / "cgroup.subtree_control").write_text("+pids +memory")
            path = parent / slot
            path.mkdir(exist_ok=True)
            (path / "pids.max").write_text(str(pids_max))
            (path / "memory.max").write_text(str(memory_bytes))
            (path / "memory.swap.max").write_text("0")
            dirs = {"pids": path, "memory": path}
        else:  # v1: one hierarchy per controller
            for name, files in (("pids", {"pids.max": pids_max}),
                                ("memory", {"memory.limit_in_bytes": memory_bytes})):
                base = ROOT / name
                if not (base / "cgroup.procs").exists():
                    continue
                path = base / GROUP / slot
                path.mkdir(parents=True, exist_ok=True)
                for fname, value in files.items():
                    (path / fname).write_text(str(value))
                swap = path / "memory.memsw.limit_in_bytes"
                if name == "memory" and swap.exists():
                    try:
                        swap.write_text(str(memory_bytes))
                    except OSError:
                        pass
                dirs[name] = path
    except OSError as exc:
        log.info("cgroups not usable for sandbox slots (%s); relying on rlimits", exc)
        return None
    return SlotCgroup(dirs) if dirs else None


def pids_of_uid(uid: int) -> list[int]:
    """Host pids whose real uid is ``uid`` (a slot's dedicated uid)."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as fh:
                for line in fh:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            out.append(int(name))
                        break
        except (OSError, ValueError):
            continue
    return out
