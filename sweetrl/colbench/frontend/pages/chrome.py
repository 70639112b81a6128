"""Navigation bars and footers: the frame around a page's sections."""

from __future__ import annotations

from sweetrl.colbench.frontend.pages.base import Ctx, Part
from sweetrl.colbench.frontend.pages.markup import el
from sweetrl.colbench.frontend.pages.topic import CITIES, STREETS, pick


def _logo(ctx: Ctx, size: str = "text-xl") -> object:
    s = ctx.style
    if ctx.chance(0.4):  # a square badge with the initial
        return el("a", f"flex items-center gap-2 {size} {s.weight}",
                  el("span", f"w-8 h-8 {s.button_radius.replace('-full', '-lg')} {s.fill} flex items-center "
                             "justify-center text-sm", ctx.brand[0]),
                  el("span", "", ctx.brand), href="#")
    return el("a", f"{size} {s.weight} tracking-tight", ctx.brand, href="#")


def _links(ctx: Ctx, cls: str, n: int | None = None) -> object:
    links = ctx.nav_links[:n or ctx.rng.randint(3, len(ctx.nav_links))]
    return el("nav", f"flex items-center gap-6 text-sm font-medium {cls}",
              *[el("a", "", label, href="#") for label in links])


def nav_simple(ctx: Ctx) -> Part:
    bar, link = ctx.style.nav_bar()
    return Part("nav.simple", el("header", bar, el(
        "div", f"{ctx.style.container} py-4 flex items-center justify-between",
        _logo(ctx), _links(ctx, link))), "a navigation bar")


def nav_cta(ctx: Ctx) -> Part:
    s = ctx.style
    bar, link = s.nav_bar()
    button = s.button("px-4 py-2") if s.nav_kind not in ("primary",) else \
        f"inline-block px-4 py-2 {s.button_radius} bg-white text-{s.primary}-700 font-semibold text-sm"
    return Part("nav.cta", el("header", bar, el(
        "div", f"{s.container} py-4 flex items-center justify-between",
        _logo(ctx), _links(ctx, link), el("a", button, ctx.pick(("Sign up", "Book now", "Get started",
                                                                   "Contact", "Order online")), href="#"))),
        "a navigation bar with a call-to-action button")


def nav_centred(ctx: Ctx) -> Part:
    s = ctx.style
    bar, link = s.nav_bar()
    return Part("nav.centred", el("header", bar, el(
        "div", f"{s.container} py-6 flex flex-col items-center gap-3",
        _logo(ctx, "text-2xl"), _links(ctx, link))), "a header with the name and the menu links")


def nav_search(ctx: Ctx) -> Part:
    s = ctx.style
    bar, link = s.nav_bar()
    field = f"w-72 px-4 py-2 text-sm {s.button_radius} " + (
        "bg-white/20 placeholder-white/70 text-white" if s.nav_kind in ("primary", "dark") else
        f"border {s.border} {s.surface}")
    return Part("nav.search", el("header", bar, el(
        "div", f"{s.container} py-4 flex items-center justify-between gap-6",
        _logo(ctx), el("input", field, type="text", placeholder=f"Search {ctx.topic.noun}..."),
        _links(ctx, link, 3))), "a top bar with a search field")


def nav_banner(ctx: Ctx) -> Part:
    s = ctx.style
    bar, link = s.nav_bar()
    note = ctx.pick((f"{ctx.pick(ctx.topic.features)} - now available", "Free shipping on orders over $50",
                     f"New: {ctx.pick(ctx.topic.items)}", f"Now open in {pick(ctx.rng, CITIES)}"))
    strip = f"bg-{s.accent}-600 text-white" if s.nav_kind == "primary" else s.fill
    return Part("nav.banner", el("header", "", el("div", f"{strip} text-center text-sm py-2", note),
                                 el("div", bar, el("div", f"{s.container} py-4 flex items-center justify-between",
                                                   _logo(ctx), _links(ctx, link)))),
                "an announcement strip above the navigation")


NAVS = (nav_simple, nav_simple, nav_cta, nav_cta, nav_centred, nav_search, nav_banner)


def _copyright(ctx: Ctx) -> str:
    return f"© {ctx.rng.randint(2023, 2025)} {ctx.brand}. All rights reserved."


def footer_simple(ctx: Ctx) -> Part:
    s = ctx.style
    bar, small = s.footer_bar()
    return Part("footer.simple", el("footer", f"{bar} py-8", el(
        "div", f"{s.container} text-center text-sm {small}", _copyright(ctx))), "a simple footer")


def footer_split(ctx: Ctx) -> Part:
    s = ctx.style
    bar, small = s.footer_bar()
    return Part("footer.split", el("footer", f"{bar} py-8", el(
        "div", f"{s.container} flex items-center justify-between text-sm",
        el("span", "font-semibold", ctx.brand), el("span", small, _copyright(ctx)),
        el("div", "flex gap-4", *[el("a", "", x, href="#") for x in ctx.sample(
            ("Privacy", "Terms", "Contact", "Instagram", "Careers", "Press"), 3)]))),
        "a footer with links")


def footer_columns(ctx: Ctx) -> Part:
    s = ctx.style
    bar, small = s.footer_bar()
    groups = ctx.sample((("Company", ("About", "Careers", "Press", "Blog")),
                         ("Help", ("Contact", "FAQ", "Shipping", "Returns")),
                         ("Legal", ("Privacy", "Terms", "Cookies")),
                         ("Explore", tuple(ctx.topic.items[:4])),
                         ("Follow", ("Instagram", "LinkedIn", "YouTube"))), ctx.rng.randint(2, 3))
    columns = [el("div", "", el("h4", "font-semibold mb-3", title),
                  el("ul", f"space-y-2 text-sm {small}", *[el("li", "", el("a", "", x, href="#")) for x in links]))
               for title, links in groups]
    brand = el("div", "", el("p", f"text-lg {s.weight}", ctx.brand),
               el("p", f"mt-2 text-sm {small}", f"{ctx.rng.randint(2, 240)} {pick(ctx.rng, STREETS)}, "
                                                f"{pick(ctx.rng, CITIES)}"))
    return Part("footer.columns", el("footer", f"{bar} py-12", el(
        "div", s.container, el("div", f"grid grid-cols-2 md:grid-cols-{len(columns) + 1} gap-8", brand, *columns),
        el("p", f"mt-10 pt-6 border-t {s.footer_rule} text-sm {small}", _copyright(ctx)))),
        "a footer with groups of links")


def footer_newsletter(ctx: Ctx) -> Part:
    s = ctx.style
    bar, small = s.footer_bar()
    return Part("footer.newsletter", el("footer", f"{bar} py-12", el(
        "div", f"{s.container} flex flex-col md:flex-row md:items-center justify-between gap-6",
        el("div", "", el("p", f"text-lg {s.weight}", f"Stay in touch with {ctx.brand}"),
           el("p", f"text-sm {small}", _copyright(ctx))),
        el("form", "flex gap-2", el("input", f"px-4 py-2 w-64 text-sm text-{s.neutral}-900 bg-white "
                                             f"{s.button_radius}", type="email", placeholder="Your email"),
           el("button", s.button("px-4 py-2") if s.footer_kind != "primary" else
              f"px-4 py-2 {s.button_radius} bg-{s.neutral}-900 text-white text-sm font-semibold", "Subscribe",
              type="button")))),
        "a footer with a newsletter sign-up")


FOOTERS = (footer_simple, footer_split, footer_columns, footer_columns, footer_newsletter)
