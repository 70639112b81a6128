"""Pages with a layout of their own: product detail, dashboard, documentation, sign-up,
coming soon. Each returns the parts of a whole page body (no shared navbar/footer)."""

from __future__ import annotations

from sweetrl.colbench.frontend.pages import blocks
from sweetrl.colbench.frontend.pages.base import Ctx, Part
from sweetrl.colbench.frontend.pages.markup import el, slug
from sweetrl.colbench.frontend.pages.topic import FIRST, LAST, blurb, headline, pick, price, sentence


def product_detail(ctx: Ctx) -> Part:
    s = ctx.style
    item = ctx.pick(ctx.topic.items)
    thumbs = ctx.pick((0, 3, 4))
    gallery = el("div", "", ctx.img(800, 800, f"w-full h-[480px] object-cover {s.radius}", item),
                 thumbs > 0 and el("div", f"mt-4 grid grid-cols-{thumbs} gap-3",
                               *[ctx.img(200, 200, f"w-full h-24 object-cover {s.radius}", f"{item} {i}")
                                 for i in range(thumbs)]))
    options = ctx.pick((("S", "M", "L", "XL"), ("Small", "Medium", "Large"), ("250 g", "500 g", "1 kg"),
                        ("Standard", "Deluxe"), ("1 month", "3 months", "12 months")))
    chosen = ctx.rng.randrange(len(options))
    details = el("div", "",
                 el("p", f"text-sm font-semibold uppercase tracking-wide {s.accent_text}", ctx.brand),
                 el("h1", f"mt-2 text-4xl {s.weight} {s.strong}", item),
                 ctx.chance(0.6) and el("p", f"mt-2 text-{s.accent}-500",
                                        "★★★★★" if ctx.chance(0.5) else "★★★★☆",
                                        el("span", f"ml-2 text-sm {s.muted}", f"({ctx.rng.randint(12, 480)} reviews)")),
                 el("p", f"mt-4 text-3xl font-bold {s.strong}", price(ctx.rng, ctx.topic)),
                 el("p", f"mt-6 {s.muted}", sentence(ctx.rng, ctx.topic, ctx.brand)),
                 el("div", "mt-6 flex flex-wrap gap-2",
                    *[el("button", f"px-4 py-2 text-sm {s.button_radius} " +
                         (s.fill if i == chosen else f"border {s.border}"), o, type="button")
                      for i, o in enumerate(options)]),
                 el("div", "mt-8 flex gap-3", el("a", s.button("px-8 py-3"), "Add to cart", href="#"),
                    ctx.chance(0.5) and el("a", s.button_outline("px-6 py-3"), "♥ Save", href="#")),
                 el("ul", f"mt-8 space-y-2 text-sm {s.muted}",
                    *[el("li", "", f"✓ {f}") for f in ctx.sample(ctx.topic.features, 3)]))
    pair = (gallery, details) if ctx.chance(0.8) else (details, gallery)
    return Part("product.detail", ctx.section(el("div", "grid md:grid-cols-2 gap-12", *pair), tinted=False),
                "a product view with photos, price, options and an add-to-cart button")


def _sidebar(ctx: Ctx, labels: tuple[str, ...]) -> object:
    s = ctx.style
    if s.nav_kind == "dark" or s.dark:
        bar, idle, active = f"bg-{s.neutral}-900 text-white", f"text-{s.neutral}-400", f"bg-{s.neutral}-800 text-white"
    elif s.nav_kind == "primary":
        bar, idle, active = s.fill, "opacity-80", "bg-white/20"
    else:
        bar, idle, active = f"{s.surface} border-r {s.border}", s.muted, s.soft
    current = ctx.rng.randrange(len(labels))
    return el("aside", f"w-64 shrink-0 {bar} p-6",
              el("p", f"text-xl {s.weight} mb-8", ctx.brand),
              el("nav", "space-y-1 text-sm font-medium",
                 *[el("a", f"block px-3 py-2 {s.button_radius.replace('-full', '-lg')} "
                           f"{active if i == current else idle}", label, href="#")
                   for i, label in enumerate(labels)]))


