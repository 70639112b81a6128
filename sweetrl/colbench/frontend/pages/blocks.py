"""Sections that are not card grids: numbers, prices, steps, questions, calls to action,
tables, forms, menus, articles."""

from __future__ import annotations

from sweetrl.colbench.frontend.pages.base import Ctx, Part
from sweetrl.colbench.frontend.pages.markup import el
from sweetrl.colbench.frontend.pages.topic import (
    CITIES, CTAS, FIRST, JOBS, LAST, MONTHS, STATUSES, STREETS, TIERS, blurb, faq, pick, price, sentence)


def stats(ctx: Ctx) -> Part:
    s = ctx.style
    n = ctx.pick((3, 4, 4))
    items = ctx.sample((("10k+", "Customers"), ("4.9/5", "Average rating"), (f"{ctx.rng.randint(5, 40)}", "Years"),
                        ("250+", "Five-star reviews"), (f"{ctx.rng.randint(3, 30)}", "Locations"),
                        ("99%", "On-time"), ("1M", "Orders served"), ("24h", "Response time")), n)
    filled = ctx.chance(0.4)
    cells = [el("div", "text-center", el("p", f"text-4xl {s.weight} {'' if filled else s.accent_text}", v),
                el("p", f"mt-2 text-sm {'opacity-80' if filled else s.muted}", k)) for v, k in items]
    body = el("div", f"grid grid-cols-2 md:grid-cols-{n} gap-8", *cells)
    if filled:
        ctx.sections += 1
        html = el("section", f"{s.fill} py-14", el("div", s.container, body))
    else:
        html = ctx.section(body)
    return Part(f"stats.{n}", html, ctx.pick(("a band of key numbers", "some statistics about the business")))


def _tier_prices(ctx: Ctx, n: int, *, free: bool) -> list[int]:
    """Rising prices for ``n`` plans in the topic's range (shop-style: 29, 49, 99...)."""
    lo, hi = ctx.topic.price
    if lo > 5000:  # houses, not plans: price the agency's service plans instead
        lo, hi = 99, 999
    top = max(lo + 20, min(hi, lo * 8 + 60))
    out: list[int] = []
    for v in sorted(ctx.rng.uniform(max(lo, 5), top) for _ in range(n)):
        v = int(round(v, -1)) - 1 if v > 30 else int(v)
        out.append(max(v, out[-1] + 5) if out else v)
    if free:
        out[0] = 0
    return out


def pricing(ctx: Ctx) -> Part:
    s = ctx.style
    n = ctx.pick((2, 3, 3, 4))
    names = ctx.pick(TIERS)[:n]
    best = ctx.rng.randrange(n)
    prices = _tier_prices(ctx, n, free=names[0] == "Free")
    period = ctx.pick(("/month", "/mo", " per month", ""))
    cards = []
    for i, (name, amount) in enumerate(zip(names, prices[:n])):
        hot = i == best
        box = f"{s.radius} p-8 " + (f"{s.fill} {s.shadow} ring-4 ring-{s.primary}-200" if hot else
                                    f"border {s.border} {s.surface}")
        perks = ctx.sample(ctx.topic.features, ctx.rng.randint(3, 5))
        cards.append(el("div", box, el("h3", "text-lg font-semibold", name),
                        hot and el("span", "mt-2 inline-block text-xs px-2 py-1 rounded-full bg-white/20",
                                   "Most popular"),
                        el("p", "mt-4", el("span", f"text-4xl {s.weight}", f"${amount:,}"),
                           el("span", "text-sm opacity-70", period)),
                        el("ul", "mt-6 space-y-2 text-sm", *[el("li", "", f"✓ {p}") for p in perks]),
                        el("a", f"mt-8 block text-center py-2.5 {s.button_radius} font-semibold " +
                           (f"bg-white text-{s.primary}-700" if hot else s.fill), ctx.pick(CTAS), href="#")))
    return Part(f"pricing.{n}", ctx.section(ctx.heading(ctx.pick(("Pricing", "Simple, honest pricing",
                                                                  "Choose your plan", "Plans for everyone")),
                                                        ctx.chance(0.5) and "No hidden fees. Cancel any time."),
                                            el("div", f"grid md:grid-cols-{n} {s.gap} items-start", *cards)),
                ctx.pick(("a comparison of pricing plans", "pricing options", "a few plans to choose from")))


