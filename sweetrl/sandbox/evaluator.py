"""ColBench backend judging on the sandbox pool.

Semantics (ALGORITHM.md): code comes from the answer's first ```python fence when
there is one; for each test case the ground truth and the answer run in *separate*
isolated processes; a case passes when both produce outputs, they are equal, and the
ground truth's output is not None. Reward = fraction passed; success = reward 1.0.

Outputs cross the sandbox boundary as tagged JSON and are compared here as plain
decoded values, so nothing the answer defines (``__eq__``, ``__repr__``,
``__reduce__``, patched builtins) ever runs in this process. Ground-truth outputs are
cached by a hash of the ground truth and its calls, and concurrent requests for the
same task share one ground-truth run.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sweetrl.errors import InvalidInput, SweetError
from sweetrl.sandbox.code import extract_code
from sweetrl.sandbox.codec import CodecError, decode
from sweetrl.sandbox.config import SandboxConfig
from sweetrl.sandbox.models import (BackendTask, ErrorKind, Evaluation, Outcome, TestVerdict,
                                    Timings)
from sweetrl.sandbox.pool import RunOutput, SandboxPool

_ANSWER_STATUS = {
    "error": Outcome.ANSWER_ERROR,
    "timeout": Outcome.ANSWER_TIMEOUT,
    "crash": Outcome.ANSWER_CRASHED,
    "unencodable": Outcome.ANSWER_UNENCODABLE,
}
_SETUP_ERROR = {
    "syntax": (Outcome.ANSWER_ERROR, ErrorKind.SYNTAX),
    "definition": (Outcome.ANSWER_ERROR, ErrorKind.DEFINITION),
    "timeout": (Outcome.ANSWER_TIMEOUT, ErrorKind.LIMIT),
    "crash": (Outcome.ANSWER_CRASHED, ErrorKind.CRASH),
}


@dataclass(frozen=True)
class GroundTruth:
    """Ground-truth outputs of a task: per test, (ok, decoded value or error detail)."""

    outputs: tuple[tuple[bool, Any], ...]
    seconds: float


@dataclass(frozen=True)
class EvalItem:
    """One answer to judge."""

    task: BackendTask
    answer: str
    answer_is_code: bool = False


class Evaluator:
    """Judges answers against tasks using a started :class:`SandboxPool`."""

    def __init__(self, pool: SandboxPool, config: SandboxConfig | None = None):
        self.pool = pool
        self.config = config or pool.config
        self._cache: collections.OrderedDict[str, GroundTruth] = collections.OrderedDict()
        self._inflight: dict[str, asyncio.Future[GroundTruth]] = {}
        self.cache_hits = 0
        self.cache_misses = 0

    # ------------------------------------------------------------------ validation
    def validate(self, item: EvalItem) -> None:
        """Raise :class:`InvalidInput` naming the first field that breaks a limit."""
        cfg, task = self.config, item.task
        if not task.ground_truth.strip():
            raise InvalidInput("task.ground_truth is empty")
        _check_size("task.ground_truth", task.ground_truth, cfg.max_code_bytes)
        _check_size("answer", item.answer, cfg.max_code_bytes)
        if len(task.test_cases) > cfg.max_test_cases:
            raise InvalidInput(f"task.test_cases has {len(task.test_cases)} cases; "
                               f"the limit is {cfg.max_test_cases}")
        for i, case in enumerate(task.test_cases):
            if not case.call.strip():
                raise InvalidInput(f"task.test_cases[{i}] ({case.name!r}) has an empty call")
            _check_size(f"task.test_cases[{i}].call", case.call, cfg.max_call_bytes)

    # ------------------------------------------------------------------ judging
    async def evaluate(self, item: EvalItem) -> Evaluation:
        """Judge one answer. Raises InvalidInput for bad input, Overloaded when full."""
        self.validate(item)
        t0 = time.perf_counter()
        task = item.task
        timings = Timings()
        code = item.answer if item.answer_is_code else extract_code(item.answer)
        if not code.strip():
            tests = [TestVerdict(c.name, Outcome.ANSWER_ERROR, "the answer contains no code")
                     for c in task.test_cases]
            timings.total_seconds = time.perf_counter() - t0
            return Evaluation(task.task_id, tests, ErrorKind.EMPTY_ANSWER,
                              "the answer contains no code", timings)
        gt, cached = await self.ground_truth(task)
        timings.ground_truth_cached = cached
        timings.ground_truth_seconds = 0.0 if cached else gt.seconds
        out = await self.pool.run(code, task.calls)
        timings.queue_seconds = out.queue_seconds
        timings.answer_seconds = out.run_seconds
        evaluation = _judge(task, gt, out)
        timings.total_seconds = time.perf_counter() - t0
        evaluation.timings = timings
        return evaluation

    async def evaluate_many(self, items: Sequence[EvalItem | SweetError]
                            ) -> list[Evaluation | SweetError]:
        """Judge many answers; errors (given or raised) are returned in place, in order.

        Each distinct ground truth runs first, so answers to one task do not hold the
        concurrency window while they wait for their shared ground-truth run.
        """
        limit = asyncio.Semaphore(max(1, self.pool.config.slot_count * 2))
        firsts = {i.task.ground_truth_key(): i.task for i in items if isinstance(i, EvalItem)}

        async def warm(task: BackendTask) -> None:
            async with limit:
                try:
                    self.validate(EvalItem(task, ""))
                    await self.ground_truth(task)
                except SweetError:
                    pass  # reported per item below

        if len(firsts) < len(items):
            await asyncio.gather(*(warm(t) for t in firsts.values()))

        async def one(item: EvalItem | SweetError) -> Evaluation | SweetError:
            if isinstance(item, SweetError):
                return item
            async with limit:
                try:
                    return await self.evaluate(item)
                except SweetError as exc:
                    return exc

        return list(await asyncio.gather(*(one(i) for i in items)))

    async def ground_truth(self, task: BackendTask) -> tuple[GroundTruth, bool]:
        """Ground-truth outputs of ``task`` and whether they came from the cache."""
        key = task.ground_truth_key()
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            self.cache_hits += 1
            return hit, True
        pending = self._inflight.get(key)
        if pending is not None:
            try:
                gt = await asyncio.shield(pending)
            except asyncio.CancelledError:
                task_ = asyncio.current_task()
                if task_ is not None and task_.cancelling():
                    raise  # we are the ones being cancelled
                # The request that ran it was cancelled (e.g. its deadline passed):
                # that is not our failure, so run the ground truth ourselves.
                return await self.ground_truth(task)
            self.cache_hits += 1
            return gt, True
        self.cache_misses += 1
        future: asyncio.Future[GroundTruth] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            out = await self.pool.run(task.ground_truth, task.calls)
            gt = _ground_truth_of(task, out)
            future.set_result(gt)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            del self._inflight[key]
        # A ground truth that crashed may do better on a retry; keep only clean runs.
        if out.setup == "ok":
            self._cache[key] = gt
            while len(self._cache) > self.config.ground_truth_cache_entries:
                self._cache.popitem(last=False)
        return gt, False


def _check_size(name: str, text: str, limit: int) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise InvalidInput(f"{name} is {size} bytes; the limit is {limit} bytes")


def _ground_truth_of(task: BackendTask, out: RunOutput) -> GroundTruth:
    n = len(task.test_cases)
    if out.setup != "ok":
        why = f"ground truth failed to {'compile' if out.setup == 'syntax' else 'run'}: {out.detail}"
        return GroundTruth(tuple((False, why[:300]) for _ in range(n)), out.run_seconds)
    outputs: list[tuple[bool, Any]] = [(False, "no result")] * n
    for idx, status, _secs, payload in _valid_results(out.results, n):
        if status == "ok":
            try:
                outputs[idx] = (True, decode(payload))
            except (CodecError, RecursionError):
                outputs[idx] = (False, "ground truth output could not be decoded")
        else:
            outputs[idx] = (False, f"ground truth {status}: {payload}"[:300])
    return GroundTruth(tuple(outputs), out.run_seconds)


def _valid_results(results: list, n: int):
    """Yield well-formed (index, status, seconds, payload) rows; drop anything else."""
    for row in results:
        if (isinstance(row, list) and len(row) == 4 and type(row[0]) is int and 0 <= row[0] < n
                and isinstance(row[1], str) and isinstance(row[2], (int, float))):
            yield row[0], row[1], float(row[2]), row[3]


def _judge(task: BackendTask, gt: GroundTruth, out: RunOutput) -> Evaluation:
    cases = task.test_cases
    if all(not ok for ok, _ in gt.outputs) and cases:
        detail = str(gt.outputs[0][1])
        tests = [TestVerdict(c.name, Outcome.GROUND_TRUTH_ERROR, detail) for c in cases]
        return Evaluation(task.task_id, tests, ErrorKind.GROUND_TRUTH, detail[:300])
    setup_failure = _SETUP_ERROR.get(out.setup) if out.setup != "ok" else None
    if out.setup != "ok" and setup_failure is None:
        setup_failure = (Outcome.ANSWER_CRASHED, ErrorKind.CRASH)
    answers: dict[int, tuple[str, float, Any]] = {
        idx: (status, secs, payload) for idx, status, secs, payload in _valid_results(out.results, len(cases))
    }
    tests: list[TestVerdict] = []
    for i, case in enumerate(cases):
        gt_ok, gt_value = gt.outputs[i]
        if not gt_ok:
            tests.append(TestVerdict(case.name, Outcome.GROUND_TRUTH_ERROR, str(gt_value)[:300]))
            continue
        if gt_value is None:
            tests.append(TestVerdict(case.name, Outcome.GROUND_TRUTH_NONE,
                                     "the ground truth returns None for this case"))
            continue
        if setup_failure is not None:
            tests.append(TestVerdict(case.name, setup_failure[0], out.detail))
            continue
        status, secs, payload = answers.get(i, ("crash", 0.0, "no result reported"))
        if status != "ok":
            outcome = _ANSWER_STATUS.get(status, Outcome.ANSWER_CRASHED)
            tests.append(TestVerdict(case.name, outcome, str(payload)[:300], secs))
            continue
        try:
            value = decode(payload)
        except (CodecError, RecursionError) as exc:
            tests.append(TestVerdict(case.name, Outcome.ANSWER_UNENCODABLE, str(exc)[:300], secs))
            continue
        try:
            equal = bool(value == gt_value)
        except Exception:  # plain values only; defensive against e.g. RecursionError
            equal = False
        outcome = Outcome.PASSED if equal else Outcome.WRONG_OUTPUT
        tests.append(TestVerdict(case.name, outcome, "" if equal else _mismatch(gt_value, value), secs))
    kind, detail = ErrorKind.NONE, ""
    if setup_failure is not None:
        kind, detail = setup_failure[1], out.detail
    elif any(t.outcome is Outcome.ANSWER_TIMEOUT for t in tests):
        kind, detail = ErrorKind.LIMIT, "a test case exceeded the time limit"
    elif any(t.outcome is Outcome.ANSWER_CRASHED for t in tests):
        kind, detail = ErrorKind.CRASH, next(t.detail for t in tests if t.outcome is Outcome.ANSWER_CRASHED)
    return Evaluation(task.task_id, tests, kind, detail[:300])


def _mismatch(expected: Any, got: Any) -> str:
    return f"expected {_short_repr(expected)}, got {_short_repr(got)}"[:300]


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)  # built-in types only: safe to repr
    except ValueError:  # int beyond the str-conversion digit limit
        text = f"<{type(value).__name__} too large to show>"
    return text if len(text) <= 120 else text[:117] + "..."