def dashboard(ctx: Ctx) -> list[Part]:
    s = ctx.style
    labels = ctx.sample(("Overview", "Orders", "Customers", "Bookings", "Products", "Reports", "Messages",
                         "Invoices", "Settings"), ctx.pick((5, 6, 7)))
    metrics = ctx.sample((("Revenue", f"${ctx.rng.randint(12, 980)},{ctx.rng.randint(100, 999)}"),
                          ("Orders", f"{ctx.rng.randint(120, 4800):,}"),
                          ("New customers", str(ctx.rng.randint(12, 900))),
                          ("Avg. rating", f"4.{ctx.rng.randint(1, 9)}"), ("Bookings", str(ctx.rng.randint(30, 700))),
                          ("Refunds", str(ctx.rng.randint(0, 40)))), ctx.pick((3, 4)))
    cards = [el("div", f"{s.card} {s.card_pad or 'p-4'}", el("p", f"text-sm {s.muted}", k),
                el("p", f"mt-2 text-3xl {s.weight} {s.strong}", v),
                el("p", f"mt-1 text-xs {'text-green-600' if up else 'text-red-500'}",
                   f"{'▲' if up else '▼'} {ctx.rng.randint(1, 24)}% vs last month"))
             for (k, v), up in ((m, ctx.chance(0.7)) for m in metrics)]
    top_corners = "rounded-t" if ctx.chance(0.7) else ""
    bars = [el("div", f"flex-1 {s.fill.split()[0]} {top_corners} h-[{ctx.rng.randint(15, 100)}%]")
            for _ in range(ctx.pick((7, 12)))]
    chart = el("div", f"{s.card} {s.card_pad or 'p-4'}", el("h2", f"font-semibold {s.strong}", "Sales this period"),
               el("div", "mt-6 h-48 flex items-end gap-2", *bars))
    _, title, table, _ = blocks.data_table(ctx, "orders")
    top = el("div", "flex items-center justify-between",
             el("h1", f"text-2xl {s.weight} {s.strong}", labels[0]),
             el("div", "flex items-center gap-4",
                el("input", f"w-64 px-4 py-2 text-sm border {s.border} {s.surface} {s.button_radius}", type="text",
                   placeholder="Search..."),
                ctx.img(96, 96, "w-9 h-9 rounded-full", f"{pick(ctx.rng, FIRST)} {pick(ctx.rng, LAST)}")))
    main = el("main", f"flex-1 p-8 {s.tint if not s.dark else ''}", top,
              el("div", f"mt-8 grid grid-cols-{len(cards)} {s.gap}", *cards),
              el("div", "mt-8", chart),
              el("h2", f"mt-8 mb-4 font-semibold {s.strong}", title), table)
    return [Part("dashboard.sidebar", el("div", "flex min-h-screen", _sidebar(ctx, tuple(labels)), main),
                 "a sidebar menu, summary cards, a bar chart and a table of recent orders")]


def docs(ctx: Ctx) -> list[Part]:
    s = ctx.style
    resource = ctx.pick(("orders", "bookings", "customers", "products", "invoices", "events"))
    package = slug(ctx.brand)
    groups = (("Getting started", ("Introduction", "Installation", "Quick start")),
              ("Guides", (f"Managing {resource}", "Authentication", "Webhooks", "Errors")),
              ("Reference", ("Client", "Pagination", "Rate limits")))
    current = ctx.pick(groups[0][1] + groups[1][1])
    link = f"block px-2 py-1 {s.button_radius.replace('-full', '-md')}"
    side = el("aside", "w-56 shrink-0 text-sm",
              *[el("div", "mb-6", el("p", f"font-semibold mb-2 {s.strong}", title),
                   el("ul", "space-y-1", *[el("li", "", el("a", f"{link} {s.soft if x == current else s.muted}", x,
                                                          href="#")) for x in links]))
                for title, links in groups])
    code = (f"npm install @{package}/sdk\n\nimport {{ Client }} from \"@{package}/sdk\";\n\n"
            f"const client = new Client({{ apiKey: process.env.API_KEY }});\n"
            f"const {resource} = await client.{resource}.list({{ limit: {ctx.pick((10, 20, 50))} }});")
    pre = f"mt-6 p-5 text-sm overflow-x-auto {s.radius} " + ctx.pick((f"bg-{s.neutral}-900 text-{s.neutral}-100",
                                                                       f"bg-{s.neutral}-800 text-green-300"))
    rows = (("limit", "number", f"How many {resource} to return."),
            ("cursor", "string", "Where the previous page ended."),
            ("status", "string", "Only return matching items."))[:ctx.pick((2, 3))]
    params = el("table", f"mt-6 w-full text-sm border {s.border}",
                el("thead", s.tint, el("tr", "", *[el("th", "px-3 py-2 text-left", h)
                                                   for h in ("Name", "Type", "Description")])),
                el("tbody", "", *[el("tr", f"border-t {s.border}", el("td", "px-3 py-2 font-mono", n),
                                     el("td", f"px-3 py-2 {s.muted}", t), el("td", f"px-3 py-2 {s.muted}", d))
                                  for n, t, d in rows]))
    note = el("div", f"mt-6 p-4 border-l-4 border-{s.primary}-{s.shade} {s.soft} text-sm",
              f"Note: {blurb(ctx.rng, ctx.topic, resource)}")
    article = el("article", f"flex-1 min-w-0 {s.muted}",
                 el("p", f"text-sm {s.faint}", f"Docs / {current}"),
                 el("h1", f"mt-2 text-4xl {s.weight} {s.strong}", current),
                 el("p", "mt-4 text-lg", f"The {ctx.brand} API lets you manage {resource} from your own code. "
                                         + sentence(ctx.rng, ctx.topic, ctx.brand)),
                 el("h2", f"mt-10 text-2xl font-semibold {s.strong}", "Install the client"),
                 el("pre", pre, el("code", "", code)), ctx.chance(0.6) and note,
                 el("h2", f"mt-10 text-2xl font-semibold {s.strong}", "Parameters"), params)
    toc = ctx.chance(0.5) and el("aside", "w-48 shrink-0 text-sm",
                                 el("p", f"font-semibold mb-2 {s.strong}", "On this page"),
                                 el("ul", f"space-y-1 {s.muted}",
                                    *[el("li", "", x) for x in ("Install the client", "Parameters")]))
    return [Part("docs.sidebar" + (".toc" if toc else ""),
                 el("div", f"{s.container} flex gap-10 py-10", side, article, toc),
                 "a sidebar of documentation topics and an article with a code example and a table of parameters")]


