"""What a page screenshot looks like, in the terms a person would use: the page's
background colour and its horizontal bands, top to bottom (numpy + Pillow).

`analyse` shrinks the screenshot to `ANALYSIS_WIDTH` pixels wide (box filter) and
reads every row's *surface*: the colour at its left and right edges. Rows whose
surface is not the page background belong to a coloured **bar** (a header, footer or
coloured section); rows whose edges have no single colour belong to a **picture**
(a photo or gradient across the page); the other rows are **content** on the page
background, and blank ones (nothing but background) separate content bands when at
least `GAP_PX` of them follow each other. Bands thinner than `MIN_BAND_PX` join the
band they touch or are dropped (rules, borders).

For each band: the **boxes** in it (runs of columns at least 15 px wide drawn over
at least half the band's height, mostly in one colour: cards, buttons, images; a
box's colour is that of its rim, i.e. a card's padding), how many rows of them, or
else its **columns** of content side by side; the commonest **ink** colour (text:
pixels with a change of colour a few pixels to their left and to their right, sampled
at a finer resolution so that antialiasing does not blur them); the horizontal
extent of its content and whether that is aligned left, centred or right. The page's
background is the commonest colour at its sides (boxes may cover more area).

Rendered pages are flat colours, so small tolerances work; photos do not have
"colours" in this sense and are reported as pictures. Same image, same `Layout`.

What this does NOT do: read text (see `page_text` for the HTML's text), see
shadows, borders, fonts or rounded corners, or find structure within a band beyond
side-by-side parts.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass
from typing import Literal

from sweetrl.render.structural import _delta_e, _lab

RGB = tuple[int, int, int]

ANALYSIS_WIDTH = 256
"""Width screenshots are shrunk to; a 1280 px page gives 5 px per analysis pixel."""
MAX_ROWS = 2048
"""Analysis height cap (taller pages are squeezed)."""
SAME = 10
"""Largest per-channel difference of two colours that count as the same."""
GAP_PX = 24
"""Blank page background (CSS px) that separates two content bands."""
MIN_BAND_PX = 12
"""Thinner bands join their neighbour or are dropped."""
COLUMN_GAP_PX = 20
"""Narrower vertical gaps do not separate columns of content (spaces between words)."""
EDGE = 4
"""Analysis columns at each side whose colour is a row's surface."""
MAX_BANDS = 40

Kind = Literal["bar", "content", "picture"]
Align = Literal["left", "centre", "right", "full", "none"]


@dataclass(frozen=True)
class Band:
    """A horizontal band of the page (coordinates in screenshot pixels)."""

    top: int
    bottom: int
    kind: Kind
    colour: RGB
    """The bar's colour; the page background for content; the mean of a picture."""
    boxes: int = 0
    """Solid boxes side by side (0: none)."""
    box_rows: int = 0
    """Rows of those boxes (a grid of boxes x box_rows)."""
    box_colour: RGB | None = None
    columns: int = 0
    """Parts of content side by side when there are no boxes (0: nothing in it)."""
    ink: RGB | None = None
    """Commonest colour of what is drawn on the surface besides boxes (text), if any."""
    left: int = 0
    right: int = 0
    align: Align = "none"

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Layout:
    """A screenshot described as its background and bands, top to bottom."""

    width: int
    height: int
    background: RGB
    bands: tuple[Band, ...]

    @property
    def content_height(self) -> int:
        """Bottom of the lowest band (0 for a blank page): the page's visible length."""
        return max((b.bottom for b in self.bands), default=0)


# ------------------------------------------------------------------------ colours


def colour_distance(a: RGB, b: RGB) -> float:
    """CIE76 colour difference (about 2: just noticeable; 50: different colours)."""
    return _delta_e(a, b)


