"""Building HTML by value: :func:`el` escapes text, so a page is well formed by construction.

Children of :func:`el` are either :class:`Html` (markup made by ``el``) or plain
strings (or numbers), which are escaped. ``None``, ``False`` and ``""`` children are dropped, so
optional parts read ``cond and el(...)``. A block parent whose children are all elements
puts each on its own indented line (readable ground truths); text, inline runs and
the children of ``INLINE`` parents stay on one line, so that no whitespace is added
where it would show.
"""

from __future__ import annotations

from html import escape

VOID = frozenset({"img", "input", "br", "hr", "meta", "source"})
INLINE = frozenset({"p", "span", "a", "button", "label", "h1", "h2", "h3", "h4", "dt", "dd", "td", "th",
                    "figcaption", "blockquote", "pre", "code", "li", "title"})
"""Parents whose children stay on one line: whitespace between them would show."""


class Html(str):
    """A string of markup that :func:`el` inserts verbatim."""

    __slots__ = ()


def el(tag: str, cls: str = "", *children: object, **attrs: object) -> Html:
    """``<tag class="cls" attrs...>children</tag>``; attribute names: ``aria_label`` ->
    ``aria-label``, a trailing ``_`` is dropped (``for_``); ``True`` -> bare attribute."""
    parts = [f"<{tag}"]
    if cls:
        parts.append(f' class="{" ".join(cls.split())}"')
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f" {name}" if value is True else f' {name}="{escape(str(value))}"')
    parts.append(">")
    if tag in VOID:
        return Html("".join(parts))
    kids = [c for c in children if c is not None and c is not False and c != ""]
    elements = all(isinstance(c, Html) and c.startswith("<") for c in kids)
    if kids and tag not in INLINE and elements and (len(kids) > 1 or "\n" in kids[0]):
        inner = "\n".join(kids).replace("\n", "\n  ")
        parts.append(f"\n  {inner}\n")
    else:
        parts.append("".join(c if isinstance(c, Html) else _text(c) for c in kids))
    parts.append(f"</{tag}>")
    return Html("".join(parts))


def _text(value: object) -> str:
    # Newlines in text become character references, so the indentation of enclosing
    # elements (which rewrites "\n") never changes a <pre>'s content.
    return escape(str(value), quote=False).replace("\n", "&#10;")


def join(*children: object) -> Html:
    """Sibling elements without a parent, one per line (``None``/``""`` dropped)."""
    return Html("\n".join(c if isinstance(c, Html) else _text(c) for c in children if c))


def slug(text: str) -> str:
    """``"Bean & Barrel"`` -> ``"bean-barrel"`` (for image seeds)."""
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(p for p in out.split("-") if p)
