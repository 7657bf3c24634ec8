"""The merge page: `/e/{entity}/{id}/merge?other=ID` shows the two records side by side,
one choice per field (keep this record's value or take the other's); posting merges
the other into this one (`Store.merge`) and shows the survivor."""

from __future__ import annotations

from typing import Any

from guanxi.errors import AccessDenied, RequestInvalid, ValidationFailed
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route


def _other_id(ctx: Ctx) -> int:
    text = (ctx.form.get("other") if ctx.form is not None
            else ctx.request.query_params.get("other")) or ""
    if not str(text).isdigit():
        raise HTTPException(400, "choose the record to merge in (other=ID)")
    return int(str(text))


@handler()
def merge_page(ctx: Ctx, entity: str, id: int) -> Response:
    spec = ctx.entity(entity)
    user = rv.acting_user(ctx)
    other_id = _other_id(ctx)
    survivor = ctx.store.get(user, entity, id)
    other = ctx.store.get(user, entity, other_id)
    assert ctx.user is not None
    writable = ctx.policy(entity).writable_fields(ctx.user, survivor.get("state"))
    names = [n for n in rv.detail_fields(ctx, spec) if n in writable]
    rows = [{"name": n, "label": rv.label_of(ctx, spec, n),
             "mine": rv.show(ctx, spec, n, survivor.get(n)),
             "theirs": rv.show(ctx, spec, n, other.get(n)),
             "differs": survivor.get(n) != other.get(n)} for n in names]

    def page(status: int, messages: list[str]) -> Response:
        return ctx.render(
            "merge", entity, status=status, entity=spec, record=survivor, other=other,
            title=rv.record_title(ctx, spec, survivor),
            other_title=rv.record_title(ctx, spec, other), rows=rows,
            plural=rv.entity_label(ctx, spec, plural=True), messages=messages)

    if ctx.request.method == "GET":
        return page(200, [])
    assert ctx.form is not None
    take: dict[str, Any] = {n: "other" for n in names if ctx.form.get(f"take_{n}") == "other"}
    try:
        ctx.store.merge(user, entity, id, other_id, take)
    except ValidationFailed as failed:
        return page(422, [ctx.t("fix_errors"),
                          *(f"{k}: {', '.join(v)}" for k, v in failed.errors.items())])
    except RequestInvalid as refused:
        return page(400, [str(refused)])
    except AccessDenied:
        raise HTTPException(403) from None
    ctx.flash(ctx.t("merged"))
    return ctx.redirect(f"/e/{entity}/{id}")


def routes() -> list[Route]:
    return [Route("/e/{entity}/{id:int}/merge", merge_page, methods=["GET", "POST"])]
