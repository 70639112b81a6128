"""The scripted simulated human of ColBench frontend tasks: deterministic visual-diff
feedback, no model.

Both screenshots are described as a background and horizontal bands
(`layout.analyse`); the bands of the target and of the agent's page are aligned in
order (edit-distance alignment on position, kind, colour, boxes and height), and
every difference becomes a candidate remark with a salience:

* the page background colour, and a page much shorter or longer than the target;
* a band of the target the agent's page lacks, or one it has and should not ("At
  the bottom there should be a dark gray footer bar with white text.");
* for aligned bands: a different kind (a coloured bar where the target has plain
  content), bar, box and text colours, the number of boxes or columns side by side,
  the height of a bar, left / centred / right alignment;
* when both pages' HTML is given (FrontendHidden.target_html / agent_html): text of
  the target the agent's page lacks (quoted, at most three phrases), text it should
  not have, and the number of images.

The `MAX_REMARKS` most salient remarks are said, most salient first, as a picky
person would, naming colours in words and places as top / middle / bottom, left /
right. Before the agent has rendered anything, the human describes the target's
layout from top to bottom instead. Remarks are dropped from the end to stay within
the reply cap; no sentence is cut.

The reply never contains HTML, class names or CSS values: only colour words, rough
sizes in pixels, and the visible text of the target when its HTML is given. Same
input, same reply.

What this does NOT do: see fonts, spacing within a band, shadows, borders or
images' content, or read text off the screenshots; pixel differences too small for
these rules pass unremarked. It is a fast, free and reproducible stand-in for the
vision-language human, not a substitute for it.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from services.simulator.backends.base import (FrontendSimulatorBackend, ReplyRequest,
                                              Screenshots)
from services.simulator.backends.layout import (Band, Layout, analyse, colour_distance,
                                                colour_name, contrast_name)
from services.simulator.backends.page_text import PageText, missing_phrases, read_page

MAX_REMARKS = 4
DEFAULT_LIMIT = 1000
MAX_QUOTES = 3
MAX_QUOTE_CHARS = 60
MAX_DESCRIBED_BANDS = 6
GAP_COST = 0.6
"""Alignment cost of a band left unpaired (pairs cost 0 for twins to about 2)."""

NO_DIFFERENCE = "This looks like the page I want; I can't see any important difference."

_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve")
_ALIGNED = {"left": "aligned to the left", "centre": "centred", "right": "aligned to the right"}


def number(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def about_px(px: float) -> str:
    return f"about {int(round(px / 10.0)) * 10} px"


@dataclass(frozen=True)
class Remark:
    """One thing the human would point out; higher salience is said first."""

    salience: float
    text: str


# ------------------------------------------------------------------------ words


def where(band: Band, page: Layout, *, side: bool = False) -> str:
    """"at the top" / "in the middle" / "at the bottom" (+ ", on the left"...)."""
    height = page.content_height or page.height
    c = band.centre / height if height else 0.0
    place = "at the top" if c < 1 / 3 else "in the middle" if c < 2 / 3 else "at the bottom"
    if side and band.align in ("left", "right"):
        place += f", on the {band.align}"
    return place


def role(band: Band, page: Layout) -> str:
    """"header", "footer" or "band" for a bar; "boxes", "text" or "picture" otherwise."""
    if band.kind == "bar":
        bands = page.bands
        if band is bands[0] and band.top <= max(40, 0.05 * page.content_height):
            return "header"
        if band is bands[-1] and band.top >= 0.6 * page.content_height:
            return "footer"
        return "band"
    if band.kind == "picture":
        return "picture"
    return "boxes" if band.boxes else "text"


def boxes_phrase(band: Band, colour: str = "") -> str:
    """"a box", "three blue boxes side by side", "six boxes in two rows of three"."""
    colour = f"{colour} " if colour else ""
    if band.box_rows > 1:
        return (f"{number(band.boxes * band.box_rows)} {colour}boxes in "
                f"{number(band.box_rows)} rows of {number(band.boxes)}")
    if band.boxes == 1:
        button = band.height <= 90 and band.right - band.left <= 400
        return f"a {colour}{'button' if button else 'box'}"
    return f"{number(band.boxes)} {colour}boxes side by side"


def describe(band: Band, page: Layout) -> str:
    """The band as a noun phrase: "a blue header bar with white text"."""
    r = role(band, page)
    if band.kind == "picture":
        return "a wide picture"
    ink = f" with {colour_name(band.ink)} text" if band.ink else ""
    boxes = boxes_phrase(band, colour_name(band.box_colour)) if band.boxes else ""
    if band.kind == "bar":
        noun = "header bar" if r == "header" else "footer bar" if r == "footer" else \
            "band across the page"
        holding = f" holding {boxes}" if boxes else ""
        return f"a {colour_name(band.colour)} {noun}{holding}{ink}"
    if boxes:
        return boxes + ink
    if band.columns > 1:
        return f"{number(band.columns)} columns of {colour_name(band.ink or band.colour)} text"
    aligned = f", {_ALIGNED[band.align]}" if band.align in _ALIGNED else ""
    return f"{colour_name(band.ink) + ' ' if band.ink else ''}text{aligned}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _quote(phrase: str) -> str:
    phrase = phrase.replace('"', "'")
    if len(phrase) > MAX_QUOTE_CHARS:
        phrase = phrase[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0] + "..."
    return f'"{phrase}"'


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# -------------------------------------------------------------------- alignment


def _pair_cost(t: Band, a: Band, target: Layout, agent: Layout) -> float:
    cost = 1.5 * abs(t.centre / max(1, target.content_height) -
                     a.centre / max(1, agent.content_height))
    if t.kind != a.kind:
        cost += 0.5
    else:
        cost += 0.3 * min(1.0, colour_distance(t.colour, a.colour) / 50)
    if bool(t.boxes) != bool(a.boxes):
        cost += 0.25
    elif t.boxes:
        cost += 0.05 * min(4, abs(t.boxes * t.box_rows - a.boxes * a.box_rows))
        if t.box_colour and a.box_colour:
            cost += 0.15 * min(1.0, colour_distance(t.box_colour, a.box_colour) / 50)
    return cost + 0.2 * min(1.0, abs(math.log(max(1, t.height) / max(1, a.height))) / math.log(4))


def align_bands(target: Layout, agent: Layout) -> list[tuple[int | None, int | None]]:
    """Pairs (target band index, agent band index) in page order; None on one side is a
    band the other page lacks. Minimum total cost; ties prefer pairing."""
    t, a = target.bands, agent.bands
    n, m = len(t), len(a)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    move = [[""] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            options = []
            if i and j:
                options.append((cost[i - 1][j - 1] + _pair_cost(t[i - 1], a[j - 1], target,
                                                                agent), "pair"))
            if i:
                options.append((cost[i - 1][j] + GAP_COST, "target"))
            if j:
                options.append((cost[i][j - 1] + GAP_COST, "agent"))
            if options:
                cost[i][j], move[i][j] = min(options, key=lambda o: o[0])
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i or j:
        step = move[i][j]
        if step == "pair":
            i, j = i - 1, j - 1
            pairs.append((i, j))
        elif step == "target":
            i -= 1
            pairs.append((i, None))
        else:
            j -= 1
            pairs.append((None, j))
    return pairs[::-1]


# ---------------------------------------------------------------------- remarks


def _share(band: Band, page: Layout) -> float:
    return max(0.02, band.height / max(1, page.content_height))


def _colour_weight(a, b, full: float) -> float:
    return min(1.0, colour_distance(a, b) / full)


def _name(band: Band, page: Layout) -> str:
    """"the header", "the band in the middle", "the boxes at the top"..."""
    r = role(band, page)
    return f"the {r}" if r in ("header", "footer") else f"the {r} {where(band, page)}"


def pair_remarks(t: Band, a: Band, target: Layout, agent: Layout) -> list[Remark]:
    """What differs between a target band and the agent's band paired with it."""
    out: list[Remark] = []
    share = _share(t, target)
    name = _name(t, target)
    if t.kind != a.kind:
        out.append(Remark(0.35 + 1.5 * share, f"{_sentence(where(t, target))} I want "
                          f"{describe(t, target)}, not {describe(a, agent)}."))
        return out
    if t.kind == "bar" and colour_distance(t.colour, a.colour) >= 12:
        want, have = contrast_name(t.colour, a.colour)
        out.append(Remark((0.6 + 1.5 * share) * _colour_weight(t.colour, a.colour, 30),
                          f"{_sentence(name)} should be {want}, not {have}."))
    if t.boxes and a.boxes:
        if (t.boxes, t.box_rows) != (a.boxes, a.box_rows):
            theirs = number(a.boxes * max(1, a.box_rows))
            out.append(Remark(0.55 + 0.1 * min(4, abs(t.boxes * t.box_rows - a.boxes * a.box_rows)),
                              f"{_sentence(where(t, target))} I want {boxes_phrase(t)}, but "
                              f"yours has {theirs}."))
        if t.box_colour and a.box_colour and colour_distance(t.box_colour, a.box_colour) >= 12:
            want, have = contrast_name(t.box_colour, a.box_colour)
            out.append(Remark((0.3 + share) * _colour_weight(t.box_colour, a.box_colour, 30),
                              f"The boxes {where(t, target)} should be {want}, not {have}."))
    elif t.boxes != a.boxes:
        if t.boxes:
            out.append(Remark(0.5, f"{_sentence(where(t, target))} I want "
                                   f"{boxes_phrase(t, colour_name(t.box_colour))}; yours has "
                                   "none."))
        else:
            out.append(Remark(0.4, f"{_sentence(where(t, target))} I don't want boxes; put "
                                   "the content straight on the background."))
    elif t.kind == "content" and t.columns != a.columns and max(t.columns, a.columns) > 1:
        out.append(Remark(0.45, f"The content {where(t, target)} should be in "
                                f"{number(t.columns)} column{'s' * (t.columns != 1)} side by "
                                f"side, not {number(a.columns)}."))
    if t.ink and a.ink and colour_distance(t.ink, a.ink) >= 20:
        want, have = contrast_name(t.ink, a.ink)
        where_text = f"in {name}" if t.kind == "bar" else where(t, target)
        out.append(Remark((0.2 + share) * _colour_weight(t.ink, a.ink, 40),
                          f"The text {where_text} should be {want}, not {have}."))
    elif t.ink and not a.ink:
        out.append(Remark(0.3 + share, f"There is no text in {name} on your page; I want "
                                       f"{colour_name(t.ink)} text there."))
    if t.align in _ALIGNED and a.align in _ALIGNED and t.align != a.align:
        thing = "text" if t.kind == "bar" or not t.boxes else "boxes"
        place = f"in {name}" if t.kind == "bar" else where(t, target)
        out.append(Remark(0.3, f"The {thing} {place} should be {_ALIGNED[t.align]}, not "
                               f"{_ALIGNED[a.align]}."))
    ratio = max(1, t.height) / max(1, a.height)
    if (ratio >= 1.5 or ratio <= 1 / 1.5) and abs(t.height - a.height) >= 40:
        out.append(Remark(0.2 + 0.4 * min(1.0, abs(math.log(ratio)) / math.log(3)),
                          f"{_sentence(name)} should be {'taller' if ratio > 1 else 'shorter'}: "
                          f"{about_px(t.height)} high instead of {about_px(a.height)}."))
    return out


