"""Checking a project: the entry that imports every topic module (so their checks are
registered) and runs them all.

A project without errors compiles and runs; the checks cover everything the compiler
relies on. They run on the merged, located YAML (so every problem points at what was
written) and on the built spec (so expressions are checked against the fields the
compiler will see).
"""

from __future__ import annotations

from guanxi.checks import (
    aggregates,
    approvals,
    automation,
    classes,
    cleanup,
    duplicates,
    entities,
    expressions,
    flowsplit,
    insight,
    listing,
    mappings,
    messages,
    portal,
    renames,
    rollups,
    scenarios,
    schema,
    selfservice,
    system,
    workflows,
    zones,
)
from guanxi.checks.registry import Context, run_checks
from guanxi.diagnostics import Diagnostic
from guanxi.language.raw import RawProject
from guanxi.spec import ProjectSpec

# The topic modules whose checks are registered (imported for that).
TOPICS = (flowsplit, schema, entities, system, zones, workflows, expressions, rollups, renames,
          mappings, insight, classes, scenarios, duplicates, automation, messages,
          aggregates, approvals, cleanup, listing, portal, selfservice)


def check_project(raw: RawProject, spec: ProjectSpec) -> list[Diagnostic]:
    """Every problem of the project that reading it did not already report."""
    return run_checks(Context(raw, spec))
