"""The administrators' access page: what any user may do with an entity or a record, and
why, rule by rule with the file and line of each rule (`Store.explain`), in the page's
language. Others get 404: the page names roles, conditions and places in the YAML."""

from __future__ import annotations

import dataclasses

from guanxi.accounts.users import find_user
from guanxi.errors import GuanxiError
from guanxi.fields.integers import parse_int
from guanxi.server.context import Ctx, handler, is_admin
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

# Longest username or entity name read from the query.
MAX_NAME = 150


@handler()
def explain_page(ctx: Ctx) -> Response:
    if ctx.user is None or not is_admin(ctx.spec, ctx.user):
        raise HTTPException(404)
    query = ctx.request.query_params
    username = query.get("user", "").strip()[:MAX_NAME]
    entity = query.get("entity", "").strip()[:MAX_NAME]
    record_text = query.get("id", "").strip()
    record_id = parse_int(record_text) if record_text else None
    if record_text and (record_id is None or record_id < 1):
        raise HTTPException(400, "id must be a positive whole number")
    lines: list[str] = []
    problem = ""
    if username and entity:
        ctx.entity(entity)
        user = find_user(ctx.store.engine, username)
        if user is None:
            problem = ctx.t("explain_no_user", name=username)
        else:
            try:
                lines = ctx.store.explain(dataclasses.replace(user, language=ctx.language),
                                          entity, record_id, for_operator=True)
            except GuanxiError as error:
                problem = str(error)
    return ctx.render(
        "explain", entities=[(e.name, ctx.text(e.label, e.name)) for e in ctx.spec.entities],
        chosen_user=username, chosen_entity=entity, chosen_id=record_text, lines=lines,
        problem=problem)


def routes() -> list[Route]:
    return [Route("/admin/explain", explain_page)]
