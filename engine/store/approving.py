"""Deciding approval requests (`Store.decide_approval`); asking is
`guanxi.automation.asking`.

An approver asked at the request's current step approves or rejects it, with a comment;
the decision goes into the record's history (as the approver) in one transaction with
what follows from it:

- an approval that completes the step asks the next step whose condition holds, or,
  after the last one, fires the transition **as the requester**, with the values they
  gave: their roles, the record's rules, the guard and the requirements are checked
  again at that moment, so an approval never lets anyone do what the rules refuse;
- a rejection ends the request; with `on_reject`, the record returns to that state
  through the workflow's transition from its state to it, fired as the requester too.

If that firing is refused, the decision is refused with the Store's message and nothing
changes. The requester is told the outcome in the app.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from guanxi.automation import asking, notifications, timers
from guanxi.automation.teams import team_mates
from guanxi.compile.app import CompiledEntity
from guanxi.errors import NotFound, RequestInvalid, TransitionRefused
from guanxi.identity import User
from guanxi.messages import render
from guanxi.spec import TransitionSpec
from guanxi.store import rows, workflow
from guanxi.store.unit import Unit, context_of

DECISIONS = ("approve", "reject")


def _requester(unit: Unit, user_id: int) -> User:
    app, conn = unit.app, unit.conn
    users, roles = app.tables.users, app.tables.user_roles
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()
    if row is None:
        raise NotFound("user", user_id, unit.language)
    held = frozenset(str(r) for r in conn.execute(
        sa.select(roles.c.role).where(roles.c.user_id == user_id)).scalars())
    return User(id=user_id, username=str(row["username"]), roles=held,
                language=str(row["language"] or "en"),
                display_name=str(row["display_name"] or ""))


def _as(unit: Unit, user: User) -> Unit:
    """The same transaction and moment, acting as `user`."""
    ctx = context_of(unit.app, user, unit.now)
    if unit.app.team_rules:
        ctx = dataclasses.replace(ctx, team_mates=team_mates(unit.app, unit.conn, user.id))
    return dataclasses.replace(unit, user=user, ctx=ctx)


def _way_back(compiled: CompiledEntity, current: str, target: str) -> TransitionSpec | None:
    machine = compiled.machine
    if machine is None:
        return None
    return next((t for t in machine.transitions_from(current) if t.target == target), None)


def decide(unit: Unit, approval_id: int, decision: str, comment: str) -> dict[str, Any]:
    """Store.decide_approval: see there."""
    if decision not in DECISIONS:
        raise RequestInvalid(render("approval_bad_decision", {"value": decision},
                                    unit.language))
    conn, now, user = unit.conn, unit.now, unit.user
    query = sa.select(asking.APPROVALS).where(asking.APPROVALS.c.id == approval_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    spec = asking.spec_of(unit.app, row.entity, row.transition) if row is not None else None
    if row is None or row.state != "pending" or spec is None:
        raise NotFound("approval", approval_id, unit.language)
    step = int(row.step)
    tasks = asking.TASKS
    mine = conn.execute(sa.update(tasks).where(
        tasks.c.approval_id == approval_id, tasks.c.step == step,
        tasks.c.user_id == user.id, tasks.c.decision.is_(None)).values(
        decision="approved" if decision == "approve" else "rejected",
        comment=comment or None, decided_at=now)).rowcount
    if not mine:
        raise TransitionRefused(render("approval_not_asked",
                                       {"id": approval_id, "step": step + 1}, unit.language))
    compiled = unit.app.entity(row.entity)
    record_id = int(row.record_id)
    asking.history(unit, compiled, record_id, {
        "event": "approved" if decision == "approve" else "rejected",
        "approval": approval_id, "transition": row.transition, "step": step,
        "comment": comment})
    requester = _requester(unit, int(row.requester_id))
    assert spec.approval is not None
    if decision == "reject":
        return _reject(unit, compiled, row, spec, requester)
    if not asking.step_done(conn, approval_id, spec.approval.steps[step], step):
        return {"id": approval_id, "state": "pending", "step": step}
    _close_step(unit, approval_id, step)
    record = rows.load_row(_as(unit, requester), compiled, record_id).record
    asked = asking.next_step(_as(unit, requester), row.entity, record, spec, step,
                             requester.id)
    if asked is not None:
        conn.execute(asking.APPROVALS.update().where(asking.APPROVALS.c.id == approval_id)
                     .values(step=asked.step))
        asking.ask(unit, approval_id, row.entity, record_id, spec, asked, requester.username)
        return {"id": approval_id, "state": "pending", "step": asked.step}
    _finish(unit, approval_id, "approved")
    workflow.fire(_as(unit, requester), compiled, record_id, spec.name,
                  dict(row.payload or {}), None, approved=True)
    notifications.send(conn, [requester.id], asking.say(
        "approval_approved", {"entity": row.entity, "id": record_id}, spec),
        source=f"{asking.SOURCE}:{approval_id}", now=now, entity=row.entity,
        record_id=record_id)
    return {"id": approval_id, "state": "approved", "step": step}


def _close_step(unit: Unit, approval_id: int, step: int) -> None:
    tasks = asking.TASKS
    unit.conn.execute(tasks.update().where(
        tasks.c.approval_id == approval_id, tasks.c.step == step,
        tasks.c.decision.is_(None)).values(decision="skipped", decided_at=unit.now))


def _finish(unit: Unit, approval_id: int, state: str) -> None:
    row = unit.conn.execute(sa.select(asking.APPROVALS.c.entity, asking.APPROVALS.c.record_id)
                            .where(asking.APPROVALS.c.id == approval_id)).one()
    unit.conn.execute(asking.APPROVALS.update().where(asking.APPROVALS.c.id == approval_id)
                      .values(state=state, decided_at=unit.now))
    timers.cancel(unit.conn, row.entity, int(row.record_id), asking.SOURCE, str(approval_id))


def _reject(unit: Unit, compiled: CompiledEntity, row: Any, spec: TransitionSpec,
            requester: User) -> dict[str, Any]:
    approval_id, record_id = int(row.id), int(row.record_id)
    _close_step(unit, approval_id, int(row.step))
    _finish(unit, approval_id, "rejected")
    assert spec.approval is not None
    target = spec.approval.on_reject
    if target is not None:
        acting = _as(unit, requester)
        current = str(rows.load_row(acting, compiled, record_id).record["state"])
        if current != target:
            back = _way_back(compiled, current, target)
            if back is None:
                raise TransitionRefused(render("approval_no_way_back", {
                    "entity": compiled.name, "id": record_id, "state": target,
                    "current": current}, unit.language))
            workflow.fire(acting, compiled, record_id, back.name, {}, None, approved=True)
    notifications.send(unit.conn, [requester.id], asking.say(
        "approval_rejected", {"entity": compiled.name, "id": record_id,
                              "approver": unit.user.username}, spec),
        source=f"{asking.SOURCE}:{approval_id}", now=unit.now, entity=compiled.name,
        record_id=record_id)
    return {"id": approval_id, "state": "rejected", "step": int(row.step)}
