"""Transports to the LLM behind the simulated human: our PolicyService, or an
OpenAI-compatible chat-completions endpoint, behind one small `ChatClient` interface.
The vision-language frontend simulator uses the same OpenAI-compatible client.

Both send one chat and get one greedy completion back (temperature 0, n = 1). Both
retry what is worth retrying -- the model server is down, restarting or busy
(gRPC UNAVAILABLE / RESOURCE_EXHAUSTED, connection errors and timeouts of one
attempt, HTTP 429 and 5xx) -- with exponential backoff within the caller's deadline,
then give up with `Unavailable`. A prompt the model refuses (too long for its
context) is `InvalidInput`; a misconfigured endpoint (bad key, unknown model) is
`FailedPrecondition`.

The openai transport imports httpx when it starts, so servers that use the policy
transport do not need it. Its API key is read from the environment variable that
``llm.openai_api_key_env`` (``vlm.openai_api_key_env``) names (the only environment
read outside `sweetrl.envs`: the variable's name is user configuration, not ours).

Messages are plain `Message`s, or `PartsMessage`s whose content mixes text and
images (`ImagePart`, a URL: here, data: URLs of PNGs). Only the openai transport
sends images, as OpenAI-style ``image_url`` content parts.

What this does NOT do: stream tokens, or send images over the policy transport.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

import grpc

from services.policy.prompts import Message
from services.simulator.config import LlmSimulatorConfig, VlmSimulatorConfig
from sweetrl.errors import DeadlineExceeded, FailedPrecondition, InvalidInput, Unavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImagePart:
    """An image in a chat message, given by URL (e.g. ``data:image/png;base64,...``)."""

    url: str


@dataclass(frozen=True)
class PartsMessage:
    """A chat message whose content is text and images, in order."""

    role: str
    parts: tuple[str | ImagePart, ...]


PromptMessage = Message | PartsMessage
ClientConfig = LlmSimulatorConfig | VlmSimulatorConfig


class _Retryable(Exception):
    """Internal: one attempt failed in a way a later attempt may not."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChatClient(abc.ABC):
    """One greedy chat completion, with retries (`complete`); transports implement `_attempt`.

    Args:
        settings: the endpoint and retry settings.
        section: the config section they come from ("llm" or "vlm"), for error messages.
    """

    def __init__(self, settings: ClientConfig, section: str = "llm") -> None:
        self.settings = settings
        self.section = section

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Which model answers, e.g. "policy:SmolLM2-135M-Instruct"."""

    @property
    @abc.abstractmethod
    def target(self) -> str:
        """Where the model is, for error messages (an address or URL)."""

    async def start(self) -> None:
        """Open connections (lazily: the model server need not be up yet)."""

    async def close(self) -> None:
        """Close connections."""

    @abc.abstractmethod
    async def _attempt(self, messages: Sequence[PromptMessage], max_tokens: int,
                       timeout: float, max_chars: int) -> str:
        """One request; raises `_Retryable` for failures worth another attempt."""

    async def complete(self, messages: Sequence[PromptMessage], *, max_tokens: int,
                       timeout: float | None = None, max_chars: int = 0) -> str:
        """The model's greedy reply to `messages`.

        Args:
            max_chars: the caller keeps only this many characters (0: all); a transport
                that can (the policy transport) has the server stop generating soon
                after, the OpenAI API has no such parameter.
            timeout: seconds left before the caller's deadline, which also bounds each
                attempt; None for no deadline (each attempt is then bounded by
                ``request_timeout_s``).

        Raises:
            Unavailable: every attempt failed with a retryable error.
            DeadlineExceeded: the deadline passed before an attempt succeeded.
            InvalidInput, FailedPrecondition: see the module docstring.
        """
        s = self.settings
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        backoff, reason = s.initial_backoff_s, ""
        for attempt in range(1, s.max_attempts + 1):
            # With a deadline an attempt may use all the time left: on a busy model server a
            # request waits in its queue, and cutting it short only to send it again wastes
            # the work done and queues it at the back (it never finishes under load).
            budget = s.request_timeout_s if deadline is None else deadline - loop.time()
            if budget <= 0:
                break
            try:
                return await self._attempt(messages, max_tokens, budget, max_chars)
            except _Retryable as exc:
                reason = exc.reason
            if attempt == s.max_attempts:
                tries = f"{attempt} attempt{'s' * (attempt > 1)}"
                raise Unavailable(f"the simulator model at {self.target} cannot be reached: "
                                  f"{reason} (after {tries}); check that it is running, then "
                                  "retry")
            wait = min(backoff, s.max_backoff_s)
            if deadline is not None and loop.time() + wait >= deadline:
                break
            log.warning("simulator model at %s: %s; attempt %d of %d in %.1f s", self.target,
                        reason, attempt + 1, s.max_attempts, wait)
            await asyncio.sleep(wait)
            backoff *= 2
        raise DeadlineExceeded(f"the simulator model at {self.target} did not answer before the "
                               f"deadline{f' (last error: {reason})' if reason else ''}")


# ------------------------------------------------------------------------ policy


class PolicyChatClient(ChatClient):
    """A sweetrl PolicyService (`sweet serve policy`) over gRPC: Generate with a Chat."""

    _RETRY = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED)

    settings: LlmSimulatorConfig

    def __init__(self, settings: LlmSimulatorConfig) -> None:
        super().__init__(settings)
        self._channel = None
        self._stub = None
        self._model_name = ""

    @property
    def name(self) -> str:
        # The model's own name once a reply has told us; the address before that.
        return f"policy:{self._model_name or self.settings.policy_address}"

    @property
    def target(self) -> str:
        return self.settings.policy_address

    async def start(self) -> None:
        from sweetrl.api.v1 import policy_pb2_grpc
        from sweetrl.runtime import make_channel

        self._channel = make_channel(self.settings.policy_address,
                                     tls_ca_file=self.settings.policy_tls_ca_file)
        self._stub = policy_pb2_grpc.PolicyServiceStub(self._channel)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
            self._channel = self._stub = None

    async def _attempt(self, messages: Sequence[PromptMessage], max_tokens: int,
                       timeout: float, max_chars: int) -> str:
        from sweetrl.api.v1 import common_pb2, policy_pb2

        if any(isinstance(m, PartsMessage) for m in messages):
            raise FailedPrecondition("the policy transport sends text only, not images")
        if self._stub is None:
            raise Unavailable("the simulator's policy client is not started")
        roles = {"system": common_pb2.ROLE_SYSTEM, "user": common_pb2.ROLE_USER,
                 "assistant": common_pb2.ROLE_ASSISTANT}
        request = policy_pb2.GenerateRequest(
            prompts=[policy_pb2.Prompt(chat=policy_pb2.Chat(messages=[
                common_pb2.ChatMessage(role=roles[m.role], content=m.content) for m in messages]))],
            sampling=policy_pb2.SamplingParams(temperature=0.0, max_tokens=max_tokens, n=1,
                                               max_chars=max_chars))
        try:
            response = await self._stub.Generate(request, timeout=timeout)
        except grpc.aio.AioRpcError as exc:
            self._raise(exc.code().name, exc.details() or "")
        result = response.results[0]
        if result.HasField("error"):
            self._raise(result.error.code, result.error.message)
        self._model_name = response.model.model_name
        return result.samples[0].text

    def _raise(self, code: str, details: str) -> NoReturn:
        if code in ("UNAVAILABLE", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED"):
            raise _Retryable(f"{code}: {details}")
        if code == "INVALID_ARGUMENT":
            raise InvalidInput(f"the simulator model refused the prompt (problem, ground truth "
                               f"and dialogue): {details}")
        raise Unavailable(f"the simulator model at {self.target} failed: {code}: {details}")


# ------------------------------------------------------------------------ openai


class OpenAIChatClient(ChatClient):
    """POST <openai_base_url>/chat/completions, as vLLM, TGI, llama.cpp and OpenAI serve it."""

    def __init__(self, settings: ClientConfig, section: str = "llm") -> None:
        super().__init__(settings, section)
        self._http = None
        self._httpx = None

    @property
    def name(self) -> str:
        return f"openai:{self.settings.openai_model}"

    @property
    def target(self) -> str:
        return self.settings.openai_base_url

    async def start(self) -> None:
        try:
            import httpx
        except ImportError:
            raise FailedPrecondition(f"the {self.section} simulator's OpenAI-compatible client "
                                     "needs the httpx package (pip install httpx)") from None
        headers = {}
        key = os.environ.get(self.settings.openai_api_key_env, "").strip()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self._httpx = httpx
        self._http = httpx.AsyncClient(base_url=self.settings.openai_base_url.rstrip("/") + "/",
                                       headers=headers)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _attempt(self, messages: Sequence[PromptMessage], max_tokens: int,
                       timeout: float, max_chars: int) -> str:  # no such API parameter
        if self._http is None:
            raise Unavailable("the simulator's HTTP client is not started")
        httpx = self._httpx
        body = {"model": self.settings.openai_model, "temperature": 0, "n": 1,
                "max_tokens": max_tokens,
                "messages": [_wire(m) for m in messages]}
        try:
            response = await self._http.post("chat/completions", json=body, timeout=timeout)
        except httpx.TimeoutException:
            raise _Retryable(f"no answer within {timeout:.1f} s") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__})") from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Retryable(f"HTTP {status}")
        if status in (400, 413, 422):
            raise InvalidInput(f"the simulator endpoint refused the prompt (HTTP {status}): "
                               f"{_error_text(response)}")
        if status >= 300:
            raise FailedPrecondition(
                f"the simulator endpoint {self.target} answered HTTP {status} "
                f"({_error_text(response)}); check {self.section}.openai_base_url, "
                f"{self.section}.openai_model and the API key in "
                f"${self.settings.openai_api_key_env}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, LookupError, TypeError):
            raise Unavailable(f"the simulator endpoint {self.target} sent a malformed "
                              "chat-completion response") from None
        return content if isinstance(content, str) else ""


def _wire(m: PromptMessage) -> dict:
    """A message as the chat-completions API takes it."""
    if isinstance(m, Message):
        return {"role": m.role, "content": m.content}
    return {"role": m.role, "content": [
        {"type": "image_url", "image_url": {"url": p.url}} if isinstance(p, ImagePart)
        else {"type": "text", "text": p} for p in m.parts]}


def _error_text(response) -> str:
    """The endpoint's error message, shortened (it is shown to our client)."""
    try:
        error = response.json().get("error", "")
        text = error.get("message", "") if isinstance(error, dict) else str(error)
    except (ValueError, AttributeError):
        text = response.text
    text = " ".join(str(text).split())
    return text[:200] or "no details"


def make_chat_client(settings: LlmSimulatorConfig) -> ChatClient:
    """The client of ``settings.transport``."""
    if settings.transport == "openai":
        return OpenAIChatClient(settings)
    return PolicyChatClient(settings)
