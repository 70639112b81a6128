"""Hero sections: the first thing under the navigation bar."""

from __future__ import annotations

from sweetrl.colbench.frontend.pages.base import Ctx, Part
from sweetrl.colbench.frontend.pages.markup import el
from sweetrl.colbench.frontend.pages.topic import CTAS, headline, sentence


def _title(ctx: Ctx, extra: str = "") -> object:
    s = ctx.style
    return el("h1", f"{s.hero_size} {s.weight} tracking-tight leading-tight {s.strong} {extra}",
              headline(ctx.rng, ctx.topic, ctx.brand))


def _sub(ctx: Ctx, extra: str = "") -> object:
    return el("p", f"mt-6 text-lg {ctx.style.muted} {extra}", sentence(ctx.rng, ctx.topic, ctx.brand))


def _ctas(ctx: Ctx) -> list[str]:
    return ctx.sample(CTAS, ctx.rng.randint(1, 2))


def _eyebrow(ctx: Ctx) -> object:
    return ctx.chance(0.5) and el("p", f"mb-4 text-sm font-semibold uppercase tracking-widest "
                                       f"{ctx.style.accent_text}", ctx.pick(ctx.topic.features))


def hero_centred(ctx: Ctx) -> Part:
    pad = ctx.pick(("py-20", "py-24", "py-32"))
    tinted = ctx.chance(0.5)
    return Part("hero.centred", el("section", f"{ctx.style.tint if tinted else ''} {pad}", el(
        "div", "max-w-3xl mx-auto px-6 text-center", _eyebrow(ctx), _title(ctx), _sub(ctx),
        ctx.buttons(_ctas(ctx), centred=True))),
        ctx.pick(("a hero section with a headline and a call to action", "a welcoming hero section",
                  "a large introduction at the top")))


def hero_split(ctx: Ctx) -> Part:
    s = ctx.style
    image_first = ctx.chance(0.35)
    h = ctx.pick((360, 420, 480))
    text = el("div", "", _eyebrow(ctx), _title(ctx), _sub(ctx), ctx.buttons(_ctas(ctx)))
    image = ctx.img(720, h, f"w-full h-[{h}px] object-cover {s.radius} {s.shadow if ctx.chance(0.5) else ''}",
                    ctx.topic.noun)
    pair = (image, text) if image_first else (text, image)
    return Part("hero.split", el("section", f"{s.pad}", el(
        "div", f"{s.container} grid md:grid-cols-2 gap-12 items-center", *pair)),
        ctx.pick(("a hero section with text next to an image", "a hero section with a picture",
                  "an introduction with an eye-catching image")))


def hero_cover(ctx: Ctx) -> Part:
    s = ctx.style
    h = ctx.pick((420, 480, 560))
    centred = ctx.chance(0.6)
    overlay = ctx.pick(("bg-black/50", "bg-black/40", f"bg-{s.primary}-900/60", f"bg-{s.neutral}-900/60"))
    inner = el("div", f"absolute inset-0 {overlay} flex items-center", el(
        "div", f"{s.container} w-full {'text-center' if centred else ''}",
        el("h1", f"{s.hero_size} {s.weight} text-white max-w-3xl {'mx-auto' if centred else ''}",
           headline(ctx.rng, ctx.topic, ctx.brand)),
        el("p", f"mt-4 text-lg text-white/80 max-w-2xl {'mx-auto' if centred else ''}",
           sentence(ctx.rng, ctx.topic, ctx.brand)),
        ctx.buttons(_ctas(ctx)[:1], centred=centred)))
    return Part("hero.cover", el("section", f"relative h-[{h}px]", ctx.img(1600, h, "w-full h-full object-cover",
                                                                          ctx.topic.noun), inner),
                ctx.pick(("a full-width banner image with a headline over it", "a large photo banner",
                          "a hero with a background picture")))


def hero_form(ctx: Ctx) -> Part:
    s = ctx.style
    form = el("form", f"{s.card} {'p-8' if s.card_kind != 'flat' else 'p-8 ' + s.tint}",
              el("h3", f"text-xl {s.weight} {s.strong}", ctx.pick(("Get a free quote", "Join the waitlist",
                                                                   "Book a visit", "Request a call back"))),
              el("div", "mt-6 space-y-4",
                 *[el("input", s.input, type=t, placeholder=p) for t, p in ctx.sample(
                     (("text", "Full name"), ("email", "Email address"), ("tel", "Phone number"),
                      ("text", "Company")), ctx.rng.randint(2, 3))]),
              el("button", f"mt-6 w-full {s.button('py-3')}", ctx.pick(CTAS), type="button"))
    return Part("hero.form", el("section", f"{s.tint if ctx.chance(0.5) else ''} {s.pad}", el(
        "div", f"{s.container} grid md:grid-cols-2 gap-12 items-center",
        el("div", "", _eyebrow(ctx), _title(ctx), _sub(ctx)), form)),
        ctx.pick(("a hero section with a sign-up form", "an introduction next to a short form")))


def hero_minimal(ctx: Ctx) -> Part:
    s = ctx.style
    rule = ctx.chance(0.5)
    return Part("hero.minimal", el("section", f"{'border-b ' + s.border if rule else ''} py-16", el(
        "div", s.container, el("div", "max-w-3xl", _eyebrow(ctx), _title(ctx), _sub(ctx, "max-w-2xl")))),
        ctx.pick(("a page title with a short introduction", "a simple header with a title")))


def hero_showcase(ctx: Ctx) -> Part:
    s = ctx.style
    h = ctx.pick((320, 380, 440))
    return Part("hero.showcase", el("section", "pt-20", el(
        "div", f"{s.container} text-center",
        el("span", f"inline-block mb-6 px-3 py-1 text-xs font-semibold rounded-full {s.soft}",
           ctx.pick(("New", "Just launched", "Now open", "Updated")) + f" · {ctx.pick(ctx.topic.features)}"),
        _title(ctx, "max-w-3xl mx-auto"), _sub(ctx, "max-w-2xl mx-auto"),
        ctx.buttons(_ctas(ctx), centred=True),
        ctx.img(1200, h, f"mt-12 w-full h-[{h}px] object-cover {s.radius} {s.shadow}", ctx.brand))),
        ctx.pick(("a hero with a badge, a headline and a wide image below",
                  "an introduction above a large picture")))


def hero_stats(ctx: Ctx) -> Part:
    s = ctx.style
    stats = ctx.sample((("12k+", "happy customers"), ("4.9", "average rating"), ("15", "years of experience"),
                        ("98%", "would recommend"), ("24/7", "support"), ("30+", "cities served")),
                       ctx.rng.randint(3, 4))
    return Part("hero.stats", el("section", f"{s.pad}", el(
        "div", s.container, el("div", "max-w-3xl", _eyebrow(ctx), _title(ctx), _sub(ctx), ctx.buttons(_ctas(ctx))),
        el("dl", f"mt-14 grid grid-cols-2 md:grid-cols-{len(stats)} gap-8 border-t {s.border} pt-8",
           *[el("div", "", el("dt", f"text-3xl {s.weight} {s.accent_text}", v), el("dd", f"mt-1 text-sm {s.muted}", k))
             for v, k in stats]))),
        ctx.pick(("a hero section with a few key numbers", "an introduction with some statistics")))


HEROES = (hero_centred, hero_split, hero_split, hero_cover, hero_form, hero_minimal, hero_showcase, hero_stats)
