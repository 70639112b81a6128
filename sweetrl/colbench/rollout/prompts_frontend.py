"""The agent's side of a ColBench frontend (web design) dialogue: its rules and its HTML.

The chat and the reading of the agent's output are the backend's (``prompts.py``:
``OUTPUT:`` separates private thought from the message, ``I WANT TO ANSWER:`` ends the
dialogue, at most 10 turns); only the rules in the system message differ. The agent
builds a page from a vague description; whenever it wants the human to see a page it
writes one HTML snippet with Tailwind CSS classes in its message. The snippet is
rendered to a screenshot, which the simulated human compares with the page they have
in mind and describes the differences. The last rendered snippet is the answer,
whether the dialogue ends with ``I WANT TO ANSWER:`` or at the turn limit.

Snippet (ALGORITHM.md): the first ``<html ...>...</html>`` of the message, else its
first ``<body ...>...</body>``, tags matched case-insensitively; a ``<!DOCTYPE html>``
right before ``<html>`` is kept with it (it switches the page from quirks mode to
standards mode, which moves pixels). A page cut before its closing tag (the turn hit
its token limit) is no snippet.

What this module does NOT do: repair or validate the HTML (browsers render sloppy
pages; the renderer contains hostile ones), or read snippets from the private thought.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sweetrl.colbench.rollout.prompts import MAX_TURNS, ChatTurn, agent_chat

FRONTEND_SYSTEM_PROMPT = """\
You are an assistant who builds a web page for a user. The user's description of the \
page is short and vague: they have an exact page in mind (its layout, colours, \
sections, text and sizes) that you cannot guess. Show them drafts and ask questions \
until your page matches theirs.

Rules:
- Write the page as HTML styled with Tailwind CSS classes (Tailwind is loaded for \
you; use no other CSS or JavaScript). Images may use placeholder URLs such as \
https://picsum.photos/200/300.
- To show the user a draft, put ONE complete HTML snippet in your message, from \
<html> to </html> (or from <body> to </body>). It is rendered, and the user sees \
the screenshot, compares it with the page they want and tells you the most important \
differences. You may also just ask a question, without a snippet.
- You have at most {max_turns} turns in all, your final answer included.
- The last page you showed is your answer. When you are satisfied, end with your \
final answer, usually the page once more with your last changes. You answer only \
once; after that the conversation ends.

Format of every turn: you may think first, then write "OUTPUT:" followed by what the \
user sees. Only the text after "OUTPUT:" reaches the user.
To show a draft or ask a question:
OUTPUT: <your question and/or <html>...</html>>
To give your final answer:
OUTPUT: I WANT TO ANSWER: <html>...</html>"""

_DOCUMENT = re.compile(r"(?:<!doctype\s+html\b[^>]*>\s*)?<html\b[^>]*>.*?</html\s*>", re.I | re.S)
_BODY = re.compile(r"<body\b[^>]*>.*?</body\s*>", re.I | re.S)


def extract_html(message: str) -> str | None:
    """The HTML snippet of an agent message (module docstring), or None without one."""
    match = _DOCUMENT.search(message) or _BODY.search(message)
    return match.group(0) if match else None


def frontend_chat(problem_description: str, exchanges: Sequence[tuple[str, str]], *,
                  max_turns: int = MAX_TURNS) -> list[ChatTurn]:
    """The chat the policy continues for the agent's next turn of a frontend dialogue
    (`prompts.agent_chat` with the frontend rules)."""
    return agent_chat(problem_description, exchanges, max_turns=max_turns,
                      system=FRONTEND_SYSTEM_PROMPT)