def auth(ctx: Ctx, *, signup: bool) -> list[Part]:
    s = ctx.style
    fields = [("text", "Full name")] if signup else []
    fields += [("email", "Email address"), ("password", "Password")]
    if signup and ctx.chance(0.4):
        fields.append(("password", "Confirm password"))
    form = el("form", "space-y-4",
              *[el("div", "", el("label", f"block text-sm font-medium mb-1 {s.strong}", p),
                   el("input", s.input, type=t)) for t, p in fields],
              el("label", f"flex items-center gap-2 text-sm {s.muted}", el("input", "", type="checkbox"),
                 "I agree to the terms" if signup else "Remember me"),
              el("button", f"w-full {s.button('py-3')}", "Create account" if signup else "Log in", type="button"))
    social = ctx.chance(0.5) and el("div", "mt-6 grid grid-cols-2 gap-3",
                                    *[el("button", f"py-2.5 text-sm font-medium border {s.border} {s.button_radius}",
                                         f"Continue with {x}", type="button") for x in ("Google", "Apple")])
    panel = el("div", "w-full max-w-md",
               el("p", f"text-2xl {s.weight} {s.accent_text}", ctx.brand),
               el("h1", f"mt-6 text-3xl {s.weight} {s.strong}", "Create your account" if signup else "Welcome back"),
               el("p", f"mt-2 mb-8 {s.muted}", headline(ctx.rng, ctx.topic, ctx.brand)), form, social,
               el("p", f"mt-6 text-sm text-center {s.muted}",
                  "Already have an account? " if signup else "New here? ",
                  el("a", f"font-semibold {s.accent_text}", "Log in" if signup else "Sign up", href="#")))
    name = "signup" if signup else "login"
    if ctx.chance(0.5):
        card = el("div", f"w-full max-w-md {s.card} {'p-10' if s.card_kind != 'flat' else 'p-4'}", panel)
        return [Part(f"auth.{name}.card",
                     el("div", f"min-h-screen flex items-center justify-center px-6 {s.tint}", card),
                     "a short form on its own")]
    side = el("div", "relative w-1/2", ctx.img(900, 1000, "w-full h-full object-cover", ctx.topic.noun),
              el("div", "absolute inset-0 bg-black/40 flex items-end p-12",
                 el("p", "text-2xl text-white font-semibold max-w-md", sentence(ctx.rng, ctx.topic, ctx.brand))))
    pair = (side, el("div", "w-1/2 flex items-center justify-center p-12", panel))
    return [Part(f"auth.{name}.split", el("div", "min-h-screen flex", *(pair if ctx.chance(0.6) else pair[::-1])),
                 "a form next to a large picture")]


def coming_soon(ctx: Ctx) -> list[Part]:
    s = ctx.style
    top = el("div", "text-center", el("p", f"text-2xl {s.weight} {s.accent_text}", ctx.brand),
             el("h1", f"mt-8 {s.hero_size} {s.weight} {s.strong}", ctx.pick(("Something new is coming", "Almost ready",
                                                                           "Opening soon", "We're getting ready"))),
             el("p", f"mt-4 text-lg {s.muted} max-w-xl mx-auto", sentence(ctx.rng, ctx.topic, ctx.brand)))
    ctx.sections = 0
    parts = [Part("soon.intro", el("section", "pt-24 px-6", top), "a short announcement")]
    parts.append(blocks.countdown(ctx))
    parts.append(blocks.newsletter(ctx))
    return parts
