"""gRPC servicer of the simulated human: translates protos <-> domain objects, nothing else."""

from __future__ import annotations

import json

import grpc

from services.policy.servicer import error_to_proto, messages_from_proto
from services.simulator.backends.base import BackendHidden, FrontendHidden, ReplyRequest
from services.simulator.service import Reply, SimulatorService
from sweetrl.api.v1 import common_pb2, simulator_pb2, simulator_pb2_grpc
from sweetrl.colbench.backend.facts import HiddenFact
from sweetrl.errors import InvalidInput, Overloaded, SweetError

SERVICE_NAME = simulator_pb2.DESCRIPTOR.services_by_name["SimulatorService"].full_name

_DOMAINS = {common_pb2.DOMAIN_BACKEND: "backend", common_pb2.DOMAIN_FRONTEND: "frontend"}
_MAX_VALUE_JSON_BYTES = 4096  # HiddenFact.value_json, simulator.proto


def fact_from_proto(f: simulator_pb2.HiddenFact, where: str) -> HiddenFact:
    """A HiddenFact; its value_json must be empty (null) or one JSON value."""
    if len(f.value_json.encode()) > _MAX_VALUE_JSON_BYTES:
        raise Overloaded(f"{where}.value_json has more than {_MAX_VALUE_JSON_BYTES} bytes")
    try:
        value = json.loads(f.value_json) if f.value_json.strip() else None
    except ValueError:
        raise InvalidInput(f"{where}.value_json is not valid JSON") from None
    return HiddenFact.from_json({"name": f.name, "keywords": list(f.keywords),
                                 "statement": f.statement, "value": value}, where)


def request_from_proto(req: simulator_pb2.ReplyRequest) -> ReplyRequest:
    which = req.WhichOneof("hidden")
    hidden: BackendHidden | FrontendHidden | None = None
    if which == "backend":
        hidden = BackendHidden(
            ground_truth=req.backend.ground_truth,
            facts=tuple(fact_from_proto(f, f"backend.facts[{i}]")
                        for i, f in enumerate(req.backend.facts)))
    elif which == "frontend":
        f = req.frontend
        hidden = FrontendHidden(target_png=f.target_png, agent_png=f.agent_png,
                                target_html=f.target_html, agent_html=f.agent_html)
    return ReplyRequest(domain=_DOMAINS.get(req.domain),  # type: ignore[arg-type]
                        problem_description=req.problem_description, hidden=hidden,
                        dialogue=messages_from_proto(req.dialogue, "dialogue"),
                        max_reply_chars=req.max_reply_chars)


def reply_to_proto(r: Reply) -> simulator_pb2.ReplyResponse:
    return simulator_pb2.ReplyResponse(text=r.text, truncated=r.truncated,
                                       untruncated_chars=r.untruncated_chars, backend=r.backend,
                                       latency_seconds=r.latency_seconds)


def _item_from_proto(req: simulator_pb2.ReplyRequest) -> ReplyRequest | SweetError:
    try:
        return request_from_proto(req)
    except SweetError as exc:
        return exc


class SimulatorServicer(simulator_pb2_grpc.SimulatorServiceServicer):
    def __init__(self, service: SimulatorService):
        self.service = service

    async def Reply(self, request: simulator_pb2.ReplyRequest,
                    context: grpc.aio.ServicerContext) -> simulator_pb2.ReplyResponse:
        reply = await self.service.reply(request_from_proto(request),
                                         timeout=context.time_remaining())
        return reply_to_proto(reply)

    async def ReplyBatch(self, request: simulator_pb2.ReplyBatchRequest,
                         context: grpc.aio.ServicerContext) -> simulator_pb2.ReplyBatchResponse:
        results = await self.service.reply_batch([_item_from_proto(r) for r in request.items],
                                                 timeout=context.time_remaining())
        return simulator_pb2.ReplyBatchResponse(items=[
            simulator_pb2.ReplyBatchItem(error=error_to_proto(r)) if isinstance(r, SweetError)
            else simulator_pb2.ReplyBatchItem(result=reply_to_proto(r)) for r in results])