def colour_name(rgb: RGB) -> str:
    """The colour in everyday words: "white", "light gray", "dark blue", "orange"..."""
    lightness = _lab(rgb)[0]
    r, g, b = (c / 255 for c in rgb)
    chroma = max(r, g, b) - min(r, g, b)
    if chroma < 0.12 or (chroma < 0.2 and lightness < 30):
        for top, name in ((98, "white"), (90, "very light gray"), (75, "light gray"),
                          (45, "gray"), (12, "dark gray")):
            if lightness >= top:
                return name
        return "black"
    hue = colorsys.rgb_to_hsv(r, g, b)[0] * 360
    for end, name in ((15, "red"), (45, "orange"), (70, "yellow"), (165, "green"),
                      (195, "teal"), (255, "blue"), (290, "purple"), (345, "pink"),
                      (361, "red")):
        if hue < end:
            break
    if name in ("orange", "red") and lightness < 45 and chroma < 0.6 and hue >= 10:
        return "brown"
    light = 92 if name in ("yellow", "orange") else 75
    if lightness >= 90 and name not in ("yellow", "orange"):
        return f"very light {name}"
    if lightness >= light:
        return f"light {name}"
    if lightness < 35:
        return f"dark {name}"
    return name


def contrast_name(want: RGB, have: RGB) -> tuple[str, str]:
    """Words for two noticeably different colours that tell them apart even when both
    have the same everyday name: ("blue", "red") or ("a lighter shade of blue", "the
    darker blue you used"). Written for "should be WANT, not HAVE"."""
    a, b = colour_name(want), colour_name(have)
    if a != b:
        return a, b
    la, lb = _lab(want)[0], _lab(have)[0]
    if abs(la - lb) < 5:
        return f"a different shade of {a}", "this one"
    lighter, darker = ("lighter", "darker") if la > lb else ("darker", "lighter")
    return f"a {lighter} shade of {a}", f"the {darker} {a} you used"


# ----------------------------------------------------------------------- analysis


def analyse(image) -> Layout:
    """The `Layout` of an RGB ``PIL.Image`` screenshot (blocking; tens of milliseconds)."""
    import numpy as np
    from PIL import Image

    width, height = image.size
    rows = max(1, min(MAX_ROWS, round(height * ANALYSIS_WIDTH / width)))
    small = np.asarray(image.resize((ANALYSIS_WIDTH, rows), Image.BOX), dtype=np.int16)
    # Every other source pixel or so, unblurred: text keeps its own colour here.
    fine = np.asarray(image.resize((ANALYSIS_WIDTH * 2, rows * 2), Image.NEAREST),
                      dtype=np.int16)
    sy, sx = height / rows, width / ANALYSIS_WIDTH
    # The page's background is what its sides show most (boxes may cover more area).
    background = _mode_colour(np.concatenate([small[:, :EDGE], small[:, -EDGE:]],
                                             axis=1).reshape(-1, 3))
    keys = _row_keys(small, background)
    spans = _segment(keys, gap=max(1, round(GAP_PX / sy)), thin=max(1, round(MIN_BAND_PX / sy)))
    if len(spans) > MAX_BANDS:
        spans = sorted(sorted(spans, key=lambda s: s[0] - s[1])[:MAX_BANDS])
    bands = tuple(_band(small, fine, background, span, sx, sy) for span in spans)
    return Layout(width=width, height=height, background=background, bands=bands)


def _codes(pixels):
    """Colours quantised to 5 bits per channel, as one integer each."""
    p = pixels.astype("int32") >> 3
    return (p[..., 0] << 10) | (p[..., 1] << 5) | p[..., 2]


def _mode_colour(pixels, mask=None) -> RGB:
    """Mean colour of the commonest quantised colour of `pixels` (N x 3)."""
    return _mode(pixels, mask)[0]


def _mode(pixels, mask=None) -> tuple[RGB, int]:
    """(`_mode_colour`, how many pixels have it)."""
    import numpy as np

    if mask is not None:
        pixels = pixels[mask]
    codes = _codes(pixels)
    counts = np.bincount(codes, minlength=1 << 15)
    mode = counts.argmax()
    mean = pixels[codes == mode].mean(axis=0)
    return tuple(int(round(c)) for c in mean), int(counts[mode])  # type: ignore[return-value]


