"""The erase action on a record's page (administrators, entities with sensitive fields):
`POST /e/{entity}/{id}/erase` erases the record's sensitive values, also from its
history and events (`Store.erase`)."""

from __future__ import annotations

from guanxi.errors import AccessDenied
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route


def may_erase(ctx: Ctx, entity: str) -> bool:
    """Whether the page offers erasure: an administrator, an entity with sensitive fields."""
    spec = ctx.spec.entity(entity)
    if ctx.user is None or spec is None or not any(f.sensitive for f in spec.fields):
        return False
    return any(role.admin for name in ctx.spec.expand_roles(ctx.user.roles)
               if (role := ctx.spec.role(name)))


@handler()
def erase_record(ctx: Ctx, entity: str, id: int) -> Response:
    ctx.entity(entity)
    if not may_erase(ctx, entity):
        raise HTTPException(403)
    try:
        ctx.store.erase(rv.acting_user(ctx), entity, id)
    except AccessDenied:
        raise HTTPException(403) from None
    ctx.flash(ctx.t("erased"))
    return ctx.redirect(f"/e/{entity}/{id}")


def routes() -> list[Route]:
    return [Route("/e/{entity}/{id:int}/erase", erase_record, methods=["POST"])]
