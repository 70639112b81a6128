"""ColBench backend judging semantics (ALGORITHM.md) on a real sandbox pool."""

from __future__ import annotations

import asyncio
import collections
import datetime
import decimal
import fractions

import pytest
from sandbox_helpers import INC, INC_RIGHT, judge, outcomes, probe, requires_strict, small_config, task

from sweetrl.errors import InvalidInput
from sweetrl.sandbox.evaluator import EvalItem, Evaluator
from sweetrl.sandbox.models import ErrorKind, Outcome

pytestmark = [pytest.mark.isolation, requires_strict, pytest.mark.asyncio(loop_scope="module")]
# One slot: the ground truth and the answer of an evaluation run in the same slot, one
# after the other, which is what the isolation tests below need.
POOL_CONFIG = small_config(slots=1)

P, W = Outcome.PASSED, Outcome.WRONG_OUTPUT
DOUBLE = task("def f(x):\n    return 2 * x\n", "f(1)", "f(2)", "f(3)", "f(4)", task_id="double")


async def test_code_comes_from_the_first_python_fence(pool):
    ev = Evaluator(pool)
    prose = ("I think this works:\n```python\ndef f(x):\n    return x + x\n```\n"
             "Alternatively:\n```python\ndef f(x):\n    return 0\n```")
    good = await ev.evaluate(EvalItem(DOUBLE, prose))
    assert good.reward == 1.0 and good.success
    bad = await ev.evaluate(EvalItem(DOUBLE, "def f(x): return 2*x\n```python\ndef f(x):\n    return x\n```"))
    assert outcomes(bad) == [W, W, W, W]  # the fence is judged, not the text around it


async def test_reward_is_the_fraction_passed_and_success_needs_all(pool):
    half = await judge(pool, DOUBLE, "def f(x):\n    return 2 * x if x < 3 else -1\n")
    assert outcomes(half) == [P, P, W, W]
    assert (half.reward, half.success, half.tests_passed, half.tests_total) == (0.5, False, 2, 4)
    assert half.tests[2].detail == "expected 6, got -1"
    assert half.error_kind is ErrorKind.NONE
    record = half.to_json()
    assert (record["id"], record["tests_passed"], record["success"]) == ("double", 0.5, False)
    full = await judge(pool, DOUBLE, "def f(x):\n    return x * 2\n")
    assert (full.reward, full.success) == (1.0, True)


async def test_a_ground_truth_of_none_never_passes(pool):
    t = task("def f(x):\n    if x:\n        return x\n", "f(0)", "f(5)")
    ev = await judge(pool, t, "def f(x):\n    if x:\n        return x\n")  # also None for f(0)
    assert outcomes(ev) == [Outcome.GROUND_TRUTH_NONE, P]
    assert ev.reward == 0.5 and not ev.success


async def test_ground_truth_errors(pool):
    partly = task("def f(x):\n    return 10 // x\n", "f(0)", "f(5)")
    ev = await judge(pool, partly, "def f(x):\n    return 2\n")
    assert outcomes(ev) == [Outcome.GROUND_TRUTH_ERROR, P]
    assert "ZeroDivisionError" in ev.tests[0].detail
    for broken in ("def f(x) return 1", "def f(x):\n    raise ValueError('no')\n",
                   "raise SystemExit(1)\ndef f(x):\n    return 1\n"):
        ev = await judge(pool, task(broken, "f(1)", "f(2)"), "def f(x):\n    return 1\n")
        assert outcomes(ev) == [Outcome.GROUND_TRUTH_ERROR] * 2
        assert ev.error_kind is ErrorKind.GROUND_TRUTH and ev.reward == 0.0


async def test_an_answer_raising_fails_only_that_case(pool):
    answer = "def f(x):\n    if x == 2:\n        raise KeyError('boom')\n    return 2 * x\n"
    ev = await judge(pool, DOUBLE, answer)
    assert outcomes(ev) == [P, Outcome.ANSWER_ERROR, P, P]
    assert ev.tests[1].detail == "KeyError: 'boom'"
    assert ev.error_kind is ErrorKind.NONE and ev.reward == 0.75


