"""The code style CI enforces: ruff's lint rules and its formatter
(``pyproject.toml``, ``[tool.ruff]``), over every Python file we ship."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["sklearn_mathdl", "tests", "benchmarks", "examples", "docs/conf.py"]


@pytest.mark.parametrize(
    "command", [["check"], ["format", "--check"]], ids=["lint", "format"]
)
def test_ruff(command):
    # ruff is pinned in the "dev" extra, so a new release cannot change the verdict
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *PATHS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
