"""Insight, continued: segments, tiers and targets of insight/*.yaml, and the SLA source
of reports, checked against the project (their structure is checked with the reports,
against `schemas/insight.schema.json`, by `guanxi.checks.insight`).

Every entity, field, reference, date, sum, level, rule, user, team, role, period and
SLA policy resolved, each problem located with a hint.
"""

from __future__ import annotations

from guanxi.checks.insight import check_condition
from guanxi.checks.registry import Context, register, suggest
from guanxi.expr import Scope
from guanxi.insight.classes import RULE_FIELDS, SegmentSpec, TierSpec
from guanxi.insight.definitions import Insight, TargetSpec
from guanxi.insight.measures import SLA_COUNTS, parse_measure
from guanxi.insight.reading import build_insight, read_files
from guanxi.insight.targets import PERIODS, period_bounds
from guanxi.spec import SYSTEM_ROLE, EntitySpec, Loc

_NUMBERS = ("integer", "decimal", "money", "percent")
_DATES = ("date", "datetime")


@register(81)
def check_classes(ctx: Context) -> None:
    files = read_files(ctx.spec.root)
    texts = {d.file: d.text for d in files.documents}
    language = ctx.spec.languages[0] if ctx.spec.languages else "en"
    insight = build_insight(files, language)
    for spec in insight.classes.all():
        _check_class(ctx, spec, texts)
    for target in insight.targets:
        _check_target(ctx, target, texts)
    _check_sla_reports(ctx, insight)


def _entity(ctx: Context, what: str, name: str, entity: str, loc: Loc) -> EntitySpec | None:
    found = ctx.spec.entity(entity)
    if found is None:
        ctx.add("GX911", loc, suggest(entity, [e.name for e in ctx.spec.entities], "entities"),
                what=what, name=name, entity=entity)
    return found


def _field(ctx: Context, what: str, name: str, entity: EntitySpec, field: str, loc: Loc,
           types: tuple[str, ...], role: str) -> bool:
    spec = entity.field(field)
    if spec is None:
        ctx.add("GX912", loc, suggest(field, [f.name for f in entity.fields], "fields"),
                what=what, name=name, detail=f"{entity.name} has no field '{field}' ({role})")
        return False
    if types and spec.type not in types:
        ctx.add("GX912", loc, f"use a field of type {', '.join(types)}", what=what, name=name,
                detail=f"'{field}' ({role}) is a {spec.type} field")
        return False
    return True


def _check_class(ctx: Context, spec: SegmentSpec | TierSpec, texts: dict[str, str]) -> None:
    what = "segment" if isinstance(spec, SegmentSpec) else "tier"
    entity = _entity(ctx, what, spec.name, spec.entity, spec.loc)
    window = spec.window
    related = _entity(ctx, what, spec.name, window.of, window.loc)
    if entity is not None and _field(ctx, what, spec.name, entity, spec.field, spec.field_loc,
                                     ("choice",), "the field written"):
        options = [o.value for o in (entity.field(spec.field) or entity.fields[0]).options]
        names = ([r.name for r in spec.rules] if isinstance(spec, SegmentSpec)
                 else [level.name for level in spec.levels])
        locs = ([r.loc for r in spec.rules] if isinstance(spec, SegmentSpec)
                else [level.loc for level in spec.levels])
        for value, loc in zip(names, locs):
            if value not in options:
                ctx.add("GX913", loc, suggest(value, options, "options"), what=what,
                        name=spec.name, value=value, field=spec.field)
    if isinstance(spec, SegmentSpec) and entity is not None:
        for _, field in spec.score_fields:
            _field(ctx, what, spec.name, entity, field, spec.loc, ("integer",), "a score")
    if entity is not None:
        _check_system(ctx, what, spec.name, entity, "update", spec.loc)
    if related is None:
        return
    _check_system(ctx, what, spec.name, related, "read", window.loc)
    via = related.field(window.via)
    if via is None or via.type != "reference" or via.ref != spec.entity:
        ctx.add("GX912", window.loc, f"name a reference of {related.name} to {spec.entity}",
                what=what, name=spec.name,
                detail=f"'{window.via}' is no reference of {related.name} to {spec.entity}")
    _field(ctx, what, spec.name, related, window.date, window.loc, _DATES, "the date")
    _field(ctx, what, spec.name, related, spec.value, window.loc, _NUMBERS, "the sum")
    if window.when and window.when_loc:
        check_condition(ctx, Scope.for_entity(ctx.spec, related), window.when,
                         window.when_loc, texts)
    if isinstance(spec, SegmentSpec):
        scope = Scope("scores", RULE_FIELDS, {"scores": RULE_FIELDS})
        for rule in spec.rules:
            check_condition(ctx, scope, rule.when, rule.loc, texts)
        for scoring in (spec.recency, spec.frequency, spec.monetary):
            if not scoring.quintiles and (len(scoring.thresholds) != 4 or list(
                    scoring.thresholds) != sorted(scoring.thresholds)):
                ctx.add("GX914", scoring.loc, "give four numbers, smallest first",
                        what=what, name=spec.name, detail="thresholds are not four ascending")
    else:
        previous = None
        for level in spec.levels:
            if level.at_least is not None and previous is not None and level.at_least >= previous:
                ctx.add("GX914", level.loc, "list the levels highest first", what=what,
                        name=spec.name, detail=f"level '{level.name}' starts above the one before")
            if level.down_below is not None and level.at_least is not None \
                    and level.down_below > level.at_least:
                ctx.add("GX914", level.loc, "down_below is at most from", what=what,
                        name=spec.name, detail=f"level '{level.name}' is left above its start")
            previous = level.at_least if level.at_least is not None else previous


