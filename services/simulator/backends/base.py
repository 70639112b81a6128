"""The interfaces simulated humans implement, one per task domain, and the request
they answer.

A `SimulatorBackend` turns one validated `ReplyRequest` of a backend (programming)
task into the human's reply text; a `FrontendSimulatorBackend` does the same for a
frontend (web design) task, given the request and its screenshots already decoded.
The service validates, decodes, queues, times and cuts replies to length; backends
only produce text and raise `sweetrl.errors` exceptions (Unavailable when a model
cannot be reached).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any, Literal

from services.policy.prompts import Message
from sweetrl.colbench.backend.facts import HiddenFact

Domain = Literal["backend", "frontend"]

DONT_KNOW = "I don't know."
"""What a simulated human says when the hidden information does not answer a question."""


@dataclass(frozen=True)
class BackendHidden:
    """What only the human knows about a backend task."""

    ground_truth: str
    facts: tuple[HiddenFact, ...] = ()


@dataclass(frozen=True)
class FrontendHidden:
    """Screenshots of the target page and of the agent's latest page (PNG bytes), and
    optionally the HTML behind each."""

    target_png: bytes
    agent_png: bytes = b""
    """Empty: the agent has not rendered a page yet."""
    target_html: str = ""
    agent_html: str = ""


@dataclass(frozen=True)
class Screenshots:
    """A frontend request's screenshots, decoded (RGB ``PIL.Image``s)."""

    target: Any
    agent: Any | None
    """None when the agent has not rendered a page yet."""


@dataclass(frozen=True)
class ReplyRequest:
    """One turn to answer (the domain form of the API's ReplyRequest).

    `dialogue` holds the agent's visible messages (role "assistant") and the human's
    earlier replies (role "user"), oldest first, and ends with the agent's turn.
    """

    domain: Domain | None
    problem_description: str
    hidden: BackendHidden | FrontendHidden | None
    dialogue: tuple[Message, ...]
    max_reply_chars: int = 0
    """Reply cap in characters; 0 means the domain's default."""

    @property
    def backend(self) -> BackendHidden:
        """The backend hidden information (the service has checked it is set)."""
        assert isinstance(self.hidden, BackendHidden)
        return self.hidden

    @property
    def frontend(self) -> FrontendHidden:
        """The frontend hidden information (the service has checked it is set)."""
        assert isinstance(self.hidden, FrontendHidden)
        return self.hidden

    @property
    def last_turn(self) -> str:
        """The agent's message to answer."""
        return self.dialogue[-1].content


class SimulatorBackend(abc.ABC):
    """A simulated human of backend tasks. Implementations: ``scripted`` and ``llm``."""

    kind: str
    """Config name of the implementation (metrics label): 'scripted' or 'llm'."""

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Who answers, as ReplyResponse.backend reports it: "scripted" or e.g.
        "policy:SmolLM2-135M-Instruct"."""

    def requires_facts(self) -> bool:
        """Whether requests must carry BackendHidden.facts."""
        return False

    def requires_ground_truth(self) -> bool:
        """Whether requests must carry BackendHidden.ground_truth."""
        return False

    async def start(self) -> None:
        """Acquire resources (connections); called once before the first reply."""

    async def close(self) -> None:
        """Release resources; called once at shutdown."""

    @abc.abstractmethod
    async def reply(self, request: ReplyRequest, *, timeout: float | None = None) -> str:
        """The human's reply to ``request.dialogue[-1]``, before any length cap.

        Args:
            timeout: seconds left before the caller's deadline (None: no deadline);
                remote backends bound their calls and retries with it.

        Raises:
            Unavailable: the model behind the backend cannot be reached.
            InvalidInput: the request cannot be answered by this backend.
        """


class FrontendSimulatorBackend(abc.ABC):
    """A simulated human of frontend tasks. Implementations: ``scripted-frontend``
    (`scripted_frontend`) and ``vlm`` (`vlm`)."""

    kind: str
    """Metrics label of the implementation: 'scripted-frontend' or 'vlm'."""

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Who answers, as ReplyResponse.backend reports it: "scripted-frontend" or
        e.g. "openai:Qwen2-VL-7B-Instruct"."""

    async def start(self) -> None:
        """Acquire resources (connections); called once before the first reply."""

    async def close(self) -> None:
        """Release resources; called once at shutdown."""

    @abc.abstractmethod
    async def reply(self, request: ReplyRequest, screenshots: Screenshots, *,
                    timeout: float | None = None) -> str:
        """The human's reply to ``request.dialogue[-1]``, before any length cap.

        Args:
            screenshots: ``request.frontend``'s PNGs, decoded and checked.
            timeout: seconds left before the caller's deadline (None: no deadline).

        Raises:
            Unavailable: the model behind the backend cannot be reached.
            InvalidInput: the request cannot be answered by this backend.
        """