def page_remarks(target: Layout, agent: Layout) -> list[Remark]:
    """Background colour, page length, and the bands one page has and the other lacks."""
    out: list[Remark] = []
    if colour_distance(target.background, agent.background) >= 3:
        want, have = contrast_name(target.background, agent.background)
        out.append(Remark(0.9 * _colour_weight(target.background, agent.background, 20),
                          f"The page background should be {want}, not {have}."))
    ht, ha = target.content_height, agent.content_height
    if ht and ha:
        ratio = ht / ha
        if (ratio >= 1.3 or ratio <= 1 / 1.3) and abs(ht - ha) >= 150:
            out.append(Remark(0.3 + 0.4 * min(1.0, abs(math.log(ratio)) / math.log(3)),
                              f"Your page is much {'shorter' if ratio > 1 else 'longer'} than "
                              f"the one I want: it should be {about_px(ht)} long, yours is "
                              f"{about_px(ha)}."))
    for i, j in align_bands(target, agent):
        if j is None:
            t = target.bands[i]
            weight = 0.2 if t.kind == "bar" or t.boxes else 0.0
            out.append(Remark(0.4 + weight + 1.5 * _share(t, target),
                              f"{_sentence(where(t, target, side=True))} there should be "
                              f"{describe(t, target)}."))
        elif i is None:
            a = agent.bands[j]
            weight = 0.2 if a.kind == "bar" or a.boxes else 0.0
            out.append(Remark(0.3 + weight + 1.5 * _share(a, agent),
                              f"{_sentence(where(a, agent, side=True))} your page has "
                              f"{describe(a, agent)}, which I don't want."))
        else:
            out.extend(pair_remarks(target.bands[i], agent.bands[j], target, agent))
    return out


