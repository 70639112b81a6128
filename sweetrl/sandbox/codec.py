"""Decode values reported by sandboxed code into plain built-in Python values.

The sandbox reports every test output as tagged JSON (see ``zygote.py``'s encoder).
Decoding happens on the trusted side and builds only built-in and a few whitelisted
stdlib value types, so comparing two decoded values with ``==`` never runs code that
the answer wrote (no custom ``__eq__``, ``__repr__`` or ``__reduce__``; no pickle).
Anything outside the grammar raises :class:`CodecError`.
"""

from __future__ import annotations

import base64
import binascii
import collections
import datetime
import decimal
import fractions
import re
from typing import Any

MAX_DEPTH = 64
_HEX_INT = re.compile(r"-?[0-9a-f]+")


class CodecError(ValueError):
    """The reported value does not follow the encoding."""


def _pairs(node: Any, depth: int) -> list[tuple[Any, Any]]:
    if not isinstance(node, list):
        raise CodecError("mapping payload must be a list of pairs")
    out = []
    for pair in node:
        if not isinstance(pair, list) or len(pair) != 2:
            raise CodecError("mapping entry must be a [key, value] pair")
        out.append((decode(pair[0], depth + 1), decode(pair[1], depth + 1)))
    return out


def _items(node: Any, depth: int) -> list[Any]:
    if not isinstance(node, list):
        raise CodecError("sequence payload must be a list")
    return [decode(x, depth + 1) for x in node]


def _str(node: Any) -> str:
    if not isinstance(node, str):
        raise CodecError("expected a string payload")
    return node


def _ints(node: Any, n: int) -> list[int]:
    if not isinstance(node, list) or len(node) != n or not all(type(x) is int for x in node):
        raise CodecError(f"expected {n} integers")
    return node


def _tagged(tag: str, node: Any, depth: int) -> Any:
    try:
        if tag == "t":
            return tuple(_items(node, depth))
        if tag == "d":
            return dict(_pairs(node, depth))
        if tag == "od":
            return collections.OrderedDict(_pairs(node, depth))
        if tag == "ctr":
            return collections.Counter(dict(_pairs(node, depth)))
        if tag == "s":
            return set(_items(node, depth))
        if tag == "fs":
            return frozenset(_items(node, depth))
        if tag == "i":  # hex: no int/str digit limit, linear time
            text = _str(node)
            if not _HEX_INT.fullmatch(text):  # int() would also take "0x", "_", spaces
                raise CodecError("bad 'i' payload")
            return int(text, 16)
        if tag == "f":
            text = _str(node)
            if text not in ("nan", "inf", "-inf"):
                raise CodecError("only non-finite floats are tagged")
            return float(text)
        if tag == "b":
            return base64.b64decode(_str(node), validate=True)
        if tag == "ba":
            return bytearray(base64.b64decode(_str(node), validate=True))
        if tag == "c":
            re, im = (_str(x) for x in _items(node, depth))
            return complex(float(re), float(im))
        if tag == "dec":
            return decimal.Decimal(_str(node))
        if tag == "frac":
            num, den = (_str(x) for x in _items(node, depth))
            return fractions.Fraction(int(num), int(den))
        if tag == "td":
            return datetime.timedelta(*_ints(node, 3))
        if tag == "date":
            return datetime.date.fromisoformat(_str(node))
        if tag == "datetime":
            return datetime.datetime.fromisoformat(_str(node))
        if tag == "time":
            return datetime.time.fromisoformat(_str(node))
        if tag == "range":
            return range(*_ints(node, 3))
    except CodecError:
        raise
    except (TypeError, ValueError, ArithmeticError, binascii.Error, decimal.InvalidOperation) as exc:
        # e.g. unhashable set elements, bad isoformat, zero denominator
        raise CodecError(f"bad {tag!r} payload: {type(exc).__name__}") from None
    raise CodecError(f"unknown tag {tag!r}")


def decode(node: Any, depth: int = 0) -> Any:
    """Turn one parsed-JSON node of the encoding into a plain Python value."""
    if depth > MAX_DEPTH:
        raise CodecError("value nested too deeply")
    if node is None or type(node) in (bool, int, float, str):
        return node
    if type(node) is list:
        return [decode(x, depth + 1) for x in node]
    if type(node) is dict and len(node) == 1:
        ((tag, payload),) = node.items()
        return _tagged(tag, payload, depth)
    raise CodecError(f"unexpected node of type {type(node).__name__}")
