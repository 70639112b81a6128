"""Regenerate the Python gRPC stubs in ``sweetrl/api`` from ``protos/``.

The generated package is never edited by hand; ``tests/api/test_stubs_fresh.py`` fails
when the committed stubs differ from a fresh generation. Usage::

    .venv/bin/python scripts/gen_protos.py [--out DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "protos"
PACKAGE_DIR = Path("sweetrl") / "api"
INIT_TEXT = '"""Generated gRPC stubs. Do not edit: run scripts/gen_protos.py."""\n'


def generate(out_root: Path) -> list[Path]:
    """Write stubs for every .proto under protos/ into ``out_root``; return written files."""
    from grpc_tools import protoc  # lazy: only the generator needs grpcio-tools

    protos = sorted(p.relative_to(PROTO_ROOT).as_posix() for p in PROTO_ROOT.rglob("*.proto"))
    if not protos:
        raise SystemExit("no .proto files under protos/")
    include = str(Path(protoc.__file__).parent / "_proto")
    with tempfile.TemporaryDirectory() as tmp:
        args = [
            "protoc",
            f"-I{PROTO_ROOT}",
            f"-I{include}",
            f"--python_out={tmp}",
            f"--pyi_out={tmp}",
            f"--grpc_python_out={tmp}",
            *protos,
        ]
        if protoc.main(args) != 0:
            raise SystemExit("protoc failed")
        tmp_pkg = Path(tmp) / PACKAGE_DIR
        for d in [tmp_pkg, *[p for p in tmp_pkg.rglob("*") if p.is_dir()]]:
            (d / "__init__.py").write_text(INIT_TEXT)
        target = out_root / PACKAGE_DIR
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(tmp_pkg, target)
    return sorted(p for p in target.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="root to write sweetrl/api under")
    args = parser.parse_args(argv)
    files = generate(args.out)
    print(f"generated {len(files)} files under {args.out / PACKAGE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