def text_remarks(target: PageText, agent: PageText) -> list[Remark]:
    """Text the agent's page lacks or should not have, and the number of images."""
    out: list[Remark] = []
    missing = missing_phrases(target.phrases, agent.phrases)
    if missing:
        share = len(missing) / max(1, len(target.phrases))
        quotes = _listing([_quote(p) for p in missing[:MAX_QUOTES]])
        out.append(Remark(0.45 + 0.4 * share,
                          f"Some text is missing, for example {quotes}." if len(missing) > 1
                          else f"The text {quotes} is missing."))
    extra = missing_phrases(agent.phrases, target.phrases)
    if extra:
        quotes = _listing([_quote(p) for p in extra[:2]])
        out.append(Remark(0.25 + 0.2 * len(extra) / max(1, len(agent.phrases)),
                          f"Your page has text I don't want, like {quotes}."))
    if target.images != agent.images:
        images = f"{number(target.images)} image{'s' * (target.images != 1)}"
        theirs = number(agent.images) if agent.images else "none"
        out.append(Remark(0.35, f"I want {images} on the page, yours has {theirs}."))
    return out


# ------------------------------------------------------------------------ reply


def describe_layout(page: Layout) -> str:
    """The target's layout from top to bottom, briefly."""
    items: list[str] = []
    for band in page.bands:
        text = describe(band, page)
        if band.kind == "content" and not band.boxes and band.columns <= 1:
            text = "some " + text if not items or not items[-1].startswith("some ") else ""
        if text:
            items.append(text)
    if not items:
        return f"I want a plain {colour_name(page.background)} page."
    more = ", and more below" if len(items) > MAX_DESCRIBED_BANDS else ""
    return (f"I want a page with a {colour_name(page.background)} background, "
            f"{about_px(page.content_height)} long. From top to bottom: "
            f"{'; '.join(items[:MAX_DESCRIBED_BANDS])}{more}.")


