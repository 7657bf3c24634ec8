"""Scheduled duplicate clean-up: the `duplicates` job a schedule with `do: duplicates`
queues (`guanxi.automation.schedules`).

As the system actor, through the Store: first, with `merge: safe`, the records that the
entity's rules marked `safe: true` find equal (exact keys after normalizing: e-mail in
lower case, phone in E.164, text without case; never a fuzzy rule) are merged into the
oldest of each group, which keeps its values and takes the others' where it has none
(`Store.merge`: references re-pointed, both histories kept). Then the duplicates report
(`guanxi.data.clusters`, every rule) runs, and the roles in `to:` are told of the
clusters they were not told of before. The clusters told of are remembered per entity
in `gx_duplicate_seen` (created with the first run), so a cluster is reported once,
and again only when it changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from guanxi.automation import recipients
from guanxi.automation.actions import Outcome
from guanxi.automation.jobs import Job
from guanxi.data.clusters import Cluster, Groups, clusters
from guanxi.data.normalize import normalized
from guanxi.fields.registry import UTCDateTime
from guanxi.messages import render
from guanxi.spec import ActionSpec, DuplicateRule, Text
from guanxi.store.facade import Store
from guanxi.store.unit import transaction

DUPLICATES_JOB = "duplicates"
PAGE = 500

METADATA = sa.MetaData()
SEEN = sa.Table(
    "gx_duplicate_seen", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entity", sa.String(63), nullable=False),
    # The cluster's record ids, ascending, joined by commas.
    sa.Column("ids", sa.Text, nullable=False),
    sa.Column("seen_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("entity", "ids", name="uq_gx_duplicate_seen"),
)


def _key(rule: DuplicateRule, record: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The rule's normalized key of a record; None when a matched field is empty."""
    key = []
    for name in rule.match:
        value = record.get(name)
        if value in (None, "", []):
            return None
        key.append(normalized(rule.normalize, value, rule.region))
    return tuple(key)


def safe_groups(store: Store, entity: str) -> list[list[int]]:
    """The groups of records (ids, oldest first) that the entity's safe rules find
    equal, joined across rules, as the system actor reads them."""
    rules = [r for r in store.app.spec.entity(entity).duplicates  # type: ignore[union-attr]
             if r.safe and not r.fuzzy]
    if not rules:
        return []
    joined = Groups()
    first: list[dict[tuple[Any, ...], int]] = [{} for _ in rules]
    after: str | None = None
    while True:
        page = store.list(store.system, entity, sort=("id",), limit=PAGE, after=after,
                          with_total=False)
        for record in page.items:
            record_id = int(record["id"])
            for seen, rule in zip(first, rules, strict=True):
                key = _key(rule, record)
                if key is None:
                    continue
                if key in seen:
                    joined.join(record_id, seen[key])
                else:
                    seen[key] = record_id
        if page.next_cursor is None:
            break
        after = page.next_cursor
    return joined.groups()


def merge_safe(store: Store, entity: str) -> int:
    """Merge each safe group into its oldest record; how many records were merged in."""
    merged = 0
    for ids in safe_groups(store, entity):
        survivor, *others = ids
        for other in others:
            mine = store.get(store.system, entity, survivor)
            theirs = store.get(store.system, entity, other)
            take = {name: "other" for name, value in theirs.items()
                    if mine.get(name) in (None, "", []) and value not in (None, "", [])
                    and store.app.entity(entity).fields.get(name) is not None
                    and not store.app.entity(entity).fields[name].compute}
            store.merge(store.system, entity, survivor, other, take)
            merged += 1
    return merged


def _unseen(conn: sa.Connection, entity: str, found: Sequence[Cluster]) -> list[Cluster]:
    keys = {",".join(str(i) for i in cluster.ids): cluster for cluster in found}
    if not keys:
        return []
    known = set(conn.execute(sa.select(SEEN.c.ids).where(
        SEEN.c.entity == entity, SEEN.c.ids.in_(list(keys)))).scalars())
    return [cluster for key, cluster in keys.items() if key not in known]


def _remember(conn: sa.Connection, entity: str, found: Iterable[Cluster],
              now: dt.datetime) -> None:
    rows = [{"entity": entity, "ids": ",".join(str(i) for i in cluster.ids), "seen_at": now}
            for cluster in found]
    if rows:
        conn.execute(SEEN.insert(), rows)


def _message(entity: str, count: int) -> Text:
    return {language: render("duplicates_found", {"count": count, "entity": entity},
                             language) for language in ("en", "zh")}


def run_duplicates(store: Store, job: Job, now: dt.datetime) -> Outcome:
    """The `duplicates` job of a schedule: merge what is safe, report what is new."""
    payload, outcome = job.payload, Outcome()
    schedule = next((s for s in store.app.spec.schedules if s.name == payload["schedule"]),
                    None)
    action: ActionSpec | None = next(
        (a for a in schedule.actions if a.do == DUPLICATES_JOB), None) if schedule else None
    entity = str(payload["entity"])
    if schedule is None or action is None or store.app.spec.entity(entity) is None:
        outcome.done.append(f"duplicates of {entity}: the schedule is gone")
        return outcome
    if action.merge == "safe":
        outcome.done.append(f"duplicates of {entity}: {merge_safe(store, entity)} merged")
    found = clusters(store, store.system, entity)
    METADATA.create_all(store.engine, checkfirst=True)
    with transaction(store.engine, write=True) as conn:
        new = _unseen(conn, entity, found)
        _remember(conn, entity, new, now)
        users = [user for role in action.to if recipients.is_role(store.app, role)
                 for user in recipients.role_users(store.app, conn, role)]
    outcome.done.append(f"duplicates of {entity}: {len(found)} cluster(s), {len(new)} new")
    if new and users:
        outcome.notices.append((users, _message(entity, len(new)), entity, new[0].ids[0]))
    return outcome
