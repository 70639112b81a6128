"""The scripted frontend human: layout analysis of Pillow-drawn pages, the remarks it
makes about their differences, the HTML text it compares, determinism and the reply
cap, directly and through the gRPC service."""

from __future__ import annotations

import asyncio

import pytest
from PIL import Image
from simulator_helpers import (BLUE, DARK_GRAY, GREEN, LIGHT_GRAY, RED, WHITE, draw_page,
                               frontend_request, png, running_simulator, simulator_config)

from services.simulator.backends.base import FrontendHidden, ReplyRequest, Screenshots
from services.simulator.backends.layout import analyse, colour_name, contrast_name
from services.simulator.backends.page_text import missing_phrases, read_page
from services.simulator.backends.scripted_frontend import (NO_DIFFERENCE, ScriptedFrontendBackend,
                                                           scripted_feedback)

TARGET = draw_page()
TARGET_HTML = """<html><head><title>Acme</title><script>let x = "hidden";</script></head>
<body class="bg-white font-sans">
<header class="bg-blue-500 text-white p-8"><h1 class="text-xl">Acme Bakery</h1></header>
<h2 class="text-4xl text-center">Fresh bread every day</h2>
<div class="grid grid-cols-3 gap-8">
  <div class="bg-gray-200 p-6"><h3>Bread</h3></div><div class="bg-gray-200 p-6"><h3>Cakes</h3></div>
  <div class="bg-gray-200 p-6"><h3>Coffee</h3><img src="https://picsum.photos/200"></div>
</div>
<footer class="bg-gray-800 text-white"><p>Contact us at the shop</p></footer>
</body></html>"""
AGENT_HTML = """<body><header class="bg-blue-500"><h1>Acme   bakery!</h1></header>
<h2 class="text-4xl">Fresh bread every day</h2><div><h3>Bread</h3><h3>Cakes</h3></div>
<p>Lorem ipsum dolor sit amet</p></body>"""


def reply(agent: Image.Image | None, target: Image.Image = TARGET, **html) -> str:
    return scripted_feedback(Screenshots(target, agent), **html)


# --------------------------------------------------------------------- analysis


def test_layout_of_a_drawn_page():
    page = analyse(TARGET)
    assert (page.width, page.height, page.background, page.content_height) == (
        1280, 900, WHITE, 900)
    header, title, cards, footer = page.bands
    assert (header.kind, header.colour, header.ink, header.top, header.bottom) == (
        "bar", BLUE, WHITE, 0, 100)
    assert (title.kind, title.align, title.boxes, title.columns) == ("content", "centre", 0, 1)
    assert (cards.kind, cards.boxes, cards.box_rows, cards.box_colour) == (
        "content", 3, 1, LIGHT_GRAY)
    assert (footer.kind, footer.colour, footer.bottom) == ("bar", DARK_GRAY, 900)


@pytest.mark.parametrize("rgb, name", [
    ((255, 255, 255), "white"), ((0, 0, 0), "black"), ((229, 231, 235), "very light gray"),
    ((107, 114, 128), "gray"), ((31, 41, 55), "dark gray"), ((59, 130, 246), "blue"),
    ((30, 64, 175), "dark blue"), ((191, 219, 254), "light blue"), ((239, 68, 68), "red"),
    ((34, 197, 94), "green"), ((250, 204, 21), "yellow"), ((249, 115, 22), "orange"),
    ((168, 85, 247), "purple"), ((236, 72, 153), "pink"), ((124, 45, 18), "brown"),
])
def test_colour_names(rgb, name):
    assert colour_name(rgb) == name


def test_same_named_colours_are_told_apart():
    assert contrast_name(BLUE, RED) == ("blue", "red")
    assert contrast_name((96, 165, 250), (37, 99, 235)) == (
        "a lighter shade of blue", "the darker blue you used")


def test_page_text_reads_visible_phrases_only():
    text = read_page(TARGET_HTML)
    assert text.phrases == ("Acme Bakery", "Fresh bread every day", "Bread", "Cakes", "Coffee",
                            "Contact us at the shop")
    assert text.images == 1
    agent = read_page(AGENT_HTML)
    assert missing_phrases(text.phrases, agent.phrases) == ["Coffee", "Contact us at the shop"]
    assert read_page("<p>unclosed <b>tags & <i>broken").phrases == ("unclosed tags & broken",)


# ---------------------------------------------------------------------- remarks