async def test_syntax_and_definition_errors_fail_every_case(pool):
    ev = await judge(pool, DOUBLE, "def f(x) return 2 * x")
    assert outcomes(ev) == [Outcome.ANSWER_ERROR] * 4
    assert ev.error_kind is ErrorKind.SYNTAX and "SyntaxError" in ev.error_detail
    ev = await judge(pool, DOUBLE, "import no_such_module_here\ndef f(x):\n    return 2 * x\n")
    assert outcomes(ev) == [Outcome.ANSWER_ERROR] * 4
    assert ev.error_kind is ErrorKind.DEFINITION and "ModuleNotFoundError" in ev.error_detail
    ev = await judge(pool, DOUBLE, "x = '\0'\ndef f(x):\n    return 2 * x\n")  # NUL byte in source
    assert ev.error_kind is ErrorKind.SYNTAX and ev.reward == 0.0


@pytest.mark.parametrize("answer", ["", "   \n", "```python\n```", "Let me think.\n```python\n\n\n```"])
async def test_an_empty_answer_is_reported_as_such(pool, answer):
    ev = await Evaluator(pool).evaluate(EvalItem(DOUBLE, answer))
    assert ev.error_kind is ErrorKind.EMPTY_ANSWER
    assert outcomes(ev) == [Outcome.ANSWER_ERROR] * 4 and ev.reward == 0.0


# Python == decides, as in the reference: (1, 2) != [1, 2]; 1 == 1.0 == True.
@pytest.mark.parametrize("gt, answer, passes", [
    ("(1, 2)", "[1, 2]", False),
    ("[1, 2]", "[1, 2]", True),
    ("1", "1.0", True),
    ("1", "True", True),
    ("0.1 + 0.2", "0.3", False),
    ("'1'", "1", False),
    ("{1: 'a'}", "{1.0: 'a'}", True),
    ("{1, 2}", "frozenset({2, 1})", True),
    ("collections.OrderedDict(a=1, b=2)", "{'b': 2, 'a': 1}", True),
    ("collections.OrderedDict(a=1, b=2)", "collections.OrderedDict(b=2, a=1)", False),
    ("collections.Counter('aab')", "{'a': 2, 'b': 1}", True),
    ("collections.namedtuple('P', 'x y')(1, 2)", "(1, 2)", True),
    ("b'ab'", "bytearray(b'ab')", True),
    ("b'ab'", "'ab'", False),
    ("range(3)", "[0, 1, 2]", False),
    ("float('nan')", "float('nan')", False),
    ("None", "None", False),  # a ground truth of None never passes
])
async def test_equality_follows_python(pool, gt, answer, passes):
    head = "import collections\ndef f():\n    return "
    ev = await judge(pool, task(head + gt + "\n", "f()"), head + answer + "\n")
    assert ev.success is passes, ev.tests[0]


ROUND_TRIP = ("[{'k': (1, 2.5, None)}, {3, 'x'}, frozenset({(1, 2)}), -0.0, 1e308, float('inf'),"
              " 2**20000, -(3**5000), 2**53, b'\\x00\\xff', bytearray(b'z'), 3 + 4j,"
              " decimal.Decimal('1.10'), fractions.Fraction(2, 6), datetime.date(2024, 2, 29),"
              " datetime.datetime(2024, 1, 2, 3, 4, 5, 6), datetime.time(1, 2), datetime.timedelta(-1, 5),"
              " range(1, 9, 2), collections.OrderedDict([(2, 'b'), (1, 'a')]), collections.Counter('abca'),"
              " collections.defaultdict(list, {1: [2]}), [[[[[[[]]]]]]], 'é\\U0001F600\\x00', True]")
IMPORTS = "import collections, datetime, decimal, fractions\n"


