"""Teams: who belongs to which team, and who manages it.

A team is declared in `teams:` of guanxi.yaml (by username) or managed in the database
(`gx_team`, `gx_team_member`: `guanxi users team …` and the page /admin/teams). The
database wins: a team with a `gx_team` row is read from the database only, and its YAML
manager and members are ignored from then on (its YAML label still names it). The first
change to a team declared in YAML copies its YAML manager and members into the database,
so a change starts from what people saw; `reset` deletes the rows and the YAML
declaration counts again. A team may also exist only in the database.

Everything here runs in the caller's transaction (`conn`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from guanxi.automation.tables import TABLES
from guanxi.compile.app import App
from guanxi.errors import RequestInvalid
from guanxi.spec import Text

TEAMS = TABLES.teams
MEMBERS = TABLES.team_members


class TeamError(RequestInvalid):
    """A team change that cannot be made (an unknown user or team, a bad team name)."""


@dataclass(frozen=True, slots=True)
class Team:
    """A team as it counts now: user ids of its manager and members."""

    name: str
    label: Text
    manager: int | None
    members: tuple[int, ...]
    # Read from the database (True) or from guanxi.yaml (False).
    managed: bool


def _ids(app: App, conn: sa.Connection, names: list[str]) -> dict[str, int]:
    if not names:
        return {}
    users = app.tables.users
    rows = conn.execute(sa.select(users.c.username, users.c.id)
                        .where(users.c.username.in_(names)))
    return {str(name): int(i) for name, i in rows}


def _from_yaml(app: App, conn: sa.Connection, name: str) -> Team | None:
    spec = app.spec.team(name)
    if spec is None:
        return None
    ids = _ids(app, conn, [*spec.members, *([spec.manager] if spec.manager else [])])
    members = tuple(sorted(ids[m] for m in spec.members if m in ids))
    manager = ids.get(spec.manager) if spec.manager else None
    return Team(name, dict(spec.label), manager, members, managed=False)


def _managed(conn: sa.Connection) -> dict[str, Team]:
    found: dict[str, Team] = {}
    members: dict[str, list[int]] = {}
    for team, user in conn.execute(sa.select(MEMBERS.c.team, MEMBERS.c.user_id)
                                   .order_by(MEMBERS.c.user_id)):
        members.setdefault(str(team), []).append(int(user))
    for name, manager in conn.execute(sa.select(TEAMS.c.name, TEAMS.c.manager_id)):
        found[str(name)] = Team(str(name), {}, None if manager is None else int(manager),
                                tuple(members.get(str(name), ())), managed=True)
    return found


def all_teams(app: App, conn: sa.Connection) -> list[Team]:
    """Every team, by name: the database's, then those declared only in YAML."""
    managed = _managed(conn)
    teams: dict[str, Team] = {}
    for spec in app.spec.teams:
        if spec.name in managed:
            row = managed.pop(spec.name)
            teams[spec.name] = Team(row.name, dict(spec.label), row.manager, row.members,
                                    managed=True)
        else:
            yaml_team = _from_yaml(app, conn, spec.name)
            assert yaml_team is not None
            teams[spec.name] = yaml_team
    teams.update(managed)
    return [teams[name] for name in sorted(teams)]


def team(app: App, conn: sa.Connection, name: str) -> Team | None:
    """The team `name` as it counts now, or None when there is no such team."""
    row = conn.execute(sa.select(TEAMS.c.manager_id).where(TEAMS.c.name == name)).first()
    if row is None:
        return _from_yaml(app, conn, name)
    members = tuple(int(u) for u in conn.execute(
        sa.select(MEMBERS.c.user_id).where(MEMBERS.c.team == name)
        .order_by(MEMBERS.c.user_id)).scalars())
    spec = app.spec.team(name)
    return Team(name, dict(spec.label) if spec else {},
                None if row[0] is None else int(row[0]), members, managed=True)


def exists(app: App, conn: sa.Connection, name: str) -> bool:
    return app.spec.team(name) is not None or conn.execute(
        sa.select(TEAMS.c.name).where(TEAMS.c.name == name)).first() is not None