def _check_system(ctx: Context, what: str, name: str, entity: EntitySpec, operation: str,
                  loc: Loc) -> None:
    """The system actor (it writes segments and tiers) must be granted `operation`."""
    access = entity.access_for(SYSTEM_ROLE)
    if access is None or getattr(access, operation).kind == "none":
        ctx.add("GX917", loc, f"grant it under system: grants: {entity.name}: "
                f"{{{operation}: all}} in guanxi.yaml", what=what, name=name,
                operation=operation, entity=entity.name)


def _check_target(ctx: Context, target: TargetSpec, texts: dict[str, str]) -> None:
    what = "target"
    entity = _entity(ctx, what, target.name, target.entity, target.loc)
    if entity is not None:
        _field(ctx, what, target.name, entity, target.date, target.loc, _DATES, "the date")
        _field(ctx, what, target.name, entity, target.value, target.loc, _NUMBERS, "the sum")
        if target.owner != "owner":
            _field(ctx, what, target.name, entity, target.owner, target.loc, ("user",),
                   "the owner")
        if target.when:
            check_condition(ctx, Scope.for_entity(ctx.spec, entity), target.when,
                             target.loc, texts)
    if target.period not in PERIODS:
        ctx.add("GX915", target.loc, suggest(target.period, PERIODS, "periods"),
                name=target.name, detail=f"unknown period '{target.period}'")
    roles = [r.name for r in ctx.spec.roles]
    for role in target.managers:
        if role not in roles:
            ctx.add("GX915", target.loc, suggest(role, roles, "roles"), name=target.name,
                    detail=f"unknown role '{role}'")
    teams = [t.name for t in ctx.spec.teams]
    for value in target.values:
        kind, _, who = value.who.partition(":")
        if kind == "team" and who not in teams:
            ctx.add("GX915", value.loc, suggest(who, teams, "teams"), name=target.name,
                    detail=f"unknown team '{who}'")
        if target.period in PERIODS and period_bounds(target.period, value.period) is None:
            example = {"month": "2026-06", "quarter": "2026-Q2", "year": "2026"}[target.period]
            ctx.add("GX915", value.loc, f"write a {target.period} like {example}",
                    name=target.name, detail=f"'{value.period}' is no {target.period}")


def _check_sla_reports(ctx: Context, insight: Insight) -> None:
    for report in insight.reports:
        entity = ctx.spec.entity(report.entity)
        if entity is None:
            continue
        if report.sla is not None:
            policies = [s.name for s in entity.sla]
            if report.sla not in policies:
                ctx.add("GX916", report.loc, suggest(report.sla, policies, "SLA policies"),
                        report=report.name, detail=f"{entity.name} has no SLA '{report.sla}'")
            continue
        for measure in report.measures:
            try:
                formula = parse_measure(measure.text)
            except Exception:  # reported by the report's own checks
                continue
            if any(atom.function in SLA_COUNTS for atom in formula.atoms):
                ctx.add("GX916", measure.loc, "add sla: with the SLA policy counted",
                        report=report.name,
                        detail=f"measure '{measure.name}' counts SLA clocks without sla:")

