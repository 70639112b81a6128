"""Generated pages: well-formed HTML, placeholder images only, no scripts, sensible
size, many layouts and styles, descriptions that leave the visual specifics out."""

from __future__ import annotations

import collections
import random
import re

import pytest

from sweetrl.colbench.frontend.pages import KINDS, TOPICS, draw_page
from sweetrl.colbench.frontend.pages.markup import el, join
from sweetrl.colbench.frontend.pages.style import COLOURS, NEUTRALS
from sweetrl.render.assets import Action, route


@pytest.fixture(scope="module")
def pages():
    return [draw_page(random.Random(f"test:{i}"), KINDS[i % len(KINDS)]) for i in range(600)]


def test_markup_escapes_text_and_attributes():
    html = el("a", "text-sm  font-bold", "<b>&", href='x" onclick="y', hidden=True, title=None)
    assert html == '<a class="text-sm font-bold" href="x&quot; onclick=&quot;y" hidden>&lt;b&gt;&amp;</a>'
    assert el("img", "w-4", src="s", alt="") == '<img class="w-4" src="s" alt="">'
    assert el("div", "", el("p", "", "a"), el("p", "", "b")) == "<div>\n  <p>a</p>\n  <p>b</p>\n</div>"
    assert el("pre", "", el("code", "", "x\n  y")) == "<pre><code>x&#10;  y</code></pre>"  # indentation never enters
    assert el("p", "", el("span", "", "a"), el("span", "", "b")) == "<p><span>a</span><span>b</span></p>"
    assert join(el("i", "", "a"), None, "") == "<i>a</i>"


def test_pages_are_well_formed_documents_without_scripts(pages, check_page):
    for page in pages:
        checker = check_page(page.html)
        assert checker.problems == [], (page.kind, page.layout, checker.problems[:3])
        assert checker.tags[:4] == ["html", "head", "meta", "title"] and "body" in checker.tags
        assert not {"script", "iframe", "object", "embed", "link", "style"} & set(checker.tags)
        assert "javascript:" not in page.html.lower()


def test_the_only_external_urls_are_placeholder_images_the_renderer_serves(pages, check_page):
    hosts = collections.Counter()
    for page in pages:
        checker = check_page(page.html)
        images = [u for u in checker.urls if u != "#"]
        for url in images:
            assert route(url).action is Action.PLACEHOLDER_IMAGE, url
            hosts[url.split("/")[2]] += 1
        # no URL anywhere else in the page (text, other attributes)
        assert len(re.findall(r"https?://", page.html)) == len(images), page.layout
        assert len(set(images)) == len(images)  # one URL (and colour) per image
    assert set(hosts) == {"picsum.photos", "source.unsplash.com"}


def test_pages_have_a_sensible_size(pages):
    sizes = sorted(len(p.html) for p in pages)
    assert sizes[0] >= 1_000 and sizes[-1] <= 20_000
    assert 3_000 <= sizes[len(sizes) // 2] <= 10_000


def test_layouts_styles_and_topics_are_diverse(pages):
    assert len({p.kind for p in pages}) == len(KINDS)
    assert len({p.layout for p in pages}) >= 300  # of 600; sign-up/login pages have few shapes
    sections = {name for p in pages for name in p.layout}
    assert len(sections) >= 60
    assert len({p.topic for p in pages}) == len(TOPICS) >= 40
    skeletons = {tuple(re.findall(r"<([a-z0-9]+)", p.html)) for p in pages}
    assert len(skeletons) >= 400
    bodies = [re.search(r'<body class="([^"]*)"', p.html).group(1) for p in pages]
    assert {"font-sans", "font-serif", "font-mono"} <= {c for b in bodies for c in b.split()}
    dark = sum(f"bg-{n}-900" in b for b in bodies for n in NEUTRALS)
    assert 0.1 * len(pages) <= dark <= 0.4 * len(pages)
    used = {c for p in pages for c in COLOURS if f"-{c}-" in p.html}
    assert used == set(COLOURS)


FORBIDDEN = re.compile(r"\d|\b(" + "|".join(COLOURS + NEUTRALS) + r"|white|black|dark|light|left|right|"
                       r"cent(?:re|er|red|ered)|columns?|rows?|rounded|shadow|pixels?|px|two|three|four|five|six)\b",
                       re.I)


def test_descriptions_leave_out_colours_counts_and_alignment(pages):
    for page in pages:
        assert not FORBIDDEN.search(page.description), (FORBIDDEN.search(page.description), page.description)
    described = [p for p in pages if p.kind == "restaurant"]
    assert all("restaurant" in p.description or "menu" in p.description for p in described)


def test_food_pages_only_come_from_food_topics(pages):
    food = {t.slug for t in TOPICS if t.food}
    assert {p.topic for p in pages if p.kind == "restaurant"} <= food
