"""The committed gRPC stubs match the protos, and the protos follow the house style.

Regenerates the stubs with ``scripts/gen_protos.py`` into a temporary directory and
compares byte for byte; checks the services and RPCs every component relies on; checks
that every message field in every .proto is documented by a comment.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROTO_ROOT = ROOT / "protos"
STUB_ROOT = ROOT / "sweetrl" / "api"
PACKAGE = "sweetrl.api.v1"

# service -> (module under sweetrl.api.v1, RPCs it must offer at least)
REQUIRED_RPCS = {
    "PolicyService": (
        "policy_pb2",
        {"Generate", "GenerateStream", "Score", "GetModelInfo", "LoadCheckpoint"},
    ),
    "SimulatorService": ("simulator_pb2", {"Reply", "ReplyBatch"}),
    "SandboxService": ("sandbox_pb2", {"Evaluate", "EvaluateBatch", "GetLimits"}),
    "RendererService": ("renderer_pb2", {"Render", "RenderBatch", "Judge", "JudgeBatch"}),
    "CriticService": ("critic_pb2", {"ScoreCandidates", "ScoreDialogue", "GetModelInfo"}),
}


def _load_gen_protos():
    path = ROOT / "scripts" / "gen_protos.py"
    spec = importlib.util.spec_from_file_location("gen_protos", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _proto_files() -> list[Path]:
    protos = sorted(PROTO_ROOT.rglob("*.proto"))
    assert protos, f"no .proto files under {PROTO_ROOT}"
    return protos


def test_committed_stubs_match_fresh_generation(tmp_path: Path) -> None:
    pytest.importorskip("grpc_tools")
    gen = _load_gen_protos()
    gen.generate(tmp_path)

    fresh = _files(tmp_path / "sweetrl" / "api")
    committed = _files(STUB_ROOT)
    hint = "stubs under sweetrl/api are stale: run `.venv/bin/python scripts/gen_protos.py`"
    missing = sorted(set(fresh) - set(committed))
    extra = sorted(set(committed) - set(fresh))
    assert not missing, f"{hint} (not generated yet: {missing})"
    assert not extra, f"{hint} (no longer generated: {extra})"
    differing = sorted(name for name in fresh if fresh[name] != committed[name])
    assert not differing, f"{hint} (differ from a fresh generation: {differing})"


def test_every_proto_declares_the_package() -> None:
    for proto in _proto_files():
        packages = re.findall(r"^\s*package\s+([\w.]+)\s*;", proto.read_text(), re.MULTILINE)
        assert packages == [PACKAGE], f"{proto.relative_to(ROOT)}: package {packages}"


@pytest.mark.parametrize("service", sorted(REQUIRED_RPCS))
def test_service_offers_required_rpcs(service: str) -> None:
    module_name, rpcs = REQUIRED_RPCS[service]
    module = importlib.import_module(f"{PACKAGE}.{module_name}")
    services = module.DESCRIPTOR.services_by_name
    assert service in services, f"{module_name} defines {sorted(services)}, not {service}"
    descriptor = services[service]
    assert descriptor.full_name == f"{PACKAGE}.{service}"
    missing = rpcs - set(descriptor.methods_by_name)
    assert not missing, f"{service} lacks RPCs {sorted(missing)}"


_FIELD = re.compile(r"^\s*(?:repeated\s+|optional\s+)?[\w.<>,\s]+\s+\w+\s*=\s*\d+\s*(?:\[[^\]]*\])?\s*;")
_BLOCK_OPEN = re.compile(r"^\s*(message|enum|oneof|service)\s+\w+\s*\{")


def _undocumented_fields(text: str) -> list[tuple[int, str]]:
    """Field declarations inside a message (or its oneofs) with no comment.

    A simple line scanner, enough for this repository's formatting: one declaration
    per line, braces of blocks on their own lines' ends.
    """
    stack: list[str] = []
    previous = ""  # previous non-blank line, stripped
    bad = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        opened = _BLOCK_OPEN.match(line)
        if opened:
            stack.append(opened.group(1))
            if line.endswith("}"):  # e.g. `message Empty {}`
                stack.pop()
        elif line.startswith("}"):
            if stack:
                stack.pop()
        elif stack and stack[-1] in ("message", "oneof") and _FIELD.match(line):
            documented = previous.startswith("//") or "//" in line
            if not documented:
                bad.append((number, line))
        previous = line
    return bad


def test_scanner_flags_only_undocumented_fields() -> None:
    text = """
message A {
  // documented
  string a = 1;
  int32 b = 2;  // trailing
  repeated string c = 3;
  oneof x {
    // documented
    bytes d = 4;
    bool e = 5;
  }
  map<string, double> f = 6;
}
enum E {
  E_UNSPECIFIED = 0;
}
message Empty {}
"""
    assert [n for n, _ in _undocumented_fields(text)] == [6, 10, 12]


def test_every_message_field_is_documented() -> None:
    problems = []
    for proto in _proto_files():
        for number, line in _undocumented_fields(proto.read_text()):
            problems.append(f"{proto.relative_to(ROOT)}:{number}: {line}")
    assert not problems, "fields without a comment:\n" + "\n".join(problems)
