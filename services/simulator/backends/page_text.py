"""The visible text of an HTML page, phrase by phrase (html.parser, no browser).

A phrase is the text of one block-level element (heading, paragraph, list item,
button, cell...) or link, whitespace collapsed (links are separate phrases: menus
often put them side by side without spaces); other inline elements (spans,
emphasis) stay inside their block's phrase. Text in ``<head>``, ``<script>``, ``<style>``,
``<template>``, ``<noscript>`` and ``<svg>`` is not visible and is skipped.

What this does NOT do: apply CSS (text hidden by classes or styles still counts),
run scripts, or read attributes (alt texts, placeholders, class names).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

MAX_PHRASES = 300
"""Phrases read from one page at most (in document order)."""
MAX_PHRASE_CHARS = 200

_HIDDEN = frozenset({"head", "script", "style", "template", "noscript", "svg", "title"})
_BLOCKS = frozenset("""
a address article aside blockquote body br button caption dd details dialog div dl dt
fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html label legend li
main nav ol option p pre section select summary table tbody td textarea tfoot th thead
tr ul
""".split())
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class PageText:
    """What a reader sees of a page's HTML: its phrases and how many images it shows."""

    phrases: tuple[str, ...]
    images: int


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.phrases: list[str] = []
        self.images = 0
        self._hidden = 0
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "body":
            self._hidden = 0  # an unclosed <head> ends here
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "img" and not self._hidden:
            self.images += 1
        if tag in _BLOCKS:
            self.flush()

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag == "img" and not self._hidden:
            self.images += 1
        elif tag in _BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        if tag in _BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._buffer.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        self._buffer.clear()
        if _WORD.search(text) and len(self.phrases) < MAX_PHRASES:
            self.phrases.append(text[:MAX_PHRASE_CHARS])


def read_page(html: str) -> PageText:
    """The phrases and image count of `html` (any HTML, however broken)."""
    reader = _Reader()
    try:
        reader.feed(html)
        reader.close()
    except AssertionError:  # html.parser gives up on some malformed declarations
        pass
    reader.flush()
    return PageText(tuple(reader.phrases), reader.images)


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def missing_phrases(want: Sequence[str], have: Sequence[str],
                    similar: float = 0.85) -> list[str]:
    """Phrases of `want` (in order, without repeats) that `have` lacks: not equal to,
    contained in or nearly equal to (difflib ratio >= `similar`) any phrase of `have`,
    ignoring case and punctuation."""
    have_keys = [_key(h) for h in have]
    all_text = " | ".join(have_keys)
    out: list[str] = []
    seen: set[str] = set()
    for phrase in want:
        key = _key(phrase)
        if not key or key in seen:
            continue
        seen.add(key)
        if key in all_text:
            continue
        matcher = difflib.SequenceMatcher(None, "", key, autojunk=False)
        for other in have_keys:
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() >= similar and matcher.ratio() >= similar:
                break
        else:
            out.append(phrase)
    return out
