"""Configuration of the simulated human (YAML section ``simulator``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sweetrl.config import doc
from sweetrl.runtime import ServerConfig

DEFAULT_PORT = 50052
DEFAULT_METRICS_PORT = 9092
DEFAULT_POLICY_ADDRESS = "127.0.0.1:50051"

KiB = 1 << 10


@dataclass(frozen=True)
class LlmSimulatorConfig:
    """The LLM behind the ``llm`` simulator and how to reach it."""

    transport: Literal["policy", "openai"] = doc(
        "How to reach the model: 'policy' (a sweetrl PolicyService over gRPC, e.g. "
        "`sweet serve policy`) or 'openai' (any OpenAI-compatible /chat/completions "
        "HTTP endpoint, e.g. a vLLM server; needs the httpx package).", "policy")
    policy_address: str = doc(
        "host:port of the PolicyService (transport 'policy'). Its bearer token is "
        "SWEET_AUTH_TOKEN, as for every sweetrl client.", DEFAULT_POLICY_ADDRESS)
    policy_tls_ca_file: Path | None = doc(
        "PEM CA bundle that signed the PolicyService's certificate; set it when that "
        "server uses TLS. Unset: plaintext.", None)
    openai_base_url: str = doc(
        "Base URL of the OpenAI-compatible API, up to and including /v1 (transport "
        "'openai'); the simulator POSTs to <base>/chat/completions.",
        "http://127.0.0.1:8000/v1")
    openai_model: str = doc(
        "The `model` field of chat-completion requests (transport 'openai'), e.g. "
        "'meta-llama/Llama-3.1-70B-Instruct'. Required with that transport.", "")
    openai_api_key_env: str = doc(
        "NAME of the environment variable holding the endpoint's API key, sent as "
        "`Authorization: Bearer <key>`; the key itself never goes in a config file. "
        "An unset or empty variable sends no Authorization header.", "OPENAI_API_KEY")
    max_tokens: int = doc(
        "Most tokens the model generates per reply. Replies are cut to "
        "max_reply_chars characters afterwards (400 by default, about 100 tokens of "
        "English); through the 'policy' transport the server also stops generating "
        "32 characters past that cap (SamplingParams.max_chars), through 'openai' "
        "more tokens only cost time.", 128)
    request_timeout_s: float = doc(
        "Seconds one attempt may take when the caller set no deadline (with a "
        "deadline, the remaining time bounds every attempt).", 120.0)
    max_attempts: int = doc(
        "Attempts per reply on retryable failures (UNAVAILABLE / RESOURCE_EXHAUSTED "
        "from the policy, connection errors, HTTP 429 and 5xx); then the reply fails "
        "with UNAVAILABLE.", 4)
    initial_backoff_s: float = doc(
        "Wait before the first retry; doubles after each further failed attempt.", 0.5)
    max_backoff_s: float = doc("Longest wait between two attempts.", 8.0)

    def __post_init__(self) -> None:
        _check_client_fields(self, "llm")
        if self.transport == "policy" and not self.policy_address.strip():
            raise ValueError("llm.policy_address must be host:port of a PolicyService")
        if self.transport == "openai" and not (self.openai_base_url.strip()
                                               and self.openai_model.strip()):
            raise ValueError("transport 'openai' needs llm.openai_base_url and llm.openai_model")


def _check_client_fields(c: LlmSimulatorConfig | VlmSimulatorConfig, section: str) -> None:
    if c.max_tokens < 1 or c.max_attempts < 1:
        raise ValueError(f"{section}.max_tokens and {section}.max_attempts must be >= 1")
    if c.request_timeout_s <= 0 or c.initial_backoff_s < 0 or c.max_backoff_s < 0:
        raise ValueError(f"{section}.request_timeout_s must be > 0 and the backoffs >= 0")


@dataclass(frozen=True)
class VlmSimulatorConfig:
    """The vision-language model behind the ``vlm`` frontend simulator: any
    OpenAI-compatible multimodal /chat/completions endpoint (e.g. vLLM serving
    Qwen2-VL), reached with the llm backend's openai transport (needs httpx)."""

    openai_base_url: str = doc(
        "Base URL of the OpenAI-compatible API, up to and including /v1; the simulator "
        "POSTs to <base>/chat/completions with both screenshots as image_url parts.",
        "http://127.0.0.1:8000/v1")
    openai_model: str = doc(
        "The `model` field of chat-completion requests, e.g. "
        "'Qwen/Qwen2-VL-72B-Instruct'. Required when frontend is 'vlm'.", "")
    openai_api_key_env: str = doc(
        "NAME of the environment variable holding the endpoint's API key, sent as "
        "`Authorization: Bearer <key>`. An unset or empty variable sends no "
        "Authorization header.", "OPENAI_API_KEY")
    max_tokens: int = doc(
        "Most tokens the model generates per reply. Replies are cut to 1000 characters "
        "afterwards by default (about 250 tokens of English).", 320)
    request_timeout_s: float = doc(
        "Seconds one attempt may take when the caller set no deadline.", 120.0)
    max_attempts: int = doc(
        "Attempts per reply on connection errors, timeouts, HTTP 429 and 5xx; then the "
        "reply fails with UNAVAILABLE.", 4)
    initial_backoff_s: float = doc(
        "Wait before the first retry; doubles after each further failed attempt.", 0.5)
    max_backoff_s: float = doc("Longest wait between two attempts.", 8.0)

    def __post_init__(self) -> None:
        _check_client_fields(self, "vlm")


