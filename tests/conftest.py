"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .fixtures import WORKED

TANDEM = str(Path(sys.executable).parent / "tandem")


@pytest.fixture
def tandem(tmp_path):
    """Run the real `tandem` command on its own SQLite file in tmp_path, where
    the worked example's files are copied."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "TANDEM_TESTING", "TANDEM_TEST_DATABASE_URL", "TANDEM_LANGUAGE")
    }
    base["TANDEM_DATABASE_URL"] = f"sqlite:///{tmp_path / 't.sqlite3'}"
    base["TANDEM_VAR_DIR"] = str(tmp_path / "var")

    def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [TANDEM, *args], cwd=tmp_path, env={**base, **(env or {})}, capture_output=True, text=True, timeout=120
        )

    for name in ("staff.csv", "customers.csv", "assignments.csv", "orders.csv", "plans.toml"):
        shutil.copy(WORKED / name, tmp_path / name)
    return _run


