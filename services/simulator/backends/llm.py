"""The LLM simulated human of ColBench backend tasks (ALGORITHM.md, "Simulator").

An instruct model plays the person who wants the function written. Its prompt
(`simulator_messages`) holds the vague problem the agent saw, the hidden
ground-truth code the person "has in mind", and the dialogue so far as a transcript;
it is told to answer like a person who needs help, only from that code, saying
"I don't know." otherwise, in at most two sentences, without showing code. Decoding
is greedy. The service cuts the reply to 400 characters; through a policy server the
model stops generating soon after that (``SamplingParams.max_chars``), since the
rest would be cut anyway.

The model sees the ground truth: that is the benchmark's design (the human knows
what they want). What keeps it out of the reply is the instruction, as in the
benchmark; nothing here filters the model's output beyond trimming it.

The prompt is one system message plus one user message (the transcript), not the
dialogue with roles swapped, so every chat template accepts it whatever the order
of the turns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from services.policy.prompts import Message
from services.simulator.backends.base import DONT_KNOW, ReplyRequest, SimulatorBackend
from services.simulator.backends.clients import ChatClient, make_chat_client
from services.simulator.config import LlmSimulatorConfig

SYSTEM_PROMPT = """\
You are role-playing a person who has asked an AI assistant to write a Python \
function for them. You know exactly how the function must behave, because the code \
you have in mind is shown to you below, but you are not a programmer: never show, \
quote or dictate that code, and never write code for the assistant.

The assistant cannot see the code. It will ask you questions to find out what you \
want. Reply as that person would, in plain everyday language:
- Use only what the code tells you. If the code does not settle the question, \
reply exactly "I don't know."
- Answer what was asked, briefly: two sentences at most.
- Speak as the person who needs the function, not as an assistant; do not offer \
help, explanations of programming, or the finished function."""

USER_TEMPLATE = """\
What you asked the assistant for:
{problem}

The code you have in mind (the assistant cannot see it):
```python
{ground_truth}
```

The conversation so far:
{transcript}

Write your next reply to the assistant's last message, as the person, in at most \
two sentences."""

SPEAKERS = {"assistant": "Assistant", "user": "You"}
LABEL_ROOM = 32
"""Characters generated past the reply cap, for a speaker label that `clean_reply` drops."""
_LABEL = re.compile(r"^\s*(you|me|person|human|user)\s*:\s*", re.IGNORECASE)


def transcript(dialogue: Sequence[Message]) -> str:
    """The dialogue as "Assistant: ..." / "You: ..." lines, oldest first."""
    return "\n\n".join(f"{SPEAKERS.get(m.role, m.role)}: {m.content.strip()}" for m in dialogue)


def simulator_messages(request: ReplyRequest) -> list[Message]:
    """The chat the simulator model completes for `request` (a backend-domain turn)."""
    user = USER_TEMPLATE.format(problem=request.problem_description.strip(),
                                ground_truth=request.backend.ground_truth.rstrip(),
                                transcript=transcript(request.dialogue))
    return [Message("system", SYSTEM_PROMPT), Message("user", user)]


def clean_reply(text: str) -> str:
    """The model's reply, trimmed, without a speaker label it may have echoed ("You: ...").

    An empty reply becomes `DONT_KNOW`: a silent human tells the agent as little.
    """
    text = _LABEL.sub("", text.strip(), count=1).strip()
    return text or DONT_KNOW


class LlmBackend(SimulatorBackend):
    """A chat model behind a `ChatClient` (PolicyService or OpenAI-compatible endpoint)."""

    kind = "llm"

    def __init__(self, client: ChatClient, settings: LlmSimulatorConfig) -> None:
        self.client = client
        self.settings = settings

    @classmethod
    def from_config(cls, settings: LlmSimulatorConfig) -> LlmBackend:
        return cls(make_chat_client(settings), settings)

    @property
    def name(self) -> str:
        return self.client.name

    def requires_ground_truth(self) -> bool:
        return True

    async def start(self) -> None:
        await self.client.start()

    async def close(self) -> None:
        await self.client.close()

    async def reply(self, request: ReplyRequest, *, timeout: float | None = None) -> str:
        # The service keeps max_reply_chars characters of the cleaned reply: ask the
        # model server to stop soon after, with room for a label clean_reply removes.
        cap = request.max_reply_chars
        text = await self.client.complete(simulator_messages(request),
                                          max_tokens=self.settings.max_tokens, timeout=timeout,
                                          max_chars=cap + LABEL_ROOM if cap else 0)
        return clean_reply(text)
