"""Sections that are grids of cards: features, products, posts, people, pictures, quotes."""

from __future__ import annotations

from sweetrl.colbench.frontend.pages.base import Ctx, Part
from sweetrl.colbench.frontend.pages.markup import el
from sweetrl.colbench.frontend.pages.topic import (
    FIRST, LAST, ROLES, blurb, cap, date, pick, post_title, price, quote, sentence)

ICONS = ("★", "✓", "♥", "◆", "●", "▲", "☀", "✦", "⚑", "✿")


def _icon(ctx: Ctx, i: int, kind: str) -> object:
    s = ctx.style
    if kind == "none":
        return None
    shape = "rounded-full" if kind == "circle" else s.button_radius.replace("-full", "-lg")
    mark = str(i + 1) if kind == "number" else ctx.pick(ICONS)
    return el("div", f"w-12 h-12 {shape} {s.soft if ctx.chance(0.7) else s.fill} flex items-center "
                     "justify-center text-lg font-bold mb-4", mark)


def features(ctx: Ctx) -> Part:
    s = ctx.style
    cols = ctx.pick((2, 3, 3, 4))
    n = cols * ctx.pick((1, 1, 2)) if cols < 4 else 4
    icon = ctx.pick(("circle", "square", "number", "none"))
    centred = ctx.chance(0.4)
    cards = [el("div", f"{s.card} {s.card_pad} {'text-center flex flex-col items-center' if centred else ''}",
                _icon(ctx, i, icon), el("h3", f"text-lg font-semibold {s.strong}", name),
                el("p", f"mt-2 {s.muted}", blurb(ctx.rng, ctx.topic)))
             for i, name in enumerate(ctx.sample(ctx.topic.features, n))]
    title = ctx.pick((f"Why {ctx.brand}", "What we offer", "Features", "Why choose us", "What makes us different"))
    return Part(f"features.{cols}", ctx.section(ctx.heading(title, ctx.chance(0.6) and sentence(
        ctx.rng, ctx.topic, ctx.brand)), el("div", ctx.grid(cols), *cards)),
        ctx.pick(("a section highlighting the main features", "a grid of features",
                  "a few reasons to choose them")))


def products(ctx: Ctx) -> Part:
    s = ctx.style
    cols = ctx.pick((2, 3, 3, 4, 4))
    rows = 2 if cols == 4 and ctx.chance(0.3) else 1
    h = ctx.pick((200, 240, 280))
    rating = ctx.chance(0.4)
    action = ctx.pick(("button", "link", "none"))
    cards = []
    for item in ctx.sample(ctx.topic.items, cols * rows):
        body = el("div", s.card_pad or "pt-4",
                  el("div", "flex items-start justify-between gap-4",
                     el("h3", f"font-semibold {s.strong}", item), el("span", f"font-bold {s.accent_text}",
                                                                     price(ctx.rng, ctx.topic))),
                  rating and el("p", f"mt-1 text-sm text-{s.accent}-500", "★" * ctx.rng.randint(4, 5)),
                  el("p", f"mt-2 text-sm {s.muted}", blurb(ctx.rng, ctx.topic, item)),
                  action == "button" and el("a", f"mt-4 w-full text-center {s.button('py-2')}",
                                            ctx.pick(("Add to cart", "Order", "Book", "Choose")), href="#"),
                  action == "link" and el("a", f"mt-4 inline-block text-sm font-semibold {s.accent_text}",
                                          "View details →", href="#"))
        cards.append(el("div", s.card, ctx.img(480, h, f"w-full h-[{h}px] object-cover", item), body))
    title = ctx.pick(("Our favourites", "Best sellers", "Popular right now", f"Shop {ctx.brand}", "What we offer"))
    return Part(f"products.{cols}", ctx.section(ctx.heading(title), el("div", ctx.grid(cols), *cards)),
                ctx.pick(("a grid of products with prices", "a showcase of their offerings",
                          "cards for the items on offer")))


