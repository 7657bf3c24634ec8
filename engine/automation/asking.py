"""Asking for approval: a transition with `approval:` (see `guanxi.spec.ApprovalSpec`).

Firing such a transition (`Store.transition`) checks everything it would check to fire
— the user's roles, the state, the guard, the values and requirements — and then,
instead of moving the record, opens an approval request (`gx_approval`) in the same
transaction: the record stays in its state, shown as pending. Each step is asked in
order; a step whose `when` does not hold is skipped (if none holds, the transition fires
at once). The approvers of a step are resolved when it is asked, on the record as it is
then: each `by:` entry (a party) is a role (its active users holding it), a team, a user
field of the record, `manager of <user field>` or `manager of requester`. Nobody
approves their own request. Each approver gets one task (`gx_approval_task`), an in-app
notification, and with `remind:` a reminder timer (source `approval`).

A step is done when any one approver approved (`need: any`, the default) or when every
party has an approval (`need: all`). Deciding is `Store.decide_approval`
(`guanxi.store.approving`).

Reminders: the reminder timer's job (`remind_due`) reminds the approvers of the step who
have not decided and, while fewer than `remind.times` reminders were sent for the step,
arms the next one `remind.every` after it. It marks its timer `done` in the same
transaction, so a job run twice (a worker that lost its lease) reminds once and arms
one successor: one reminder per due time.

A deleted record's pending request is withdrawn (`withdraw`, by the consumer in
`guanxi.automation.withdrawal`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.automation import notifications, recipients, timers
from guanxi.automation import records as stored
from guanxi.automation.tables import TABLES
from guanxi.compile.app import App, CompiledEntity
from guanxi.errors import TransitionRefused
from guanxi.messages import render
from guanxi.spec import ApprovalStep, TransitionSpec, text_in
from guanxi.store import outbox
from guanxi.store.unit import Unit

APPROVALS = TABLES.approvals
TASKS = TABLES.approval_tasks
REQUESTER = "manager of requester"
SOURCE = "approval"
LANGUAGES = ("en", "zh")


@dataclass(frozen=True, slots=True)
class Asked:
    """A step to ask: its index, and the user ids of each of its parties."""

    step: int
    parties: tuple[tuple[int, ...], ...]


def _json_safe(values: Mapping[str, Any]) -> dict[str, Any]:
    return dict(json.loads(json.dumps(dict(values), default=str)))


def pending_of(conn: sa.Connection, entity: str, record_id: int) -> sa.Row[Any] | None:
    """The record's pending approval request, if any."""
    return conn.execute(sa.select(APPROVALS).where(
        APPROVALS.c.entity == entity, APPROVALS.c.record_id == record_id,
        APPROVALS.c.state == "pending")).first()


def party(app: App, conn: sa.Connection, entity: str, record: Mapping[str, Any], name: str,
          requester: int, unit: Unit) -> tuple[int, ...]:
    """The active users one `by:` entry names, without the requester."""
    if name == REQUESTER:
        found = recipients.managers_of(app, conn, requester)
    else:
        found = recipients.recipients(app, conn, entity, record, (name,), unit.resolve)
        found = recipients.active(app, conn, found)
    return tuple(u for u in found if u != requester)


def next_step(unit: Unit, entity: str, record: Mapping[str, Any], transition: TransitionSpec,
              after: int, requester: int) -> Asked | None:
    """The first step after index `after` whose condition holds, with its approvers;
    None when no step is left. TransitionRefused when nobody could approve it."""
    approval = transition.approval
    assert approval is not None
    app, conn = unit.app, unit.conn
    for index, step in enumerate(approval.steps):
        if index <= after:
            continue
        if not stored.holds(app, entity, step.when, record, unit.ctx, unit.resolve):
            continue
        parties = tuple(party(app, conn, entity, record, name, requester, unit)
                        for name in step.by)
        empty = [p for p in parties if not p]
        if (step.need == "all" and empty) or len(empty) == len(parties):
            raise TransitionRefused(render("approval_nobody", {
                "step": index + 1, "transition": transition.name,
                "by": ", ".join(step.by)}, unit.language))
        return Asked(index, parties)
    return None