def members(app: App, conn: sa.Connection, name: str) -> list[int]:
    """The user ids of the members of team `name` (none for an unknown team)."""
    found = team(app, conn, name)
    return list(found.members) if found else []


def teams_of(app: App, conn: sa.Connection, user_id: int) -> list[Team]:
    """The teams `user_id` is a member or the manager of."""
    return [t for t in all_teams(app, conn) if user_id in t.members or t.manager == user_id]


def managers_of(app: App, conn: sa.Connection, user_id: int) -> list[int]:
    """The managers of the teams `user_id` is a member of (not themselves)."""
    found = {t.manager: None for t in all_teams(app, conn)
             if user_id in t.members and t.manager is not None and t.manager != user_id}
    return [m for m in found if m is not None]


def team_mates(app: App, conn: sa.Connection, user_id: int | None) -> frozenset[int]:
    """Everyone sharing a team with `user_id` (as member or manager), themselves
    included when they are in any team: who `same_team(owner)` lets them reach."""
    if user_id is None:
        return frozenset()
    mates: set[int] = set()
    for found in teams_of(app, conn, user_id):
        mates.update(found.members)
        if found.manager is not None:
            mates.add(found.manager)
    return frozenset(mates)


# ---------------------------------------------------------------- changes


def _check_name(name: str) -> str:
    if not name or len(name) > 63 or not all(c.isalnum() or c in "_-" for c in name):
        raise TeamError(f"team name '{name}' must be 1 to 63 letters, digits, '_' or '-'")
    return name


def user_id(app: App, conn: sa.Connection, username: str) -> int:
    """The id of the user `username`; a TeamError when there is none."""
    found = _ids(app, conn, [username]).get(username)
    if found is None:
        raise TeamError(f"there is no user '{username}'")
    return found


def _adopt(app: App, conn: sa.Connection, name: str, now: dt.datetime) -> None:
    """Make sure team `name` has its rows, copying its YAML declaration the first time."""
    _check_name(name)
    if conn.execute(sa.select(TEAMS.c.name).where(TEAMS.c.name == name)).first():
        return
    declared = _from_yaml(app, conn, name)
    conn.execute(TEAMS.insert().values(name=name, updated_at=now,
                                       manager_id=declared.manager if declared else None))
    if declared is not None and declared.members:
        conn.execute(MEMBERS.insert(), [{"team": name, "user_id": m}
                                        for m in declared.members])


def _touch(conn: sa.Connection, name: str, now: dt.datetime) -> None:
    conn.execute(TEAMS.update().where(TEAMS.c.name == name).values(updated_at=now))


def add_member(app: App, conn: sa.Connection, name: str, member: int,
               now: dt.datetime) -> None:
    """Put user `member` in team `name` (creating the team in the database if needed)."""
    _adopt(app, conn, name, now)
    present = conn.execute(sa.select(MEMBERS.c.user_id).where(
        MEMBERS.c.team == name, MEMBERS.c.user_id == member)).first()
    if present is None:
        conn.execute(MEMBERS.insert().values(team=name, user_id=member))
    _touch(conn, name, now)


def remove_member(app: App, conn: sa.Connection, name: str, member: int,
                  now: dt.datetime) -> None:
    """Take user `member` out of team `name`."""
    if not exists(app, conn, name):
        raise TeamError(f"there is no team '{name}'")
    _adopt(app, conn, name, now)
    conn.execute(MEMBERS.delete().where(MEMBERS.c.team == name, MEMBERS.c.user_id == member))
    _touch(conn, name, now)


def set_manager(app: App, conn: sa.Connection, name: str, manager: int | None,
                now: dt.datetime) -> None:
    """Make user `manager` (None: nobody) the manager of team `name`."""
    _adopt(app, conn, name, now)
    conn.execute(TEAMS.update().where(TEAMS.c.name == name)
                 .values(manager_id=manager, updated_at=now))


def reset(app: App, conn: sa.Connection, name: str) -> bool:
    """Drop the database's rows of team `name` (its YAML declaration counts again);
    whether there were any."""
    conn.execute(MEMBERS.delete().where(MEMBERS.c.team == name))
    return bool(conn.execute(TEAMS.delete().where(TEAMS.c.name == name)).rowcount)
