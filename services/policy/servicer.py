"""gRPC servicer of the policy server: translates protos <-> domain objects, nothing else.

Errors are raised as domain exceptions; the runtime's interceptor maps them to
status codes. Per-prompt failures travel as ItemErrors inside the response.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from services.policy.prompts import Message, Prompt
from services.policy.service import (GenerateRequest, LoadRequest, PolicyService, ScoreRequest,
                                     ServedModel, mean_or_zero)
from sweetrl.api.v1 import common_pb2, policy_pb2, policy_pb2_grpc
from sweetrl.errors import InvalidInput, SweetError
from sweetrl.serving.types import FinishReason, ModelInfo, Sample, SamplingParams

SERVICE_NAME = policy_pb2.DESCRIPTOR.services_by_name["PolicyService"].full_name

_ROLES = {common_pb2.ROLE_SYSTEM: "system", common_pb2.ROLE_USER: "user",
          common_pb2.ROLE_ASSISTANT: "assistant"}
_FINISH = {FinishReason.STOP: policy_pb2.FINISH_REASON_STOP,
           FinishReason.LENGTH: policy_pb2.FINISH_REASON_LENGTH,
           FinishReason.ABORT: policy_pb2.FINISH_REASON_ABORT}


# ----------------------------------------------------------------- proto -> domain


def messages_from_proto(messages, where: str) -> tuple[Message, ...]:
    """ChatMessages -> domain Messages; an unset role is INVALID_ARGUMENT."""
    out = []
    for i, m in enumerate(messages):
        role = _ROLES.get(m.role)
        if role is None:
            raise InvalidInput(f"{where}[{i}].role must be ROLE_SYSTEM, ROLE_USER or ROLE_ASSISTANT")
        out.append(Message(role=role, content=m.content, images=tuple(m.images)))
    return tuple(out)


def prompt_from_proto(p: policy_pb2.Prompt, where: str) -> Prompt:
    which = p.WhichOneof("input")
    if which == "text":
        return Prompt(text=p.text)
    if which == "chat":
        return Prompt(messages=messages_from_proto(p.chat.messages, f"{where}.chat.messages"))
    raise InvalidInput(f"{where} is empty: set its text or chat")


def sampling_from_proto(s: policy_pb2.SamplingParams) -> SamplingParams:
    """Zero values keep the API's meaning: temperature 0 is greedy, max_tokens 0 the default."""
    return SamplingParams(
        temperature=s.temperature, top_p=s.top_p or 1.0, top_k=s.top_k,
        max_tokens=s.max_tokens, stop=tuple(s.stop),
        seed=s.seed if s.HasField("seed") else None, n=s.n, logprobs=s.logprobs,
        max_chars=s.max_chars)


def generate_request_from_proto(req: policy_pb2.GenerateRequest) -> GenerateRequest:
    return GenerateRequest(
        prompts=tuple(prompt_from_proto(p, f"prompts[{i}]") for i, p in enumerate(req.prompts)),
        params=sampling_from_proto(req.sampling), adapter=req.adapter)


def score_request_from_proto(req: policy_pb2.ScoreRequest) -> ScoreRequest:
    which = req.WhichOneof("context")
    if which == "context_text":
        context = Prompt(text=req.context_text)
    elif which == "context_chat":
        context = Prompt(messages=messages_from_proto(req.context_chat.messages,
                                                      "context_chat.messages"))
    else:
        raise InvalidInput("context is required: set context_text or context_chat")
    return ScoreRequest(context=context, continuations=tuple(req.continuations),
                        score_end_of_turn=req.score_end_of_turn, adapter=req.adapter)


def load_request_from_proto(req: policy_pb2.LoadCheckpointRequest) -> LoadRequest:
    """CHECKPOINT_KIND_UNSPECIFIED means FULL."""
    kind = "adapter" if req.kind == policy_pb2.CHECKPOINT_KIND_ADAPTER else "full"
    return LoadRequest(uri=req.uri, kind=kind, base_model=req.base_model,
                       adapter_name=req.adapter_name, expected_revision=req.expected_revision)


# ----------------------------------------------------------------- domain -> proto


def error_to_proto(exc: SweetError) -> common_pb2.ItemError:
    return common_pb2.ItemError(code=exc.code, message=exc.message)


def served_to_proto(m: ServedModel) -> policy_pb2.ServedModel:
    return policy_pb2.ServedModel(model_name=m.model_name, revision=m.revision, adapter=m.adapter,
                                  adapter_revision=m.adapter_revision, generation=m.generation)


