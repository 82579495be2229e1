"""The worked example kept in tests/fixtures is the specification's, file for
file, whenever the specification is beside the repository (a clone alone
has only the copy, and runs on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .fixtures import WORKED

SPEC_WORKED = Path(__file__).resolve().parents[2] / "shared" / "spec" / "examples" / "worked"

# The README of the copy says where it comes from; the data files are the same.
DATA_FILES = sorted(p.name for p in WORKED.iterdir() if p.name != "README.md")


def test_the_copy_has_every_data_file_the_tests_read():
    assert DATA_FILES == [
        "assignments.csv",
        "customers.csv",
        "expected-lines.csv",
        "orders.csv",
        "plans.toml",
        "staff.csv",
    ]


@pytest.mark.skipif(not SPEC_WORKED.is_dir(), reason=f"the specification is not beside the repository ({SPEC_WORKED})")
def test_the_copy_equals_the_specification():
    spec = sorted(p.name for p in SPEC_WORKED.iterdir() if p.name != "README.md")
    assert spec == DATA_FILES
    for name in DATA_FILES:
        assert (WORKED / name).read_bytes() == (SPEC_WORKED / name).read_bytes(), name