@dataclass(frozen=True)
class SimulatorServiceConfig:
    """Backend, admission and limits of ``sweet serve simulator``."""

    server: ServerConfig = doc(
        "gRPC server settings.",
        default_factory=lambda: ServerConfig(port=DEFAULT_PORT, metrics_port=DEFAULT_METRICS_PORT))
    backend: Literal["llm", "scripted"] = doc(
        "Who answers backend (programming) tasks: 'llm' (the benchmark's simulated "
        "human: an LLM prompted with the problem, the hidden ground truth and the "
        "dialogue, greedy decoding; see the llm section) or 'scripted' (deterministic, "
        "no model: states the hidden facts a question asks about; requests must carry "
        "backend.facts).", "llm")
    llm: LlmSimulatorConfig = doc("The model behind the 'llm' backend.",
                                  default_factory=LlmSimulatorConfig)
    frontend: Literal["scripted", "vlm", "none"] = doc(
        "Who answers frontend (web design) tasks: 'scripted' (deterministic, no model: "
        "compares the two screenshots' layouts and colours, and the pages' text when "
        "their HTML is sent), 'vlm' (the benchmark's simulated human: a vision-language "
        "model shown both screenshots; see the vlm section) or 'none' (frontend "
        "requests fail with FAILED_PRECONDITION).", "scripted")
    vlm: VlmSimulatorConfig = doc("The model behind the 'vlm' frontend simulator.",
                                  default_factory=VlmSimulatorConfig)
    max_concurrent_replies: int = doc(
        "Replies being produced at once, over all calls (batch items included); "
        "further admitted replies wait for a slot.", 32)
    max_pending_replies: int = doc(
        "Replies admitted and not finished (running or waiting); a call that would "
        "exceed it fails fast with RESOURCE_EXHAUSTED (bounded queue).", 1024)
    max_batch_items: int = doc("Most items in one ReplyBatch call.", 256)
    max_dialogue_messages: int = doc("Most messages in a dialogue.", 32)
    max_message_bytes: int = doc("Largest dialogue message content (UTF-8 bytes).", 64 * KiB)
    max_problem_bytes: int = doc("Largest problem_description (UTF-8 bytes).", 16 * KiB)
    max_ground_truth_bytes: int = doc("Largest backend ground truth (UTF-8 bytes).", 64 * KiB)
    max_facts: int = doc("Most hidden facts of one backend task.", 64)
    max_html_bytes: int = doc(
        "Largest frontend.target_html or frontend.agent_html (UTF-8 bytes).", 256 * KiB)
    max_reply_chars: int = doc(
        "Largest reply cap a request may ask for (ReplyRequest.max_reply_chars).", 4000)

    def __post_init__(self) -> None:
        for name in ("max_concurrent_replies", "max_pending_replies", "max_batch_items",
                     "max_dialogue_messages", "max_message_bytes", "max_problem_bytes",
                     "max_ground_truth_bytes", "max_facts", "max_html_bytes",
                     "max_reply_chars"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        if self.frontend == "vlm" and not (self.vlm.openai_base_url.strip()
                                           and self.vlm.openai_model.strip()):
            raise ValueError("frontend 'vlm' needs vlm.openai_base_url and vlm.openai_model")
