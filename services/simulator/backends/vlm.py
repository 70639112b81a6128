"""The vision-language simulated human of ColBench frontend tasks (ALGORITHM.md,
"Frontend design").

A multimodal chat model plays the person who wants the web page. Its prompt
(`vlm_messages`) holds the page description the agent saw, the dialogue so far as a
transcript (HTML the agent wrote is replaced by a note: the model sees its
screenshot instead), the screenshot of the target page the person "has in mind" and
the screenshot of the agent's latest page, both as base64 PNG data URLs. It is told
to describe, as that person, the most important differences concretely, in a few
sentences, without writing code; before the agent has rendered anything, to
describe the page it wants. Decoding is greedy; the service cuts the reply to 1000
characters.

The request goes to any OpenAI-compatible multimodal /chat/completions endpoint
(vLLM serving Qwen2-VL, for instance) through the llm backend's `OpenAIChatClient`,
with its retries and error mapping.

What this does NOT do: resize the screenshots (the endpoint receives them as
rendered; long pages cost many image tokens), or filter the model's output beyond
trimming it.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence

from services.policy.prompts import Message
from services.simulator.backends.base import FrontendSimulatorBackend, ReplyRequest, Screenshots
from services.simulator.backends.clients import (ChatClient, ImagePart, OpenAIChatClient,
                                                 PartsMessage)
from services.simulator.backends.llm import clean_reply, transcript
from services.simulator.config import VlmSimulatorConfig

SYSTEM_PROMPT = """\
You are role-playing a person who has asked an AI assistant to build a web page for \
them. You know exactly what the page must look like: you are shown a screenshot of \
the page you have in mind. The assistant cannot see it. When the assistant has built \
a page, you are also shown a screenshot of its latest version.

Reply as that person would, in plain everyday language:
- Compare the assistant's page with the one you have in mind and point out the most \
important differences: missing or extra sections, layout and alignment, colours of \
backgrounds and text, sizes, text, images.
- Be concrete: say where on the page (top, middle, bottom, left, right) and what it \
should look like instead, e.g. "the header should be dark blue with white text".
- If the assistant has not shown you a page yet, describe the most important \
features of the page you want.
- Keep it to a few sentences. Never write HTML or CSS, and do not mention \
screenshots; speak as the person who wants the page, not as an assistant."""

NO_PAGE = "The assistant has not shown you a page yet."
HTML_NOTE = "[HTML code of a page; you see it rendered below]"
_HTML = re.compile(r"<html\b.*?(?:</html\s*>|\Z)|<body\b.*?(?:</body\s*>|\Z)",
                   re.IGNORECASE | re.DOTALL)


def png_data_url(png: bytes) -> str:
    """``data:image/png;base64,...`` of PNG bytes."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def without_html(dialogue: Sequence[Message]) -> list[Message]:
    """`dialogue` with HTML pages in messages replaced by `HTML_NOTE`."""
    return [Message(m.role, _HTML.sub(HTML_NOTE, m.content)) for m in dialogue]


def vlm_messages(request: ReplyRequest) -> list[Message | PartsMessage]:
    """The chat the vision-language model completes for a frontend-domain turn."""
    hidden = request.frontend
    intro = (f"What you asked the assistant for:\n{request.problem_description.strip()}\n\n"
             f"The conversation so far:\n{transcript(without_html(request.dialogue))}\n\n"
             "The page you have in mind (the assistant cannot see this):")
    parts: list[str | ImagePart] = [intro, ImagePart(png_data_url(hidden.target_png))]
    if hidden.agent_png:
        parts += ["The assistant's latest page:", ImagePart(png_data_url(hidden.agent_png)),
                  "Write your next reply to the assistant, as the person: the most important "
                  "differences between its page and the one you have in mind, concretely, in "
                  "a few sentences."]
    else:
        parts.append(f"{NO_PAGE} Write your next reply to the assistant, as the person: "
                     "describe the page you want, concretely, in a few sentences.")
    return [Message("system", SYSTEM_PROMPT), PartsMessage("user", tuple(parts))]


class VlmBackend(FrontendSimulatorBackend):
    """A multimodal chat model behind an OpenAI-compatible endpoint."""

    kind = "vlm"

    def __init__(self, client: ChatClient, settings: VlmSimulatorConfig) -> None:
        self.client = client
        self.settings = settings

    @classmethod
    def from_config(cls, settings: VlmSimulatorConfig) -> VlmBackend:
        return cls(OpenAIChatClient(settings, section="vlm"), settings)

    @property
    def name(self) -> str:
        return self.client.name

    async def start(self) -> None:
        await self.client.start()

    async def close(self) -> None:
        await self.client.close()

    async def reply(self, request: ReplyRequest, screenshots: Screenshots, *,
                    timeout: float | None = None) -> str:
        text = await self.client.complete(vlm_messages(request),
                                          max_tokens=self.settings.max_tokens, timeout=timeout)
        return clean_reply(text)
