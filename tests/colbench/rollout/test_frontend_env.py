"""The frontend agent's rules and the frontend dialogue state machine, without services:
snippet extraction, the chat, the last rendered snippet as the answer."""

from __future__ import annotations

import pytest

from sweetrl.colbench.frontend.tasks import FrontendTask
from sweetrl.colbench.rollout.clients import Generation, Screenshot
from sweetrl.colbench.rollout.env_frontend import FrontendDialogue
from sweetrl.colbench.rollout.prompts import AGENT_SYSTEM_PROMPT
from sweetrl.colbench.rollout.prompts_frontend import (FRONTEND_SYSTEM_PROMPT, extract_html,
                                                       frontend_chat)

TASK = FrontendTask("landing-1", "A landing page for a bakery.",
                    '<html><body class="bg-white"><h1>Bakery</h1></body></html>', "landing", "test")
SHOT = Screenshot(png=b"\x89PNG fake", stats={"width": 1280, "height": 720})


def gen(text: str) -> Generation:
    return Generation(text=text, rendered_prompt="PROMPT", finish_reason="stop", tokens=5, model={})


@pytest.mark.parametrize("message, snippet", [
    ("Here: <html><body class='p-4'>A</body></html> ok?", "<html><body class='p-4'>A</body></html>"),
    ('<!DOCTYPE html>\n<HTML lang="en"><p>x</p></HTML>', '<!DOCTYPE html>\n<HTML lang="en"><p>x</p></HTML>'),
    ("draft <body class='bg-red-500'><p>x</p></body> and more", "<body class='bg-red-500'><p>x</p></body>"),
    ("<html><p>1</p></html> then <html><p>2</p></html>", "<html><p>1</p></html>"),  # the first
    ("<div class='p-4'>no document</div>", None),
    ("<html><body><p>cut by the token limit", None),
    ("What colour should the header be?", None),
])
def test_snippet_is_the_first_html_else_body_element(message, snippet):
    assert extract_html(message) == snippet


def test_frontend_chat_has_its_own_rules_and_the_shared_format():
    chat = frontend_chat(TASK.problem_description, [("assistant", "<html></html>"), ("user", "Bigger.")],
                         max_turns=7)
    assert [m.role for m in chat] == ["system", "user", "assistant", "user"]
    assert chat[0].content == FRONTEND_SYSTEM_PROMPT.format(max_turns=7) != AGENT_SYSTEM_PROMPT
    assert "at most 7 turns" in chat[0].content and "Tailwind" in chat[0].content
    assert "OUTPUT:" in chat[0].content and "I WANT TO ANSWER:" in chat[0].content
    assert chat[2].content == "OUTPUT: <html></html>"


def test_the_last_rendered_snippet_is_the_answer():
    d = FrontendDialogue(TASK)
    assert d.next_chat()[0].content == FRONTEND_SYSTEM_PROMPT.format(max_turns=10)
    d.agent_turn(gen("hmm OUTPUT: What colours do you like?"), d.next_chat())
    assert d.pending_html is None and d.questions == 1 and d.answer is None
    d.human_turn("Blue.")
    d.agent_turn(gen("<html>in the thought</html> OUTPUT: Like this? <body><p>v1</p></body>"),
                 d.next_chat())
    assert d.pending_html == "<body><p>v1</p></body>"  # never from the private thought
    d.rendered(SHOT)
    assert (d.answer, d.png, d.renders) == ("<body><p>v1</p></body>", SHOT.png, 1)
    assert d.history[-1]["render"] == {"chars": 22, "width": 1280, "height": 720}
    d.human_turn("Make it blue.")
    d.agent_turn(gen("OUTPUT: I WANT TO ANSWER: thanks, that is it"), d.next_chat())
    # no snippet in the final message: the answer stays the last rendered one
    assert (d.done, d.finish, d.answer) == (True, "answered", "<body><p>v1</p></body>")
    with pytest.raises(RuntimeError):
        d.rendered(SHOT)


def test_a_final_snippet_is_rendered_after_the_dialogue_ended():
    d = FrontendDialogue(TASK, max_turns=1)
    d.agent_turn(gen("OUTPUT: <html><p>only</p></html>"), d.next_chat())
    assert (d.done, d.finish, d.answer, d.pending_html) == (True, "turn_limit", None,
                                                            "<html><p>only</p></html>")
    d.rendered(SHOT)
    assert d.answer == "<html><p>only</p></html>"


def test_no_snippet_in_the_whole_dialogue_is_no_answer():
    d = FrontendDialogue(TASK, max_turns=2)
    for _ in range(2):
        d.agent_turn(gen("OUTPUT: Which sections?"), d.next_chat())
        if not d.done:
            d.human_turn("A header.")
    assert (d.finish, d.answer, d.renders) == ("turn_limit", None, 0)
