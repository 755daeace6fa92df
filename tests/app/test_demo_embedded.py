"""``nastavnik demo`` as the README's first command runs it: no server, no database configured,
nothing but a home (a SQLite file and Prefect's embedded server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_demo import run, user_env


@pytest.mark.slow
def test_demo_runs_on_the_embedded_defaults(tmp_path: Path) -> None:
    """The README's first command: no server, no database configured, nothing but a home."""
    env = user_env(HOME=str(tmp_path), PREFECT_HOME=str(tmp_path / ".prefect"))
    demo = run("demo", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "закрыто этапов 34 из 34" in demo.stdout
    assert "из них API Prefect знает 83" in demo.stdout
    database_file = tmp_path / ".nastavnik" / "nastavnik.db"
    assert database_file.exists()
    assert str(database_file) in demo.stdout
    order = tmp_path / ".nastavnik" / "demo-order.docx"  # beside the database, to print
    assert f"Приказ о закреплении пар: {order} " in demo.stdout and order.stat().st_size > 0
    assert "Traceback" not in demo.stderr
