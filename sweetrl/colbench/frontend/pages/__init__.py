"""Procedural Tailwind web pages for ColBench frontend tasks (``draw_page``).

Layers, bottom up: ``markup`` (escaped HTML by construction), ``style`` (the drawn
design tokens), ``topic`` + ``topics_*`` (word banks), ``base`` (what a section
builder gets and returns), the builders (``chrome``: navbars and footers,
``heroes``, ``grids``, ``blocks``, ``special``: whole-page layouts), ``kinds`` (page
recipes; a kind is a task family) and ``page`` (assembly and description).
"""

from sweetrl.colbench.frontend.pages.kinds import KINDS, Kind
from sweetrl.colbench.frontend.pages.page import TOPICS, Page, draw_page

__all__ = ["KINDS", "Kind", "TOPICS", "Page", "draw_page"]