def sample_to_proto(s: Sample, logprobs: bool) -> policy_pb2.Sample:
    return policy_pb2.Sample(
        index=s.index, text=s.text, token_ids=s.token_ids,
        token_logprobs=s.token_logprobs if logprobs else (),
        finish_reason=_FINISH[s.finish_reason], mean_logprob=mean_or_zero(s.token_logprobs),
        sum_logprob=s.sum_logprob, stop_string=s.stop_string)


def model_info_to_proto(info: ModelInfo, *, default_max_tokens: int) -> policy_pb2.ModelInfo:
    return policy_pb2.ModelInfo(
        model_name=info.model_name, uri=info.uri, revision=info.revision, backend=info.backend,
        backend_version=info.backend_version, max_model_len=info.max_model_len,
        default_max_tokens=default_max_tokens, dtype=info.dtype,
        has_chat_template=info.has_chat_template, multimodal=False,
        adapters=[policy_pb2.AdapterInfo(name=name, uri=uri) for name, uri in info.adapters.items()],
        active_adapter=info.active_adapter, generation=info.generation)


class PolicyServicer(policy_pb2_grpc.PolicyServiceServicer):
    def __init__(self, service: PolicyService):
        self.service = service

    async def Generate(self, request: policy_pb2.GenerateRequest,
                       context: grpc.aio.ServicerContext) -> policy_pb2.GenerateResponse:
        req = generate_request_from_proto(request)
        result = await self.service.generate(req, timeout=context.time_remaining())
        want = req.params.logprobs
        return policy_pb2.GenerateResponse(
            results=[
                policy_pb2.PromptResult(error=error_to_proto(r)) if isinstance(r, SweetError)
                else policy_pb2.PromptResult(
                    samples=[sample_to_proto(s, want) for s in r.samples],
                    prompt_tokens=r.prompt_tokens, rendered_prompt=r.rendered_prompt)
                for r in result.results],
            model=served_to_proto(result.model))

    async def GenerateStream(self, request: policy_pb2.GenerateRequest,
                             context: grpc.aio.ServicerContext
                             ) -> AsyncIterator[policy_pb2.GenerateStreamChunk]:
        req = generate_request_from_proto(request)
        want = req.params.logprobs
        first = True
        async for event in self.service.generate_stream(req, timeout=context.time_remaining()):
            model = served_to_proto(event.model) if first else None
            first = False
            out = event.outcome
            if isinstance(out, SweetError):
                yield policy_pb2.GenerateStreamChunk(prompt_index=event.prompt_index, sample_index=0,
                                                     error=error_to_proto(out), model=model)
                continue
            for k, s in enumerate(out.samples):
                head = k == 0
                yield policy_pb2.GenerateStreamChunk(
                    prompt_index=event.prompt_index, sample_index=s.index, text_delta=s.text,
                    token_ids=s.token_ids, token_logprobs=s.token_logprobs if want else (),
                    finish_reason=_FINISH[s.finish_reason],
                    mean_logprob=mean_or_zero(s.token_logprobs), stop_string=s.stop_string,
                    prompt_tokens=out.prompt_tokens if head else 0,
                    rendered_prompt=out.rendered_prompt if head else "",
                    model=model if head else None)

    async def Score(self, request: policy_pb2.ScoreRequest,
                    context: grpc.aio.ServicerContext) -> policy_pb2.ScoreResponse:
        result = await self.service.score(score_request_from_proto(request),
                                          timeout=context.time_remaining())
        return policy_pb2.ScoreResponse(
            scores=[policy_pb2.ContinuationScore(
                token_ids=s.token_ids, token_logprobs=s.token_logprobs,
                sum_logprob=s.sum_logprob, mean_logprob=mean_or_zero(s.token_logprobs),
                token_count=len(s.token_ids)) for s in result.scores],
            context_tokens=result.context_tokens, rendered_context=result.rendered_context,
            model=served_to_proto(result.model))

    async def GetModelInfo(self, request: policy_pb2.GetModelInfoRequest,
                           context: grpc.aio.ServicerContext) -> policy_pb2.ModelInfo:
        return model_info_to_proto(self.service.info(),
                                   default_max_tokens=self.service.default_max_tokens)

    async def LoadCheckpoint(self, request: policy_pb2.LoadCheckpointRequest,
                             context: grpc.aio.ServicerContext) -> policy_pb2.LoadCheckpointResponse:
        info, seconds = await self.service.load_checkpoint(load_request_from_proto(request))
        return policy_pb2.LoadCheckpointResponse(
            model=model_info_to_proto(info, default_max_tokens=self.service.default_max_tokens),
            load_seconds=seconds)