async def test_values_round_trip_through_the_codec(pool):
    value = await probe(pool, IMPORTS + "def f():\n    return " + ROUND_TRIP + "\n")
    expected = [{"k": (1, 2.5, None)}, {3, "x"}, frozenset({(1, 2)}), -0.0, 1e308, float("inf"),
                2**20000, -(3**5000), 2**53, b"\x00\xff", bytearray(b"z"), 3 + 4j,
                decimal.Decimal("1.10"), fractions.Fraction(1, 3), datetime.date(2024, 2, 29),
                datetime.datetime(2024, 1, 2, 3, 4, 5, 6), datetime.time(1, 2), datetime.timedelta(-1, 5),
                range(1, 9, 2), collections.OrderedDict([(2, "b"), (1, "a")]), collections.Counter("abca"),
                {1: [2]}, [[[[[[[]]]]]]], "é\U0001F600\x00", True]
    assert value == expected
    assert [type(v) for v in value] == [type(v) for v in expected[:21]] + [dict, list, str, bool]
    assert str(value[3]) == "-0.0" and str(value[12]) == "1.10"
    # and through the evaluator: the same expression passes, a near miss does not
    t = task(IMPORTS + "def f():\n    return " + ROUND_TRIP + "\n", "f()")
    assert (await judge(pool, t, IMPORTS + "def f():\n    return " + ROUND_TRIP + "\n")).success
    near = ROUND_TRIP.replace("2**20000", "2**20000 + 1")
    assert not (await judge(pool, t, IMPORTS + "def f():\n    return " + near + "\n")).success


async def test_values_nested_to_the_limit_are_judged(pool):
    # 64 levels of dicts: the deepest the encoder takes (three JSON levels each)
    code = ("def nest(n):\n    v = 1\n    for _ in range(n):\n        v = {'k': v}\n    return v\n"
            "def f(n):\n    return nest(n)\n")
    ev = await judge(pool, task(code, "f(64)", "f(65)"), code)
    assert outcomes(ev) == [P, Outcome.GROUND_TRUTH_ERROR]


@pytest.mark.parametrize("expr, why", [
    ("object()", "cannot encode a value of type object"),
    ("type('X', (int,), {})(3)", "cannot encode a value of type X"),
    ("list(range(300_000))", "too many elements"),
    ("nested(100)", "nested too deeply"),
])
async def test_unencodable_answer_values(pool, expr, why):
    code = "def nested(n):\n    v = []\n    for _ in range(n):\n        v = [v]\n    return v\n"
    code += "def f():\n    return " + expr + "\n"
    ev = await judge(pool, task("def f():\n    return 1\n", "f()"), code)
    assert outcomes(ev) == [Outcome.ANSWER_UNENCODABLE]
    assert why in ev.tests[0].detail


async def test_a_timeout_fails_only_the_hanging_case(pool):
    answer = "def f(x):\n    while x == 2:\n        pass\n    return 2 * x\n"
    ev = await judge(pool, DOUBLE, answer)
    assert outcomes(ev) == [P, Outcome.ANSWER_TIMEOUT, P, P]
    assert ev.error_kind is ErrorKind.LIMIT
    assert 0.9 < ev.tests[1].answer_seconds < 3.0
    assert ev.reward == 0.75


async def test_ground_truth_outputs_are_cached(pool):
    ev = Evaluator(pool)
    t = task("def f(x):\n    return x * 3\n", "f(1)", "f(2)", task_id="cache")
    first = await ev.evaluate(EvalItem(t, "def f(x):\n    return 3 * x\n", answer_is_code=True))
    second = await ev.evaluate(EvalItem(t, "def f(x):\n    return 0\n", answer_is_code=True))
    assert first.timings.ground_truth_cached is False and second.timings.ground_truth_cached is True
    assert second.timings.ground_truth_seconds == 0.0
    assert (first.reward, second.reward) == (1.0, 0.0)
    assert (ev.cache_misses, ev.cache_hits) == (1, 1)