def say(code: str, params: Mapping[str, Any],
        transition: TransitionSpec | None = None) -> dict[str, str]:
    """Message `code` in every language, with the transition's label in each."""
    out = {}
    for language in LANGUAGES:
        values = dict(params)
        if transition is not None:
            values["transition"] = text_in(transition.label, language, transition.name)
        out[language] = render(code, values, language)
    return out


def ask(unit: Unit, approval_id: int, entity: str, record_id: int,
        transition: TransitionSpec, asked: Asked, requester_name: str) -> None:
    """Open step `asked`: a task per approver, a notification, a reminder timer."""
    conn, now = unit.conn, unit.now
    rows = [{"approval_id": approval_id, "step": asked.step, "party": index, "user_id": user,
             "asked_at": now} for index, users in enumerate(asked.parties) for user in users]
    conn.execute(TASKS.insert(), rows)
    message = say("approval_asked", {"entity": entity, "id": record_id,
                                     "requester": requester_name}, transition)
    notifications.send(conn, [user for users in asked.parties for user in users], message,
                       source=f"{SOURCE}:{approval_id}", now=now, entity=entity,
                       record_id=record_id)
    approval = transition.approval
    assert approval is not None
    if approval.remind_seconds:
        timers.arm(conn, entity, record_id, SOURCE, str(approval_id), asked.step,
                   now + dt.timedelta(seconds=approval.remind_seconds), now)


def history(unit: Unit, compiled: CompiledEntity, record_id: int,
            what: Mapping[str, Any]) -> None:
    """An `approval` row in the record's history (and its change event), by the unit's
    user: what was asked or decided."""
    outbox.record(unit, compiled, [outbox.Change(
        compiled.name, record_id, "approval", {"approval": [None, dict(what)]})])


def request(unit: Unit, compiled: CompiledEntity, record: Mapping[str, Any],
            transition: TransitionSpec, values: Mapping[str, Any]) -> dict[str, Any] | None:
    """Open an approval request for firing `transition` on `record` (as it would be with
    the values given); None when no step applies (the transition fires now)."""
    conn, entity, record_id = unit.conn, compiled.name, int(record["id"])
    if pending_of(conn, entity, record_id) is not None:
        raise TransitionRefused(render("approval_already_pending", {
            "entity": entity, "id": record_id, "transition": transition.name},
            unit.language))
    requester = unit.user.id
    asked = next_step(unit, entity, record, transition, -1, requester)
    if asked is None:
        return None
    approval_id = int(conn.execute(APPROVALS.insert().values(
        entity=entity, record_id=record_id, transition=transition.name,
        requester_id=requester, payload=_json_safe(values), state="pending",
        step=asked.step, created_at=unit.now).returning(APPROVALS.c.id)).scalar_one())
    ask(unit, approval_id, entity, record_id, transition, asked, unit.user.username)
    history(unit, compiled, record_id, {"event": "requested", "approval": approval_id,
                                        "transition": transition.name, "step": asked.step})
    return {"id": approval_id, "state": "pending", "transition": transition.name,
            "step": asked.step}


