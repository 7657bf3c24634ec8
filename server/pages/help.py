"""The public help centre (`public: help_centre:` in guanxi.yaml), open without signing in:
GET /help (the published articles by category, in the visitor's language, and search),
GET /help/{id} (one article, rendered Markdown, "was this helpful?"), POST
/help/{id}/vote. Everything is read as the public actor, whose read grant decides what
is published; an id it may not read is "not found", whatever it is."""

from __future__ import annotations

import dataclasses
from typing import Any

from guanxi.fields.registry import field_type
from guanxi.selfservice import knowledge
from guanxi.selfservice.definitions import forms_of
from guanxi.server import public
from guanxi.server.context import Ctx
from guanxi.server.display import Cell, Names, cell, field_spec
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


def show(ctx: Ctx, entity: EntitySpec, name: str, value: Any) -> Cell:
    """How a value reads on a public page, names of references and users read as the
    public actor (whoever is signed in)."""
    found = ctx._cache.get("public_names")
    if found is None:
        actor = dataclasses.replace(ctx.store.public, language=ctx.language)
        found = ctx._cache["public_names"] = Names(ctx.spec, ctx.store, ctx.loaded.engine,
                                                   actor, ctx.language)
    return cell(field_spec(entity, name), value, found, ctx.t, ctx.language)


def _categories(ctx: Ctx, entity: EntitySpec, help: HelpSpec) -> list[tuple[str, str]]:
    spec = entity.field(help.category) if help.category else None
    if spec is None:
        return []
    return field_type(spec).options(spec, ctx.language) or []


def _summary(ctx: Ctx, entity: EntitySpec, help: HelpSpec,
             record: dict[str, Any]) -> dict[str, Any]:
    body = str(record.get(help.body) or "")
    category = record.get(help.category) if help.category else None
    return {"id": record["id"], "title": str(record.get(help.title) or f"#{record['id']}"),
            "excerpt": body[:200] + ("…" if len(body) > 200 else ""),
            "category": show(ctx, entity, help.category, category).text
            if help.category and category else ""}


@public.public_handler()
def help_home(ctx: Ctx) -> Response:
    help, entity = _help(ctx)
    params = ctx.request.query_params
    query = params.get("q", "").strip()
    category = params.get("category", "").strip()
    found = knowledge.articles(ctx.store, help, language=ctx.language,
                               category=category or None, search=query or None)
    contact = forms_of(ctx.spec).form(help.contact) if help.contact else None
    return ctx.render("help", query=query, category=category,
                      categories=_categories(ctx, entity, help),
                      articles=[_summary(ctx, entity, help, r) for r in found],
                      contact=contact, contact_label=ctx.text(contact.label) if contact
                      else "")


@public.public_handler()
def help_article(ctx: Ctx, id: int) -> Response:
    help, entity = _help(ctx)
    record = knowledge.article(ctx.store, help, id)
    shown = [name for name in (help.category, help.tags) if name]
    cells = [{"label": ctx.text(field_spec(entity, name).label, name),
              "cell": show(ctx, entity, name, record.get(name))} for name in shown]
    return ctx.render("help_article", article=_summary(ctx, entity, help, record),
                      body=show(ctx, entity, help.body, record.get(help.body)),
                      cells=cells, tally=knowledge.tally(ctx.store.engine, entity.name, id),
                      voted=ctx.request.query_params.get("voted") == "1")


@public.public_handler()
def help_vote(ctx: Ctx, id: int) -> Response:
    help, _ = _help(ctx)
    refusal = public.refused(ctx)
    if refusal is not None:
        raise HTTPException(public.refusal_status(refusal), refusal.reason)
    assert ctx.form is not None
    helpful = str(ctx.form.get("helpful") or "") == "yes"
    voter = knowledge.voter_key(public.secret(ctx.request.app), public.visitor(ctx.request))
    knowledge.vote(ctx.store, help, id, voter, helpful, ctx.store.clock())
    return ctx.redirect(f"/help/{id}?voted=1")


def routes() -> list[Route]:
    return [
        Route("/help", help_home),
        Route("/help/{id:int}", help_article),
        Route("/help/{id:int}/vote", help_vote, methods=["POST"]),
    ]
