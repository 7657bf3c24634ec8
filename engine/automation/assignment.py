"""Choosing who gets new work (assignment rules, `do: assign` with `round_robin:`).

Round-robin: the active users of a role in id order, starting after the one the rule
chose last (`gx_assignment` keeps its pointer; read and moved in the caller's write
transaction). Least open work: the active user of the role with the fewest records of the
entity assigned to them that are not deleted and not in a final state (ties: lowest id).
Inactive users are never chosen. A rule may keep to the members of one team.
"""

from __future__ import annotations

import sqlalchemy as sa
from guanxi.automation.recipients import role_users, team_members
from guanxi.automation.tables import TABLES
from guanxi.compile.app import App
from sqlalchemy.dialects import postgresql, sqlite

POINTERS = TABLES.assignments


def _round_robin(conn: sa.Connection, rule: str, users: list[int]) -> int:
    query = sa.select(POINTERS.c.last_user_id).where(POINTERS.c.rule == rule)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    last = conn.execute(query).scalar()
    chosen = next((u for u in users if last is not None and u > last), users[0])
    insert = (postgresql.insert(POINTERS) if conn.dialect.name == "postgresql"
              else sqlite.insert(POINTERS))
    conn.execute(insert.values(rule=rule, last_user_id=chosen).on_conflict_do_update(
        index_elements=["rule"], set_={"last_user_id": chosen}))
    return chosen


def _least_open(app: App, conn: sa.Connection, users: list[int], entity: str,
                field: str) -> int:
    compiled = app.entity(entity)
    table = compiled.table
    open_rows = [table.c.deleted_at.is_(None), table.c[field].in_(users)]
    if compiled.machine is not None:
        finals = [s.name for s in compiled.machine.spec.states if s.final]
        if finals:
            open_rows.append(table.c.state.not_in(finals))
    counted: dict[int, int] = dict(conn.execute(sa.select(table.c[field], sa.func.count())
                                .where(*open_rows).group_by(table.c[field])).all())
    return min(users, key=lambda user: (counted.get(user, 0), user))


def next_user(app: App, conn: sa.Connection, rule: str, role: str, method: str,
              entity: str, field: str, team: str | None = None) -> int | None:
    """The user `rule` gives the next record to, among the role's active users (in
    `team` only, when given); None when there is none."""
    users = role_users(app, conn, role)
    if team is not None:
        members = set(team_members(app, conn, team))
        users = [user for user in users if user in members]
    if not users:
        return None
    if method == "least_open":
        return _least_open(app, conn, users, entity, field)
    return _round_robin(conn, rule, users)
