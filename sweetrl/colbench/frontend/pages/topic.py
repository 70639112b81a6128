"""Page content: a topic's word bank, generic word banks, and the phrases built from them.

Text is made from short templates filled with a topic's own words (brands, items,
features, benefits), so a page about a sushi bar talks about nigiri and omakase, not
lorem ipsum. Everything draws from the ``random.Random`` it is given.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """What a page is about: a kind of business and its vocabulary."""

    slug: str
    noun: str  # "coffee roastery"
    audience: str  # "coffee lovers"
    brands: tuple[str, ...]
    items: tuple[str, ...]  # things offered: products, dishes, services, plans
    features: tuple[str, ...]  # selling points, title case
    benefits: tuple[str, ...]  # "roasted to order every week": completes "Every X is ..."
    price: tuple[int, int]
    food: bool = False


def T(slug: str, noun: str, audience: str, *, price: tuple[int, int], brands: str, items: str,
      features: str, benefits: str, food: bool = False) -> Topic:
    """A :class:`Topic` from ``|``-separated word lists (compact banks)."""
    return Topic(slug, noun, audience, tuple(brands.split("|")), tuple(items.split("|")),
                 tuple(features.split("|")), tuple(benefits.split("|")), price, food)


FIRST = ("Ava", "Liam", "Maya", "Noah", "Zara", "Omar", "Elena", "Kenji", "Priya", "Lucas", "Chloe",
         "Mateo", "Amara", "Felix", "Sofia", "Jonah", "Leila", "Arjun", "Hannah", "Diego", "Ingrid",
         "Tariq", "Mei", "Samuel", "Nora", "Yusuf", "Clara", "Rafael", "Ines", "Theo")
LAST = ("Chen", "Okafor", "Silva", "Novak", "Haddad", "Larsen", "Patel", "Moreau", "Kim", "Rossi",
        "Walsh", "Tanaka", "Mensah", "Fischer", "Alvarez", "Brooks", "Ivanova", "Nakamura", "Reyes",
        "Dubois", "Kowalski", "Ahmed", "Lindqvist", "Costa", "Murphy")
ROLES = ("Founder", "Co-founder", "Head Chef", "Creative Director", "Operations Lead",
         "Customer Success", "Lead Designer", "Head of Product", "Marketing Manager", "Engineer",
         "Studio Manager", "Senior Consultant", "Community Lead", "Art Director", "Coach")
CITIES = ("Lisbon", "Portland", "Melbourne", "Toronto", "Austin", "Copenhagen", "Edinburgh",
          "Cape Town", "Kyoto", "Denver", "Bristol", "Montreal", "Auckland", "Seville", "Chicago")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STREETS = ("Harbour Road", "Elm Street", "Market Square", "Station Lane", "King Street",
           "Riverside Walk", "Mill Road", "Park Avenue", "Church Street", "Canal Side")
ADJECTIVES = ("Simple", "Honest", "Fresh", "Modern", "Friendly", "Thoughtful", "Reliable", "Bold",
              "Better", "Local", "Careful", "Bright")
QUOTES = ("I can't recommend {brand} enough. {Benefit} and it shows.",
          "The {item} was exactly what we needed. The team made everything easy.",
          "We've tried others, but {brand} is in a class of its own.",
          "Friendly people, great {item_lower}, and always on time. Five stars.",
          "{Feature} made a real difference for us. We keep coming back.",
          "Everything is {benefit}. You can really tell the difference.",
          "From the first visit we felt at home. The {item_lower} is our favourite.")
QUESTIONS = ("How do I book {item_a}?", "Do you offer {feature_lower}?", "What does {item_a} cost?",
             "Can I change or cancel my order?", "Where are you located?",
             "How long does it take?", "Do you have gift cards?", "Is there a discount for groups?",
             "What are your opening hours?", "Do I need to create an account?",
             "Which payment methods do you accept?", "Can I talk to someone first?")
ANSWERS = ("Yes. Everything we do is {benefit}, and our team is happy to help you choose.",
           "You can book online in a few minutes, or call us and we will arrange it for you.",
           "Prices start at {price}. Get in touch for a personal quote.",
           "Of course. Changes are free up to 48 hours before, and refunds take a few days.",
           "We are at {number} {street} in {city}, open seven days a week.",
           "Most customers hear back within one working day. {Feature} is included as standard.")
POSTS = ("{n} things we learned about {feature_lower}", "Why every {item_lower} should be {benefit}",
         "A beginner's guide to {item_lower}", "Behind the scenes at {brand}",
         "How we choose our {item_lower}", "{Feature}: what it means for {audience}",
         "Our favourite {item_lower} of the season", "Meet the team behind {brand}",
         "What's new at {brand} this {month_long}", "The story of our {item_lower}")
CTAS = ("Get started", "Learn more", "Book now", "Contact us", "Sign up", "Get in touch",
        "Explore", "Join today", "Try it free", "See more", "Reserve", "Discover more")
JOBS = ("Product Designer", "Frontend Engineer", "Customer Support Lead", "Marketing Associate",
        "Operations Manager", "Sales Executive", "Data Analyst", "Content Writer",
        "Store Manager", "Office Coordinator")
STATUSES = ("Paid", "Pending", "Shipped", "Refunded", "Cancelled", "Completed", "Processing")
TIERS = (("Basic", "Pro", "Team", "Enterprise"), ("Starter", "Growth", "Scale", "Custom"),
         ("Free", "Plus", "Premium", "Business"), ("Solo", "Studio", "Agency", "Partner"))
MONTHS_LONG = ("spring", "summer", "autumn", "winter")


def pick(rng: random.Random, seq):
    """One element of ``seq``."""
    return seq[rng.randrange(len(seq))]


def article(noun: str) -> str:
    return ("an " if noun[0].lower() in "aeiou" else "a ") + noun


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def person(rng: random.Random) -> str:
    return f"{pick(rng, FIRST)} {pick(rng, LAST)}"


def price(rng: random.Random, topic: Topic) -> str:
    """A plausible price in the topic's range, rounded the way shops round them."""
    lo, hi = topic.price
    value = lo + (hi - lo) * rng.random() ** 2  # cheap items more often
    if value >= 10000:
        return f"${round(value, -3):,.0f}"
    if value >= 100:
        return f"${round(value, -1):,.0f}"
    if value >= 20:
        return f"${int(value)}"
    return f"${int(value)}.{pick(rng, ('00', '50', '95', '99'))}"


