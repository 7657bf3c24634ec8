"""The list page of an entity: a filter bar for every filterable field, a column
chooser, page numbers with the total, a totals row of the money columns, and views —
the user's own (saved in `gx_saved_view`) and the project's shared ones (`views:`).

Every filter is read as the JSON API reads it (guanxi.store.filters), so a URL filter
that cannot be read is a 400 with the reason, never silently ignored. The table is also
the form of the bulk actions (guanxi.server.pages.bulk)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from guanxi.accounts import views as saved
from guanxi.errors import RequestInvalid
from guanxi.fields.registry import FIELD_TYPES, SYSTEM_FIELDS, field_type
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from guanxi.server.display import Cell, field_spec, title_field
from guanxi.server.pages import breaching
from guanxi.spec import EntitySpec
from guanxi.store.clocks import FILTERS as SLA_FILTERS
from guanxi.store.filters import (
    FilterError,
    FilterScope,
    FilterValue,
    Range,
    as_mapping,
    parse_filters,
    ranged,
)
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

PAGE_SIZE = 25
# The list page's own parameters; every other one is a filter.
OWN = frozenset({"q", "sort", "where", "columns", "page", "after", "limit", "total",
                 "sla"})
# How many page numbers are linked either side of the current one.
PAGES_AROUND = 2


@dataclass
class Control:
    """One filter of the filter bar."""

    name: str
    label: str
    kind: str  # select | range | picker
    value: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    low: str = ""
    high: str = ""
    input_type: str = "text"
    ref: str = ""
    shown: str = ""


def require_read(ctx: Ctx, entity: EntitySpec) -> None:
    if not ctx.may(entity.name, "read"):
        raise HTTPException(403)


def filter_scope(ctx: Ctx, entity: EntitySpec) -> FilterScope:
    workflow = rv.workflow_of(ctx, entity)
    return FilterScope.of(entity, rv.visible(ctx, entity),
                          [s.name for s in workflow.states] if workflow else ())


def read_filters(ctx: Ctx, entity: EntitySpec,
                 params: Mapping[str, str] | None = None) -> dict[str, FilterValue]:
    """The query's filters, read as the API reads them, except that an empty value is
    the filter bar's "any"; FilterError for one that cannot be read."""
    pairs = (params or ctx.request.query_params).items()
    return as_mapping(parse_filters([(k, v) for k, v in pairs if k not in OWN],
                                    filter_scope(ctx, entity), blank_is_any=True))


def refused_filter(ctx: Ctx, entity: EntitySpec, error: Exception, page: str) -> Response:
    """A 400 page saying why the list's query cannot be read, with a way back."""
    reason = error.message if isinstance(error, FilterError) else str(error)
    return ctx.render("filter_error", entity.name, status=400, entity=entity,
                      title=rv.entity_label(ctx, entity, plural=True), reason=reason,
                      clear=f"/e/{entity.name}{page}")


def default_columns(ctx: Ctx, entity: EntitySpec) -> list[str]:
    """The declared list columns, with the owner's column when the user sees it."""
    columns = rv.list_columns(ctx, entity)
    if "owner" in rv.visible(ctx, entity) and "owner" not in columns:
        columns.append("owner")
    return columns


def chosen_columns(ctx: Ctx, entity: EntitySpec) -> list[str]:
    """The columns of the column chooser (`columns=a,b` or repeated), those the user
    sees; the title first. The defaults when none is chosen."""
    seen = rv.visible(ctx, entity)
    given = [c.strip() for v in ctx.request.query_params.getlist("columns")
             for c in v.split(",") if c.strip()]
    columns = [c for c in dict.fromkeys(given) if c in seen and c != "deleted_at"]
    if not columns:
        return default_columns(ctx, entity)
    tfield = title_field(entity)
    if tfield in seen and tfield in columns:
        columns.remove(tfield)
    return ([tfield] if tfield in seen else []) + columns


