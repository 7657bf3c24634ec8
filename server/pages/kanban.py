"""The board: an entity's records in one column per workflow state, with each column's
count and the total of its amounts, the card fields the YAML chooses (`board:`), and
the list's filters. Cards carry buttons that fire the transitions each user may fire
(real POST forms with CSRF); forms/static/js/board.js adds drag and drop on top of
them, through the JSON API, asking in a dialog for the fields a transition needs."""

from __future__ import annotations

from typing import Any

from guanxi.errors import RequestInvalid
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from guanxi.server.pages.editing import asked_fields, safe_next, transition_widgets
from guanxi.server.pages.listing import read_filters, refused_filter
from guanxi.spec import EntitySpec, WorkflowSpec
from guanxi.store.filters import FilterError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

CARDS_PER_COLUMN = 30
# Card fields when the YAML chooses none: the first list columns.
DEFAULT_CARD_FIELDS = 2


def card_fields(ctx: Ctx, entity: EntitySpec) -> list[str]:
    """`board.card` (the fields the user sees), else the first list columns."""
    seen = rv.visible(ctx, entity)
    if entity.board.card:
        return [n for n in entity.board.card if n in seen]
    return [c for c in rv.list_columns(ctx, entity)
            if c not in ("state", rv.title_field(entity))][:DEFAULT_CARD_FIELDS]


def sum_field(ctx: Ctx, entity: EntitySpec, shown: list[str]) -> str | None:
    """The number field each column totals: `board.sum`, else the first money field on
    the cards, else the entity's first money field (only one the user sees)."""
    seen = rv.visible(ctx, entity)
    if entity.board.sum:
        return entity.board.sum if entity.board.sum in seen else None
    money = [f.name for f in entity.fields if f.type == "money" and f.name in seen
             and not f.sensitive]
    return next((n for n in shown if n in money), money[0] if money else None)


@handler()
def board(ctx: Ctx, entity: str) -> Response:
    spec = ctx.entity(entity)
    workflow = rv.workflow_of(ctx, spec)
    if workflow is None:
        raise HTTPException(404)
    if not ctx.may(entity, "read"):
        raise HTTPException(403)
    try:
        return _board(ctx, spec, workflow)
    except (FilterError, RequestInvalid) as error:
        return refused_filter(ctx, spec, error, "/board")


def _board(ctx: Ctx, spec: EntitySpec, workflow: WorkflowSpec) -> Response:
    entity = spec.name
    user = rv.acting_user(ctx)
    labels = rv.state_labels(ctx, spec) or {}
    shown = card_fields(ctx, spec)
    total_of = sum_field(ctx, spec, shown)
    params = ctx.request.query_params
    filters = read_filters(ctx, spec)
    search = params.get("q", "").strip()[:200] or None
    where = params.get("where", "").strip() or None
    query = ctx.request.url.query
    here = f"/e/{entity}/board" + (f"?{query}" if query else "")
    columns = []
    for state in workflow.states:
        if "state" in filters and filters["state"] != state.name:
            page = None
        else:
            page = ctx.store.list(user, entity, filters={**filters, "state": state.name},
                                  where=where, search=search, sort=("-updated_at",),
                                  limit=CARDS_PER_COLUMN, sums=[total_of] if total_of else [])
        cards: list[dict[str, Any]] = []
        for row in rv.rows(ctx, spec, list(page.items) if page else [], shown):
            cards.append({"row": row, "buttons": rv.buttons(ctx, spec, row.record),
                          "version": row.record.get("version")})
        amount = None
        if page is not None and total_of:
            amount = rv.show(ctx, spec, total_of, page.sums.get(total_of) or 0)
        columns.append({"name": state.name, "label": labels[state.name], "final": state.final,
                        "total": page.total if page else 0, "cards": cards, "amount": amount,
                        "more": f"/e/{entity}?state={state.name}"})
    return ctx.render("board", entity, entity=spec, title=rv.entity_label(ctx, spec, plural=True),
                      singular=rv.entity_label(ctx, spec), columns=columns,
                      fields=[rv.Column(c, rv.label_of(ctx, spec, c)) for c in shown],
                      can_create=ctx.may(entity, "create"), here=here, query=query,
                      amount_label=rv.label_of(ctx, spec, total_of) if total_of else "")


@handler()
def ask(ctx: Ctx, entity: str, id: int, name: str) -> Response:
    """The fields a transition asks for, as a bare form for the board's dialog."""
    spec = ctx.entity(entity)
    record = ctx.store.get(rv.acting_user(ctx), entity, id)
    workflow = rv.workflow_of(ctx, spec)
    transition = workflow.transition(name) if workflow else None
    if transition is None:
        raise HTTPException(404)
    asks = asked_fields(ctx, spec, transition)
    back = safe_next(ctx.request.query_params.get("next"), entity, f"/e/{entity}/board")
    return ctx.render("ask", entity, entity=spec, record=record, transition=transition,
                      label=rv.transition_label(ctx, transition), back=back,
                      title=rv.record_title(ctx, spec, record),
                      widgets=transition_widgets(ctx, spec, record, asks))


def routes() -> list[Route]:
    return [Route("/e/{entity}/board", board),
            Route("/e/{entity}/{id:int}/ask/{name}", ask)]
