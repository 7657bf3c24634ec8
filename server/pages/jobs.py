"""The automation job queue for administrators (`/admin/jobs`): the newest jobs, failed
ones with their error, and a retry (or cancel) button for each (POST with the CSRF
token)."""

from __future__ import annotations

from guanxi.automation import jobs
from guanxi.server.context import Ctx, handler, is_admin
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route


def _admin(ctx: Ctx) -> None:
    if ctx.user is None or not is_admin(ctx.spec, ctx.user):
        raise HTTPException(403)


@handler()
def jobs_page(ctx: Ctx) -> Response:
    _admin(ctx)
    state = ctx.request.query_params.get("state")
    listed = jobs.list_jobs(ctx.store.engine, state=state if state in jobs.STATES else None,
                            limit=200)
    return ctx.render("jobs", jobs=listed, counts=jobs.counts(ctx.store.engine),
                      states=jobs.STATES, chosen=state)


@handler()
def retry_job(ctx: Ctx, id: int) -> Response:
    _admin(ctx)
    jobs.retry(ctx.store.engine, id, ctx.store.clock())
    return ctx.redirect("/admin/jobs")


@handler()
def cancel_job(ctx: Ctx, id: int) -> Response:
    _admin(ctx)
    jobs.cancel(ctx.store.engine, id, ctx.store.clock())
    return ctx.redirect("/admin/jobs")


def routes() -> list[Route]:
    return [
        Route("/admin/jobs", jobs_page),
        Route("/admin/jobs/{id:int}/retry", retry_job, methods=["POST"]),
        Route("/admin/jobs/{id:int}/cancel", cancel_job, methods=["POST"]),
    ]
