"""One whole page: draw a style, a topic and a brand, build the kind's sections, describe it.

The description names the kind of page, the business and (vaguely) its sections,
the way WebSight's descriptions do; it never states colours, counts, sizes, column
layouts or alignment, which the agent has to find out by asking.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sweetrl.colbench.frontend.pages.base import PLACEHOLDER_HOSTS, Ctx, Part
from sweetrl.colbench.frontend.pages.kinds import Kind
from sweetrl.colbench.frontend.pages.markup import el, join
from sweetrl.colbench.frontend.pages.style import Style
from sweetrl.colbench.frontend.pages.topic import Topic, article, cap, pick
from sweetrl.colbench.frontend.pages.topics_service import SERVICE
from sweetrl.colbench.frontend.pages.topics_trade import TRADE

TOPICS: tuple[Topic, ...] = TRADE + SERVICE


@dataclass(frozen=True)
class Page:
    """A generated page: its kind, topic, layout signature, description and HTML."""

    kind: str
    topic: str
    layout: tuple[str, ...]
    description: str
    html: str


def draw_page(rng: random.Random, kind: Kind) -> Page:
    """A page of ``kind``, every choice drawn from ``rng``."""
    style = Style.draw(rng)
    topics = [t for t in TOPICS if t.food] if kind.food else TOPICS
    topic = pick(rng, topics)
    ctx = Ctx(rng=rng, style=style, topic=topic, brand=pick(rng, topic.brands),
              nav_links=tuple(rng.sample(kind.links, len(kind.links))) if kind.links else (),
              image_host=pick(rng, PLACEHOLDER_HOSTS))
    parts = kind.build(ctx)
    html = el("html", "", el("head", "", el("meta", charset="utf-8"), el("title", "", f"{ctx.brand}")),
              el("body", style.page, join(*(p.html for p in parts))))
    return Page(kind.name, topic.slug, tuple(p.name for p in parts),
                describe(rng, kind, topic, parts, style), html)


_OPENERS = ("{Noun} for {topic}. It has {sections}.",
            "{Noun} for {topic}, featuring {sections}.",
            "{Noun} for {topic} aimed at {audience}, with {sections}.",
            "A website for {topic}: {noun} with {sections}.",
            "Design {noun} for {topic} that includes {sections}.",
            "{Noun} of {topic}. The page shows {sections}.")
_VIBES = {"serif": ("elegant", "classic", "refined"), "mono": ("technical", "minimal"),
          "pill": ("friendly", "playful", "soft"), "square": ("sharp", "minimal", "bold")}
_PLAIN_VIBES = ("modern", "clean", "professional", "simple", "welcoming", "polished")


def describe(rng: random.Random, kind: Kind, topic: Topic, parts: list[Part], style: Style) -> str:
    """A vague, WebSight-like description of the page."""
    phrases: list[str] = []
    for part in parts:
        if part.phrase and part.phrase not in phrases and not (
                part.name.startswith(("nav.", "footer.")) and rng.random() < 0.4):
            phrases.append(part.phrase)
    sections = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    noun = pick(rng, kind.nouns)
    text = pick(rng, _OPENERS).format(Noun=cap(article(noun)), noun=article(noun), topic=article(topic.noun),
                                      audience=topic.audience, sections=sections)
    if rng.random() < 0.5:
        key = ("serif" if style.font == "font-serif" else "mono" if style.font == "font-mono" else
               "pill" if style.button_radius == "rounded-full" else
               "square" if style.radius == "rounded-none" else "")
        vibe = pick(rng, _VIBES.get(key, _PLAIN_VIBES))
        text += pick(rng, (f" The overall feel is {vibe}.", f" It should look {vibe}.",
                           f" The design is {vibe}."))
    return text
