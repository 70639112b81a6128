"""Typed, layered configuration for frozen dataclasses.

Every component declares one frozen dataclass whose fields carry a docstring via
`doc`, and loads it with `load_config`, which merges, in increasing precedence:

1. the dataclass defaults;
2. a YAML file -- the component's settings live under a top-level key equal to the
   section name, so one file (e.g. a Helm ConfigMap) can configure several
   components; other top-level keys are ignored::

       sandbox:
         workers: 4
         server: {port: 50051}

3. environment variables ``SWEET_<SECTION>__<FIELD>`` (see `sweetrl.envs`);
4. explicit overrides (e.g. CLI flags), as a nested dict and/or dotted keys
   (``{"server.port": "50051"}``).

Values from the environment and flags are strings and are coerced to the declared
field type: int, float, bool (true/false/1/0/yes/no/on/off), str, Path, Optional[X]
("", "none", "null" mean None), tuple/list (comma-separated), dict, Literal, Enum
and nested dataclasses. Unknown keys and bad values raise `InvalidInput` naming the
dotted key, the expected type and where the value came from.

What this module does NOT do: cross-field validation (put it in the dataclass's
``__post_init__``) or reading environment variables itself (that is `sweetrl.envs`).
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import types
import typing
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar, Union

import yaml

from sweetrl import envs
from sweetrl.errors import InvalidInput

__all__ = ["doc", "load_config", "describe", "to_dict", "type_name", "ConfigField"]

T = TypeVar("T")

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_NONE = {"", "none", "null"}


def doc(text: str, default: Any = dataclasses.MISSING, *,
        default_factory: Any = dataclasses.MISSING) -> Any:
    """A dataclass field that carries its documentation.

    Example:
        ``port: int = doc("Port to bind; 0 picks a free port.", 0)``

    Args:
        text: one or two sentences for users: meaning, unit, special values.
        default: the default value (immutable).
        default_factory: zero-argument callable for defaults that must be built.
    """
    return dataclasses.field(default=default, default_factory=default_factory,
                             metadata={"doc": text})


class ConfigField(NamedTuple):
    """One row of `describe`: a leaf config field."""

    name: str
    """Dotted name, e.g. ``server.port``."""
    type: str
    """Human-readable type, e.g. ``int`` or ``str | None``."""
    default: str
    """repr() of the default, or ``(required)``."""
    doc: str
    """The text given to `doc`."""


# --------------------------------------------------------------------------- loading


def load_config(cls: type[T], *, section: str, path: str | PathLike[str] | None = None,
                overrides: Mapping[str, Any] | None = None) -> T:
    """Build a `cls` instance from defaults < YAML file < environment < overrides.

    Args:
        cls: a dataclass type (frozen by convention).
        section: component name: the YAML top-level key and the environment
            prefix (``SWEET_<SECTION>__``).
        path: optional YAML file; the section may be missing from it.
        overrides: highest-precedence values, nested or with dotted keys.

    Raises:
        InvalidInput: unreadable file, unknown key, value of the wrong type, or a
            missing required field.
    """
    raw: dict[str, Any] = {}
    sources: dict[str, str] = {}
    if path is not None:
        file_values = _read_yaml(Path(path), section)
        _merge(raw, file_values, sources, lambda key: f"file {path}")
    prefix = envs.override_prefix(section)
    _merge(raw, envs.config_overrides(section), sources,
           lambda key: "environment variable " + prefix
           + key.upper().replace(".", envs.SEPARATOR))
    if overrides:
        _merge(raw, _expand_dotted(overrides), sources, lambda key: "override")
    return _build(cls, raw, "", None, sources)


def _read_yaml(path: Path, section: str) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as e:
        raise InvalidInput(f"cannot read config file {path}: {e.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise InvalidInput(f"config file {path} is not valid YAML: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(f"config file {path} must hold a mapping of section names")
    values = data.get(section)
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise InvalidInput(f"config file {path}: section {section!r} must be a mapping")
    return values


def _expand_dotted(values: Mapping[str, Any]) -> dict[str, Any]:
    """``{"server.port": 1}`` -> ``{"server": {"port": 1}}`` (nested dicts merged)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        *parents, leaf = str(key).split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise InvalidInput(f"override {key!r} conflicts with override {part!r}")
        if isinstance(value, Mapping):
            value = _expand_dotted(value)
            if isinstance(node.get(leaf), dict):
                _merge(node[leaf], value, {}, lambda _key: "")
                continue
        node[leaf] = value
    return out


