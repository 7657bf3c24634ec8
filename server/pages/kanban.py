"""The board: an entity's records in one column per workflow state, with buttons that
fire the transitions each user may fire on each card (real POST forms with CSRF)."""

from __future__ import annotations

from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

CARDS_PER_COLUMN = 30


@handler()
def board(ctx: Ctx, entity: str) -> Response:
    spec = ctx.entity(entity)
    workflow = rv.workflow_of(ctx, spec)
    if workflow is None:
        raise HTTPException(404)
    if not ctx.may(entity, "read"):
        raise HTTPException(403)
    user = rv.acting_user(ctx)
    labels = rv.state_labels(ctx, spec) or {}
    columns_shown = [c for c in rv.list_columns(ctx, spec)
                     if c not in ("state", rv.title_field(spec))][:2]
    columns = []
    for state in workflow.states:
        page = ctx.store.list(user, entity, filters={"state": state.name},
                              sort=("-updated_at",), limit=CARDS_PER_COLUMN)
        cards = []
        for row in rv.rows(ctx, spec, list(page.items), columns_shown):
            cards.append({"row": row, "buttons": rv.buttons(ctx, spec, row.record),
                          "version": row.record.get("version")})
        columns.append({"name": state.name, "label": labels[state.name], "final": state.final,
                        "total": page.total, "cards": cards,
                        "more": f"/e/{entity}?state={state.name}"})
    return ctx.render("board", entity, entity=spec, title=rv.entity_label(ctx, spec, plural=True),
                      singular=rv.entity_label(ctx, spec), columns=columns,
                      fields=[rv.Column(c, rv.label_of(ctx, spec, c)) for c in columns_shown],
                      can_create=ctx.may(entity, "create"))


def routes() -> list[Route]:
    return [Route("/e/{entity}/board", board)]