def steps(ctx: Ctx) -> Part:
    s = ctx.style
    n = ctx.pick((3, 3, 4))
    verbs = ctx.sample(("Choose", "Book", "Tell us what you need", "Meet the team", "Relax", "Enjoy",
                        "Get your plan", "Check out", "Sign up"), n)
    number = f"w-10 h-10 rounded-full {s.fill} flex items-center justify-center font-bold"
    cells = [el("div", "", el("div", number, i + 1),
                el("h3", f"mt-4 font-semibold {s.strong}", v), el("p", f"mt-2 text-sm {s.muted}",
                                                                   blurb(ctx.rng, ctx.topic)))
             for i, v in enumerate(verbs)]
    return Part(f"steps.{n}", ctx.section(ctx.heading(ctx.pick(("How it works", "Three easy steps"
                                                                if n == 3 else "Four easy steps", "Getting started"))),
                                          el("div", f"grid md:grid-cols-{n} {s.gap}", *cells)),
                ctx.pick(("an explanation of how it works", "a few simple steps")))


def timeline(ctx: Ctx) -> Part:
    s = ctx.style
    n = ctx.pick((3, 4, 5))
    year = ctx.rng.randint(2005, 2016)
    entries = []
    for i in range(n):
        year += ctx.rng.randint(1, 3)
        entries.append(el("li", "ml-6", el("span", f"absolute -left-2 mt-1.5 w-4 h-4 rounded-full {s.fill}"),
                          el("p", f"text-sm font-semibold {s.accent_text}", str(year)),
                          el("h3", f"font-semibold {s.strong}", ctx.pick(ctx.topic.features)),
                          el("p", f"text-sm {s.muted}", sentence(ctx.rng, ctx.topic, ctx.brand))))
    return Part(f"timeline.{n}", ctx.section(ctx.heading(ctx.pick(("Our journey", "Milestones", "History"))),
                                             el("ol", f"relative border-l-2 {s.border} ml-2 space-y-8", *entries)),
                ctx.pick(("a timeline of their history", "a list of milestones")))


def questions(ctx: Ctx) -> Part:
    s = ctx.style
    n = ctx.pick((4, 5, 6))
    shape = ctx.pick(("list", "cards", "two"))
    pairs = faq(ctx.rng, ctx.topic, ctx.brand, n)
    items = [el("div", f"{s.card} p-5" if shape == "cards" else "py-5",
                el("h3", f"font-semibold {s.strong}", q), el("p", f"mt-2 {s.muted}", a)) for q, a in pairs]
    divide = s.border.replace("border", "divide")
    body = {"list": lambda: el("div", f"max-w-3xl {'mx-auto' if s.centred else ''} divide-y {divide}", *items),
            "cards": lambda: el("div", "max-w-3xl mx-auto space-y-4", *items),
            "two": lambda: el("div", "grid md:grid-cols-2 gap-x-12", *items)}[shape]()
    return Part(f"faq.{shape}", ctx.section(ctx.heading(ctx.pick(("Frequently asked questions", "FAQ",
                                                                  "Questions & answers"))), body),
                ctx.pick(("a frequently asked questions section", "answers to common questions")))


def cta(ctx: Ctx) -> Part:
    s = ctx.style
    boxed = ctx.chance(0.5)
    inner = el("div", f"{s.fill} {s.radius if boxed else ''} px-8 py-14 text-center",
               el("h2", f"{s.h2_size} {s.weight}", ctx.pick((f"Ready to try {ctx.brand}?", "Start today",
                                                               "Let's work together", "Come and see us"))),
               el("p", "mt-3 opacity-90 max-w-xl mx-auto", sentence(ctx.rng, ctx.topic, ctx.brand)),
               el("a", f"mt-8 inline-block px-6 py-3 {s.button_radius} bg-white text-{s.neutral}-900 font-semibold",
                  ctx.pick(CTAS), href="#"))
    ctx.sections += 1
    html = el("section", s.pad, el("div", s.container, inner)) if boxed else el("section", "", inner)
    return Part("cta.boxed" if boxed else "cta.band", html,
                ctx.pick(("a call-to-action banner", "a closing call to action")))


def newsletter(ctx: Ctx) -> Part:
    s = ctx.style
    return Part("newsletter", ctx.section(el("div", f"max-w-xl {'mx-auto text-center' if s.centred else ''}",
        el("h2", s.h2, ctx.pick(("Join our newsletter", "Stay in the loop", "Get the latest news"))),
        el("p", f"mt-3 {s.muted}", f"Monthly news from {ctx.brand}. No spam, ever."),
        el("form", f"mt-6 flex gap-2 {'justify-center' if s.centred else ''}",
           el("input", s.input + " max-w-xs", type="email", placeholder="you@example.com"),
           el("button", s.button(), "Subscribe", type="button"))), tinted=ctx.chance(0.6)),
        ctx.pick(("a newsletter sign-up", "an email subscription box")))


def table(ctx: Ctx, kind: str = "") -> Part:
    """A section with a data table: orders, schedule, jobs, opening hours or a plan comparison."""
    kind, title, grid, phrase = data_table(ctx, kind)
    return Part(f"table.{kind}", ctx.section(ctx.heading(title), grid), phrase)