async def test_concurrent_evaluations_share_one_ground_truth_run(pool):
    ev = Evaluator(pool)
    items = [EvalItem(DOUBLE, f"def f(x):\n    return 2 * x if x != {k} else 0\n", answer_is_code=True)
             for k in range(4)] + [InvalidInput("bad line")]
    results = await ev.evaluate_many(items)
    assert [r.reward for r in results[:4]] == [1.0, 0.75, 0.75, 0.75]
    assert isinstance(results[4], InvalidInput)
    # one ground-truth run (started first by evaluate_many); all four answers reuse it
    assert ev.cache_misses == 1 and ev.cache_hits == 4


async def test_ground_truth_runs_isolated_from_the_answer(pool):
    # Same slot (one-slot pool): the ground truth leaves a file, a global, an env var
    # and a child behind; the answer, judged right after, must see none of them.
    gt = ("import os, builtins, time\n"
          "def f():\n"
          "    open('/tmp/gt-was-here', 'w').write('x')\n"
          "    open('/dev/shm/gt-was-here', 'w').write('x')\n"
          "    os.environ['GT_WAS_HERE'] = '1'\n"
          "    builtins.GT_WAS_HERE = 1\n"
          "    if os.fork() == 0:\n"
          "        time.sleep(30)\n"
          "    return 'clean'\n")
    answer = ("import os, builtins\n"
              "def f():\n"
              "    seen = [p for p in ('/tmp/gt-was-here', '/dev/shm/gt-was-here') if os.path.exists(p)]\n"
              "    seen += ['env'] * ('GT_WAS_HERE' in os.environ)\n"
              "    seen += ['global'] * hasattr(builtins, 'GT_WAS_HERE')\n"
              "    mine = os.getpid()\n"
              "    others = [p for p in os.listdir('/proc') if p.isdigit() and int(p) > 2 and int(p) != mine\n"
              "              and int(p) != os.getppid() and os.path.exists('/proc/%s/stat' % p)\n"
              "              and open('/proc/%s/stat' % p).read().split(') ')[1][0] != 'Z']\n"
              "    return 'clean' if not seen and not others else repr((seen, others))\n")
    ev = await judge(pool, task(gt, "f()", task_id="gt-iso"), answer)
    assert outcomes(ev) == [P], ev.tests[0].detail


async def test_input_limits_are_invalid_input(pool):
    ev = Evaluator(pool)
    with pytest.raises(InvalidInput, match="answer is .* bytes; the limit is"):
        await ev.evaluate(EvalItem(DOUBLE, "x" * (pool.config.max_code_bytes + 1)))
    with pytest.raises(InvalidInput, match="ground_truth is empty"):
        await ev.evaluate(EvalItem(task("  ", "f()"), "def f(): pass"))
    with pytest.raises(InvalidInput, match="has an empty call"):
        await ev.evaluate(EvalItem(task("def f(): pass", " "), "def f(): pass"))
    many = task("def f(): return 1", *["f()"] * (pool.config.max_test_cases + 1))
    with pytest.raises(InvalidInput, match="test_cases has"):
        await ev.evaluate(EvalItem(many, "def f(): return 1"))


async def test_the_standard_example_passes(pool):
    ev = await Evaluator(pool).evaluate(EvalItem(INC, INC_RIGHT))
    assert ev.success and outcomes(ev) == [P, P]
    assert ev.timings.total_seconds < 5 and ev.timings.queue_seconds >= 0.0
    await asyncio.sleep(0)


async def test_cancelling_the_request_that_runs_a_shared_ground_truth_does_not_fail_the_others(pool):
    slow_gt = task("import time\ndef g(x):\n    time.sleep(0.3)\n    return x + 1\n", "g(1)", task_id="slow")
    ev = Evaluator(pool)
    first = asyncio.create_task(ev.evaluate(EvalItem(slow_gt, "def g(x): return x + 1", answer_is_code=True)))
    await asyncio.sleep(0.05)  # ``first`` now runs the ground truth; ``second`` will wait on it
    second = asyncio.create_task(ev.evaluate(EvalItem(slow_gt, "def g(x): return x + 1", answer_is_code=True)))
    await asyncio.sleep(0.05)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    result = await second
    assert result.success and result.reward == 1.0
    assert ev.cache_misses == 2  # the waiter ran the ground truth itself
