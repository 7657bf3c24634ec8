"""`guanxi check` on segments, tiers, targets and SLA reports: each mistake located,
with its id (GX911–GX916) and a hint."""

from __future__ import annotations

import pytest
from guanxi.language.project import load_project

BROKEN = [
    ("tiers", "entity: account\n", "entity: acount\n", "GX911"),
    ("tiers", "sum: close_value", "sum: name", "GX912"),
    ("tiers", "      gold: {from: 25000", "      golden: {from: 25000", "GX913"),
    ("tiers", "down_below: 4000}", "down_below: 6000}", "GX914"),
    ("segments", "thresholds: [30, 90, 180, 365]", "thresholds: [90, 30, 180, 365]", "GX914"),
    ("segments", "at_risk: f >= 2", "at_risk: q >= 2", "GX402"),
    ("targets", "period: 2026-Q4, amount: 50000", "period: 2026-13, amount: 50000", "GX915"),
    ("targets", "team: direct_sales", "team: direct_sale", "GX915"),
    ("sla", "sla: resolution", "sla: resolutoin", "GX916"),
]
FILES = {"tiers": "classes.yaml", "segments": "classes.yaml", "targets": "targets.yaml",
         "sla": "reports.yaml"}


@pytest.mark.parametrize(("where", "good", "bad", "problem"), BROKEN,
                         ids=[f"{p}-{b}" for _, _, b, p in BROKEN])
def test_a_mistake_is_located_with_its_id(acme_copy, where, good, bad, problem):
    path = acme_copy / "insight" / FILES[where]
    text = path.read_text(encoding="utf-8")
    assert good in text
    path.write_text(text.replace(good, bad, 1), encoding="utf-8")
    found = [d for d in load_project(acme_copy).diagnostics if d.id == problem]
    assert found and all(d.loc.file.endswith(FILES[where]) and d.loc.line for d in found)
