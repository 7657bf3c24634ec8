"""HTML pages for staff: home, record details (the 360° view), delete (lists are in
`listing`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from guanxi.automation import slas
from guanxi.errors import AccessDenied, NotFound, VersionConflict
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler, is_admin
from guanxi.server.display import title_field
from guanxi.server.pages import attachments, mail, timeline
from guanxi.server.pages.editing import transition_widgets
from guanxi.server.pages.erasure import may_erase
from guanxi.server.pages.reports import dashboard_tiles
from guanxi.spec import EntitySpec
from guanxi.store.rights import RecordRights
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route


def require(ctx: Ctx, entity: EntitySpec, operation: str) -> None:
    if not ctx.may(entity.name, operation):
        raise HTTPException(403)


@handler()
def home(ctx: Ctx) -> Response:
    cards = []
    user = rv.acting_user(ctx)
    for entity in ctx.spec.entities:
        readable = ctx.may(entity.name, "read")
        creatable = ctx.may(entity.name, "create")
        if not (readable or creatable):
            continue
        count = ctx.store.count(user, entity.name) if readable else None
        cards.append({"name": entity.name, "label": rv.entity_label(ctx, entity, plural=True),
                      "singular": rv.entity_label(ctx, entity), "count": count,
                      "readable": readable, "creatable": creatable,
                      "board": bool(entity.workflow) and readable})
    return ctx.render("home", cards=cards, dashboard=dashboard_tiles(ctx, user))


def related_sections(ctx: Ctx, entity: EntitySpec, record_id: int) -> list[dict[str, Any]]:
    """Records of other entities that refer to this one (a customer's contacts, deals …)."""
    sections = []
    user = rv.acting_user(ctx)
    for other in ctx.spec.entities:
        if not ctx.may(other.name, "read"):
            continue
        seen = rv.visible(ctx, other)
        for ref in other.fields:
            if ref.type != "reference" or ref.ref != entity.name or ref.name not in seen:
                continue
            page = ctx.store.list(user, other.name, filters={ref.name: record_id}, limit=10)
            columns = [c for c in rv.list_columns(ctx, other)
                       if c not in (ref.name, title_field(other))][:4]
            label = rv.entity_label(ctx, other, plural=True)
            if ref.related_label:
                label = ctx.text(ref.related_label, label)
            elif other.name == entity.name or sum(
                    1 for f in other.fields if f.type == "reference" and f.ref == entity.name) > 1:
                label += f" ({rv.label_of(ctx, other, ref.name)})"
            sections.append({
                "entity": other.name, "label": label, "total": page.total,
                "title_label": rv.label_of(ctx, other, title_field(other)),
                "columns": [rv.Column(c, rv.label_of(ctx, other, c)) for c in columns],
                "rows": rv.rows(ctx, other, list(page.items), columns),
                "more": f"/e/{other.name}?{urlencode({ref.name: record_id})}",
                "new": (f"/e/{other.name}/new?{urlencode({ref.name: record_id})}"
                        if ctx.may(other.name, "create") else ""),
            })
    return sections


@handler()
def detail_page(ctx: Ctx, entity: str, id: int) -> Response:
    spec = ctx.entity(entity)
    user = rv.acting_user(ctx)
    held: RecordRights = ctx.store.get(user, entity, id, with_rights=True)
    record = held.record
    names_ = rv.detail_fields(ctx, spec)
    rv.preload_references(ctx, spec, [record], names_)
    fields = [{"name": n, "label": rv.label_of(ctx, spec, n),
               "cell": rv.show(ctx, spec, n, record.get(n))} for n in names_]
    state = record.get("state")
    assert ctx.user is not None
    writable = (ctx.policy(entity).writable_fields(ctx.user, state)
                if held.may_update else frozenset())
    buttons = rv.buttons(ctx, spec, record, held.transitions)
    explain = explanation(ctx, entity, id)
    return ctx.render(
        "detail", entity,
        entity=spec, record=record, title=rv.record_title(ctx, spec, record),
        singular=rv.entity_label(ctx, spec), plural=rv.entity_label(ctx, spec, plural=True),
        fields=fields,
        state_label=(rv.state_labels(ctx, spec) or {}).get(state or "", state or ""),
        states=rv.state_strip(ctx, spec, state),
        picture=rv.workflow_picture(ctx, spec, record, buttons),
        buttons=buttons,
        button_widgets={b.name: transition_widgets(ctx, spec, record, b.asks)
                        for b in buttons if b.asks},
        related=related_sections(ctx, spec, id),
        duplicates=[{"title": f.title, "url": f"/e/{entity}/{f.record_id}",
                     "merge": f"/e/{entity}/{id}/merge?other={f.record_id}"}
                    for f in (ctx.store.likely_duplicates(user, entity, record, exclude=id)
                              if spec.duplicates else [])],
        timeline=timeline.section(ctx, spec, id),
        can_edit=bool(writable), can_delete=held.may_delete,
        can_erase=may_erase(ctx, entity),
        explain=explain,
        clocks=slas.clocks(ctx.store.engine, ctx.spec, entity, id, ctx.store.clock()),
        mail=mail.section(ctx, entity, id, held.may_update),
        approval=ctx.store.pending_approval(user, entity, id) if spec.workflow else None,
        attachments=attachments.section(ctx, entity, id, held.may_update),
    )


def explanation(ctx: Ctx, entity: str, id: int) -> list[str]:
    """"Why can I see this?": for administrators only, since it names roles, their
    conditions and places in the YAML; in the page's language, paths relative to the
    project."""
    if ctx.user is None or not is_admin(ctx.spec, ctx.user):
        return []
    try:
        return ctx.store.explain(rv.acting_user(ctx), entity, id)
    except Exception:  # an explanation is a help; the page must still show
        return []


@handler()
def delete_record(ctx: Ctx, entity: str, id: int) -> Response:
    spec = ctx.entity(entity)
    assert ctx.form is not None
    version = ctx.form_int("version")
    try:
        ctx.store.delete(rv.acting_user(ctx), entity, id, expected_version=version)
    except VersionConflict:
        ctx.flash(ctx.t("version_conflict"))
        return ctx.redirect(f"/e/{entity}/{id}")
    except AccessDenied:
        raise HTTPException(403) from None
    except NotFound:
        raise
    ctx.flash(ctx.t("deleted"))
    return ctx.redirect(f"/e/{spec.name}")


def routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/e/{entity}/{id:int}", detail_page),
        Route("/e/{entity}/{id:int}/delete", delete_record, methods=["POST"]),
    ]

