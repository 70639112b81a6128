"""Deterministic generator of ColBench-backend-like (task, answer) pairs for benchmarks.

NOT the project's task generator: it only produces realistic *load* for the sandbox
benchmarks. Each task is a personalised Python function (the hidden ground truth) with
10 test-case calls; each answer is what an LLM agent might hand in: a correct
function, one with one personal fact wrong, a syntax error, one that raises on some
inputs, a wrong signature or name, a definition-time import error, prose without code,
and (rarely) an adversarial object whose ``__eq__`` is always true. Answers come with
the usual ```` ```python ```` fences and prose around them, or bare.

Everything is drawn from ``random.Random(seed)``; the same arguments always give the
same pairs. No generated code hangs, prints, touches files or depends on hash order.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Callable

# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class TaskSpec:
    """One generated task: the hidden function, its description and its test calls."""

    task_id: str
    family: str
    func_name: str
    problem_description: str
    ground_truth: str
    calls: tuple[str, ...]
    wrong_fact: str  # a variant of the ground truth with one personal fact changed


@dataclass(frozen=True)
class AnswerSpec:
    kind: str
    text: str
    baseline_trustworthy: bool = True  # False: the in-process baseline can be fooled


# --------------------------------------------------------------------------- helpers


def _args(*values, **kw) -> str:
    parts = [repr(v) for v in values] + [f"{k}={v!r}" for k, v in kw.items()]
    return ", ".join(parts)


def _pick(rng: random.Random, seq):
    return seq[rng.randrange(len(seq))]


# Each family takes the generator's Random and returns (func_name, description,
# render(params) -> source, params, perturb(params) -> params with one fact changed,
# the 10 test-case calls).


def fam_order_total(rng: random.Random):
    p = {
        "t1": rng.randint(5, 20),
        "d1": _pick(rng, [0.05, 0.1, 0.12]),
        "d2": _pick(rng, [0.15, 0.2, 0.25]),
        "member_off": _pick(rng, [2, 5, 7.5, 10]),
        "min_total": _pick(rng, [0, 1, 5]),
        "digits": 2,
    }
    p["t2"] = p["t1"] + rng.randint(10, 40)

    def render(q):
        return f'''def calculate_order_total(unit_price, quantity, is_member=False):
    subtotal = unit_price * quantity
    if quantity >= {q["t2"]}:
        subtotal *= 1 - {q["d2"]}
    elif quantity >= {q["t1"]}:
        subtotal *= 1 - {q["d1"]}
    if is_member:
        subtotal -= {q["member_off"]}
    if subtotal < {q["min_total"]}:
        subtotal = {q["min_total"]}
    return round(subtotal, {q["digits"]})
'''

    def perturb(q):
        q = dict(q)
        which = rng.randrange(4)
        if which == 0:
            q["t1"] += 1
        elif which == 1:
            q["d2"] = round(q["d2"] + 0.05, 2)
        elif which == 2:
            q["member_off"] = q["member_off"] * 2
        else:
            q["digits"] = 1
        return q

    calls = []
    for q in (p["t1"] - 1, p["t1"], p["t2"] - 1, p["t2"], rng.randint(1, 4),
              rng.randint(p["t1"], p["t2"]), p["t2"] + rng.randint(1, 50), 1,
              rng.randint(1, 80), p["t1"]):
        price = round(rng.uniform(0.5, 60), 2)
        calls.append(f"calculate_order_total({_args(price, q, rng.random() < 0.4)})")
    desc = ("I run a small online shop and need a function that computes the total of an "
            "order from the unit price and quantity, with my bulk discounts and a member "
            "discount.")
    return "calculate_order_total", desc, render, p, perturb, calls


def fam_shipping(rng: random.Random):
    zones = ["domestic", "eu", "americas", "asia", "oceania"]
    chosen = rng.sample(zones, 3)
    p = {
        "rates": {z: round(rng.uniform(3, 25), 2) for z in chosen},
        "w1": _pick(rng, [1, 2, 2.5]),
        "w2": _pick(rng, [10, 15, 20]),
        "per_kg": _pick(rng, [0.8, 1.25, 1.5, 2.0]),
        "heavy": _pick(rng, [5, 10, 12.5]),
        "express": _pick(rng, [1.5, 1.75, 2]),
    }

    def render(q):
        return f'''def shipping_cost(weight_kg, zone, express=False):
    rates = {q["rates"]!r}
    if weight_kg <= 0 or zone not in rates:
        return None
    cost = rates[zone]
    if weight_kg > {q["w1"]}:
        cost += (min(weight_kg, {q["w2"]}) - {q["w1"]}) * {q["per_kg"]}
    if weight_kg > {q["w2"]}:
        cost += {q["heavy"]}
    if express:
        cost *= {q["express"]}
    return round(cost, 2)
'''

    def perturb(q):
        q = dict(q)
        which = rng.randrange(3)
        if which == 0:
            q["per_kg"] = q["per_kg"] + 0.25
        elif which == 1:
            q["express"] = q["express"] + 0.25
        else:
            q["w2"] = q["w2"] + 5
        return q

    calls = [f"shipping_cost({_args(0, chosen[0])})"]  # ground truth None: not counted
    for _ in range(9):
        w = _pick(rng, [round(rng.uniform(0.1, 40), 1), p["w1"], p["w2"], p["w2"] + 1])
        calls.append(f"shipping_cost({_args(w, _pick(rng, chosen), express=rng.random() < 0.3)})")
    desc = ("Write a function that tells me how much it costs to ship a parcel given its "
            "weight in kg, the destination zone and whether express delivery is wanted.")
    return "shipping_cost", desc, render, p, perturb, calls


def fam_grade(rng: random.Random):
    a = rng.randint(85, 93)
    p = {"cut": [a, a - 10, a - 20, a - 30], "plus": _pick(rng, [6, 7, 8]),
         "minus": _pick(rng, [2, 3]), "curve": rng.randint(0, 5)}

    def render(q):
        c = q["cut"]
        return f'''def letter_grade(score, extra_credit=0):
    adjusted = min(100, score + extra_credit + {q["curve"]})
    for cutoff, letter in (({c[0]}, "A"), ({c[1]}, "B"), ({c[2]}, "C"), ({c[3]}, "D")):
        if adjusted >= cutoff:
            remainder = adjusted - cutoff
            if letter != "A" and remainder >= {q["plus"]}:
                return letter + "+"
            if remainder < {q["minus"]}:
                return letter + "-"
            return letter
    return "F"
'''

    def perturb(q):
        q = dict(q)
        which = rng.randrange(3)
        if which == 0:
            q["curve"] += 1
        elif which == 1:
            q["plus"] -= 1
        else:
            q["cut"] = [x + 1 for x in q["cut"]]
        return q

    calls = []
    for _ in range(10):
        s = rng.randint(40, 100)
        calls.append(f"letter_grade({_args(s)})" if rng.random() < 0.6
                     else f"letter_grade({_args(s, extra_credit=rng.randint(1, 4))})")
    desc = ("I teach a class and want a function that converts a numeric score to a "
            "letter grade with plus and minus, using my cut-offs and the class curve.")
    return "letter_grade", desc, render, p, perturb, calls


def fam_tax(rng: random.Random):
    l1 = rng.randrange(8000, 15000, 500)
    l2 = l1 + rng.randrange(20000, 40000, 1000)
    p = {"std": rng.randrange(2000, 6000, 250), "l1": l1, "l2": l2,
         "r": [_pick(rng, [0.0, 0.05, 0.1]), _pick(rng, [0.15, 0.2, 0.22]),
               _pick(rng, [0.3, 0.35, 0.4])]}

    def render(q):
        return f'''def income_tax(income, deductions=0):
    taxable = max(0, income - {q["std"]} - deductions)
    brackets = [({q["l1"]}, {q["r"][0]}), ({q["l2"]}, {q["r"][1]}), (None, {q["r"][2]})]
    tax = 0.0
    lower = 0
    for upper, rate in brackets:
        if upper is None or taxable <= upper:
            tax += (taxable - lower) * rate
            break
        tax += (upper - lower) * rate
        lower = upper
    return round(tax, 2)
'''

    def perturb(q):
        q = dict(q)
        which = rng.randrange(3)
        if which == 0:
            q["std"] += 500
        elif which == 1:
            q["r"] = [q["r"][0], round(q["r"][1] + 0.02, 2), q["r"][2]]
        else:
            q["l2"] += 5000
        return q

    calls = []
    for _ in range(10):
        inc = _pick(rng, [rng.randrange(0, 120000, 50), p["l1"] + p["std"], p["l2"] + p["std"] + 1])
        calls.append(f"income_tax({_args(inc)})" if rng.random() < 0.5
                     else f"income_tax({_args(inc, rng.randrange(0, 8000, 100))})")
    desc = ("Can you write a function that computes the income tax I owe given my income "
            "and deductions, using my country's brackets?")
    return "income_tax", desc, render, p, perturb, calls


FIRST = ["Ana", "Bo", "Chloé", "Dmitri", "Eve", "Farah", "Gus", "Hiro", "Ines", "Jean-Luc",
         "Kofi", "Lena", "Mo", "Nadia", "O'Neil", "Priya", "Quinn", "Ravi", "Sofia", "Tom"]
LAST = ["Smith", "García", "O'Brien", "Nguyen", "van Dijk", "Kowalski", "Lee", "Müller",
        "Okafor", "Rossi", "St. John", "Tanaka", "Zhang", "Al-Sayed", "Brown"]


def fam_username(rng: random.Random):
    p = {"n_first": rng.randint(1, 3), "sep": _pick(rng, ["", ".", "_"]),
         "max_len": rng.randint(8, 14), "year_digits": _pick(rng, [2, 4])}

    def render(q):
        sep = q["sep"]
        return f'''def make_username(first_name, last_name, birth_year):
    base = (first_name[:{q["n_first"]}] + {sep!r} + last_name).lower()
    base = "".join(ch for ch in base if ch.isascii() and (ch.isalnum() or ch == {sep!r}))
    if len(base) > {q["max_len"]}:
        base = base[:{q["max_len"]}]
    return base + str(birth_year)[-{q["year_digits"]}:]
'''

    def perturb(q):
        q = dict(q)
        which = rng.randrange(3)
        if which == 0:
            q["n_first"] = q["n_first"] % 3 + 1
        elif which == 1:
            q["max_len"] -= 2
        else:
            q["year_digits"] = 6 - q["year_digits"]
        return q

    calls = [f"make_username({_args(_pick(rng, FIRST), _pick(rng, LAST), rng.randint(1950, 2010))})"
             for _ in range(10)]
    desc = ("I need a function that creates usernames for our new employees from their "
            "first name, last name and birth year, following our IT department's rules.")
    return "make_username", desc, render, p, perturb, calls


PLAYERS = ["ana", "ben", "cai", "dee", "eli", "fay", "gil", "hal", "ivy", "jon", "kim", "liv"]


def fam_leaderboard(rng: random.Random):
    p = {"min_games": rng.randint(2, 6), "tie": _pick(rng, ["name", "games"]),
         "per_game": rng.random() < 0.5}

    def render(q):
        score = ('round(p["points"] / p["games"], 2)' if q["per_game"] else 'p["points"]')
        tie = 'p["name"]' if q["tie"] == "name" else '-p["games"], p["name"]'
        return f'''def top_players(players, n=3):
    eligible = [p for p in players if p["games"] >= {q["min_games"]}]
    ranked = sorted(eligible, key=lambda p: (-{score}, {tie}))
    return [p["name"] for p in ranked[:n]]
'''

    def perturb(q):
        q = dict(q)
        which = rng.randrange(3)
        if which == 0:
            q["min_games"] += 1
        elif which == 1:
            q["tie"] = "games" if q["tie"] == "name" else "name"
        else:
            q["per_game"] = not q["per_game"]
        return q

    calls = []
    for _ in range(10):
        names = rng.sample(PLAYERS, rng.randint(3, 8))
        players = [{"name": nm, "points": rng.choice([10, 12, 15, 20, rng.randint(0, 40)]),
                    "games": rng.randint(1, 8)} for nm in names]
        calls.append(f"top_players({_args(players, n=rng.randint(1, 5))})")
    desc = ("Write a function that returns the names of the top players of my board-game "
            "club from a list of player records, with our eligibility and tie-break rules.")
    return "top_players", desc, render, p, perturb, calls


def fam_due_date(rng: random.Random):
    year = rng.choice([2023, 2024, 2025])
    holidays = sorted({f"{year}-{m:02d}-{d:02d}" for m, d in
                       ((rng.randint(1, 12), rng.randint(1, 28)) for _ in range(4))})
    p = {"holidays": holidays, "workdays": _pick(rng, [5, 6]), "as_date": rng.random() < 0.5}

    def render(q):
        ret = "current" if q["as_date"] else "current.isoformat()"
        return f'''import datetime


def due_date(start, business_days):
    holidays = {q["holidays"]!r}
    current = datetime.date.fromisoformat(start)
    added = 0
    while added < business_days:
        current += datetime.timedelta(days=1)
        if current.weekday() < {q["workdays"]} and current.isoformat() not in holidays:
            added += 1
    return {ret}
'''

    def perturb(q):
        q = dict(q)
        if rng.random() < 0.5:
            q["workdays"] = 11 - q["workdays"]
        else:
            q["holidays"] = q["holidays"][1:]
        return q

    calls = []
    for i in range(10):
        if i < 2 and holidays:
            # start just before a holiday so the holiday rule matters
            h = holidays[i % len(holidays)]
            start = f"{h[:8]}{max(1, int(h[8:]) - rng.randint(1, 3)):02d}"
        else:
            start = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        calls.append(f"due_date({_args(start, rng.randint(1, 25))})")
    desc = ("Give me a function that computes when an invoice is due: a start date "
            "(YYYY-MM-DD) plus a number of business days, skipping our office's days off.")
    return "due_date", desc, render, p, perturb, calls


UNITS = ["tsp", "tbsp", "cup", "ml", "l", "floz"]


def fam_convert(rng: random.Random):
    p = {"cup": _pick(rng, [240.0, 236.59, 250.0]), "digits": _pick(rng, [1, 2]),
         "tbsp": _pick(rng, [14.79, 15.0])}

    def render(q):
        return f'''def convert_quantity(amount, from_unit, to_unit):
    to_ml = {{"tsp": {round(q["tbsp"] / 3, 2)}, "tbsp": {q["tbsp"]}, "cup": {q["cup"]},
             "ml": 1.0, "l": 1000.0, "floz": 29.57}}
    if from_unit not in to_ml or to_unit not in to_ml:
        return None
    return round(amount * to_ml[from_unit] / to_ml[to_unit], {q["digits"]})
'''

    def perturb(q):
        q = dict(q)
        which = rng.randrange(3)
        if which == 0:
            q["cup"] = 236.59 if q["cup"] != 236.59 else 240.0
        elif which == 1:
            q["digits"] = 3 - q["digits"]
        else:
            q["tbsp"] = 15.0 if q["tbsp"] != 15.0 else 14.79
        return q

    calls = []
    for i in range(10):
        a, b = rng.sample(UNITS, 2)
        if i == 0:
            b = "pinch"  # ground truth None: not counted
        if i in (1, 2):
            a = "cup"
        calls.append(f"convert_quantity({_args(_pick(rng, [0.25, 0.5, 1, 1.5, 2, 3, 250, 500]), a, b)})")
    desc = ("I'm converting my grandmother's recipes; write a function that converts an "
            "amount between kitchen units the way I measure them.")
    return "convert_quantity", desc, render, p, perturb, calls


def fam_loyalty(rng: random.Random):
    p = {"m": [1, _pick(rng, [1.5, 2]), _pick(rng, [2.5, 3])], "min_purchase": _pick(rng, [5, 10, 20]),
         "cap": _pick(rng, [500, 1000, 2500]), "voucher": _pick(rng, [100, 150, 200])}

    def render(q):
        m = q["m"]
        return f'''import math


def loyalty_summary(purchases, tier="bronze"):
    multipliers = {{"bronze": {m[0]}, "silver": {m[1]}, "gold": {m[2]}}}
    points = 0
    for amount in purchases:
        if amount >= {q["min_purchase"]}:
            points += math.floor(amount * multipliers[tier])
    points = min(points, {q["cap"]})
    return {{"points": points, "vouchers": points // {q["voucher"]}, "tier": tier}}
'''

    def perturb(q):
        q = dict(q)
        which = rng.randrange(3)
        if which == 0:
            q["min_purchase"] += 5
        elif which == 1:
            q["voucher"] += 50
        else:
            q["m"] = [q["m"][0], q["m"][1], q["m"][2] + 0.5]
        return q

    calls = []
    for _ in range(10):
        purchases = [round(rng.uniform(1, 300), 2) for _ in range(rng.randint(0, 12))]
        calls.append(f"loyalty_summary({_args(purchases, _pick(rng, ['bronze', 'silver', 'gold']))})")
    desc = ("Write a function that summarises a customer's loyalty points for my café from "
            "their purchase amounts and membership tier.")
    return "loyalty_summary", desc, render, p, perturb, calls


def fam_parking(rng: random.Random):
    p = {"grace": _pick(rng, [0.25, 0.5]), "first": _pick(rng, [2, 3, 4.5]),
         "hourly": _pick(rng, [1.5, 2, 2.5]), "cap": _pick(rng, [15, 20, 24]),
         "weekend": _pick(rng, [0.5, 0.75, 1.25])}

    def render(q):
        return f'''import math


def parking_fee(hours, weekend=False):
    if hours < 0:
        return None
    if hours <= {q["grace"]}:
        return 0
    fee = {q["first"]} + max(0, math.ceil(hours) - 1) * {q["hourly"]}
    if weekend:
        fee *= {q["weekend"]}
    return round(min(fee, {q["cap"]}), 2)
'''

    def perturb(q):
        q = dict(q)
        which = rng.randrange(3)
        if which == 0:
            q["grace"] = 0.75 - q["grace"]
        elif which == 1:
            q["cap"] += 5
        else:
            q["hourly"] += 0.5
        return q

    calls = [f"parking_fee({_args(-1)})"]  # ground truth None
    for _ in range(9):
        calls.append(f"parking_fee({_args(_pick(rng, [0.25, 0.5, 0.6, 1, 2.5, 3, 7.2, 12, round(rng.uniform(0, 14), 2)]), rng.random() < 0.3)})")
    desc = ("Can you write a function for the parking lot I manage that computes the fee "
            "for a stay of some hours, including our grace period and weekend pricing?")
    return "parking_fee", desc, render, p, perturb, calls


WORDS = ("the cat sat on a mat and the dog ran to the park with a ball while birds sang "
         "over green trees near the river bank where children play every sunny day").split()


def fam_top_words(rng: random.Random):
    p = {"min_len": _pick(rng, [2, 3, 4]), "stop": sorted(rng.sample(["the", "a", "and", "to", "on", "with", "over"], 3))}

    def render(q):
        return f'''def top_words(text, k=3):
    stop = {q["stop"]!r}
    counts = {{}}
    for word in text.lower().replace(",", " ").replace(".", " ").split():
        if len(word) >= {q["min_len"]} and word not in stop:
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [tuple(kv) for kv in ranked[:k]]
'''

    def perturb(q):
        q = dict(q)
        if rng.random() < 0.5:
            q["min_len"] += 1
        else:
            q["stop"] = q["stop"][:-1]
        return q

    calls = []
    for _ in range(10):
        words = [_pick(rng, WORDS) for _ in range(rng.randint(5, 40))]
        text = " ".join(w.capitalize() if rng.random() < 0.1 else w for w in words) + "."
        calls.append(f"top_words({_args(text, rng.randint(1, 5))})")
    desc = ("Write a function that finds the most frequent words in a text for my blog's "
            "tag cloud, as (word, count) pairs.")
    return "top_words", desc, render, p, perturb, calls


def fam_password(rng: random.Random):
    p = {"min_len": _pick(rng, [8, 10, 12]), "specials": _pick(rng, ["!@#$%", "!@#$%^&*", "!?.-_"]),
         "labels": _pick(rng, [("weak", "ok", "strong"), ("bad", "fair", "good")]),
         "strong_at": _pick(rng, [4, 5])}

    def render(q):
        lab = q["labels"]
        return f'''def password_strength(password):
    score = 0
    if len(password) >= {q["min_len"]}:
        score += 1
    if len(password) >= {q["min_len"] + 4}:
        score += 1
    if any(c.isupper() for c in password) and any(c.islower() for c in password):
        score += 1
    if any(c.isdigit() for c in password):
        score += 1
    if any(c in {q["specials"]!r} for c in password):
        score += 1
    label = {lab[2]!r} if score >= {q["strong_at"]} else {lab[1]!r} if score >= 2 else {lab[0]!r}
    return (score, label)
'''

    def perturb(q):
        q = dict(q)
        which = rng.randrange(3)
        if which == 0:
            q["min_len"] += 2
        elif which == 1:
            q["specials"] = q["specials"][:-2]
        else:
            q["strong_at"] = 9 - q["strong_at"]
        return q

    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*?.-_"
    calls = [f"password_strength({_args(''.join(rng.choice(alphabet) for _ in range(rng.randint(3, 18))))})"
             for _ in range(10)]
    desc = ("I need a function that rates how strong a password is, following our "
            "company's policy, returning a score and a label.")
    return "password_strength", desc, render, p, perturb, calls


FAMILIES: dict[str, Callable] = {
    "order_total": fam_order_total, "shipping": fam_shipping, "grade": fam_grade,
    "tax": fam_tax, "username": fam_username, "leaderboard": fam_leaderboard,
    "due_date": fam_due_date, "convert": fam_convert, "loyalty": fam_loyalty,
    "parking": fam_parking, "top_words": fam_top_words, "password": fam_password,
}


def make_task(rng: random.Random, index: int) -> TaskSpec:
    family = list(FAMILIES)[index % len(FAMILIES)]
    name, desc, render, params, perturb, calls = FAMILIES[family](rng)
    gt = render(params)
    wrong = render(perturb(params))
    assert len(calls) == 10
    return TaskSpec(f"{family}-{index:05d}", family, name, desc, gt, tuple(calls), wrong)


# --------------------------------------------------------------------------- answers

# kind -> weight (fractions of answers)
ANSWER_KINDS: dict[str, float] = {
    "correct": 0.34,
    "wrong_fact": 0.30,
    "raises_sometimes": 0.09,
    "syntax_error": 0.07,
    "wrong_name": 0.05,
    "missing_param": 0.05,
    "definition_error": 0.04,
    "no_code": 0.03,
    "eq_hack": 0.03,  # adversarial: fools the in-process baseline
}

PROSE_BEFORE = [
    "Thanks for all the details! Here is the function:\n\n",
    "Based on what you told me, this should do it.\n\n",
    "I WANT TO ANSWER:\n",
    "Here's a Python implementation that follows your rules:\n",
    "",
]
PROSE_AFTER = [
    "\n\nLet me know if you want any changes.",
    "\n\nThe function handles the edge cases you mentioned.",
    "\n\nExample:\n```\n>>> see above\n```\n",
    "",
]


def _first_param(source: str, func: str) -> str:
    m = re.search(rf"def {func}\(([A-Za-z_][A-Za-z_0-9]*)", source)
    assert m, source
    return m.group(1)


def _add_docstring(source: str, func: str, desc: str) -> str:
    lines = source.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"def {func}("):
            lines.insert(i + 1, f'    """{desc.split(",")[0].rstrip(".")}."""')
            break
    return "\n".join(lines) + "\n"


def _with_main_guard(source: str, call: str) -> str:
    return source + f'\n\nif __name__ == "__main__":\n    print({call})\n'


def make_answer(rng: random.Random, task: TaskSpec, kind: str) -> AnswerSpec:
    func = task.func_name
    code = task.ground_truth
    trustworthy = True
    if kind == "correct":
        code = _add_docstring(code, func, task.problem_description) if rng.random() < 0.6 else code
        if rng.random() < 0.3:
            code = _with_main_guard(code, task.calls[0])
    elif kind == "wrong_fact":
        code = task.wrong_fact
    elif kind == "raises_sometimes":
        first = _first_param(code, func)
        guard = (f"    if len(repr({first})) % 3 == {rng.randrange(3)}:\n"
                 f"        raise ValueError('unsupported input: ' + repr({first}))\n")
        code = re.sub(rf"(def {func}\([^\n]*\):\n)", lambda m: m.group(1) + guard, code, count=1)
    elif kind == "syntax_error":
        if rng.random() < 0.5:
            code = re.sub(rf"(def {func}\([^\n]*\)):", r"\1", code, count=1)  # missing colon
        else:
            code = code.replace("return ", "return (", 1)  # unbalanced parenthesis
    elif kind == "wrong_name":
        code = code.replace(f"def {func}(", f"def {func}_v2(", 1)
    elif kind == "missing_param":
        code = re.sub(rf"def {func}\(([^\n]*?)(, [A-Za-z_]+(=[^,)]*)?)\):",
                      lambda m: f"def {func}({m.group(1)}):", code, count=1)
        if code == task.ground_truth:  # single-parameter function: rename the parameter
            first = _first_param(code, func)
            code = code.replace(f"def {func}({first})", f"def {func}(value)", 1)
    elif kind == "definition_error":
        code = f"from {func}_helpers import validate_input\n\n" + code
    elif kind == "no_code":
        return AnswerSpec(kind, _pick(rng, [
            "I'm sorry, I need more information about your rules before I can write this.",
            "Could you tell me the exact thresholds you use? Then I'll write the function.",
        ]))
    elif kind == "eq_hack":
        trustworthy = False
        code = (f"class _Anything:\n    def __eq__(self, other):\n        return True\n\n\n"
                f"def {func}(*args, **kwargs):\n    return _Anything()\n")
    else:
        raise ValueError(kind)
    if rng.random() < 0.8:
        text = f"{_pick(rng, PROSE_BEFORE)}```python\n{code}```{_pick(rng, PROSE_AFTER)}"
    else:
        text = code
    return AnswerSpec(kind, text, trustworthy)


def generate(n_tasks: int, answers_per_task: int, seed: int) -> list[tuple[TaskSpec, list[AnswerSpec]]]:
    """``n_tasks`` tasks (families in rotation), each with ``answers_per_task`` answers."""
    rng = random.Random(seed)
    kinds, weights = list(ANSWER_KINDS), list(ANSWER_KINDS.values())
    out = []
    for i in range(n_tasks):
        task = make_task(rng, i)
        answers = [make_answer(rng, task, rng.choices(kinds, weights)[0])
                   for _ in range(answers_per_task)]
        out.append((task, answers))
    return out
