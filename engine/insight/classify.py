"""Keeping segments and tiers (`guanxi.insight.classes`) right: evaluating them, and
when.

`evaluate(store, spec, now)` computes, as the system actor, the window's aggregates of
every record in one grouped query (a report over the related entity, compiled by
`guanxi.insight.query` under the system's row rules), derives each record's scores,
segment or tier, and writes what changed with `Store.update` as the system — so every
change passes the Store's rules, lands in history and is emitted as a change event
(which webhooks, timers and the like can follow). A change from one tier to another
(not a record's first tier) then runs the tier's `on_change` actions on the record
(`guanxi.automation.actions`).

When: the worker's follower (`follow`) takes the change events (consumer `insight`)
and queues a `classify` job for each segment or tier whose entity or related entity
was written; and each segment or tier with `every:` (cron or a duration) is queued at
its occurrences, so windows slide with time even when nothing is written. Jobs run in
the worker's job runner (retries, leases) through `run_job`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from guanxi.automation import actions, jobs
from guanxi.automation import records as stored
from guanxi.automation.actions import Outcome
from guanxi.automation.jobs import Job
from guanxi.automation.schedules import take_due
from guanxi.expr import Scope, to_python
from guanxi.expr.functions import context_params
from guanxi.insight.classes import (
    RULE_FIELDS,
    SegmentSpec,
    TierSpec,
    quintile_scores,
    threshold_score,
    tier_level,
)
from guanxi.insight.definitions import GroupSpec, MeasureSpec, ReportSpec
from guanxi.insight.query import compile_report, rows_of
from guanxi.insight.reading import insight_of
from guanxi.language.durations import parse_duration
from guanxi.spec import ScheduleSpec
from guanxi.store import events
from guanxi.store.facade import Store
from guanxi.store.unit import transaction

JOB_KIND = "classify"
CONSUMER = "insight"
PAGE = 1000

Spec = SegmentSpec | TierSpec


def window_report(spec: Spec) -> ReportSpec:
    """The report giving, per record of the entity, the latest date, the count and the
    sum of the window's related records."""
    window = spec.window
    within = f"{window.date} >= today() - {window.days}d"
    when = f"({window.when}) and {within}" if window.when else within
    return ReportSpec(
        name=f"{spec.entity}.{spec.field}", entity=window.of, loc=spec.loc, when=when,
        groups=(GroupSpec(window.via, window.loc),),
        measures=(MeasureSpec("last", f"max({window.date})", window.loc),
                  MeasureSpec("count", "count()", window.loc),
                  MeasureSpec("value", f"sum({spec.value})", window.loc)))


def aggregates(store: Store, spec: Spec, now: dt.datetime) -> dict[int, tuple[Any, int, Any]]:
    """Record id -> (latest date, count, sum) over the window, for the records with any."""
    system = store.system
    with store.reading(system, now) as unit:
        query = compile_report(store.app, window_report(spec), system, unit.ctx)
        fetched = unit.conn.execute(query.statement.limit(None),
                                    context_params(unit.ctx)).all()
    found: dict[int, tuple[Any, int, Any]] = {}
    for keys, _, values in rows_of(query, fetched):
        if keys[0] is not None:
            found[int(keys[0])] = (values[0], int(values[1] or 0), values[2])
    return found


def _records(store: Store, spec: Spec, fields: tuple[str, ...]) -> dict[int, dict[str, Any]]:
    """Every record of the entity, with the fields the classification writes."""
    found: dict[int, dict[str, Any]] = {}
    after = None
    while True:
        page = store.list(store.system, spec.entity, sort=("id",), limit=PAGE, after=after,
                          with_total=False)
        for record in page.items:
            found[int(record["id"])] = {name: record.get(name) for name in fields}
        after = page.next_cursor
        if after is None:
            return found


def _days_since(last: Any, today: dt.date) -> int | None:
    if last is None:
        return None
    day = last.date() if isinstance(last, dt.datetime) else last
    return (today - day).days


