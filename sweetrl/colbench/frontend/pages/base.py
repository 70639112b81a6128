"""What every section builder gets (:class:`Ctx`) and returns (:class:`Part`).

A builder is a function ``Ctx -> Part``: it draws its own shape (column count, image
side, number of items...) from ``ctx.rng``, styles itself with ``ctx.style`` and
returns its markup, a vague phrase for the page description and its variant name
(the page's layout signature is the tuple of those names).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from sweetrl.colbench.frontend.pages.markup import Html, el, slug
from sweetrl.colbench.frontend.pages.style import Style
from sweetrl.colbench.frontend.pages.topic import Topic

X = TypeVar("X")

PLACEHOLDER_HOSTS = ("picsum", "unsplash")
"""Image URL forms the renderer serves offline (sweetrl.render.assets)."""


@dataclass(frozen=True)
class Part:
    """One built section: markup, a phrase for the description, a layout name."""

    name: str
    html: Html
    phrase: str


@dataclass
class Ctx:
    """The page being built: randomness, style, topic, brand and running counters."""

    rng: random.Random
    style: Style
    topic: Topic
    brand: str
    nav_links: tuple[str, ...]
    image_host: str = "picsum"
    images: int = 0
    sections: int = 0

    def pick(self, seq: Sequence[X]) -> X:
        return seq[self.rng.randrange(len(seq))]

    def sample(self, seq: Sequence[X], k: int) -> list[X]:
        return self.rng.sample(list(seq), min(k, len(seq)))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def image_url(self, width: int, height: int, key: str = "") -> str:
        """A placeholder image URL, unique within the page (its colour follows the URL)."""
        self.images += 1
        word = slug(key or self.topic.slug)
        if self.image_host == "unsplash":
            return f"https://source.unsplash.com/random/{width}x{height}/?{word}&sig={self.images}"
        return f"https://picsum.photos/seed/{word}-{self.images}/{width}/{height}"

    def img(self, width: int, height: int, cls: str, alt: str, key: str = "") -> Html:
        return el("img", cls, src=self.image_url(width, height, key or alt), alt=alt)

    def section(self, *children: object, tinted: bool | None = None, cls: str = "") -> Html:
        """A page section in the content container; every other one is tinted when the
        style alternates backgrounds (``tinted`` forces it on or off)."""
        s = self.style
        if tinted is None:
            tinted = s.alternate and self.sections % 2 == 1
        self.sections += 1
        return el("section", f"{s.tint if tinted else ''} {s.pad} {cls}",
                  el("div", s.container, *children))

    def heading(self, title: str, sub: str | None = None, *, centred: bool | None = None) -> Html:
        """A section heading (and subtitle), aligned as the style says."""
        s = self.style
        centred = s.centred if centred is None else centred
        return el("div", f"mb-10 {'text-center max-w-2xl mx-auto' if centred else 'max-w-2xl'}",
                  el("h2", s.h2, title), sub and el("p", f"mt-3 text-lg {s.muted}", sub))

    def grid(self, cols: int) -> str:
        """Classes of a responsive grid of ``cols`` columns at page width."""
        small = {2: "sm:grid-cols-2", 3: "sm:grid-cols-2 lg:grid-cols-3", 4: "sm:grid-cols-2 lg:grid-cols-4",
                 5: "sm:grid-cols-3 lg:grid-cols-5", 6: "sm:grid-cols-3 lg:grid-cols-6"}[cols]
        return f"grid grid-cols-1 {small} {self.style.gap}"

    def buttons(self, labels: Sequence[str], *, centred: bool = False, size: str = "px-6 py-3") -> Html:
        """A row of links styled as buttons: the first solid, the others outlined."""
        s = self.style
        return el("div", "mt-8 flex flex-wrap gap-4" + (" justify-center" if centred else ""),
                  *[el("a", s.button(size) if i == 0 else s.button_outline(size), label, href="#")
                    for i, label in enumerate(labels)])
