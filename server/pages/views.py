"""HTML pages for staff: home, record lists, record details (the 360° view), delete."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from guanxi.automation import slas
from guanxi.errors import AccessDenied, NotFound, VersionConflict
from guanxi.fields.registry import coerce
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler, is_admin
from guanxi.server.display import Cell, title_field
from guanxi.server.pages import mail
from guanxi.server.pages.editing import transition_widgets
from guanxi.server.pages.erasure import may_erase
from guanxi.server.pages.reports import dashboard_tiles
from guanxi.spec import EntitySpec
from guanxi.store.filters import FilterError, FilterScope, FilterValue, as_mapping, parse_filters
from guanxi.store.rights import RecordRights
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

PAGE_SIZE = 25


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


def _filters(ctx: Ctx, entity: EntitySpec, seen: frozenset[str]) -> dict[str, FilterValue]:
    """The list's `field=value` filters, read as the API reads them (see
    guanxi.store.filters), except that an empty value is the filter form's "any"."""
    workflow = rv.workflow_of(ctx, entity)
    scope = FilterScope.of(entity, seen, [s.name for s in workflow.states] if workflow else ())
    try:
        found = parse_filters(ctx.request.query_params.items(), scope, blank_is_any=True)
    except FilterError as error:
        raise HTTPException(400, error.message) from None
    return as_mapping(found)


def _filter_controls(ctx: Ctx, entity: EntitySpec, seen: frozenset[str],
                     active: dict[str, FilterValue]) -> list[dict[str, Any]]:
    controls = []
    if entity.workflow and "state" in seen:
        labels = rv.state_labels(ctx, entity) or {}
        controls.append({"name": "state", "label": ctx.t("state"),
                         "options": list(labels.items()), "value": active.get("state", "")})
    for spec in entity.fields:
        if spec.name not in seen or spec.type not in ("choice", "boolean"):
            continue
        chosen = active.get(spec.name, "")
        if spec.type == "boolean":
            options = [("true", ctx.t("yes")), ("false", ctx.t("no"))]
            current = ("true" if chosen else "false") if isinstance(chosen, bool) else ""
        else:
            options = [(o.value, ctx.text(o.label, o.value)) for o in spec.options]
            current = str(chosen)
        controls.append({"name": spec.name, "label": rv.label_of(ctx, entity, spec.name),
                         "options": options, "value": current})
    return controls


@handler()
def list_page(ctx: Ctx, entity: str) -> Response:
    spec = ctx.entity(entity)
    require(ctx, spec, "read")
    seen = rv.visible(ctx, spec)
    columns = rv.list_columns(ctx, spec)
    params = ctx.request.query_params
    sort = params.get("sort", "")
    if sort.lstrip("-") not in seen:
        sort = "-id"
    filters = _filters(ctx, spec, seen)
    search = params.get("q", "").strip()[:200]
    after = params.get("after") or None
    # A condition, e.g. from a report's drill-down; the Store checks it like any other.
    where = params.get("where", "").strip()
    page = ctx.store.list(rv.acting_user(ctx), entity, where=where or None,
                          filters=filters or None, search=search or None, sort=(sort,),
                          limit=PAGE_SIZE, after=after)
    # Chips for active reference/user filters (e.g. "Account: Acme") above the table.
    chips = []
    for key, value in filters.items():
        fspec = spec.field(key)
        if key in ("owner", "created_by") or (fspec and fspec.type in ("user", "reference")):
            shown: Cell = rv.show(ctx, spec, key, value)
            chips.append({"label": rv.label_of(ctx, spec, key), "text": shown.text,
                          "clear": _query(params, drop={key, "after"})})
    if where:
        chips.append({"label": ctx.t("condition"), "text": where,
                      "clear": _query(params, drop={"where", "after"})})
    sort_links = {c: _query(params, set_={"sort": c if sort != c else f"-{c}"},
                            drop={"after"}) for c in columns}
    return ctx.render(
        "list", entity,
        entity=spec, title=rv.entity_label(ctx, spec, plural=True),
        singular=rv.entity_label(ctx, spec),
        columns=[rv.Column(c, rv.label_of(ctx, spec, c)) for c in columns],
        rows=rv.rows(ctx, spec, list(page.items), columns),
        total=page.total, sort=sort, sort_links=sort_links, search=search,
        controls=_filter_controls(ctx, spec, seen, filters), chips=chips,
        next_link=_query(params, set_={"after": page.next_cursor}) if page.next_cursor else "",
        first_link=_query(params, drop={"after"}) if after else "",
        can_create=ctx.may(entity, "create"), board=bool(spec.workflow),
        export_links={fmt: f"/api/{entity}/export" + _query(
            params, set_={"format": fmt}, drop={"after"}) for fmt in ("csv", "xlsx")},
    )