def _merge(into: dict[str, Any], new: Mapping[str, Any], sources: dict[str, str],
           source_of, prefix: str = "") -> None:
    """Deep-merge `new` into `into`, recording which layer set each dotted key."""
    for key, value in new.items():
        dotted = f"{prefix}{key}"
        sources[dotted] = source_of(dotted)
        if isinstance(value, Mapping):
            if not isinstance(into.get(key), dict):
                into[key] = {}
            _merge(into[key], value, sources, source_of, dotted + ".")
        else:
            into[key] = value


def _build(cls: type[T], raw: Mapping[str, Any], prefix: str, base: T | None,
           sources: Mapping[str, str]) -> T:
    """Instantiate `cls` from `raw`, on top of `base` (an instance) or the defaults."""
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    hints = typing.get_type_hints(cls)
    for key in raw:
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1)
            hint = f" (did you mean {prefix + close[0]!r}?)" if close else ""
            dotted = f"{prefix}{key}"
            raise InvalidInput(f"unknown config key {dotted!r}{_from(sources, dotted)}{hint}; "
                               f"known keys here: {', '.join(sorted(fields))}")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        tp = hints[name]
        dotted = prefix + name
        nested = _dataclass_in(tp)
        if nested is not None and isinstance(value, Mapping):
            current = getattr(base, name) if base is not None else _default_of(fields[name])
            sub_base = current if dataclasses.is_dataclass(current) else None
            values[name] = _build(nested, value, dotted + ".", sub_base, sources)
        else:
            values[name] = _coerce(value, tp, dotted, sources)
    if base is None:
        missing = [n for n, f in fields.items()
                   if n not in values and _default_of(f) is _REQUIRED]
        if missing:
            raise InvalidInput(f"missing required config key(s): "
                               f"{', '.join(prefix + m for m in missing)}")
    try:
        return dataclasses.replace(base, **values) if base is not None else cls(**values)
    except ValueError as e:  # raised by a __post_init__ validation
        raise InvalidInput(f"invalid config {prefix.rstrip('.') or cls.__name__}: {e}") from None


_REQUIRED = object()


