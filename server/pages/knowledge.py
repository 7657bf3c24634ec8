"""The knowledge base from a record's page (a ticket): GET /e/{entity}/{id}/knowledge
searches the articles the user may read; POST /e/{entity}/{id}/knowledge/{article}
inserts one into a reply (its text, or the link to it in the help centre when the public
may read it) and, when the record has a reference field to the article entity, records
there that the article was used (through the Store, as the user), which is what a report
of the articles most used in tickets counts."""

from __future__ import annotations

from typing import Any

from guanxi.errors import NotFound
from guanxi.selfservice import knowledge
from guanxi.server.context import Ctx, handler
from guanxi.server.records import acting_user, record_title
from guanxi.spec import EntitySpec, HelpSpec
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route


def _help(ctx: Ctx) -> tuple[HelpSpec, EntitySpec]:
    declared = ctx.spec.public.help if ctx.spec.public is not None else None
    entity = ctx.spec.entity(declared.entity) if declared is not None else None
    if declared is None or entity is None:
        raise HTTPException(404)
    return declared, entity


def use_field(record_entity: EntitySpec, help: HelpSpec) -> str | None:
    """The record's reference field to the article entity, where a use is recorded."""
    return next((f.name for f in record_entity.fields
                 if f.type == "reference" and f.ref == help.entity), None)


def _public_link(ctx: Ctx, help: HelpSpec, article_id: int) -> str:
    """The article's address in the help centre, or "" when the public may not read it."""
    try:
        knowledge.article(ctx.store, help, article_id)
    except NotFound:
        return ""
    return str(ctx.request.base_url).rstrip("/") + f"/help/{article_id}"


def _page(ctx: Ctx, entity: str, id: int, reply: dict[str, Any] | None = None) -> Response:
    help, article_entity = _help(ctx)
    spec = ctx.entity(entity)
    user = acting_user(ctx)
    record = ctx.store.get(user, entity, id)
    query = ctx.request.query_params.get("q", "").strip()[:knowledge.MAX_SEARCH]
    page = ctx.store.list(user, help.entity, search=query or None, sort=("-id",),
                          limit=20, with_total=False)
    found = [{"id": a["id"], "title": str(a.get(help.title) or f"#{a['id']}"),
              "state": a.get("state"), "link": bool(_public_link(ctx, help, int(a["id"])))}
             for a in page.items]
    return ctx.render("knowledge", template_entity=entity, entity=spec, record=record,
                      title=record_title(ctx, spec, record), query=query, articles=found,
                      reply=reply, article_label=ctx.text(article_entity.plural,
                                                          article_entity.name))


@handler()
def search_page(ctx: Ctx, entity: str, id: int) -> Response:
    return _page(ctx, entity, id)


@handler()
def insert(ctx: Ctx, entity: str, id: int, article: int) -> Response:
    help, _ = _help(ctx)
    spec = ctx.entity(entity)
    assert ctx.form is not None
    user = acting_user(ctx)
    record = ctx.store.get(user, entity, id)
    chosen = ctx.store.get(user, help.entity, article)
    link = _public_link(ctx, help, article)
    title = str(chosen.get(help.title) or "")
    if ctx.form.get("mode") == "link" and link:
        body = f"{title}\n{link}"
    else:
        body = f"{title}\n\n{chosen.get(help.body) or ''}"
    field = use_field(spec, help)
    if field is not None and record.get(field) != article:
        ctx.store.update(user, entity, id, {field: article}, expected_version=record["version"])
    return _page(ctx, entity, id, reply={"body": body, "subject": ""})


def routes() -> list[Route]:
    return [
        Route("/e/{entity}/{id:int}/knowledge", search_page),
        Route("/e/{entity}/{id:int}/knowledge/{article:int}", insert, methods=["POST"]),
    ]
