"""Typed configuration of the code-sandbox executor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sweetrl.config import doc

KiB, MiB = 1 << 10, 1 << 20


@dataclass(frozen=True)
class SandboxConfig:
    """Isolation, limits and throughput settings of the sandbox engine."""

    isolation: Literal["strict", "process"] = doc(
        "Isolation level. 'strict': bubblewrap namespaces (no network, own pids, "
        "read-only system view, private tmp) + seccomp + dedicated uid. 'process': "
        "rlimits + seccomp + dedicated uid only, no network isolation; only for hosts "
        "that isolate otherwise (gVisor pod, deny-all NetworkPolicy). The service "
        "refuses to start when the chosen level cannot be enforced.", "strict")
    seccomp: bool = doc("Install the seccomp deny-list filter in every slot.", True)
    cgroups: Literal["auto", "require", "off"] = doc(
        "Per-slot pids/memory cgroups: 'auto' uses them when writable, 'require' "
        "refuses to start without them, 'off' never uses them.", "auto")
    slots: int = doc("Concurrent sandbox slots (pre-warmed fork servers); 0 = one per CPU.", 0)
    max_queue: int = doc(
        "Evaluations allowed to wait for a slot; beyond this, requests fail fast with "
        "RESOURCE_EXHAUSTED instead of queueing without bound.", 256)
    per_test_timeout_s: float = doc(
        "Wall-clock seconds one test case (or defining the code) may take; the "
        "process is SIGKILLed after it.", 5.0)
    eval_timeout_s: float = doc(
        "Wall-clock budget of one evaluation (all its test cases); once spent, the "
        "remaining cases fail as timeouts without running.", 20.0)
    memory_bytes: int = doc("Address-space limit of an evaluation process (RLIMIT_AS), "
                            "and the slot's memory cgroup limit.", 512 * MiB)
    max_processes: int = doc("Processes an evaluation may have (RLIMIT_NPROC and the "
                             "slot's pids cgroup).", 32)
    file_bytes: int = doc("Largest file an evaluation may write (RLIMIT_FSIZE).", 16 * MiB)
    tmp_bytes: int = doc("Size of the private /tmp and /dev/shm of a slot.", 64 * MiB)
    open_files: int = doc("Open file descriptors per evaluation process.", 64)
    max_output_bytes: int = doc("Bytes of results one evaluation may report (all test "
                                "outputs together, encoded); more is a crash verdict.", 1 * MiB)
    max_code_bytes: int = doc("Largest ground truth or answer accepted (UTF-8 bytes).", 64 * KiB)
    max_test_cases: int = doc("Most test cases accepted per task.", 64)
    max_call_bytes: int = doc("Longest test-case call expression accepted.", 4 * KiB)
    max_batch_items: int = doc("Most answers accepted in one batch request.", 1024)
    interpreter: str = doc(
        "Python interpreter for the slots; empty picks the first interpreter readable "
        "by an unprivileged uid (sys.executable, /usr/local/bin/python3, /usr/bin/python3).", "")
    host_uid_base: int = doc(
        "When the service runs as root, each slot runs as its own host uid, the first "
        "free one at or above this base (claimed with a lock in /run/sweetrl-sandbox, so "
        "pools in several processes never share a uid).", 200_000)
    ground_truth_cache_entries: int = doc(
        "Ground-truth output sets kept in memory (keyed by a hash of the ground truth "
        "and its test calls), so many answers to one task run the ground truth once.", 4096)
    start_timeout_s: float = doc("Seconds a slot may take to start.", 30.0)

    def validate(self) -> None:
        """Raise ValueError naming the first out-of-range field."""
        positive = ("per_test_timeout_s", "eval_timeout_s", "memory_bytes", "max_processes", "file_bytes",
                    "tmp_bytes", "open_files", "max_output_bytes", "max_code_bytes",
                    "max_test_cases", "max_call_bytes", "max_batch_items", "start_timeout_s")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"sandbox.{name} must be > 0, got {getattr(self, name)!r}")
        if self.slots < 0 or self.max_queue < 0:
            raise ValueError("sandbox.slots and sandbox.max_queue must be >= 0")

    @property
    def slot_count(self) -> int:
        import os

        return self.slots or (os.cpu_count() or 1)