def _query(params: Mapping[str, str], set_: dict[str, str] | None = None,
           drop: set[str] | None = None) -> str:
    items = {k: v for k, v in params.items() if k not in (drop or set())}
    items.update(set_ or {})
    return "?" + urlencode(items) if items else "?"


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


def history_value(ctx: Ctx, entity: EntitySpec, name: str, value: Any) -> Cell:
    """A history value (stored as JSON) read back as the field's value, then shown."""
    spec = entity.field(name)
    if spec is not None and value is not None:
        with contextlib.suppress(ValueError, TypeError):
            value = coerce(spec, value)
    return rv.show(ctx, entity, name, value)


HISTORY_ACTIONS = {"create": "history_created", "update": "history_updated",
                   "delete": "history_deleted", "restore": "history_restored",
                   "import": "history_imported", "erase": "history_erased",
                   "merge": "history_merged"}


def history_entries(ctx: Ctx, entity: EntitySpec, record_id: int) -> list[dict[str, Any]]:
    """The record's history, newest first, with the changes the user may see."""
    entries = []
    seen = rv.visible(ctx, entity)
    labels = rv.state_labels(ctx, entity) or {}
    workflow = rv.workflow_of(ctx, entity)
    items: Sequence[dict[str, Any]] = ctx.store.history(rv.acting_user(ctx), entity.name,
                                                       record_id)
    for item in items:
        changes = []
        for name, change in (item.get("changes") or {}).items():
            if name not in seen or name in ("version", "updated_at"):
                continue
            changes.append({"name": name, "label": rv.label_of(ctx, entity, name),
                            "old": history_value(ctx, entity, name, change.get("old")),
                            "new": history_value(ctx, entity, name, change.get("new"))})
        transition = item.get("transition")
        spec = workflow.transition(transition) if transition and workflow else None
        if spec is not None:
            what = f"{rv.transition_label(ctx, spec)} → {labels.get(spec.target, spec.target)}"
        elif transition:
            what = str(transition)
        else:
            action = str(item.get("action") or "update")
            what = ctx.t(HISTORY_ACTIONS[action]) if action in HISTORY_ACTIONS else action
        who = item.get("user_id")
        at = item.get("at")
        entries.append({
            "id": item.get("id"), "what": what, "transition": bool(transition),
            "who": rv.names(ctx).user_name(int(who)) if who is not None else ctx.t("system"),
            "at": rv.show(ctx, entity, "updated_at", at).text if at else "",
            "changes": changes,
        })
    return list(reversed(entries))


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
        states=rv.state_strip(ctx, spec, state), mermaid=rv.mermaid_text(ctx, spec, state),
        buttons=buttons,
        button_widgets={b.name: transition_widgets(ctx, spec, record, b.asks)
                        for b in buttons if b.asks},
        related=related_sections(ctx, spec, id),
        duplicates=[{"title": f.title, "url": f"/e/{entity}/{f.record_id}",
                     "merge": f"/e/{entity}/{id}/merge?other={f.record_id}"}
                    for f in (ctx.store.likely_duplicates(user, entity, record, exclude=id)
                              if spec.duplicates else [])],
        history=history_entries(ctx, spec, id),
        can_edit=bool(writable), can_delete=held.may_delete,
        can_erase=may_erase(ctx, entity),
        explain=explain,
        clocks=slas.clocks(ctx.store.engine, ctx.spec, entity, id, ctx.store.clock()),
        mail=mail.section(ctx, entity, id, held.may_update),
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
        Route("/e/{entity}", list_page),
        Route("/e/{entity}/{id:int}", detail_page),
        Route("/e/{entity}/{id:int}/delete", delete_record, methods=["POST"]),
    ]

