"""The agent's side of a ColBench backend dialogue: its prompt and how its output is read.

Prompt (our wording of the benchmark's agent instruction): a system message with the
rules, the task's problem description as the first user message, then the dialogue
so far as alternating chat messages -- the agent's earlier turns as ``OUTPUT: <message>``
(its private thought is not shown back, as in the reference) and the human's replies.
The policy service renders this chat with the model's template; each turn's prompt
extends the previous one, so a prefix cache reuses the earlier turns' keys and values.

Output (ALGORITHM.md): the text after the first ``OUTPUT:`` is the message the human
sees, what precedes it is private thought; without ``OUTPUT:`` the whole output is the
message. A second ``OUTPUT:`` means the model went on to write another turn by itself:
it and what follows are dropped, from the message and from the stored output, as the
reference does. A message containing ``I WANT TO ANSWER:`` ends the dialogue and the
text after that mark is the final answer (the sandbox takes the code from its first
```` ```python ```` fence, or the whole answer when it has none).

What this module does NOT do: talk to any service, or accept other spellings of the
marks ("Output:", "I want to answer:"): the benchmark's marks are exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sweetrl.sandbox.code import extract_code

OUTPUT_MARK = "OUTPUT:"
ANSWER_MARK = "I WANT TO ANSWER:"
MAX_TURNS = 10

AGENT_SYSTEM_PROMPT = """\
You are an assistant who writes a Python function for a user. The user's request is \
personal and deliberately vague: they have exact details in mind (defaults, \
thresholds, rounding, units, ordering, edge cases) that you cannot guess. Find them \
out by asking the user before you write the function.

Rules:
- Ask one short, direct question per turn. The user answers briefly, in at most two \
sentences, and knows what they want but not how to code it.
- You have at most {max_turns} turns in all, your final answer included.
- When you know enough, give your final answer: the complete Python function with \
exactly the signature the user gave, in one ```python code block. You answer only \
once; after that your function is tested and the conversation ends.

Format of every turn: you may think first, then write "OUTPUT:" followed by what the \
user sees. Only the text after "OUTPUT:" reaches the user.
To ask a question:
OUTPUT: <your question>
To give your final answer:
OUTPUT: I WANT TO ANSWER: ```python
<the complete function>
```"""


@dataclass(frozen=True)
class ChatTurn:
    """One chat message sent to the policy (role: system, user or assistant)."""

    role: str
    content: str

    def to_json(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class AgentOutput:
    """The agent's raw output, read by the benchmark's rules (see module docstring)."""

    raw: str
    """The text the policy generated, unchanged."""
    output: str
    """``raw`` without a second ``OUTPUT:`` and what follows (stored as the turn's output)."""
    thought: str
    """Text before the first ``OUTPUT:``, stripped; empty without one."""
    message: str
    """What the human sees, stripped."""
    answer: str | None
    """Text after ``I WANT TO ANSWER:`` in the message (stripped); None when not final."""

    @property
    def final(self) -> bool:
        return self.answer is not None

    @property
    def asks(self) -> bool:
        """Whether this is a question to the human: not final and the message has a '?'."""
        return not self.final and "?" in self.message


def parse_agent_output(raw: str) -> AgentOutput:
    """Split an agent turn into thought, message and final answer (see module docstring)."""
    if OUTPUT_MARK in raw:
        parts = raw.split(OUTPUT_MARK)
        thought, message = parts[0].strip(), parts[1]
        output = OUTPUT_MARK.join(parts[:2])
    else:
        thought, message, output = "", raw, raw
    answer = message.split(ANSWER_MARK, 1)[1].strip() if ANSWER_MARK in message else None
    return AgentOutput(raw=raw, output=output, thought=thought, message=message.strip(),
                       answer=answer)


def answer_code(answer: str) -> str:
    """The code the sandbox runs for a final answer (first ```python fence, else all of it)."""
    return extract_code(answer).strip()


def agent_chat(problem_description: str, exchanges: Sequence[tuple[str, str]], *,
               max_turns: int = MAX_TURNS, system: str = AGENT_SYSTEM_PROMPT) -> list[ChatTurn]:
    """The chat the policy continues for the agent's next turn.

    Args:
        problem_description: the task's vague description (the user's request).
        exchanges: the dialogue so far after the request, oldest first, as
            ``(role, text)`` with role ``assistant`` (the agent's visible message) or
            ``user`` (the human's reply).
        max_turns: the turn limit stated in the instructions.
        system: the domain's rules, a template with ``{max_turns}`` (backend: this
            module's; frontend: ``prompts_frontend.FRONTEND_SYSTEM_PROMPT``).
    """
    chat = [ChatTurn("system", system.format(max_turns=max_turns)),
            ChatTurn("user", problem_description.strip())]
    for role, text in exchanges:
        chat.append(ChatTurn(role, f"{OUTPUT_MARK} {text}" if role == "assistant" else text))
    return chat