def data_table(ctx: Ctx, kind: str = "") -> tuple[str, str, object, str]:
    """(kind, title, table markup, phrase) of a data table (``kind`` drawn when empty)."""
    s = ctx.style
    kind = kind or ctx.pick(("orders", "schedule", "hours", "compare"))
    if kind == "orders":
        head = ("Order", "Customer", "Item", "Date", "Amount", "Status")
        rows = [(f"#{ctx.rng.randint(1000, 9999)}", f"{pick(ctx.rng, FIRST)} {pick(ctx.rng, LAST)}",
                 ctx.pick(ctx.topic.items), f"{pick(ctx.rng, MONTHS)} {ctx.rng.randint(1, 28)}",
                 price(ctx.rng, ctx.topic), ctx.pick(STATUSES)) for _ in range(ctx.pick((4, 5, 6)))]
    elif kind == "schedule":
        head = ("Time", "Session", "Host", "Room")
        rows = [(f"{h}:{ctx.pick(('00', '30'))}", ctx.pick(ctx.topic.items),
                 f"{pick(ctx.rng, FIRST)} {pick(ctx.rng, LAST)}",
                 ctx.pick(("Main hall", "Studio A", "Studio B", "Garden room", "Online")))
                for h in sorted(ctx.rng.sample(range(8, 19), ctx.pick((4, 5, 6))))]
    elif kind == "jobs":
        head = ("Role", "Team", "Location", "Type")
        rows = [(j, ctx.pick(("Design", "Engineering", "Operations", "Sales", "Support")),
                 ctx.pick(CITIES + ("Remote",) * 4), ctx.pick(("Full-time", "Part-time", "Contract")))
                for j in ctx.sample(JOBS, ctx.pick((3, 4, 5)))]
    elif kind == "hours":
        head = ("Day", "Opening hours")
        days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        open_, close = ctx.pick((7, 8, 9, 10)), ctx.pick((17, 18, 20, 22))
        rows = [(d, "Closed" if d == "Sunday" and ctx.chance(0.4) else f"{open_}:00 - {close}:00") for d in days]
    else:
        head = ("Feature", *ctx.pick(TIERS)[:3])
        rows = [(f, *(ctx.pick(("✓", "✓", "-", "Unlimited", str(ctx.rng.randint(1, 20)))) for _ in range(3)))
                for f in ctx.sample(ctx.topic.features, ctx.pick((4, 5, 6)))]
    stripe = ctx.chance(0.5)
    th = f"px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide {s.muted}"
    body = [el("tr", f"border-t {s.border} {('even:' + s.tint) if stripe else ''}",
               *[el("td", f"px-4 py-3 {'font-medium ' + s.strong if j == 0 else s.muted}", c) for j, c in enumerate(r)])
            for r in rows]
    title = {"orders": "Recent orders", "schedule": "Schedule", "jobs": "Open positions", "hours": "Opening hours",
             "compare": "Compare plans"}[kind]
    grid = el("div", f"overflow-hidden border {s.border} {s.radius} {s.surface}", el(
        "table", "w-full text-sm", el("thead", s.tint, el("tr", "", *[el("th", th, h) for h in head])),
        el("tbody", "", *body)))
    return kind, title, grid, (
                {"orders": "a table of recent orders", "schedule": "the schedule as a table",
                 "jobs": "a list of open positions", "hours": "the opening hours",
                 "compare": "a table comparing the plans"}[kind])


def contact(ctx: Ctx) -> Part:
    s = ctx.style
    fields = [el("input", s.input, type="text", placeholder="Name"),
              el("input", s.input, type="email", placeholder="Email")]
    if ctx.chance(0.5):
        fields.append(el("input", s.input, type="text", placeholder="Subject"))
    form = el("form", f"{s.card} {'p-8' if s.card_kind != 'flat' else ''} space-y-4", *fields,
              el("textarea", s.input + " h-32", placeholder="Your message"),
              el("button", s.button("px-6 py-3"), "Send message", type="button"))
    info = el("div", "", el("h2", s.h2, ctx.pick(("Get in touch", "Contact us", "Say hello"))),
              el("p", f"mt-4 {s.muted}", sentence(ctx.rng, ctx.topic, ctx.brand)),
              el("ul", f"mt-6 space-y-3 {s.muted}",
                 el("li", "", f"{ctx.rng.randint(2, 240)} {pick(ctx.rng, STREETS)}, {pick(ctx.rng, CITIES)}"),
                 el("li", "", f"hello@{ctx.brand.lower().replace(' ', '').replace('&', 'and')}.com"),
                 el("li", "", f"+1 555 {ctx.rng.randint(100, 999)} {ctx.rng.randint(1000, 9999)}")),
              ctx.chance(0.4) and ctx.img(600, 260, f"mt-6 w-full h-48 object-cover {s.radius}", "map"))
    pair = (info, form) if ctx.chance(0.7) else (form, info)
    return Part("contact", ctx.section(el("div", "grid md:grid-cols-2 gap-12", *pair)),
                ctx.pick(("a contact form with their details", "a way to get in touch")))