def column_choices(ctx: Ctx, entity: EntitySpec, shown: list[str]) -> list[dict[str, Any]]:
    seen = rv.visible(ctx, entity)
    names = [f.name for f in entity.fields if f.name in seen]
    names += [n for n in ("state", *rv.SYSTEM_SHOWN) if n in seen and n not in names]
    return [{"name": n, "label": rv.label_of(ctx, entity, n), "checked": n in shown}
            for n in names]


def _type_of(entity: EntitySpec, name: str) -> str:
    declared = entity.field(name)
    return declared.type if declared is not None else SYSTEM_FIELDS.get(name, "string")


def filter_controls(ctx: Ctx, entity: EntitySpec,
                    active: Mapping[str, FilterValue]) -> list[Control]:
    """A control for every field the user may filter on and the bar can offer: state,
    options and yes/no as selects, users as a select of users, references as a record
    picker, numbers, money, dates and times as a range."""
    seen = rv.visible(ctx, entity)
    controls: list[Control] = []
    if entity.workflow and "state" in seen:
        labels = rv.state_labels(ctx, entity) or {}
        controls.append(Control("state", ctx.t("state"), "select",
                                str(active.get("state", "")), list(labels.items())))
    names = [f.name for f in entity.fields] + ["owner", "created_at", "updated_at"]
    for name in names:
        if name not in seen:
            continue
        kind = _type_of(entity, name)
        label = rv.label_of(ctx, entity, name)
        value = active.get(name, "")
        spec = field_spec(entity, name)
        if kind == "boolean":
            current = ("true" if value else "false") if isinstance(value, bool) else ""
            controls.append(Control(name, label, "select", current,
                                    [("true", ctx.t("yes")), ("false", ctx.t("no"))]))
        elif kind == "choice":
            controls.append(Control(name, label, "select", str(value),
                                    [(o.value, ctx.text(o.label, o.value))
                                     for o in spec.options]))
        elif kind == "user":
            controls.append(Control(name, label, "select", str(value),
                                    rv.names(ctx).user_choices()))
        elif kind == "reference" and spec.ref and ctx.may(spec.ref, "read"):
            shown = rv.show(ctx, entity, name, value).text if value != "" else ""
            controls.append(Control(name, label, "picker", str(value), ref=spec.ref,
                                    shown=shown))
        elif ranged(kind) and FIELD_TYPES[kind].sortable:
            bounds = value if isinstance(value, Range) else Range()
            input_type = {"date": "date", "datetime": "date"}.get(kind, "number")
            if kind == "duration":
                input_type = "text"
            controls.append(Control(name, label, "range", low=bounds.low or "",
                                    high=bounds.high or "", input_type=input_type))
    return controls


def query_of(params: Mapping[str, str], set_: dict[str, str] | None = None,
             drop: set[str] | frozenset[str] | None = None) -> str:
    items = [(k, v) for k, v in params.items() if k not in (drop or set())
             and k not in (set_ or {})]
    items += list((set_ or {}).items())
    return "?" + urlencode(items) if items else "?"


def page_links(params: Mapping[str, str], current: int, pages: int) -> list[dict[str, Any]]:
    """Links to the first, last and nearby pages (None between distant ones)."""
    wanted = {1, pages} | set(range(current - PAGES_AROUND, current + PAGES_AROUND + 1))
    out: list[dict[str, Any]] = []
    last = 0
    for number in sorted(n for n in wanted if 1 <= n <= pages):
        if number > last + 1:
            out.append({"gap": True})
        out.append({"gap": False, "number": number, "current": number == current,
                    "href": query_of(params, {"page": str(number)}, {"after"})})
        last = number
    return out


def page_number(ctx: Ctx) -> int:
    text = ctx.request.query_params.get("page", "1").strip() or "1"
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise HTTPException(400, ctx.t("bad_page"))
    return int(text)


