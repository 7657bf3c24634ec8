"""Teams for administrators (`/admin/teams`): each team with its manager and members and
where it is read from (guanxi.yaml or the database); a form per team adds a member, sets
the manager, removes a member or returns the team to its YAML declaration; a new team is
made by adding its first member. Changes are kept in the database, which wins over YAML
for that team (`guanxi.automation.teams`). Every change is a POST with the CSRF token."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from guanxi.automation import teams
from guanxi.server.context import Ctx, handler, is_admin
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

PAGE = "/admin/teams"


def _require_admin(ctx: Ctx) -> None:
    if ctx.user is None or not is_admin(ctx.spec, ctx.user):
        raise HTTPException(403, "administrators only")


def _page(ctx: Ctx, status: int = 200, error: str | None = None,
          failed: str | None = None) -> Response:
    app = ctx.loaded.app
    users = app.tables.users
    with ctx.store.engine.connect() as conn:
        listed = teams.all_teams(app, conn)
        names = {int(i): str(n) for i, n in conn.execute(
            sa.select(users.c.id, users.c.username).order_by(users.c.username))}
    shown: list[dict[str, Any]] = [
        {"name": team.name, "label": ctx.text(team.label, team.name), "managed": team.managed,
         "manager": names.get(team.manager) if team.manager is not None else None,
         "members": [names.get(m, f"#{m}") for m in team.members],
         "declared": ctx.spec.team(team.name) is not None}
        for team in listed]
    return ctx.render("teams", status=status, teams=shown, usernames=sorted(names.values()),
                      error=error, failed=failed)


@handler()
def teams_page(ctx: Ctx) -> Response:
    _require_admin(ctx)
    return _page(ctx)


@handler()
def change(ctx: Ctx, name: str) -> Response:
    """`action`: add, remove, manager (with `username`; an empty one clears the manager
    for `manager`) or reset."""
    _require_admin(ctx)
    assert ctx.form is not None
    app, now = ctx.loaded.app, ctx.store.clock()
    action = str(ctx.form.get("action") or "")
    username = str(ctx.form.get("username") or "").strip()
    try:
        with ctx.store.engine.begin() as conn:
            if action == "reset":
                teams.reset(app, conn, name)
            elif action == "manager" and not username:
                teams.set_manager(app, conn, name, None, now)
            elif action in ("add", "remove", "manager"):
                if not username:
                    raise teams.TeamError(ctx.t("team_user_needed"))
                user = teams.user_id(app, conn, username)
                if action == "add":
                    teams.add_member(app, conn, name, user, now)
                elif action == "remove":
                    teams.remove_member(app, conn, name, user, now)
                else:
                    teams.set_manager(app, conn, name, user, now)
            else:
                raise HTTPException(400, "unknown action")
    except teams.TeamError as error:
        return _page(ctx, 400, error=str(error), failed=name)
    ctx.flash(ctx.t("team_saved"))
    return ctx.redirect(PAGE)


@handler()
def create(ctx: Ctx) -> Response:
    """A new team, with its first member."""
    _require_admin(ctx)
    assert ctx.form is not None
    name = str(ctx.form.get("team") or "").strip()
    username = str(ctx.form.get("username") or "").strip()
    app = ctx.loaded.app
    try:
        with ctx.store.engine.begin() as conn:
            teams.add_member(app, conn, name, teams.user_id(app, conn, username),
                             ctx.store.clock())
    except teams.TeamError as error:
        return _page(ctx, 400, error=str(error), failed="")
    ctx.flash(ctx.t("team_saved"))
    return ctx.redirect(PAGE)


def routes() -> list[Route]:
    return [Route(PAGE, teams_page),
            Route(PAGE + "/new", create, methods=["POST"]),
            Route(PAGE + "/{name}", change, methods=["POST"])]
