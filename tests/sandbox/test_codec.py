"""The trusted-side decoder of sandbox outputs: exact plain types, nothing else.

End-to-end round trips (encoder in the sandbox, decoder here) are in
``test_evaluator_semantics.py``; these are the decoder's grammar and its refusals.
"""

import collections
import datetime
import decimal
import fractions
import math

import pytest

from sweetrl.sandbox.codec import MAX_DEPTH, CodecError, decode


@pytest.mark.parametrize("node", [None, True, False, 0, -3, 2.5, "", "héllo", [], [1, [2, ["x"]]]])
def test_plain_json_is_itself(node):
    value = decode(node)
    assert value == node and type(value) is type(node)


@pytest.mark.parametrize("node, expected", [
    ({"t": [1, "a"]}, (1, "a")),
    ({"t": []}, ()),
    ({"d": [["k", 1], [{"t": [1, 2]}, [3]]]}, {"k": 1, (1, 2): [3]}),
    ({"od": [["b", 1], ["a", 2]]}, collections.OrderedDict([("b", 1), ("a", 2)])),
    ({"ctr": [["x", 2]]}, collections.Counter({"x": 2})),
    ({"s": [1, 2, {"t": [3]}]}, {1, 2, (3,)}),
    ({"fs": ["a"]}, frozenset({"a"})),
    ({"i": "-" + format(3**5000, "x")}, -(3**5000)),
    ({"b": "AAH/"}, b"\x00\x01\xff"),
    ({"ba": "YWI="}, bytearray(b"ab")),
    ({"c": ["1.5", "-2.0"]}, complex(1.5, -2.0)),
    ({"dec": "1.10"}, decimal.Decimal("1.10")),
    ({"frac": ["-1", "3"]}, fractions.Fraction(-1, 3)),
    ({"td": [1, 2, 3]}, datetime.timedelta(1, 2, 3)),
    ({"date": "2024-02-29"}, datetime.date(2024, 2, 29)),
    ({"datetime": "2024-02-29T12:30:00+01:00"},
     datetime.datetime(2024, 2, 29, 12, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))),
    ({"time": "23:59:01.5"}, datetime.time(23, 59, 1, 500000)),
    ({"range": [0, 10, 3]}, range(0, 10, 3)),
])
def test_tags_decode_to_exact_builtin_types(node, expected):
    value = decode(node)
    assert value == expected
    assert type(value) is type(expected)


def test_non_finite_floats():
    assert decode({"f": "inf"}) == math.inf and decode({"f": "-inf"}) == -math.inf
    assert math.isnan(decode({"f": "nan"}))


def test_ints_beyond_the_str_digit_limit_decode_fast():
    big = 7**40000  # ~34k decimal digits: int(str) would refuse it, hex has no limit
    assert decode({"i": format(big, "x")}) == big


def test_nesting_limit():
    node = 1
    for _ in range(MAX_DEPTH):
        node = [node]
    assert decode(node) is not None
    with pytest.raises(CodecError, match="too deeply"):
        decode([node])
    with pytest.raises(CodecError, match="too deeply"):
        decode({"t": [node]})


@pytest.mark.parametrize("node", [
    {"x": 1},                           # unknown tag
    {"t": [1], "s": [1]},               # two keys
    {},                                 # no key
    {"t": "ab"},                        # sequence payload must be a list
    {"d": [[1, 2, 3]]},                 # not a pair
    {"d": [[[1], 2]]},                  # unhashable key
    {"s": [[1]]},                       # unhashable element
    {"i": 12},                          # payload must be a string
    {"i": "1_0"}, {"i": " 1"}, {"i": ""}, {"i": "xyz"}, {"i": "0x1f"}, {"i": "--1"}, {"i": "1F"},
    {"f": "1.5"},                       # only non-finite floats are tagged
    {"b": "not base64!"},
    {"c": ["1"]},
    {"dec": "one"},
    {"frac": ["1", "0"]},               # zero denominator
    {"td": [1, 2]}, {"td": [True, 1, 2]}, {"td": [10**20, 0, 0]},
    {"date": "yesterday"},
    {"range": [0, 1, 0]},               # zero step
    {"range": [0, 1.5, 1]},
])
def test_malformed_payloads_are_codec_errors(node):
    with pytest.raises(CodecError):
        decode(node)


def test_decoded_values_are_only_plain_types():
    # Whatever arrives, the decoder builds only built-in (and whitelisted stdlib)
    # values, so comparing them can never run code the answer wrote.
    node = {"d": [["a", {"s": [1, {"t": [2, {"fs": [{"b": "eA=="}]}]}]}]]}
    allowed = (dict, set, tuple, frozenset, bytes, int, str)
    stack = [decode(node)]
    while stack:
        v = stack.pop()
        assert type(v) in allowed
        if isinstance(v, dict):
            stack += list(v) + list(v.values())
        elif isinstance(v, (set, tuple, frozenset)):
            stack += list(v)
