"""Service logic of the sandbox: owns the slot pool and evaluator, records metrics.

No gRPC here: the servicer translates protos to the domain objects used below.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from prometheus_client import Counter, Gauge, Histogram

from sweetrl.errors import InvalidInput, SweetError
from sweetrl.runtime import queue_depth
from sweetrl.sandbox.config import SandboxConfig
from sweetrl.sandbox.evaluator import EvalItem, Evaluator
from sweetrl.sandbox.models import Evaluation
from sweetrl.sandbox.pool import SandboxPool

log = logging.getLogger(__name__)

EVALUATIONS = Counter("sweet_sandbox_evaluations_total",
                      "Evaluations finished, by result (success, failure, rejected).", ["result"])
TESTS = Counter("sweet_sandbox_tests_total", "Test cases judged, by outcome.", ["outcome"])
EVAL_SECONDS = Histogram("sweet_sandbox_evaluation_seconds",
                         "Seconds per evaluation inside the executor (queue included).",
                         buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
GT_CACHE = Counter("sweet_sandbox_ground_truth_cache_total",
                   "Ground-truth lookups, by result (hit, miss).", ["result"])
SLOTS_BUSY = Gauge("sweet_sandbox_slots_busy", "Sandbox slots running code now.")
SLOTS = Gauge("sweet_sandbox_slots", "Sandbox slots configured.")
SLOT_RESTARTS = Gauge("sweet_sandbox_slot_restarts", "Slots restarted after a crash or hang since start.")


class SandboxService:
    """Judges answers; started and stopped with the gRPC server."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.pool = SandboxPool(config)
        self.evaluator = Evaluator(self.pool)

    async def start(self) -> None:
        await self.pool.start()
        SLOTS.set(self.config.slot_count)
        SLOTS_BUSY.set_function(lambda: self.pool.busy)
        SLOT_RESTARTS.set_function(lambda: self.pool.restarts)
        queue_depth("sandbox").set_function(lambda: self.pool.waiting)

    async def stop(self) -> None:
        await self.pool.close()

    @property
    def mechanisms(self) -> list[str]:
        return list(self.pool.mechanisms)

    async def evaluate(self, item: EvalItem) -> Evaluation:
        try:
            result = await self.evaluator.evaluate(item)
        except SweetError:
            EVALUATIONS.labels("rejected").inc()
            raise
        self._record(result, cached=result.timings.ground_truth_cached)
        return result

    async def evaluate_batch(self, items: Sequence[EvalItem | SweetError]
                             ) -> list[Evaluation | SweetError]:
        if len(items) > self.config.max_batch_items:
            raise InvalidInput(f"batch has {len(items)} items; the limit is "
                               f"{self.config.max_batch_items}")
        results = await self.evaluator.evaluate_many(items)
        for r in results:
            if isinstance(r, Evaluation):
                self._record(r, cached=r.timings.ground_truth_cached)
            else:
                EVALUATIONS.labels("rejected").inc()
        return results

    @staticmethod
    def _record(result: Evaluation, *, cached: bool) -> None:
        EVALUATIONS.labels("success" if result.success else "failure").inc()
        EVAL_SECONDS.observe(result.timings.total_seconds)
        GT_CACHE.labels("hit" if cached else "miss").inc()
        for t in result.tests:
            TESTS.labels(t.outcome.value).inc()