def shared_views(ctx: Ctx, entity: EntitySpec) -> list[dict[str, str]]:
    """The project's views of the entity offered to the user's roles."""
    assert ctx.user is not None
    roles = ctx.spec.expand_roles(ctx.user.roles)
    out = []
    for view in entity.views:
        if view.roles and not set(view.roles) & set(roles):
            continue
        pairs = list(view.filters)
        if view.columns:
            pairs.append(("columns", ",".join(view.columns)))
        if view.sort:
            pairs.append(("sort", view.sort))
        query = urlencode(pairs)
        out.append({"name": view.name, "label": ctx.text(view.label, view.name),
                    "href": f"/e/{entity.name}?{query}", "query": query})
    return out


def my_views(ctx: Ctx, entity: EntitySpec) -> list[dict[str, Any]]:
    assert ctx.user is not None
    return [{"id": v.id, "label": v.name, "href": f"/e/{entity.name}?{v.query}",
             "query": v.query}
            for v in saved.views_of(ctx.store.engine, ctx.user.id, entity.name)]


def totals_row(ctx: Ctx, entity: EntitySpec, columns: list[str],
               sums: Mapping[str, Any]) -> list[Cell | None]:
    """The totals of the money columns, in column order (None under the others)."""
    if not sums:
        return []
    return [rv.show(ctx, entity, c, sums[c] or 0) if c in sums else None for c in columns]


def money_columns(entity: EntitySpec, columns: list[str]) -> list[str]:
    return [c for c in columns if (spec := entity.field(c)) is not None
            and spec.type == "money" and not spec.sensitive]


@handler()
def list_page(ctx: Ctx, entity: str) -> Response:
    spec = ctx.entity(entity)
    require_read(ctx, spec)
    try:
        return _list_page(ctx, spec)
    except (FilterError, RequestInvalid) as error:
        return refused_filter(ctx, spec, error, "")


def _list_page(ctx: Ctx, spec: EntitySpec) -> Response:
    entity = spec.name
    seen = rv.visible(ctx, spec)
    params = ctx.request.query_params
    columns = chosen_columns(ctx, spec)
    sort = params.get("sort", "")
    by_clock = bool(spec.sla) and sort.lstrip("-") == "sla_due"
    if not by_clock and (sort.lstrip("-") not in seen
                         or not field_type(field_spec(spec, sort.lstrip("-"))).sortable):
        sort = "-id"
    sla = params.get("sla") if spec.sla and params.get("sla") in SLA_FILTERS else None
    filters = read_filters(ctx, spec)
    search = params.get("q", "").strip()[:200]
    where = params.get("where", "").strip()
    number = page_number(ctx)
    user = rv.acting_user(ctx)
    page = ctx.store.list(user, entity, where=where or None, filters=filters or None,
                          search=search or None, sort=(sort,), limit=PAGE_SIZE,
                          offset=(number - 1) * PAGE_SIZE, sums=money_columns(spec, columns),
                          sla=sla)
    total = page.total or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if number > pages:
        raise HTTPException(404)
    chips = []
    for key, value in filters.items():
        if isinstance(value, Range):
            text = f"{value.low or '…'} – {value.high or '…'}"
            clear = query_of(params, drop={f"{key}.from", f"{key}.to", "page"})
        elif _type_of(spec, key) in ("user", "reference"):
            text = rv.show(ctx, spec, key, value).text
            clear = query_of(params, drop={key, "page"})
        else:
            continue
        chips.append({"label": rv.label_of(ctx, spec, key), "text": text, "clear": clear})
    if where:
        chips.append({"label": ctx.t("condition"), "text": where,
                      "clear": query_of(params, drop={"where", "page"})})
    sort_links = {c: query_of(params, {"sort": c if sort != c else f"-{c}"}, {"page"})
                  for c in columns}
    view_query = urlencode([(k, v) for k, v in params.multi_items() if k != "page"])
    workflow = rv.workflow_of(ctx, spec)
    return ctx.render(
        "list", entity,
        entity=spec, title=rv.entity_label(ctx, spec, plural=True),
        singular=rv.entity_label(ctx, spec),
        columns=[rv.Column(c, rv.label_of(ctx, spec, c),
                           field_type(field_spec(spec, c)).sortable) for c in columns],
        rows=rv.rows(ctx, spec, list(page.items), columns),
        totals=totals_row(ctx, spec, columns, page.sums),
        total=total, sort=sort, sort_links=sort_links, search=search,
        controls=filter_controls(ctx, spec, filters), chips=chips,
        column_choices=column_choices(ctx, spec, columns),
        pages=page_links(params, number, pages) if pages > 1 else [],
        page_number=number, page_count=pages,
        prev_link=query_of(params, {"page": str(number - 1)}) if number > 1 else "",
        next_link=query_of(params, {"page": str(number + 1)}) if number < pages else "",
        can_create=ctx.may(entity, "create"), board=bool(spec.workflow),
        sla_links=breaching.sla_links(ctx, spec, params),
        export_links={fmt: f"/api/{entity}/export" + query_of(
            params, {"format": fmt, "columns": ",".join(columns)}, {"page", "after"})
            for fmt in ("csv", "xlsx")},
        shared_views=shared_views(ctx, spec), my_views=my_views(ctx, spec),
        view_query=view_query, where=where,
        bulk=bulk_choices(ctx, spec) if page.items else None,
        transitions=[(t.name, rv.transition_label(ctx, t))
                     for t in (workflow.transitions if workflow else ())],
    )


