"""The benchmark suite runs end to end at tiny sizes and reports a number for every case.

No timing is asserted: only that `python -m bench` completes, prints its table and writes
a JSON result with Guanxi's number, the baseline's number and their ratio for each case.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
CASES = ("validate", "import", "file_import", "file_scale", "list", "transition", "rollup",
         "api", "report", "compile", "startup", "plan", "automation", "scenario", "mail",
         "search", "list_totals", "attach")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """One `python -m bench --quick` run: its JSON document and its printed output."""
    out = tmp_path_factory.mktemp("bench") / "latest.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--rows", "200", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), done.stdout


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not math.isnan(value)


pytestmark = pytest.mark.slow


def test_every_case_is_in_the_results(quick_run: tuple[dict[str, Any], str]) -> None:
    document, _ = quick_run
    assert {r["case"] for r in document["results"]} == set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_each_case_reports_guanxi_and_its_baseline_as_numbers(
        quick_run: tuple[dict[str, Any], str], case: str) -> None:
    document, _ = quick_run
    rows = [r for r in document["results"] if r["case"] == case]
    assert rows
    for row in rows:
        assert row["note"] == "" or "target is for" in row["note"], row["note"]
        assert _is_number(row["guanxi"]), row
        assert _is_number(row["baseline"]), row
        assert _is_number(row["ratio"]), row


def test_each_target_gets_a_verdict(quick_run: tuple[dict[str, Any], str]) -> None:
    document, _ = quick_run
    judged = [r for r in document["results"] if r["target"] not in ("", "—")]
    assert judged
    assert all(isinstance(r["met"], bool) for r in judged)


def test_the_table_and_the_results_path_are_printed(
        quick_run: tuple[dict[str, Any], str]) -> None:
    _, printed = quick_run
    assert "| case" in printed
    assert "results written to" in printed


def test_the_machine_is_recorded(quick_run: tuple[dict[str, Any], str]) -> None:
    document, _ = quick_run
    assert document["machine"]["nproc"] >= 1
    assert document["machine"]["python"]