def posts(ctx: Ctx) -> Part:
    s = ctx.style
    cols = ctx.pick((2, 3, 3))
    images = ctx.chance(0.75)
    cards = []
    for _ in range(cols * (2 if not images and ctx.chance(0.5) else 1)):
        title = post_title(ctx.rng, ctx.topic, ctx.brand)
        cards.append(el("article", s.card,
                        images and ctx.img(640, 360, "w-full h-48 object-cover", title),
                        el("div", s.card_pad or "pt-4",
                           el("p", f"text-xs font-semibold uppercase tracking-wide {s.accent_text}",
                              ctx.pick(ctx.topic.features)),
                           el("h3", f"mt-2 text-lg font-semibold {s.strong}", title),
                           el("p", f"mt-2 text-sm {s.muted}", sentence(ctx.rng, ctx.topic, ctx.brand)),
                           el("p", f"mt-4 text-xs {s.faint}",
                              f"{date(ctx.rng)} · {ctx.rng.randint(3, 12)} min read"))))
    return Part(f"posts.{cols}", ctx.section(ctx.heading(ctx.pick(("Latest stories", "From the blog", "News",
                                                                   "Recent articles"))),
                                             el("div", ctx.grid(cols), *cards)),
                ctx.pick(("a list of recent blog posts", "cards for the latest articles")))


def team(ctx: Ctx) -> Part:
    s = ctx.style
    cols = ctx.pick((3, 4, 4))
    n = cols * (2 if cols == 3 and ctx.chance(0.3) else 1)
    round_ = ctx.chance(0.5)
    people = []
    for role in ctx.sample(ROLES, n):
        name = f"{pick(ctx.rng, FIRST)} {pick(ctx.rng, LAST)}"
        photo = (ctx.img(240, 240, "w-32 h-32 rounded-full object-cover mx-auto", name) if round_ else
                 ctx.img(400, 440, f"w-full h-64 object-cover {s.radius}", name))
        people.append(el("div", "text-center" if round_ else "", photo,
                         el("h3", f"mt-4 font-semibold {s.strong}", name), el("p", f"text-sm {s.accent_text}", role)))
    return Part(f"team.{cols}", ctx.section(ctx.heading(ctx.pick(("Meet the team", "The people behind "
                                                                  + ctx.brand, "Our team"))),
                                            el("div", ctx.grid(cols), *people)),
                ctx.pick(("a section introducing the team", "photos of the team members")))


def gallery(ctx: Ctx) -> Part:
    s = ctx.style
    cols = ctx.pick((2, 3, 3, 4))
    rows = ctx.pick((1, 2)) if cols > 2 else 2
    h = ctx.pick((180, 220, 260))
    captions = ctx.chance(0.5)
    cells = []
    for item in (ctx.topic.items * 2)[:cols * rows]:
        image = ctx.img(600, h, f"w-full h-[{h}px] object-cover {s.radius}", item)
        cells.append(el("figure", "", image, el("figcaption", f"mt-2 text-sm {s.muted}", item)) if captions else image)
    gap = ctx.pick(("gap-2", "gap-4", s.gap))
    return Part(f"gallery.{cols}x{rows}", ctx.section(
        ctx.heading(ctx.pick(("Gallery", "Selected work", "A look inside", "Recent projects"))),
        el("div", f"grid grid-cols-2 md:grid-cols-{cols} {gap}", *cells)),
        ctx.pick(("a photo gallery", "a grid of pictures", "a showcase of their work")))


def testimonials(ctx: Ctx) -> Part:
    s = ctx.style
    cols = ctx.pick((1, 2, 3, 3))
    avatars = ctx.chance(0.6)
    cards = []
    for _ in range(cols):
        name = f"{pick(ctx.rng, FIRST)} {pick(ctx.rng, LAST)}"
        who = el("div", "mt-6 flex items-center gap-3", avatars and ctx.img(96, 96, "w-10 h-10 rounded-full", name),
                 el("div", "", el("p", f"font-semibold text-sm {s.strong}", name),
                    el("p", f"text-xs {s.faint}", ctx.pick(("Customer", "Regular", "Member since 2021", "Client")))))
        cards.append(el("figure", f"{s.card} {s.card_pad} {'text-center max-w-2xl mx-auto' if cols == 1 else ''}",
                        el("blockquote", f"{'text-xl' if cols == 1 else ''} {s.muted}",
                           f"“{quote(ctx.rng, ctx.topic, ctx.brand)}”"), who))
    grid = el("div", ctx.grid(cols), *cards) if cols > 1 else cards[0]
    return Part(f"testimonials.{cols}", ctx.section(ctx.heading(ctx.pick(("What people say", "Testimonials",
                                                                          "Loved by our customers"))), grid),
                ctx.pick(("customer testimonials", "a few reviews from happy customers")))