def bulk_choices(ctx: Ctx, entity: EntitySpec) -> dict[str, Any]:
    """What the bulk bar offers: the fields the user may edit, and users to assign."""
    assert ctx.user is not None
    policy = ctx.policy(entity.name)
    writable = policy.writable_fields(ctx.user, None) if ctx.may(entity.name, "update") \
        else frozenset()
    fields = [(f.name, rv.label_of(ctx, entity, f.name)) for f in entity.fields
              if f.name in writable and f.type not in ("tags",)]
    return {"fields": fields, "owner": "owner" in writable,
            "users": rv.names(ctx).user_choices() if "owner" in writable else [],
            "update": bool(writable), "delete": ctx.may(entity.name, "delete")}


@handler()
def save_view(ctx: Ctx, entity: str) -> Response:
    spec = ctx.entity(entity)
    require_read(ctx, spec)
    assert ctx.form is not None and ctx.user is not None
    query = str(ctx.form.get("query") or "")
    # Only a list's own query is kept: pairs read back as the list reads them.
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "page"]
    try:
        # Read as the list would read it, so that a view that cannot open is not kept.
        filters = read_filters(ctx, spec, dict(pairs))
        ctx.store.count(rv.acting_user(ctx), entity, filters=filters or None)
    except (FilterError, RequestInvalid) as error:
        return refused_filter(ctx, spec, error, "")
    try:
        saved.save(ctx.store.engine, ctx.user.id, entity, str(ctx.form.get("name") or ""),
                   urlencode(pairs), ctx.store.clock())
    except saved.ViewRefused as refused:
        ctx.flash(ctx.t(refused.key))
        return ctx.redirect(f"/e/{entity}?{query}")
    ctx.flash(ctx.t("view_saved"))
    return ctx.redirect(f"/e/{entity}?{urlencode(pairs)}")


@handler()
def delete_view(ctx: Ctx, entity: str, id: int) -> Response:
    ctx.entity(entity)
    assert ctx.user is not None
    if not saved.delete(ctx.store.engine, ctx.user.id, id):
        raise HTTPException(404)
    ctx.flash(ctx.t("view_deleted"))
    return ctx.redirect(f"/e/{entity}")


def routes() -> list[Route]:
    return [
        Route("/e/{entity}", list_page),
        Route("/e/{entity}/views", save_view, methods=["POST"]),
        Route("/e/{entity}/views/{id:int}/delete", delete_view, methods=["POST"]),
    ]
