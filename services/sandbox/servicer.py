"""gRPC servicer of the sandbox: translates protos <-> domain objects, nothing else.

Errors are raised as domain exceptions; the runtime's interceptor maps them to
status codes (INVALID_ARGUMENT, RESOURCE_EXHAUSTED, ...).
"""

from __future__ import annotations

import grpc

from services.sandbox.service import SandboxService
from sweetrl.api.v1 import common_pb2, sandbox_pb2, sandbox_pb2_grpc
from sweetrl.errors import InvalidInput, SweetError
from sweetrl.sandbox.evaluator import EvalItem
from sweetrl.sandbox.models import BackendTask, Evaluation, TestCase

SERVICE_NAME = sandbox_pb2.DESCRIPTOR.services_by_name["SandboxService"].full_name


def item_from_proto(req: sandbox_pb2.EvaluateRequest, where: str = "request") -> EvalItem:
    if not req.HasField("task"):
        raise InvalidInput(f"{where}.task is required")
    t = req.task
    task = BackendTask(
        task_id=t.task_id,
        ground_truth=t.ground_truth,
        test_cases=tuple(TestCase(c.name or f"test{i + 1}", c.call) for i, c in enumerate(t.test_cases)),
        problem_description=t.problem_description,
    )
    return EvalItem(task=task, answer=req.answer, answer_is_code=req.answer_is_code)


def evaluation_to_proto(e: Evaluation) -> sandbox_pb2.EvaluateResponse:
    return sandbox_pb2.EvaluateResponse(
        task_id=e.task_id,
        reward=e.reward,
        success=e.success,
        tests_passed=e.tests_passed,
        tests_total=e.tests_total,
        tests=[sandbox_pb2.TestVerdict(
            name=t.name, passed=t.passed, detail=t.detail, answer_seconds=t.answer_seconds,
            outcome=sandbox_pb2.TestOutcome.Value("TEST_OUTCOME_" + t.outcome.name))
            for t in e.tests],
        error_kind=sandbox_pb2.ErrorKind.Value("ERROR_KIND_" + e.error_kind.name),
        error_detail=e.error_detail,
        timings=sandbox_pb2.Timings(
            queue_seconds=e.timings.queue_seconds,
            ground_truth_seconds=e.timings.ground_truth_seconds,
            answer_seconds=e.timings.answer_seconds,
            total_seconds=e.timings.total_seconds,
            ground_truth_cached=e.timings.ground_truth_cached),
    )


def error_to_proto(exc: SweetError) -> common_pb2.ItemError:
    return common_pb2.ItemError(code=exc.code, message=exc.message)


class SandboxServicer(sandbox_pb2_grpc.SandboxServiceServicer):
    def __init__(self, service: SandboxService):
        self.service = service

    async def Evaluate(self, request: sandbox_pb2.EvaluateRequest,
                       context: grpc.aio.ServicerContext) -> sandbox_pb2.EvaluateResponse:
        return evaluation_to_proto(await self.service.evaluate(item_from_proto(request)))

    async def EvaluateBatch(self, request: sandbox_pb2.EvaluateBatchRequest,
                            context: grpc.aio.ServicerContext) -> sandbox_pb2.EvaluateBatchResponse:
        items: list[EvalItem | SweetError] = []
        for i, req in enumerate(request.items):
            try:
                item = item_from_proto(req, f"items[{i}]")
                self.service.evaluator.validate(item)
                items.append(item)
            except SweetError as exc:
                items.append(exc)
        results = await self.service.evaluate_batch(items)
        return sandbox_pb2.EvaluateBatchResponse(items=[
            sandbox_pb2.EvaluateBatchItem(result=evaluation_to_proto(r)) if isinstance(r, Evaluation)
            else sandbox_pb2.EvaluateBatchItem(error=error_to_proto(r))
            for r in results
        ])

    async def GetLimits(self, request: sandbox_pb2.GetLimitsRequest,
                        context: grpc.aio.ServicerContext) -> sandbox_pb2.SandboxLimits:
        c = self.service.config
        return sandbox_pb2.SandboxLimits(
            isolation=c.isolation, mechanisms=self.service.mechanisms, slots=c.slot_count,
            max_queue=c.max_queue, per_test_timeout_seconds=c.per_test_timeout_s,
            eval_timeout_seconds=c.eval_timeout_s,
            memory_bytes=c.memory_bytes, max_processes=c.max_processes,
            max_code_bytes=c.max_code_bytes, max_test_cases=c.max_test_cases,
            max_output_bytes=c.max_output_bytes)
