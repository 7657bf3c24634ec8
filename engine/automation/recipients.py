"""Who an action addresses: `to:` names a role (its active users), a team (its active
members, in guanxi.yaml or managed in the database: `guanxi.automation.teams`), a
user field of the record (`assignee`, `owner`), a user field reached through
references (`account.owner`), or the manager of such a user
(`manager of assignee`: the managers of the teams the user is a member of). Paths are
checked by `guanxi check` against the entity (`guanxi.checks.automation`); here they are
followed in the action's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from guanxi.automation import teams
from guanxi.compile.app import App
from guanxi.store.unit import Resolver


def role_users(app: App, conn: sa.Connection, role: str) -> list[int]:
    """The active users given `role` itself (not those whose roles include it: an
    administrator is not a service agent for round-robin or alarms)."""
    users, roles = app.tables.users, app.tables.user_roles
    query = (sa.select(users.c.id).join(roles, roles.c.user_id == users.c.id)
             .where(roles.c.role == role, users.c.active.is_(True))
             .distinct().order_by(users.c.id))
    return [int(i) for i in conn.execute(query).scalars()]


MANAGER_OF = "manager of "


def active(app: App, conn: sa.Connection, ids: list[int]) -> list[int]:
    """Those of `ids` whose accounts are active, in id order."""
    if not ids:
        return []
    users = app.tables.users
    query = (sa.select(users.c.id).where(users.c.id.in_(ids), users.c.active.is_(True))
             .order_by(users.c.id))
    return [int(i) for i in conn.execute(query).scalars()]


def team_members(app: App, conn: sa.Connection, team: str) -> list[int]:
    """The active members of `team`, as it counts now (database or YAML)."""
    return active(app, conn, teams.members(app, conn, team))


def managers_of(app: App, conn: sa.Connection, user_id: int) -> list[int]:
    """The active managers of the teams user `user_id` is a member of."""
    return active(app, conn, teams.managers_of(app, conn, user_id))


def follow(app: App, entity: str, record: Mapping[str, Any], path: str,
           resolve: Resolver) -> Any:
    """The value at `path` (`owner`, `account.owner`) from `record` of `entity`."""
    hops = path.split(".")
    current: Mapping[str, Any] | None = record
    spec = app.spec.entity(entity)
    for hop in hops[:-1]:
        if current is None or spec is None:
            return None
        field = spec.field(hop)
        target = current.get(hop)
        if field is None or field.ref is None or target is None:
            return None
        current = resolve(field.ref, int(target))
        spec = app.spec.entity(field.ref)
    return None if current is None else current.get(hops[-1])


def is_role(app: App, name: str) -> bool:
    return app.spec.role(name) is not None


def recipients(app: App, conn: sa.Connection, entity: str, record: Mapping[str, Any],
               to: tuple[str, ...], resolve: Resolver) -> list[int]:
    """The user ids `to` names for `record`, each once, in order."""
    found: dict[int, None] = {}
    for name in to:
        if is_role(app, name):
            found.update(dict.fromkeys(role_users(app, conn, name)))
            continue
        if teams.exists(app, conn, name):
            found.update(dict.fromkeys(team_members(app, conn, name)))
            continue
        if name.startswith(MANAGER_OF):
            user = follow(app, entity, record, name[len(MANAGER_OF):].strip(), resolve)
            if user is not None:
                found.update(dict.fromkeys(managers_of(app, conn, int(user))))
            continue
        user = follow(app, entity, record, name, resolve)
        if user is not None:
            found[int(user)] = None
    return list(found)