def feedback(target: Layout, agent: Layout | None, target_text: PageText | None = None,
             agent_text: PageText | None = None, *, limit: int = DEFAULT_LIMIT) -> str:
    """The scripted human's reply (see the module docstring); at most `limit` characters
    unless its first sentence alone is longer."""
    if agent is None:
        return _fit(["I don't see a page from you yet.", describe_layout(target)], limit)
    if not agent.bands:
        return _fit([f"Your page looks empty: it is all {colour_name(agent.background)}.",
                     describe_layout(target)], limit)
    remarks = page_remarks(target, agent)
    if target_text is not None and agent_text is not None:
        remarks += text_remarks(target_text, agent_text)
    ranked = sorted(enumerate(remarks), key=lambda x: (-round(x[1].salience, 6), x[0]))
    chosen = [r.text for _, r in ranked[:MAX_REMARKS]]
    return _fit(chosen, limit) if chosen else NO_DIFFERENCE


def _fit(sentences: list[str], limit: int) -> str:
    out = sentences[0]
    for s in sentences[1:]:
        if len(out) + 1 + len(s) <= limit:
            out += " " + s
    return out


def scripted_feedback(screenshots: Screenshots, target_html: str = "", agent_html: str = "",
                      *, limit: int = DEFAULT_LIMIT) -> str:
    """`feedback` of decoded screenshots and, when both are given, the pages' HTML."""
    target = analyse(screenshots.target)
    agent = analyse(screenshots.agent) if screenshots.agent is not None else None
    texts = (read_page(target_html), read_page(agent_html)) if (
        agent is not None and target_html.strip() and agent_html.strip()) else (None, None)
    return feedback(target, agent, *texts, limit=limit)


class ScriptedFrontendBackend(FrontendSimulatorBackend):
    """`scripted_feedback` behind the frontend interface (runs in a worker thread)."""

    kind = "scripted-frontend"

    @property
    def name(self) -> str:
        return "scripted-frontend"

    async def reply(self, request: ReplyRequest, screenshots: Screenshots, *,
                    timeout: float | None = None) -> str:
        hidden = request.frontend
        limit = request.max_reply_chars or DEFAULT_LIMIT
        return await asyncio.to_thread(scripted_feedback, screenshots, hidden.target_html,
                                       hidden.agent_html, limit=limit)