def logos(ctx: Ctx) -> Part:
    s = ctx.style
    names = ctx.sample(("Northwind", "Globex", "Initech", "Umbrella", "Acme Co", "Hooli", "Vandelay", "Stark & Co",
                        "Wayne Labs", "Soylent", "Cyberdyne", "Tyrell"), ctx.pick((4, 5, 6)))
    return Part("logos", el("section", f"py-10 border-y {s.border}", el(
        "div", s.container, el("p", f"text-center text-sm uppercase tracking-widest {s.faint}",
                               ctx.pick(("Trusted by", "As featured in", "Our partners"))),
        el("div", f"mt-6 flex flex-wrap justify-center gap-x-12 gap-y-4 text-xl font-bold {s.faint}",
           *[el("span", "", n) for n in names]))),
        "a strip of partner names")


def categories(ctx: Ctx) -> Part:
    s = ctx.style
    cols = ctx.pick((3, 4))
    h = ctx.pick((160, 200, 240))
    tiles = [el("a", f"relative block overflow-hidden {s.radius}",
                ctx.img(500, h, f"w-full h-[{h}px] object-cover", name),
                el("span", f"absolute inset-0 bg-black/40 flex items-center justify-center text-white text-lg "
                           f"{s.weight}", name), href="#")
             for name in ctx.sample(ctx.topic.items, cols)]
    return Part(f"categories.{cols}", ctx.section(ctx.heading(ctx.pick(("Browse", "Shop by category",
                                                                        "Explore"))),
                                                  el("div", ctx.grid(cols), *tiles)),
                ctx.pick(("tiles for browsing categories", "picture tiles linking to collections")))


def split_rows(ctx: Ctx) -> Part:
    s = ctx.style
    rows = []
    flip = ctx.chance(0.5)
    for i, feature in enumerate(ctx.sample(ctx.topic.features, ctx.pick((2, 2, 3)))):
        text = el("div", "", el("h3", f"text-2xl {s.weight} {s.strong}", feature),
                  el("p", f"mt-4 {s.muted}", sentence(ctx.rng, ctx.topic, ctx.brand)),
                  el("a", f"mt-4 inline-block font-semibold {s.accent_text}", "Learn more →", href="#"))
        image = ctx.img(640, 400, f"w-full h-72 object-cover {s.radius}", feature)
        rows.append(el("div", "grid md:grid-cols-2 gap-10 items-center",
                       *((image, text) if (i % 2 == 0) != flip else (text, image))))
    return Part(f"split_rows.{len(rows)}", ctx.section(el("div", "space-y-16", *rows)),
                ctx.pick(("sections alternating text and images", "a few features, each with a picture")))


def about(ctx: Ctx) -> Part:
    s = ctx.style
    image_left = ctx.chance(0.5)
    text = el("div", "", el("h2", s.h2, ctx.pick(("Our story", f"About {ctx.brand}", "Who we are"))),
              *[el("p", f"mt-4 {s.muted}", sentence(ctx.rng, ctx.topic, ctx.brand)) for _ in range(ctx.pick((2, 3)))],
              el("p", f"mt-6 font-semibold {s.strong}",
                 f"{pick(ctx.rng, FIRST)} {pick(ctx.rng, LAST)}, {cap(ctx.pick(('founder', 'owner', 'director')))}"))
    image = ctx.img(640, 520, f"w-full h-96 object-cover {s.radius}", ctx.brand)
    return Part("about", ctx.section(el("div", "grid md:grid-cols-2 gap-12 items-center",
                                        *((image, text) if image_left else (text, image)))),
                ctx.pick(("a short story about the business", "an about section with a photo")))