def withdraw(unit: Unit, compiled: CompiledEntity, record_id: int,
             deleted_by: int | None, among: Collection[int]) -> list[int]:
    """The record was deleted (by user `deleted_by`): its requests still pending among
    `among` (those asked before the deletion) are withdrawn — state `withdrawn`, open
    tasks closed as `withdrawn`, reminders cancelled, a `withdrawn` row in the record's
    history, and the requester told (unless they deleted it). The ids withdrawn."""
    conn, now, entity = unit.conn, unit.now, compiled.name
    if not among:
        return []
    query = sa.select(APPROVALS).where(
        APPROVALS.c.entity == entity, APPROVALS.c.record_id == record_id,
        APPROVALS.c.state == "pending", APPROVALS.c.id.in_(list(among)))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    done = []
    for row in conn.execute(query).all():
        approval_id = int(row.id)
        if not conn.execute(APPROVALS.update().where(
                APPROVALS.c.id == approval_id, APPROVALS.c.state == "pending")
                .values(state="withdrawn", decided_at=now)).rowcount:
            continue
        conn.execute(TASKS.update().where(TASKS.c.approval_id == approval_id,
                                          TASKS.c.decision.is_(None))
                     .values(decision="withdrawn", decided_at=now))
        timers.cancel(conn, entity, record_id, SOURCE, str(approval_id))
        history(unit, compiled, record_id, {
            "event": "withdrawn", "approval": approval_id, "transition": row.transition,
            "step": int(row.step), "reason": "deleted"})
        requester = int(row.requester_id)
        if requester != deleted_by:
            notifications.send(conn, [requester], say(
                "approval_withdrawn", {"entity": entity, "id": record_id},
                spec_of(unit.app, entity, row.transition)),
                source=f"{SOURCE}:{approval_id}", now=now, entity=entity,
                record_id=record_id)
        done.append(approval_id)
    return done


def cancel_pending(conn: sa.Connection, entity: str, record_id: int,
                   now: dt.datetime) -> None:
    """The record moved on by another transition: its pending request is cancelled."""
    found = pending_of(conn, entity, record_id)
    if found is None:
        return
    conn.execute(APPROVALS.update().where(APPROVALS.c.id == found.id)
                 .values(state="cancelled", decided_at=now))
    conn.execute(TASKS.update().where(TASKS.c.approval_id == found.id,
                                      TASKS.c.decision.is_(None))
                 .values(decision="skipped", decided_at=now))
    timers.cancel(conn, entity, record_id, SOURCE, str(found.id))


def uses_approvals(compiled: CompiledEntity) -> bool:
    """Whether some transition of the entity's workflow asks for approval."""
    machine = compiled.machine
    return machine is not None and any(t.approval is not None
                                       for t in machine.spec.transitions)


def step_done(conn: sa.Connection, approval_id: int, step: ApprovalStep, index: int) -> bool:
    """Whether step `index` has the approvals it needs."""
    approved = {int(p) for p in conn.execute(sa.select(TASKS.c.party).where(
        TASKS.c.approval_id == approval_id, TASKS.c.step == index,
        TASKS.c.decision == "approved")).scalars()}
    if step.need == "all":
        asked = {int(p) for p in conn.execute(sa.select(TASKS.c.party).where(
            TASKS.c.approval_id == approval_id, TASKS.c.step == index)).scalars()}
        return asked <= approved
    return bool(approved)


def spec_of(app: App, entity: str, transition: str) -> TransitionSpec | None:
    compiled = app.entities.get(entity)
    if compiled is None or compiled.machine is None:
        return None
    found = compiled.machine.spec.transition(transition)
    return found if found is not None and found.approval is not None else None


# ---------------------------------------------------------------- reading


