"""Lint and types are part of the test run, so CI catches what review would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def check(*command: str) -> None:
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_lint_and_format() -> None:
    check("ruff", "check", "--no-cache", ".")
    check("ruff", "format", "--no-cache", "--check", ".")


def test_mypy_types() -> None:
    check("mypy")
