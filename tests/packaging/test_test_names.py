"""pytest collects every test module by its file name (rootdir-based, no packages): two test files
with one name in different folders stop the whole run at collection ("import file mismatch").
This happened twice (test_lab_yours.py, then test_python_mode.py); one file name, one module."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_two_test_files_share_a_name():
    where = defaultdict(list)
    for path in TESTS.rglob("test_*.py"):
        where[path.name].append(path.relative_to(TESTS).as_posix())
    assert {name: paths for name, paths in where.items() if len(paths) > 1} == {}
