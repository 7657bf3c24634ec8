"""Outcomes of scenarios for people (lines) and for CI (JUnit XML)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from guanxi.acceptance.runner import Outcome


def lines(outcomes: Sequence[Outcome]) -> list[str]:
    """One line per scenario, its failures under it, and a total."""
    out: list[str] = []
    for outcome in outcomes:
        mark = "PASS" if outcome.passed else "FAIL"
        out.append(f"{mark} {outcome.scenario.name} ({outcome.scenario.loc.file})")
        out.extend(f"  {line}" for failure in outcome.failures
                   for line in str(failure).splitlines())
    failed = sum(1 for o in outcomes if not o.passed)
    out.append(f"{len(outcomes) - failed} passed, {failed} failed")
    return out


def junit_xml(outcomes: Sequence[Outcome], suite: str) -> str:
    """The outcomes as a JUnit XML report: one test case per scenario."""
    failed = sum(1 for o in outcomes if not o.passed)
    root = ET.Element("testsuites")
    element = ET.SubElement(root, "testsuite", name=suite, tests=str(len(outcomes)),
                            failures=str(failed), errors="0",
                            time=f"{sum(o.seconds for o in outcomes):.3f}")
    for outcome in outcomes:
        scenario = outcome.scenario
        case = ET.SubElement(element, "testcase", name=scenario.name,
                             classname=scenario.loc.file, file=scenario.loc.file,
                             line=str(scenario.loc.line), time=f"{outcome.seconds:.3f}")
        for failure in outcome.failures:
            node = ET.SubElement(case, "failure", message=f"{failure.loc}: {failure.message}")
            node.text = str(failure)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