def _differs(pixels, colour):
    """Per pixel: whether it is not the same colour as `colour` (an RGB or pixels)."""
    import numpy as np

    return np.abs(pixels - np.asarray(colour, dtype=np.int16)).max(axis=-1) > SAME


def _row_keys(small, background: RGB) -> list[tuple[str, RGB | None]]:
    """Per analysis row: ("bar", colour), ("picture", None), ("content", None) or
    ("blank", None)."""
    import numpy as np

    edges = np.concatenate([small[:, :EDGE], small[:, -EDGE:]], axis=1)
    codes = _codes(edges)
    same = (codes[:, :, None] == codes[:, None, :]).sum(axis=2)
    first = same.argmax(axis=1)
    shares = same.max(axis=1) / codes.shape[1]
    inked = _differs(small, background).sum(axis=1)
    keys: list[tuple[str, RGB | None]] = []
    for r in range(small.shape[0]):
        if shares[r] < 0.5:
            keys.append(("picture", None))
            continue
        surface = tuple(int(c) for c in edges[r, first[r]])
        if max(abs(a - b) for a, b in zip(surface, background)) > SAME:
            keys.append(("bar", surface))  # type: ignore[arg-type]
        else:
            keys.append(("content" if inked[r] > 1 else "blank", None))
    return keys


def _segment(keys, *, gap: int, thin: int) -> list[tuple[int, int]]:
    """Row spans [start, end) of the bands (see the module docstring)."""
    spans: list[list] = []  # [start, end, kind, colour]
    for r, (kind, colour) in enumerate(keys):
        last = spans[-1] if spans else None
        if kind == "blank":
            continue
        touching = last is not None and last[1] == r
        if last is not None and last[2] == kind and (
                (kind == "content" and r - last[1] < gap) or
                (touching and (kind == "picture" or _close(colour, last[3])))):
            last[1] = r + 1
        else:
            spans.append([r, r + 1, kind, colour])
    merged: list[list] = []
    for span in spans:
        if span[1] - span[0] >= thin:
            if merged and merged[-1][1] == span[0] and merged[-1][1] - merged[-1][0] < thin:
                span[0] = merged.pop()[0]  # a thin band just above joins this one
            merged.append(span)
        elif merged and merged[-1][1] == span[0]:
            merged[-1][1] = span[1]
        else:
            merged.append(span)  # may join the next band; dropped below if not
    return [(s[0], s[1]) for s in merged if s[1] - s[0] >= thin]


def _close(a: RGB | None, b: RGB | None) -> bool:
    return a is not None and b is not None and max(abs(x - y) for x, y in zip(a, b)) <= 2 * SAME


def _runs(flags, min_gap: int = 1, min_len: int = 1) -> list[tuple[int, int]]:
    """[start, end) runs of True in a 1-D boolean sequence; runs separated by fewer than
    `min_gap` False entries are joined; runs shorter than `min_len` are dropped."""
    runs: list[list[int]] = []
    for i, flag in enumerate(flags):
        if not flag:
            continue
        if runs and i - runs[-1][1] < min_gap:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    return [(a, b) for a, b in runs if b - a >= min_len]


