"""The targets pages (`/targets/NAME`): a target's attainment in a period (each user's
and team's target, what they reached as the reader may read it, and the share), with a
progress bar per line; the target's managers set amounts there (a POST with the CSRF
token; a wrong amount is shown next to its input and nothing is saved)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from guanxi.insight import plug
from guanxi.insight.definitions import TargetSpec
from guanxi.insight.reading import insight_of
from guanxi.insight.targets import (
    amount_error,
    attainment,
    current_period,
    manages,
    period_bounds,
    save_amount,
)
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

plug.install()


def _target(ctx: Ctx, name: str) -> TargetSpec:
    target = insight_of(ctx.spec).target(name)
    if target is None:
        raise HTTPException(404)
    return target


def _period(ctx: Ctx, target: TargetSpec, given: str | None) -> str:
    if given and len(given) <= 10 and period_bounds(target.period, given) is not None:
        return given
    return current_period(ctx.store, target)


def _choices(ctx: Ctx) -> list[tuple[str, str]]:
    users = ctx.loaded.app.tables.users
    with ctx.store.engine.connect() as conn:
        found = [(f"user:{r.username}", str(r.display_name or r.username))
                 for r in conn.execute(sa.select(users.c.username, users.c.display_name)
                                       .where(users.c.active.is_(True))
                                       .order_by(users.c.username))]
    found += [(f"team:{t.name}", ctx.text(t.label, t.name)) for t in ctx.spec.teams]
    return found


def lines_of(ctx: Ctx, target: TargetSpec, period: str) -> list[dict[str, Any]]:
    """The attainment lines, ready for templates."""
    return [{"who": line.who, "label": line.label,
             "target": f"{line.target:,.2f}" if line.target is not None else "",
             "reached": f"{line.reached:,.2f}", "percent": line.percent,
             "bar": min(line.percent, 100),
             "ratio": f"{line.percent}%" if line.ratio is not None else ""}
            for line in attainment(ctx.store, rv.acting_user(ctx), target, period)]


def _page(ctx: Ctx, target: TargetSpec, period: str, status: int = 200,
          error: str | None = None, typed: dict[str, str] | None = None) -> Response:
    user = rv.acting_user(ctx)
    manager = manages(ctx.spec, target, user)
    return ctx.render("targets", status=status, target=target.name,
                      title=ctx.text(target.label, target.name), period=period,
                      lines=lines_of(ctx, target, period), manager=manager,
                      choices=_choices(ctx) if manager else [], error=error,
                      typed={"who": "", "amount": "", **(typed or {})})


@handler()
def target_page(ctx: Ctx, name: str) -> Response:
    target = _target(ctx, name)
    if not ctx.may(target.entity, "read"):
        raise HTTPException(403)
    return _page(ctx, target, _period(ctx, target, ctx.request.query_params.get("period")))


@handler()
def set_target(ctx: Ctx, name: str) -> Response:
    target = _target(ctx, name)
    user = rv.acting_user(ctx)
    if not manages(ctx.spec, target, user):
        raise HTTPException(403)
    assert ctx.form is not None
    who = str(ctx.form.get("who") or "")
    amount = str(ctx.form.get("amount") or "")
    period = _period(ctx, target, str(ctx.form.get("period") or ""))
    typed = {"who": who, "amount": amount}
    if who not in {w for w, _ in _choices(ctx)}:
        return _page(ctx, target, period, 400, ctx.t("target_who_invalid"), typed)
    problem = amount_error(amount)
    if problem is not None:
        return _page(ctx, target, period, 400, ctx.t(problem), typed)
    save_amount(ctx.store, target, who, period, Decimal(amount.strip().replace(",", "")),
                user)
    ctx.flash(ctx.t("target_saved"))
    return ctx.redirect(f"/targets/{target.name}?period={period}")


def routes() -> list[Route]:
    return [Route("/targets/{name}", target_page),
            Route("/targets/{name}", set_target, methods=["POST"])]