def date(rng: random.Random) -> str:
    return f"{pick(rng, MONTHS)} {rng.randint(1, 28)}, {rng.randint(2022, 2025)}"


def fill(rng: random.Random, template: str, topic: Topic, brand: str) -> str:
    """A template with {brand}, {item}, {feature}, {benefit}, ... filled from the topic."""
    item = pick(rng, topic.items)
    feature = pick(rng, topic.features)
    benefit = pick(rng, topic.benefits)
    return template.format(
        brand=brand, item=item, item_lower=item.lower(), item_a=article(item.lower()),
        feature=feature, feature_lower=feature.lower(), Feature=feature, benefit=benefit,
        Benefit=cap(benefit), audience=topic.audience, noun=topic.noun, city=pick(rng, CITIES),
        street=pick(rng, STREETS), number=rng.randint(2, 240), price=price(rng, topic),
        n=rng.randint(3, 9), month_long=pick(rng, MONTHS_LONG))


_HEADLINES = ("{Feature} for {audience}", "The {noun} {audience} love", "{adj} {noun}, done right",
              "Welcome to {brand}", "{Benefit}", "{adj} {item_lower} for everyone",
              "Everything {audience} need", "Meet {brand}", "{brand}: {feature_lower} and more",
              "Your local {noun}", "Made for {audience}")
_SUBLINES = ("{brand} is {noun_a} for {audience}. Every {item_lower} is {benefit}.",
             "From {item_lower} to {item2_lower}, everything we offer is {benefit}.",
             "{Feature}, {feature2_lower} and a team that cares. Discover why {audience} choose {brand}.",
             "We started {brand} to make {item_lower} simple. Today it is {benefit}.",
             "{Benefit}. {Feature} included, no surprises.")


def headline(rng: random.Random, topic: Topic, brand: str) -> str:
    item, feature, benefit = pick(rng, topic.items), pick(rng, topic.features), pick(rng, topic.benefits)
    return pick(rng, _HEADLINES).format(
        Feature=feature, feature_lower=feature.lower(), audience=topic.audience, noun=topic.noun,
        adj=pick(rng, ADJECTIVES), brand=brand, Benefit=cap(benefit), item_lower=item.lower())


def sentence(rng: random.Random, topic: Topic, brand: str) -> str:
    """One or two sentences of marketing copy."""
    i1, i2 = rng.sample(topic.items, 2)
    f1, f2 = rng.sample(topic.features, 2)
    return pick(rng, _SUBLINES).format(
        brand=brand, noun_a=article(topic.noun), audience=topic.audience, item_lower=i1.lower(),
        item2_lower=i2.lower(), benefit=pick(rng, topic.benefits), Benefit=cap(pick(rng, topic.benefits)),
        Feature=f1, feature2_lower=f2.lower())


def blurb(rng: random.Random, topic: Topic, item: str = "") -> str:
    """A one-line description of one of the topic's items (or of anything, without ``item``)."""
    templates = ("{b}.", "{b}, with {f}.", "{f}, {b}.", "Loved by {a}; {b}.") + (("Our {i}, {b}.",) if item else ())
    return cap(pick(rng, templates).format(b=pick(rng, topic.benefits), f=pick(rng, topic.features).lower(),
                                           i=item.lower(), a=topic.audience))


def quote(rng: random.Random, topic: Topic, brand: str) -> str:
    return fill(rng, pick(rng, QUOTES), topic, brand)


def faq(rng: random.Random, topic: Topic, brand: str, n: int) -> list[tuple[str, str]]:
    questions = rng.sample(QUESTIONS, n)
    return [(fill(rng, q, topic, brand), fill(rng, pick(rng, ANSWERS), topic, brand)) for q in questions]


def post_title(rng: random.Random, topic: Topic, brand: str) -> str:
    return cap(fill(rng, pick(rng, POSTS), topic, brand))