def _band(small, fine, background: RGB, span: tuple[int, int], sx: float, sy: float) -> Band:
    import numpy as np

    start, end = span
    region = small[start:end]
    top, bottom = round(start * sy), round(end * sy)
    edges = np.concatenate([region[:, :EDGE], region[:, -EDGE:]], axis=1).reshape(-1, 3)
    surface = _mode_colour(edges)
    picture = (_codes(edges) == _codes(np.asarray(surface))).mean() < 0.5
    if picture:
        mean = tuple(int(round(c)) for c in region.reshape(-1, 3).mean(axis=0))
        return Band(top, bottom, "picture", mean, left=0, right=round(ANALYSIS_WIDTH * sx),
                    align="full")  # type: ignore[arg-type]
    kind: Kind = "content" if not _differs(np.asarray(surface), background) else "bar"
    # Rows whose edges are not the surface (a blurred boundary row, say) are no part of
    # what is drawn on it.
    drawn = _differs(region, surface) & _on_surface(region, surface)[:, None]
    boxes = box_rows = 0
    box_colour = None
    inside = np.zeros(region.shape[1], dtype=bool)
    # A box (card, button, image) fills runs of columns, at least 15 px wide (wider
    # than a letter's stroke), over most of the band's height, mostly in one colour.
    solid_runs = []
    for a, b in _runs(drawn.mean(axis=0) >= 0.5, min_gap=2, min_len=3):
        if _mode(region[:, a:b], drawn[:, a:b])[1] >= 0.3 * drawn[:, a:b].size:
            solid_runs.append((a, b))
            inside[a:b] = True
    fine_region = fine[2 * start:2 * end]
    on_surface = _on_surface(fine_region, surface)
    if solid_runs:
        boxes = len(solid_runs)
        a, b = max(solid_runs, key=lambda run: run[1] - run[0])  # the first widest box
        # Its colour is that of its rim (a card's padding), a few pixels inside its edges,
        # unblurred.
        rim = np.concatenate([fine_region[:, 2 * a + 2:2 * a + 3],
                              fine_region[:, 2 * b - 3:2 * b - 2]], axis=1)
        rim_mask = _differs(rim, surface) & on_surface[:, None]
        box_colour = _mode_colour(rim, rim_mask) if rim_mask.any() else _mode_colour(
            region[:, a:b], drawn[:, a:b])
        box_rows = len(_runs(drawn[:, inside].mean(axis=1) >= 0.5, min_len=2)) or 1
    ink_mask = _differs(fine_region, surface) & on_surface[:, None]
    if box_colour is not None:
        ink_mask &= _differs(fine_region, box_colour)
    ink_mask &= _thin(fine_region)
    ink = None
    if ink_mask.any():
        # Text has one colour; the antialiased rims of shapes have many, each rare.
        colour, count = _mode(fine_region, ink_mask)
        ink = colour if count >= max(12, 0.0003 * ink_mask.size) else None
    cols = drawn.any(axis=0)
    columns = 0 if boxes else len(_runs(cols, min_gap=max(1, round(COLUMN_GAP_PX / sx))))
    left, right, align = 0, 0, "none"
    if cols.any():
        hits = np.flatnonzero(cols)
        first, last = int(hits[0]), int(hits[-1]) + 1
        left, right = round(first * sx), round(last * sx)
        align = _alignment(first, ANALYSIS_WIDTH - last)
    return Band(top, bottom, kind, surface, boxes=boxes, box_rows=box_rows,
                box_colour=box_colour, columns=columns, ink=ink, left=left, right=right,
                align=align)  # type: ignore[arg-type]


def _thin(region, reach: int = 3):
    """Per pixel: whether the colour changes within `reach` pixels on both its left and
    its right, as in the strokes of text (not inside or at the rim of a picture or box)."""
    import numpy as np

    height, width = region.shape[:2]
    changes = np.zeros((height, width), dtype=np.int32)  # changes[:, j]: steps left of j
    if width > 1:
        changes[:, 1:] = np.cumsum(_differs(region[:, 1:], region[:, :-1]), axis=1)
    at = np.arange(width)
    right = changes[:, np.minimum(at + reach, width - 1)] > changes[:, at]
    left = changes[:, at] > changes[:, np.maximum(at - reach, 0)]
    return left & right


def _on_surface(region, surface: RGB):
    """Per row of `region`: whether most of its edge pixels are the `surface` colour."""
    import numpy as np

    edge = region.shape[1] * EDGE // ANALYSIS_WIDTH
    edges = np.concatenate([region[:, :edge], region[:, -edge:]], axis=1)
    return (~_differs(edges, surface)).mean(axis=1) >= 0.5


def _alignment(left_margin: int, right_margin: int) -> Align:
    if left_margin + right_margin < 0.15 * ANALYSIS_WIDTH:
        return "full"
    if abs(left_margin - right_margin) <= 0.06 * ANALYSIS_WIDTH:
        return "centre"
    return "left" if left_margin < right_margin else "right"