def _default_of(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return _REQUIRED


def _dataclass_in(tp: Any) -> type | None:
    """The dataclass in `tp` or `Optional[tp]`, if any."""
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return tp
    if _is_union(tp):
        arms = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(arms) == 1:
            return _dataclass_in(arms[0])
    return None


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def _from(sources: Mapping[str, str], dotted: str) -> str:
    source = sources.get(dotted)
    return f" (from {source})" if source else ""


# -------------------------------------------------------------------------- coercion


class _BadValue(Exception):
    """Internal: `value` does not fit the type; turned into InvalidInput by the caller."""


def _coerce(value: Any, tp: Any, dotted: str, sources: Mapping[str, str]) -> Any:
    try:
        return _convert(value, tp, dotted, sources)
    except _BadValue:
        raise InvalidInput(f"config key {dotted!r}{_from(sources, dotted)}: expected "
                           f"{type_name(tp)}, got {value!r}") from None


def _takes_mapping(tp: Any) -> bool:
    """Whether values of type `tp` may be mappings (then nested keys are the value's own)."""
    if tp is Any or tp is object or tp is dict or typing.get_origin(tp) is dict:
        return True
    if dataclasses.is_dataclass(tp):
        return True
    return _is_union(tp) and any(_takes_mapping(a) for a in typing.get_args(tp))


def _flatten(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"engine": {"zero_stage": 3}}`` -> ``{"engine.zero_stage": 3}``: a mapping of
    str to plain values (e.g. a trainer's overrides) keeps dotted keys as they were
    written, though overrides (``--set critic.engine.zero_stage=3``) arrive nested."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, Mapping):
            out.update(_flatten(item, name + "."))
        else:
            out[name] = item
    return out


def _convert(value: Any, tp: Any, dotted: str, sources: Mapping[str, str]) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any or tp is object:
        return value
    if _is_union(tp):
        if type(None) in args and (value is None or
                                   (isinstance(value, str) and value.strip().lower() in _NONE)):
            return None
        for arm in (a for a in args if a is not type(None)):
            try:
                return _convert(value, arm, dotted, sources)
            except (_BadValue, InvalidInput):
                continue
        raise _BadValue
    if origin is Literal:
        for option in args:
            # type check so that True does not match Literal[1]
            if value == option and type(value) is type(option):
                return option
            if isinstance(value, str) and value.strip() == str(option):
                return option
        raise _BadValue
    if origin in (tuple, list, set, frozenset):
        items = _as_items(value)
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(items) != len(args):
                raise _BadValue
            return tuple(_convert(v, a, dotted, sources) for v, a in zip(items, args))
        item_tp = args[0] if args else Any
        return origin(_convert(v, item_tp, dotted, sources) for v in items)
    if origin is dict or tp is dict:
        if not isinstance(value, Mapping):
            raise _BadValue
        key_tp, val_tp = args if args else (Any, Any)
        if key_tp is str and not _takes_mapping(val_tp):
            value = _flatten(value)  # overrides' dotted keys came back nested: a.b -> {a: {b}}
        return {_convert(k, key_tp, dotted, sources):
                _coerce(v, val_tp, f"{dotted}.{k}", sources) for k, v in value.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if isinstance(value, tp):
            return value
        if not isinstance(value, Mapping):
            raise _BadValue
        return _build(tp, value, dotted + ".", None, sources)
    if tp in (tuple, list):
        return tp(_as_items(value))
    if tp is bool:
        return _to_bool(value)
    if tp is int:
        return _to_int(value)
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                raise _BadValue from None
        raise _BadValue
    if tp is str:
        if isinstance(value, str):
            return value
        # YAML turns `version: 1.0` into a float; a str field still means "1.0".
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise _BadValue
    if isinstance(tp, type) and issubclass(tp, Path):
        if isinstance(value, (str, PathLike)):
            return tp(value).expanduser()
        raise _BadValue
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        for member in tp:
            if value is member or value == member.value or (
                    isinstance(value, str) and value.lower() in
                    (member.name.lower(), str(member.value).lower())):
                return member
        raise _BadValue
    if isinstance(tp, type) and isinstance(value, tp):
        return value
    raise InvalidInput(f"config key {dotted!r}: unsupported field type {type_name(tp)}")


def _as_items(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    raise _BadValue


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise _BadValue


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _BadValue
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise _BadValue from None
    raise _BadValue


def type_name(tp: Any) -> str:
    """Readable name of a type annotation: ``int``, ``str | None``, ``one of 'a', 'b'``."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if _is_union(tp):
        return " | ".join("None" if a is type(None) else type_name(a) for a in args)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin is not None:
        inner = ", ".join("..." if a is Ellipsis else type_name(a) for a in args)
        return f"{origin.__name__}[{inner}]" if args else origin.__name__
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "one of " + ", ".join(repr(m.name.lower()) for m in tp)
    return getattr(tp, "__name__", str(tp))


# --------------------------------------------------------------- introspection/dump


def describe(cls: type) -> list[ConfigField]:
    """One `ConfigField` per leaf field of `cls`, nested dataclasses flattened.

    Nested defaults come from the enclosing field's default instance. Used for CLI
    ``--help`` and the README's configuration tables.
    """
    return _describe(cls, "", None)


def _describe(cls: type, _prefix: str, _base: Any) -> list[ConfigField]:
    rows: list[ConfigField] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        default = getattr(_base, f.name) if _base is not None else _default_of(f)
        nested = _dataclass_in(hints[f.name])
        if nested is not None and (default is _REQUIRED or dataclasses.is_dataclass(default)):
            sub_base = default if dataclasses.is_dataclass(default) else None
            rows.extend(_describe(nested, f"{_prefix}{f.name}.", sub_base))
            continue
        rows.append(ConfigField(
            name=_prefix + f.name,
            type=type_name(hints[f.name]),
            default="(required)" if default is _REQUIRED else repr(_to_plain(default)),
            doc=f.metadata.get("doc", ""),
        ))
    return rows


def to_dict(config: Any) -> dict[str, Any]:
    """A YAML/JSON-safe nested dict of a config instance (Path -> str, tuple -> list).

    `load_config` accepts the result back (e.g. written to a file under the section
    key), so a resolved config can be logged and reproduced.
    """
    if not (dataclasses.is_dataclass(config) and not isinstance(config, type)):
        raise TypeError(f"to_dict expects a dataclass instance, got {type(config).__name__}")
    return _to_plain(config)


def _to_plain(value: Any) -> Any:
    """Recursively convert config values to YAML/JSON-safe builtins."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_to_plain(v) for v in value]
    if isinstance(value, PathLike):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value
