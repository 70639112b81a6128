"""ColBench frontend design tasks: a procedural page generator and a loader.

A task is a vague description of a web page and the page itself (HTML with Tailwind
CSS v3 classes), as in the official ColBench data derived from WebSight; the record
format is in ``tasks.py``. ``pages/`` builds the pages: 19 kinds (landing, services,
pricing, blog, article, shop, product, restaurant, event, portfolio, about, FAQ,
contact, careers, dashboard, docs, sign-up, login, coming soon) made of sections drawn
from many variants (navbars, heroes, card grids of 1 to 4 columns, tables, forms,
menus, timelines, footers...), styled by a drawn design (palette, greys, light or
dark, type, radius, shadows, spacing, alignment) and filled from word banks of 46
topics. Images are placeholder URLs (picsum.photos, source.unsplash.com) that the
renderer serves offline. Pages carry no JavaScript and no other external URL.

The description names the kind of page, the business and its sections only vaguely:
colours, counts, column layouts, sizes and alignment are left for the agent to ask
about or to read off the simulator's feedback. ``generator.py`` is deterministic for
a seed and splits train/test by a hash of the ground truth; ``loader.py`` reads
official and generated JSONL, rejecting malformed lines by line number.
``sweet tasks generate --domain frontend`` writes a split to a file.

Not here: rendering and judging (``sweetrl.render``), the simulator and the dialogue.
"""
