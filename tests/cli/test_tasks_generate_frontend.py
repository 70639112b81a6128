"""``sweet tasks generate --domain frontend`` end to end, as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys

from sweetrl.cli.main import main
from sweetrl.colbench.frontend.generator import generate
from sweetrl.colbench.frontend.loader import load_tasks


def sweet(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sweetrl.cli.main", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_generate_frontend_writes_the_seeded_stream(tmp_path):
    out = tmp_path / "sub" / "test.jsonl"
    proc = sweet("tasks", "generate", "--domain", "frontend", "--split", "test", "--count", "25", "--seed", "4",
                 "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wrote 25 test frontend tasks to {out}"
    records = [json.loads(x) for x in out.read_text().splitlines()]
    assert records == [t.to_json() for t in generate("test", 25, seed=4)]
    report = load_tasks(out)
    assert report.errors == [] and len(report.tasks) == 25


def test_frontend_needs_no_sandbox_and_refuses_sandbox_settings(tmp_path, capsys):
    out = tmp_path / "x.jsonl"
    args = ["tasks", "generate", "--domain", "frontend", "--split", "train", "--count", "3", "--out", str(out)]
    assert main([*args, "--no-check"]) == 0  # accepted, changes nothing
    assert len(out.read_text().splitlines()) == 3
    out.unlink()
    assert main([*args, "--set", "slots=2"]) == 2
    assert main([*args[:2], "--domain", "web", *args[4:]]) == 2
    assert not out.exists()
