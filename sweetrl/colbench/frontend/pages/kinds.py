"""Page kinds: which sections a landing page, a pricing page, a menu... is made of.

A :class:`Kind` is a recipe of slots. A slot is a tuple of builders, one of which is
drawn (``None``: the slot stays empty), or a :class:`Some`: between ``lo`` and ``hi``
different builders of a pool, in a random order. Kinds with a layout of their own
(dashboard, docs, sign-up, coming soon) give it as ``layout``. The kind's name is the
task family.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sweetrl.colbench.frontend.pages import blocks, grids, heroes, special
from sweetrl.colbench.frontend.pages.base import Ctx, Part
from sweetrl.colbench.frontend.pages.chrome import FOOTERS, NAVS, footer_simple, footer_split, nav_search, nav_simple

Builder = Callable[[Ctx], Part]


@dataclass(frozen=True)
class Some:
    """Between ``lo`` and ``hi`` distinct builders of ``pool``, in random order."""

    pool: tuple[Builder, ...]
    lo: int
    hi: int


@dataclass(frozen=True)
class Kind:
    """A kind of page: names for it, its menu labels, and its recipe."""

    name: str
    nouns: tuple[str, ...]
    links: tuple[str, ...]
    slots: tuple[tuple[Builder | None, ...] | Some, ...] = ()
    layout: Callable[[Ctx], list[Part]] | None = None
    navs: tuple[Builder | None, ...] = NAVS  # empty (or a None drawn): no navbar
    footers: tuple[Builder | None, ...] = FOOTERS  # empty (or a None drawn): no footer
    food: bool = False  # only for topics that serve food

    def build(self, ctx: Ctx) -> list[Part]:
        """Every part of the page body, top to bottom."""
        nav = ctx.pick(self.navs) if self.navs else None
        parts = [nav(ctx)] if nav else []
        if self.layout:
            parts += self.layout(ctx)
        for slot in self.slots:
            if isinstance(slot, Some):
                parts += [b(ctx) for b in ctx.sample(slot.pool, ctx.rng.randint(slot.lo, slot.hi))]
            elif (builder := ctx.pick(slot)) is not None:
                parts.append(builder(ctx))
        if self.footers and (footer := ctx.pick(self.footers)):
            parts.append(footer(ctx))
        return parts


def _hours(ctx: Ctx) -> Part:
    return blocks.table(ctx, "hours")


def _schedule(ctx: Ctx) -> Part:
    return blocks.table(ctx, "schedule")


def _jobs(ctx: Ctx) -> Part:
    return blocks.table(ctx, "jobs")


def _compare(ctx: Ctx) -> Part:
    return blocks.table(ctx, "compare")


H = heroes
ALL_HEROES = heroes.HEROES
KINDS = (
    Kind("landing", ("landing page", "homepage", "home page", "website"),
         ("Home", "Services", "About", "Reviews", "Contact", "Blog"),
         (ALL_HEROES,
          Some((grids.features, grids.split_rows, blocks.stats, grids.testimonials, grids.logos, blocks.steps,
                grids.about, grids.gallery, grids.products), 2, 3),
          (blocks.cta, blocks.newsletter, None))),
    Kind("services", ("services page", "website", "business website"),
         ("Home", "Services", "Process", "Reviews", "Contact"),
         ((H.hero_split, H.hero_form, H.hero_centred, H.hero_stats), (grids.products, grids.features),
          Some((blocks.steps, grids.testimonials, blocks.stats, blocks.questions, grids.logos), 1, 2),
          (blocks.contact, blocks.cta))),
    Kind("pricing", ("pricing page", "plans page"), ("Product", "Features", "Pricing", "Customers", "Docs", "Log in"),
         ((H.hero_minimal, H.hero_centred), (blocks.pricing,),
          Some((_compare, blocks.questions, grids.testimonials, grids.logos, grids.features), 1, 2),
          (blocks.cta, None))),
    Kind("blog", ("blog", "blog homepage", "news page"), ("Home", "Articles", "Topics", "About", "Newsletter"),
         ((H.hero_minimal, H.hero_centred, H.hero_showcase), (grids.posts,), (grids.categories, None),
          (blocks.newsletter, None))),
    Kind("article", ("blog post", "article page"), ("Home", "Articles", "Topics", "About", "Contact"),
         ((blocks.article,), (grids.posts, blocks.newsletter, None))),
    Kind("shop", ("online shop", "e-commerce homepage", "store front"),
         ("Shop", "New in", "Collections", "Sale", "About", "Cart"),
         ((H.hero_cover, H.hero_split, H.hero_showcase, H.hero_centred), (grids.categories, None), (grids.products,),
          Some((grids.features, grids.testimonials, blocks.newsletter, blocks.stats), 1, 2)),
         navs=NAVS + (nav_search, nav_search)),
    Kind("product", ("product page", "product detail page"), ("Shop", "New in", "Collections", "Sale", "Cart"),
         ((special.product_detail,), Some((grids.features, grids.testimonials, grids.products, _compare), 1, 2)),
         navs=NAVS + (nav_search,)),
    Kind("restaurant", ("restaurant website", "menu page", "website"),
         ("Menu", "Reservations", "About", "Gallery", "Contact", "Order"),
         ((H.hero_cover, H.hero_split, H.hero_centred, H.hero_showcase), (blocks.menu,),
          Some((grids.about, grids.gallery, grids.testimonials, _hours, blocks.contact), 1, 2)), food=True),
    Kind("event", ("event page", "conference page", "event website"),
         ("Schedule", "Speakers", "Tickets", "Venue", "FAQ"),
         ((H.hero_cover, H.hero_showcase, H.hero_centred, H.hero_split), (blocks.countdown, None),
          (_schedule, blocks.timeline), (grids.team,), Some((blocks.pricing, blocks.questions, grids.logos), 0, 1),
          (blocks.cta, blocks.newsletter))),
    Kind("portfolio", ("portfolio", "portfolio website", "showcase page"),
         ("Work", "About", "Services", "Journal", "Contact"),
         ((H.hero_minimal, H.hero_split, H.hero_showcase), (grids.gallery,),
          Some((grids.about, grids.testimonials, blocks.stats, blocks.contact, grids.logos), 1, 2))),
    Kind("about", ("about page", "about us page", "team page"), ("Home", "About", "Team", "Careers", "Contact"),
         ((H.hero_minimal, H.hero_centred, H.hero_cover), (grids.about,),
          Some((blocks.stats, blocks.timeline, grids.team, grids.features), 2, 3))),
    Kind("faq", ("FAQ page", "help page", "support page"), ("Home", "Help", "Guides", "Status", "Contact"),
         ((H.hero_minimal, H.hero_centred), (blocks.questions,), (blocks.contact, blocks.cta, None))),
    Kind("contact", ("contact page", "get-in-touch page"), ("Home", "About", "Services", "Contact"),
         ((H.hero_minimal, H.hero_cover, None), (blocks.contact,),
          Some((_hours, blocks.questions, grids.gallery), 0, 1))),
    Kind("careers", ("careers page", "jobs page"), ("About", "Team", "Careers", "Blog", "Contact"),
         ((H.hero_centred, H.hero_split, H.hero_minimal), (grids.features, grids.split_rows), (_jobs,),
          (grids.testimonials, grids.team, None), (blocks.cta, None))),
    Kind("dashboard", ("admin dashboard", "dashboard", "back-office dashboard"), (),
         layout=special.dashboard, navs=(), footers=()),
    Kind("docs", ("documentation page", "developer docs page", "API documentation page"),
         ("Docs", "API", "Guides", "Changelog", "Support"),
         layout=special.docs, navs=(nav_simple, nav_search), footers=(footer_simple, footer_split)),
    Kind("signup", ("sign-up page", "registration page", "create-account page"), (),
         layout=lambda ctx: special.auth(ctx, signup=True), navs=(), footers=()),
    Kind("login", ("login page", "sign-in page"), (), layout=lambda ctx: special.auth(ctx, signup=False),
         navs=(), footers=()),
    Kind("coming_soon", ("coming-soon page", "launch page"), (), layout=special.coming_soon, navs=(),
         footers=(footer_simple, None)),
)