def menu(ctx: Ctx) -> Part:
    s = ctx.style
    groups = ctx.pick((("Starters", "Mains"), ("Breakfast", "Lunch"), ("Food", "Drinks"), ("Savoury", "Sweet")))
    dishes = list(ctx.topic.items)
    ctx.rng.shuffle(dishes)
    dotted = ctx.chance(0.5)
    cols = []
    for g, group in enumerate(groups):
        rows = [el("li", "", el("div", "flex items-baseline gap-2",
                                el("span", f"font-semibold {s.strong}", d),
                                el("span", f"flex-1 border-b {'border-dotted' if dotted else ''} {s.border}"),
                                el("span", f"font-semibold {s.accent_text}", price(ctx.rng, ctx.topic))),
                        el("p", f"text-sm {s.muted}", blurb(ctx.rng, ctx.topic, d)))
                for d in dishes[g * 5:g * 5 + ctx.pick((3, 4, 5))]]
        cols.append(el("div", "", el("h3", f"text-xl {s.weight} mb-6 {s.accent_text} uppercase tracking-widest", group),
                       el("ul", "space-y-5", *rows)))
    return Part("menu", ctx.section(ctx.heading(ctx.pick(("Our menu", "Menu", "Today's menu"))),
                                    el("div", "grid md:grid-cols-2 gap-12", *cols)),
                ctx.pick(("the menu with prices", "a menu of dishes and prices")))


def article(ctx: Ctx) -> Part:
    s = ctx.style
    paragraphs = [el("p", "mt-5 leading-relaxed", sentence(ctx.rng, ctx.topic, ctx.brand) + " " +
                     sentence(ctx.rng, ctx.topic, ctx.brand)) for _ in range(ctx.pick((3, 4)))]
    quote_ = el("blockquote", f"mt-8 border-l-4 border-{s.primary}-{s.shade} pl-6 text-xl italic {s.strong}",
                sentence(ctx.rng, ctx.topic, ctx.brand))
    points = el("ul", "mt-6 list-disc pl-6 space-y-2", *[el("li", "", f) for f in ctx.sample(ctx.topic.features, 3)])
    by = f"{pick(ctx.rng, FIRST)} {pick(ctx.rng, LAST)}"
    return Part("article", ctx.section(el("article", f"max-w-3xl mx-auto {s.muted}",
        el("p", f"text-sm {s.accent_text} font-semibold", ctx.pick(ctx.topic.features)),
        el("h1", f"mt-2 text-4xl {s.weight} {s.strong}", ctx.pick(ctx.topic.items) + ": " +
           ctx.pick(("a closer look", "what we learned", "behind the scenes", "a short guide"))),
        el("div", "mt-6 flex items-center gap-3 text-sm", ctx.img(96, 96, "w-10 h-10 rounded-full", by),
           el("span", "", f"{by} · {pick(ctx.rng, MONTHS)} {ctx.rng.randint(1, 28)}")),
        ctx.img(1200, 560, f"mt-8 w-full h-80 object-cover {s.radius}", "cover"),
        paragraphs[0], quote_, *paragraphs[1:2], el("h2", f"mt-10 text-2xl {s.weight} {s.strong}",
                                                    ctx.pick(ctx.topic.features)),
        points, *paragraphs[2:]), tinted=False),
        ctx.pick(("a long-form article with a cover image and a pull quote", "an article with headings")))


def countdown(ctx: Ctx) -> Part:
    s = ctx.style
    units = (("Days", ctx.rng.randint(2, 60)), ("Hours", ctx.rng.randint(0, 23)), ("Minutes", ctx.rng.randint(0, 59)),
             ("Seconds", ctx.rng.randint(0, 59)))
    boxes = [el("div", f"{s.card} {'p-6' if s.card_kind != 'flat' else 'p-2'} text-center w-28",
                el("p", f"text-4xl {s.weight} {s.accent_text}", f"{v:02d}"), el("p", f"text-xs uppercase {s.muted}", k))
             for k, v in units[:ctx.pick((3, 4))]]
    return Part(f"countdown.{len(boxes)}", ctx.section(ctx.heading(ctx.pick(("Opening soon", "Doors open in",
                                                                             "Starting in")), centred=True),
                                                       el("div", "flex justify-center gap-4", *boxes)),
                "a countdown")
