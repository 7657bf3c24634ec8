"""`guanxi users team …`: teams managed in the database (`guanxi.automation.teams`).

    guanxi users team list [--db URL] [PATH]
    guanxi users team add TEAM USERNAME [--db URL] [--project PATH]
    guanxi users team remove TEAM USERNAME [--db URL] [--project PATH]
    guanxi users team manager TEAM USERNAME|--none [--db URL] [--project PATH]
    guanxi users team reset TEAM [--db URL] [--project PATH]

A team changed here is read from the database from then on (its YAML declaration is
copied in first); `reset` drops its rows so that guanxi.yaml counts again.
"""

from __future__ import annotations

import argparse
import datetime as dt

import sqlalchemy as sa
from guanxi.automation import teams
from guanxi.cli.data import db_option, engine_for, guarded, load_app
from guanxi.compile.app import App


def _project(args: argparse.Namespace) -> str:
    return str(getattr(args, "path", None) or args.project)


def _open(args: argparse.Namespace) -> tuple[App, sa.Engine]:
    path = _project(args)
    return load_app(path), engine_for(args, path)


def _names(app: App, conn: sa.Connection, ids: tuple[int, ...]) -> str:
    if not ids:
        return "(nobody)"
    users = app.tables.users
    found = dict(conn.execute(sa.select(users.c.id, users.c.username)
                              .where(users.c.id.in_(ids))).all())
    return ", ".join(str(found.get(i, f"#{i}")) for i in ids)


def _list(args: argparse.Namespace) -> int:
    app, engine = _open(args)
    try:
        with engine.connect() as conn:
            listed = teams.all_teams(app, conn)
            if not listed:
                print("no teams yet; add a member with `guanxi users team add TEAM USERNAME`")
            for team in listed:
                manager = _names(app, conn, (team.manager,)) if team.manager else "(none)"
                source = "database" if team.managed else "guanxi.yaml"
                print(f"{team.name}  manager: {manager}  members: "
                      f"{_names(app, conn, team.members)}  [{source}]")
    finally:
        engine.dispose()
    return 0


def _change(args: argparse.Namespace) -> int:
    app, engine = _open(args)
    now = dt.datetime.now(dt.UTC)
    try:
        with engine.begin() as conn:
            if args.team_command == "reset":
                dropped = teams.reset(app, conn, args.team)
                print(f"team {args.team} " + ("now follows guanxi.yaml again" if dropped
                                              else "was not managed in the database"))
                return 0
            if args.team_command == "manager" and args.none:
                teams.set_manager(app, conn, args.team, None, now)
                print(f"team {args.team} has no manager now")
                return 0
            if not args.username:
                raise teams.TeamError("name a user (or give --none)")
            user = teams.user_id(app, conn, args.username)
            if args.team_command == "add":
                teams.add_member(app, conn, args.team, user, now)
                print(f"{args.username} is a member of team {args.team}")
            elif args.team_command == "remove":
                teams.remove_member(app, conn, args.team, user, now)
                print(f"{args.username} is no longer a member of team {args.team}")
            else:
                teams.set_manager(app, conn, args.team, user, now)
                print(f"{args.username} manages team {args.team}")
    finally:
        engine.dispose()
    return 0


def _options(parser: argparse.ArgumentParser, *, positional: bool = False) -> None:
    db_option(parser)
    if positional:
        parser.add_argument("path", nargs="?", metavar="PATH",
                            help="the project directory (default: --project or .)")
    parser.add_argument("--project", default=".", metavar="PATH",
                        help="the project directory (default: the current directory)")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `team` to the `users` command (registered before, by `guanxi.cli.data`)."""
    users = subparsers.choices["users"]
    commands = next(a for a in users._actions if isinstance(a, argparse._SubParsersAction))
    group = commands.add_parser(
        "team", help="manage teams: members and managers (kept in the database)",
        description="Teams changed here are kept in the database, which wins over "
                    "`teams:` in guanxi.yaml for that team; `reset` returns it to YAML.")
    # The `users` commands read options after positionals (intermixed); `team` has
    # commands of its own, which intermixed parsing refuses: it parses plainly.
    group._inside = True
    inner = group.add_subparsers(dest="team_command", metavar="COMMAND", required=True)
    listing = inner.add_parser("list", help="list the teams, their managers and members")
    _options(listing, positional=True)
    listing.set_defaults(handler=guarded(_list))
    for name, text in (("add", "put a user in a team (made if new)"),
                       ("remove", "take a user out of a team")):
        command = inner.add_parser(name, help=text)
        command.add_argument("team", metavar="TEAM")
        command.add_argument("username", metavar="USERNAME")
        _options(command)
        command.set_defaults(handler=guarded(_change), none=False)
    manager = inner.add_parser("manager", help="set (or clear with --none) a team's manager")
    manager.add_argument("team", metavar="TEAM")
    manager.add_argument("username", nargs="?", metavar="USERNAME")
    manager.add_argument("--none", action="store_true", help="the team has no manager")
    _options(manager)
    manager.set_defaults(handler=guarded(_change))
    reset = inner.add_parser("reset", help="forget the database's rows of a team "
                                           "(guanxi.yaml counts again)")
    reset.add_argument("team", metavar="TEAM")
    _options(reset)
    reset.set_defaults(handler=guarded(_change), username=None, none=False)