def segment_values(store: Store, spec: SegmentSpec, now: dt.datetime,
                   ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each record's scores and segment."""
    found = aggregates(store, spec, now)
    today = store.context(store.system, now).today
    recency = {i: _days_since(found[i][0], today) if i in found else None for i in ids}
    frequency = {i: found[i][1] if i in found else None for i in ids}
    money = {i: found[i][2] if i in found else None for i in ids}
    scored: dict[str, dict[int, int]] = {}
    inputs: tuple[tuple[str, dict[int, Any], bool], ...] = (
        ("recency", recency, True), ("frequency", frequency, False), ("monetary", money, False))
    for name, measured, lower in inputs:
        scoring = getattr(spec, name)
        scored[name] = (quintile_scores(measured, lower) if scoring.quintiles else
                        {i: threshold_score(v, scoring.thresholds, lower)
                         for i, v in measured.items()})
    scope = Scope("scores", RULE_FIELDS, {"scores": RULE_FIELDS})
    rules = [(rule.name, to_python(scope.checked(rule.when), scope)) for rule in spec.rules]
    ctx = store.context(store.system, now)
    result: dict[int, dict[str, Any]] = {}
    for i in ids:
        scores = {"r": scored["recency"][i], "f": scored["frequency"][i],
                  "m": scored["monetary"][i]}
        values: dict[str, Any] = {spec.field: next(
            (name for name, holds in rules if holds(scores, ctx, None)), None)}
        for score, name in spec.score_fields:
            values[name] = scored[score][i]
        result[i] = values
    return result


def tier_values(store: Store, spec: TierSpec, now: dt.datetime,
                current: Mapping[int, Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """Each record's tier, from its current one and the window's sum."""
    found = aggregates(store, spec, now)
    return {i: {spec.field: tier_level(spec.levels, record.get(spec.field),
                                       found[i][2] if i in found else Decimal(0))}
            for i, record in current.items()}


def evaluate(store: Store, spec: Spec, now: dt.datetime) -> Outcome:
    """Evaluate one segment or tier on every record; write the changes as the system."""
    outcome = Outcome()
    if isinstance(spec, SegmentSpec):
        fields = (spec.field, *(name for _, name in spec.score_fields))
        current = _records(store, spec, fields)
        wanted = segment_values(store, spec, now, list(current))
    else:
        current = _records(store, spec, (spec.field,))
        wanted = tier_values(store, spec, now, current)
    changed = 0
    for record_id, values in wanted.items():
        changes = {k: v for k, v in values.items() if current[record_id].get(k) != v}
        if not changes:
            continue
        store.update(store.system, spec.entity, record_id, changes)
        changed += 1
        moved = current[record_id].get(spec.field) is not None  # not a first tier
        if isinstance(spec, TierSpec) and spec.field in changes and spec.on_change and moved:
            with transaction(store.engine, write=False) as conn:
                record = stored.load(store.app, conn, spec.entity, record_id)
            if record is not None:
                actions.perform(store, spec.entity, record, spec.on_change, now, outcome)
    outcome.done.append(f"{spec.entity}.{spec.field}: {changed} of {len(wanted)} changed")
    return outcome


def _specs(store: Store) -> tuple[Spec, ...]:
    return insight_of(store.app.spec).classes.all()


def run_job(store: Store, job: Job, now: dt.datetime) -> Outcome:
    """The `classify` job: evaluate the segment or tier named in its payload."""
    name = str(job.payload["name"])
    spec = next((s for s in _specs(store) if s.name == name), None)
    if spec is None:
        return Outcome(done=[f"{name}: no longer declared"])
    return evaluate(store, spec, now)


def _schedule(spec: Spec) -> ScheduleSpec:
    assert spec.every is not None
    return ScheduleSpec(f"classify:{spec.name}", spec.loc, spec.every, spec.entity, (),
                        every_seconds=parse_duration(spec.every))


def follow(store: Store, now: dt.datetime) -> list[str]:
    """Queue a `classify` job for each segment or tier whose records or related records
    were written since the last pass, and for each whose schedule is due."""
    specs = _specs(store)
    if not specs:
        return []
    lines: list[str] = []
    written: set[str] = set()
    last = 0
    if events.pending(store.engine, CONSUMER):
        with events.claim_in(store.engine, CONSUMER, limit=1000) as (conn, taken):
            for event in taken:
                if event.user_id is None and event.entity in {s.entity for s in specs}:
                    continue  # the classification's own writes (as the system)
                written.add(event.entity)
                last = event.id
            for spec in specs:
                if spec.window.of in written or spec.entity in written:
                    jobs.enqueue(conn, JOB_KIND, {"name": spec.name}, now=now,
                                 key=f"classify:{spec.name}:event:{last}")
                    lines.append(f"classify {spec.name}: records changed")
    zone = store.app.spec.time_zone
    for spec in specs:
        if spec.every is None:
            continue
        with transaction(store.engine, write=True) as conn:
            occurrence = take_due(conn, _schedule(spec), now, zone)
            if occurrence is not None:
                jobs.enqueue(conn, JOB_KIND, {"name": spec.name}, now=now,
                             key=f"classify:{spec.name}:{occurrence.isoformat()}")
                lines.append(f"classify {spec.name}: scheduled")
    return lines
