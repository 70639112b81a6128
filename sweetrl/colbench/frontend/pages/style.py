"""The look of one page, drawn once and applied by every section: Tailwind v3 classes.

A :class:`Style` fixes the palette (a primary and an accent colour from Tailwind's
palette, one of its five greys, light or dark), type (font family, heading sizes,
weight), shape (corner radius of cards and buttons, shadows, card treatment), spacing
(section padding, grid gaps, container width) and alignment of section headings.
These are exactly what a page description leaves out: an agent has to ask for them
or read them off the rendered differences.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

COLOURS = ("red", "orange", "amber", "yellow", "lime", "green", "emerald", "teal", "cyan", "sky",
           "blue", "indigo", "violet", "purple", "fuchsia", "pink", "rose")
NEUTRALS = ("gray", "slate", "zinc", "neutral", "stone")
_LIGHT_COLOURS = frozenset({"amber", "yellow", "lime"})  # white text on these is unreadable


def _pick(rng: random.Random, seq):
    return seq[rng.randrange(len(seq))]


@dataclass(frozen=True)
class Style:
    """Design tokens of a page; the properties turn them into class strings."""

    primary: str
    accent: str
    neutral: str
    dark: bool
    shade: int  # of the primary colour on buttons and highlights: 500, 600 or 700
    font: str  # font-sans, font-serif, font-mono
    hero_size: str
    h2_size: str
    weight: str
    radius: str  # cards and images
    button_radius: str
    shadow: str
    card_kind: str  # border, shadow, tint, flat
    width: str
    pad: str
    gap: str
    centred: bool  # section headings centred (else left aligned)
    alternate: bool  # every other section on a tinted background
    nav_kind: str  # plain, border, primary, dark
    footer_kind: str  # plain, tint, dark, primary
    light_page: str  # bg-white or a grey-50 (light pages only)

    @classmethod
    def draw(cls, rng: random.Random) -> Style:
        primary = _pick(rng, COLOURS)
        dark = rng.random() < 0.22
        return cls(
            primary=primary, accent=_pick(rng, [c for c in COLOURS if c != primary]),
            neutral=_pick(rng, NEUTRALS), dark=dark, shade=_pick(rng, (500, 600, 600, 700)),
            font=_pick(rng, ("font-sans",) * 6 + ("font-serif",) * 3 + ("font-mono",)),
            hero_size=_pick(rng, ("text-4xl", "text-5xl", "text-5xl", "text-6xl")),
            h2_size=_pick(rng, ("text-2xl", "text-3xl", "text-3xl", "text-4xl")),
            weight=_pick(rng, ("font-bold", "font-bold", "font-extrabold", "font-semibold")),
            radius=_pick(rng, ("rounded-none", "rounded", "rounded-md", "rounded-lg", "rounded-xl",
                               "rounded-2xl")),
            button_radius=_pick(rng, ("rounded-none", "rounded", "rounded-md", "rounded-lg",
                                      "rounded-full")),
            shadow=_pick(rng, ("shadow-sm", "shadow", "shadow-md", "shadow-lg", "shadow-xl")),
            card_kind=_pick(rng, ("border", "shadow", "tint", "flat")),
            width=_pick(rng, ("max-w-5xl", "max-w-6xl", "max-w-7xl")),
            pad=_pick(rng, ("py-12", "py-16", "py-16", "py-20")),
            gap=_pick(rng, ("gap-4", "gap-6", "gap-8", "gap-10")),
            centred=rng.random() < 0.6, alternate=rng.random() < 0.5,
            nav_kind=_pick(rng, ("plain", "border", "primary", "dark") if not dark else ("plain", "border")),
            footer_kind=_pick(rng, ("plain", "tint", "dark", "primary")),
            light_page=_pick(rng, ("bg-white", "bg-white", f"bg-{_pick(rng, NEUTRALS)}-50")))

    # -- colours ----------------------------------------------------------------
    @property
    def page(self) -> str:
        """Classes of <body>."""
        if self.dark:
            return f"bg-{self.neutral}-900 text-{self.neutral}-100 {self.font} antialiased"
        return f"{self.light_page} text-{self.neutral}-800 {self.font} antialiased"

    @property
    def strong(self) -> str:
        return "text-white" if self.dark else f"text-{self.neutral}-900"

    @property
    def muted(self) -> str:
        return f"text-{self.neutral}-400" if self.dark else f"text-{self.neutral}-600"

    @property
    def faint(self) -> str:
        return f"text-{self.neutral}-500"

    @property
    def accent_text(self) -> str:
        return f"text-{self.primary}-400" if self.dark else f"text-{self.primary}-{self.shade}"

    @property
    def second_text(self) -> str:
        return f"text-{self.accent}-400" if self.dark else f"text-{self.accent}-600"

    @property
    def border(self) -> str:
        return f"border-{self.neutral}-700" if self.dark else f"border-{self.neutral}-200"

    @property
    def surface(self) -> str:
        return f"bg-{self.neutral}-800" if self.dark else "bg-white"

    @property
    def tint(self) -> str:
        """Background of an alternate section or a soft panel."""
        if self.dark:
            return f"bg-{self.neutral}-800"
        return f"bg-{self.primary}-50" if self.light_page != "bg-white" else f"bg-{self.neutral}-50"

    @property
    def fill(self) -> str:
        """A solid primary background with readable text."""
        text = f"text-{self.neutral}-900" if self.primary in _LIGHT_COLOURS else "text-white"
        return f"bg-{self.primary}-{self.shade} {text}"

    @property
    def soft(self) -> str:
        """A pale badge/icon background in the primary colour."""
        if self.dark:
            return f"bg-{self.primary}-900 text-{self.primary}-300"
        return f"bg-{self.primary}-100 text-{self.primary}-700"

    # -- components ---------------------------------------------------------------
    @property
    def card(self) -> str:
        base = f"{self.radius} overflow-hidden"
        if self.card_kind == "border":
            return f"{base} border {self.border} {self.surface}"
        if self.card_kind == "shadow":
            return f"{base} {self.surface} {self.shadow}"
        if self.card_kind == "tint":
            return f"{base} {self.tint}"
        return base

    @property
    def card_pad(self) -> str:
        return "" if self.card_kind == "flat" else "p-6"

    def button(self, size: str = "px-5 py-2.5") -> str:
        return f"inline-block {size} {self.button_radius} {self.fill} font-semibold text-sm"

    def button_outline(self, size: str = "px-5 py-2.5") -> str:
        return (f"inline-block {size} {self.button_radius} border-2 border-{self.primary}-{self.shade} "
                f"{self.accent_text} font-semibold text-sm")

    @property
    def input(self) -> str:
        bg = f"bg-{self.neutral}-900 text-white" if self.dark else "bg-white"
        return f"w-full px-4 py-2.5 border {self.border} {bg} {self.button_radius.replace('-full', '-lg')}"

    @property
    def container(self) -> str:
        return f"{self.width} mx-auto px-6"

    @property
    def h2(self) -> str:
        return f"{self.h2_size} {self.weight} {self.strong}"

    @property
    def align(self) -> str:
        return "text-center" if self.centred else "text-left"

    def nav_bar(self) -> tuple[str, str]:
        """(classes of the navbar, classes of its links)."""
        if self.nav_kind == "primary":
            return self.fill, "opacity-90"
        if self.nav_kind == "dark":
            return f"bg-{self.neutral}-900 text-white", f"text-{self.neutral}-300"
        bg = f"bg-{self.neutral}-900" if self.dark else self.light_page
        edge = f" border-b {self.border}" if self.nav_kind == "border" else ""
        return f"{bg}{edge}", self.muted

    def footer_bar(self) -> tuple[str, str]:
        """(classes of the footer, classes of its secondary text)."""
        kind = self.footer_kind
        if kind == "dark" or (self.dark and kind == "plain"):
            return f"bg-{self.neutral}-950 text-{self.neutral}-300", f"text-{self.neutral}-500"
        if kind == "primary":
            return self.fill, "opacity-80"
        if kind == "tint":
            return f"{self.tint} {self.muted}", self.faint
        return f"border-t {self.border} {self.muted}", self.faint

    @property
    def footer_rule(self) -> str:
        """Border colour of a rule inside the footer."""
        on_colour = self.dark or self.footer_kind in ("dark", "primary")
        return "border-white/20" if on_colour else self.border
