"""Layered config loading (defaults < YAML < env < overrides), coercion and errors."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional

import pytest
import yaml

from sweetrl import envs
from sweetrl.config import describe, doc, load_config, to_dict
from sweetrl.errors import InvalidInput
from sweetrl.runtime import ServerConfig

SECTION = "demo"


class Speed(enum.Enum):
    FAST = "fast"
    SLOW = "slow"


@dataclass(frozen=True)
class Inner:
    """A nested section."""

    port: int = doc("A port.", 1)
    host: str = doc("A host.", "h")


@dataclass(frozen=True)
class Demo:
    """Covers every supported field type."""

    name: str = doc("Name.", "x")
    workers: int = doc("Worker count.", 2)
    ratio: float = doc("A ratio.", 0.5)
    debug: bool = doc("Debug mode.", False)
    home: Path = doc("A directory.", Path("/tmp/demo"))
    token: str | None = doc("Optional secret.", None)
    tags: tuple[str, ...] = doc("Tags.", ())
    ports: list[int] = doc("Ports.", default_factory=list)
    mode: Literal["a", "b"] = doc("Mode.", "a")
    speed: Speed = doc("Speed.", Speed.FAST)
    limits: dict[str, int] = doc("Per-name limits.", default_factory=dict)
    server: ServerConfig = doc("Server.", default_factory=lambda: ServerConfig(port=5000))
    inner: Inner = doc("Inner.", Inner())
    extra: Optional[Inner] = doc("Optional nested.", None)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(envs.os.environ):
        if name.startswith("SWEET_"):
            monkeypatch.delenv(name)


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_defaults_only():
    assert load_config(Demo, section=SECTION) == Demo()


def test_precedence_file_env_overrides(tmp_path, monkeypatch):
    path = _write(tmp_path, {SECTION: {"workers": 3, "name": "file", "ratio": 0.25},
                             "other": {"workers": 99}})
    cfg = load_config(Demo, section=SECTION, path=path)
    assert (cfg.workers, cfg.name, cfg.ratio) == (3, "file", 0.25)

    monkeypatch.setenv("SWEET_DEMO__WORKERS", "4")
    monkeypatch.setenv("SWEET_DEMO__NAME", "env")
    cfg = load_config(Demo, section=SECTION, path=path)
    assert (cfg.workers, cfg.name, cfg.ratio) == (4, "env", 0.25)

    cfg = load_config(Demo, section=SECTION, path=path, overrides={"workers": "5"})
    assert (cfg.workers, cfg.name, cfg.ratio) == (5, "env", 0.25)


def test_nested_fields_keep_their_field_default(tmp_path, monkeypatch):
    # The `server` default is ServerConfig(port=5000); overriding another nested
    # field must keep that port rather than ServerConfig's own default of 0.
    monkeypatch.setenv("SWEET_DEMO__SERVER__HOST", "0.0.0.0")
    cfg = load_config(Demo, section=SECTION)
    assert (cfg.server.host, cfg.server.port) == ("0.0.0.0", 5000)

    path = _write(tmp_path, {SECTION: {"server": {"grace_period_s": 1}}})
    cfg = load_config(Demo, section=SECTION, path=path,
                      overrides={"server.metrics_port": "-1", "inner": {"port": "9"}})
    assert cfg.server == ServerConfig(host="0.0.0.0", port=5000, metrics_port=-1,
                                      grace_period_s=1.0)
    assert cfg.inner == Inner(port=9, host="h")


def test_optional_nested_dataclass_built_from_class_defaults():
    cfg = load_config(Demo, section=SECTION, overrides={"extra.host": "e"})
    assert cfg.extra == Inner(port=1, host="e")
    assert load_config(Demo, section=SECTION, overrides={"extra": "none"}).extra is None


@pytest.mark.parametrize("key, raw, expected", [
    ("debug", "yes", True), ("debug", "TRUE", True), ("debug", "0", False),
    ("debug", "off", False), ("workers", " 12 ", 12), ("ratio", "1e-3", 0.001),
    ("ratio", "3", 3.0), ("home", "~/data", Path.home() / "data"),
    ("token", "none", None), ("token", "", None), ("token", "abc", "abc"),
    ("tags", "a, b,,c", ("a", "b", "c")), ("tags", "", ()), ("ports", "1,2", [1, 2]),
    ("mode", "b", "b"), ("speed", "SLOW", Speed.SLOW), ("speed", "fast", Speed.FAST),
    ("name", "", ""),
])
def test_string_values_are_coerced(monkeypatch, key, raw, expected):
    monkeypatch.setenv(f"SWEET_DEMO__{key.upper()}", raw)
    assert getattr(load_config(Demo, section=SECTION), key) == expected


def test_yaml_native_values(tmp_path):
    path = _write(tmp_path, {SECTION: {"tags": ["x", "y"], "ports": [80], "debug": True,
                                       "name": 1.5, "limits": {"gpu": "2", "cpu": 8},
                                       "workers": 7.0}})
    cfg = load_config(Demo, section=SECTION, path=path)
    assert cfg.tags == ("x", "y") and cfg.ports == [80] and cfg.debug is True
    assert cfg.name == "1.5" and cfg.limits == {"gpu": 2, "cpu": 8} and cfg.workers == 7


def test_dict_field_from_nested_env(monkeypatch):
    monkeypatch.setenv("SWEET_DEMO__LIMITS__GPU", "2")
    assert load_config(Demo, section=SECTION).limits == {"gpu": 2}


def test_unknown_env_key_names_variable_and_suggestion(monkeypatch):
    monkeypatch.setenv("SWEET_DEMO__WORKRS", "3")
    with pytest.raises(InvalidInput) as info:
        load_config(Demo, section=SECTION)
    message = str(info.value)
    assert "unknown config key 'workrs'" in message
    assert "SWEET_DEMO__WORKRS" in message
    assert "did you mean 'workers'" in message


def test_unknown_nested_key_from_file(tmp_path):
    path = _write(tmp_path, {SECTION: {"server": {"prot": 1}}})
    with pytest.raises(InvalidInput, match=r"'server\.prot'.*file .*config\.yaml.*"
                                           r"did you mean 'server\.port'"):
        load_config(Demo, section=SECTION, path=path)


@pytest.mark.parametrize("overrides, pattern", [
    ({"server.port": "abc"}, r"'server\.port' \(from override\): expected int, got 'abc'"),
    ({"workers": "1.5"}, r"'workers'.*expected int"),
    ({"debug": "maybe"}, r"'debug'.*expected bool, got 'maybe'"),
    ({"mode": "c"}, r"'mode'.*expected one of 'a', 'b', got 'c'"),
    ({"speed": "warp"}, r"'speed'.*expected one of 'fast', 'slow'"),
    ({"ports": "1,x"}, r"'ports'.*expected list\[int\]"),
    ({"ratio": True}, r"'ratio'.*expected float"),
    ({"inner": "5"}, r"'inner'.*expected Inner"),
])
def test_bad_values_name_key_and_type(overrides, pattern):
    with pytest.raises(InvalidInput, match=pattern):
        load_config(Demo, section=SECTION, overrides=overrides)


def test_bad_env_int_names_variable(monkeypatch):
    monkeypatch.setenv("SWEET_DEMO__SERVER__PORT", "fifty")
    with pytest.raises(InvalidInput, match=r"'server\.port' \(from environment variable "
                                           r"SWEET_DEMO__SERVER__PORT\): expected int"):
        load_config(Demo, section=SECTION)


def test_post_init_validation_becomes_invalid_input():
    with pytest.raises(InvalidInput, match="port must be in 0..65535"):
        load_config(ServerConfig, section="server", overrides={"port": "70000"})


def test_file_errors(tmp_path):
    with pytest.raises(InvalidInput, match="cannot read config file"):
        load_config(Demo, section=SECTION, path=tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("demo: [unclosed\n")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_config(Demo, section=SECTION, path=bad)
    with pytest.raises(InvalidInput, match="must be a mapping"):
        load_config(Demo, section=SECTION, path=_write(tmp_path, {SECTION: [1, 2]}))
    # A file without this component's section just contributes nothing.
    assert load_config(Demo, section=SECTION, path=_write(tmp_path, {"x": {}})) == Demo()


def test_required_field_missing():
    @dataclass(frozen=True)
    class Needs:
        model: str = doc("Model id; no sensible default.")

    with pytest.raises(InvalidInput, match="missing required config key.*model"):
        load_config(Needs, section="needs")
    assert load_config(Needs, section="needs", overrides={"model": "m"}).model == "m"


def test_describe_rows():
    rows = {row.name: row for row in describe(Demo)}
    assert rows["server.port"].default == "5000"  # the field's default instance
    assert rows["server.port"].type == "int"
    assert rows["server.auth_token"].type == "str | None"
    assert rows["inner.host"].doc == "A host."
    assert rows["mode"].type == "one of 'a', 'b'"
    assert rows["tags"].type == "tuple[str, ...]"
    assert rows["extra"].type == "Inner | None"
    assert all(row.doc for row in rows.values())
    assert all(row.doc for row in describe(ServerConfig))


def test_to_dict_round_trips(tmp_path):
    cfg = Demo(name="n", tags=("a",), home=Path("/data"), speed=Speed.SLOW,
               server=ServerConfig(port=7, tls_cert_file=Path("/c"), tls_key_file=Path("/k")),
               extra=Inner(port=3))
    plain = to_dict(cfg)
    assert plain["home"] == "/data" and plain["tags"] == ["a"] and plain["speed"] == "slow"
    path = _write(tmp_path, {SECTION: plain})  # safe_dump proves it is YAML-safe
    assert load_config(Demo, section=SECTION, path=path) == cfg


def test_config_overrides_nesting_and_conflicts(monkeypatch):
    monkeypatch.setenv("SWEET_SANDBOX__SERVER__PORT", "50051")
    monkeypatch.setenv("SWEET_SANDBOX__WORKERS", "4")
    monkeypatch.setenv("SWEET_OTHER__WORKERS", "1")
    assert envs.config_overrides("sandbox") == {"server": {"port": "50051"}, "workers": "4"}
    monkeypatch.setenv("SWEET_SANDBOX__SERVER", "x")
    with pytest.raises(InvalidInput, match="SWEET_SANDBOX__SERVER__PORT"):
        envs.config_overrides("sandbox")


def test_plain_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert envs.SWEET_HOME == tmp_path / "sweetrl"
    monkeypatch.setenv("SWEET_HOME", str(tmp_path / "h"))
    assert envs.SWEET_HOME == tmp_path / "h"
    assert envs.SWEET_LOG_LEVEL == "INFO"
    monkeypatch.setenv("SWEET_LOG_LEVEL", "debug")
    assert envs.SWEET_LOG_LEVEL == "DEBUG"
    assert envs.SWEET_AUTH_TOKEN is None
    monkeypatch.setenv("SWEET_AUTH_TOKEN", "t")
    assert envs.SWEET_AUTH_TOKEN == "t"
    with pytest.raises(AttributeError):
        envs.SWEET_NOPE  # noqa: B018
def test_dict_of_plain_values_keeps_dotted_keys(tmp_path):
    # an override's dotted key arrives nested; a str -> int mapping takes it back flat
    assert load_config(Demo, section=SECTION, overrides={"limits.gpu.a100": "2"}).limits == {"gpu.a100": 2}
    path = tmp_path / "c.yaml"
    path.write_text("demo:\n  limits: {gpu.h100: 4}\n")
    assert load_config(Demo, section=SECTION, path=path).limits == {"gpu.h100": 4}