def inbox(app: App, conn: sa.Connection, user_id: int, language: str,
          *, decided: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    """The approvals `user_id` is asked to decide (with `decided`: also those they
    decided), newest first."""
    users = app.tables.users
    query = (sa.select(TASKS.c.id.label("task"), TASKS.c.step, TASKS.c.decision,
                       TASKS.c.comment, TASKS.c.asked_at, TASKS.c.decided_at,
                       APPROVALS.c.id, APPROVALS.c.entity, APPROVALS.c.record_id,
                       APPROVALS.c.transition, APPROVALS.c.state,
                       APPROVALS.c.created_at, users.c.username.label("requester"))
             .select_from(TASKS.join(APPROVALS, APPROVALS.c.id == TASKS.c.approval_id)
                          .join(users, users.c.id == APPROVALS.c.requester_id))
             .where(TASKS.c.user_id == user_id)
             .order_by(TASKS.c.id.desc()).limit(limit))
    if not decided:
        query = query.where(TASKS.c.decision.is_(None), APPROVALS.c.state == "pending")
    out = []
    for row in conn.execute(query).mappings():
        spec = spec_of(app, row["entity"], row["transition"])
        label = text_in(spec.label, language, spec.name) if spec else row["transition"]
        out.append({"id": int(row["id"]), "entity": row["entity"],
                    "record_id": int(row["record_id"]), "transition": row["transition"],
                    "transition_label": label, "requester": row["requester"],
                    "step": int(row["step"]) + 1, "state": row["state"],
                    "decision": row["decision"], "comment": row["comment"],
                    "asked_at": row["asked_at"].isoformat(),
                    "decided_at": row["decided_at"].isoformat() if row["decided_at"]
                    else None})
    return out


def pending_count(conn: sa.Connection, user_id: int) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(
        TASKS.join(APPROVALS, APPROVALS.c.id == TASKS.c.approval_id)).where(
        TASKS.c.user_id == user_id, TASKS.c.decision.is_(None),
        APPROVALS.c.state == "pending")).scalar_one())


def remind_due(conn: sa.Connection, app: App, timer_id: int, approval_id: int, step: int,
               now: dt.datetime) -> list[int] | None:
    """The fired reminder timer `timer_id` of step `step` of `approval_id`: remind the
    approvers who have not decided and arm the next reminder when the approval asks for
    more (see the module). Whom it reminded; None when the timer was already handled."""
    taken = conn.execute(timers.TIMERS.update().where(
        timers.TIMERS.c.id == timer_id, timers.TIMERS.c.state == "fired")
        .values(state="done")).rowcount
    if not taken:
        return None
    reminded = remind(conn, app, approval_id, step, now)
    row = conn.execute(sa.select(APPROVALS).where(APPROVALS.c.id == approval_id)).first()
    spec = spec_of(app, row.entity, row.transition) if row is not None else None
    if row is None or row.state != "pending" or int(row.step) != step or spec is None:
        return reminded
    approval = spec.approval
    assert approval is not None
    every = approval.remind_every_seconds
    sent = int(conn.execute(sa.select(sa.func.count()).select_from(timers.TIMERS).where(
        timers.TIMERS.c.entity == row.entity, timers.TIMERS.c.record_id == row.record_id,
        timers.TIMERS.c.source == SOURCE, timers.TIMERS.c.name == str(approval_id),
        timers.TIMERS.c.step == step, timers.TIMERS.c.state == "done")).scalar_one())
    if not every or sent >= approval.remind_times:
        return reminded
    due = conn.execute(sa.select(timers.TIMERS.c.due_at).where(
        timers.TIMERS.c.id == timer_id)).scalar_one()
    # The next due time after now: reminders a stopped worker missed collapse into one.
    late = max(0, int((now - due).total_seconds()) // every)
    timers.arm(conn, row.entity, int(row.record_id), SOURCE, str(approval_id), step,
               due + dt.timedelta(seconds=every * (late + 1)), now)
    return reminded


def remind(conn: sa.Connection, app: App, approval_id: int, step: int,
           now: dt.datetime) -> list[int]:
    """Remind the approvers of step `step` who have not decided; whom."""
    row = conn.execute(sa.select(APPROVALS).where(APPROVALS.c.id == approval_id)).first()
    if row is None or row.state != "pending" or int(row.step) != step:
        return []
    users = [int(u) for u in conn.execute(sa.select(TASKS.c.user_id).where(
        TASKS.c.approval_id == approval_id, TASKS.c.step == step,
        TASKS.c.decision.is_(None))).scalars()]
    message = say("approval_reminder", {"entity": row.entity, "id": row.record_id,
                                         "transition": row.transition},
                  spec_of(app, row.entity, row.transition))
    notifications.send(conn, users, message, source=f"{SOURCE}:{approval_id}", now=now,
                       entity=row.entity, record_id=int(row.record_id))
    return users