def test_feedback_names_the_salient_differences():
    agent = draw_page(header=RED, cards=2, footer=None, height=600)
    text = reply(agent)
    assert "The header should be blue, not red." in text
    assert "In the middle I want three boxes side by side, but yours has two." in text
    assert "At the bottom there should be a dark gray footer bar with white text." in text
    assert "Your page is much shorter than the one I want" in text
    assert len(text) <= 1000 and text.count(".") == 4  # a few sentences


@pytest.mark.parametrize("agent, remark", [
    (draw_page(title_align="left"), "The text at the top should be centred, not aligned to the "
                                    "left."),
    (draw_page(background=LIGHT_GRAY, card=WHITE), "The page background should be white, not "
                                                   "very light gray."),
    (draw_page(header_height=40), "The header should be taller: about 100 px high instead of "
                                  "about 40 px."),
    (draw_page(band=GREEN), "your page has a green band across the page, which I don't want."),
    (draw_page(card=(254, 240, 138)), "The boxes in the middle should be very light gray, not "
                                      "light yellow."),
    (draw_page(footer=(30, 64, 175)), "The footer should be dark gray, not dark blue."),
    (draw_page(cards=6), "I want three boxes side by side, but yours has six."),
])
def test_one_difference_gets_its_remark(agent, remark):
    assert remark in reply(agent)


def test_an_identical_page_gets_no_complaint():
    assert reply(draw_page()) == NO_DIFFERENCE


def test_before_any_page_the_target_is_described():
    text = reply(None)
    assert text.startswith("I don't see a page from you yet. I want a page with a white "
                           "background, about 900 px long. From top to bottom: a blue header "
                           "bar with white text; ")
    assert "three very light gray boxes side by side" in text
    assert text.endswith("a dark gray footer bar with white text.")


def test_an_empty_page_is_called_empty():
    text = reply(Image.new("RGB", (1280, 720)))
    assert text.startswith("Your page looks empty: it is all black. I want a page with")


def test_text_remarks_need_both_pages_html_and_never_show_markup():
    same_picture = draw_page()
    text = reply(same_picture, target_html=TARGET_HTML, agent_html=AGENT_HTML)
    assert 'Some text is missing, for example "Coffee" and "Contact us at the shop".' in text
    assert "Your page has text I don't want, like \"Lorem ipsum dolor sit amet\"." in text
    assert "I want one image on the page, yours has none." in text
    for secret in ("<", ">", "class", "bg-", "text-", "grid", "hidden", "Acme</title>"):
        assert secret not in text, secret
    # Without the agent's HTML there is nothing to compare text with.
    assert reply(same_picture, target_html=TARGET_HTML) == NO_DIFFERENCE


def test_replies_are_deterministic_and_fit_the_cap():
    agent = draw_page(header=RED, cards=2, footer=None, height=600, title_align="left")
    first = reply(agent, target_html=TARGET_HTML, agent_html=AGENT_HTML)
    assert all(reply(agent.copy(), target_html=TARGET_HTML, agent_html=AGENT_HTML) == first
               for _ in range(3))
    short = scripted_feedback(Screenshots(TARGET, agent), TARGET_HTML, AGENT_HTML, limit=120)
    assert len(first) > 120 >= len(short) > 0
    assert all(f"{s}." in first for s in short.rstrip(".").split(". "))  # whole sentences
    request = ReplyRequest("frontend", "a bakery", FrontendHidden(png(TARGET), png(agent),
                                                                  TARGET_HTML, AGENT_HTML),
                           dialogue=(), max_reply_chars=0)
    backend = ScriptedFrontendBackend()
    assert asyncio.run(backend.reply(request, Screenshots(TARGET, agent))) == first


# ---------------------------------------------------------------------- service


async def test_service_answers_frontend_turns_with_the_scripted_human():
    agent = draw_page(header=RED, cards=2, footer=None, height=600)
    async with running_simulator(simulator_config(backend="scripted")) as (stub, _):
        r = await stub.Reply(frontend_request(png(TARGET), png(agent)), timeout=30)
        first = await stub.Reply(frontend_request(png(TARGET)), timeout=30)
        cut = await stub.Reply(frontend_request(png(TARGET), png(agent), max_reply_chars=30),
                               timeout=30)
    assert r.backend == "scripted-frontend" and not r.truncated
    assert r.text == reply(agent) and len(r.text) <= 1000
    assert first.text == reply(None)
    assert (len(cut.text), cut.truncated) == (30, True)
    assert cut.text == r.text[:30]
