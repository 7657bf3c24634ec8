"""Record pickers: `GET /e/{entity}/suggest?q=` answers the records a user may read
whose title or searchable fields hold the words typed (or whose number it is), for the
type-ahead of reference fields (forms/static/js/picker.js), and the widgets that use it.

A reference field offers a select while the user may read few enough records of the
entity referred to; beyond that a text box that takes the record's number, which the
script turns into a type-ahead (and, when the user may create such records, a button
that creates one in a dialog)."""

from __future__ import annotations

from typing import Any

from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from guanxi.server.pages.widgets import Widget
from guanxi.spec import FieldSpec
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# A select lists up to this many records; more take the type-ahead box.
SELECT_LIMIT = 200
SUGGESTIONS = 10
MAX_QUERY = 100


def choices(ctx: Ctx, spec: FieldSpec) -> list[tuple[str, str]] | None:
    """(id, title) of the records a select offers for a reference field; None when the
    user may read too many of them for a select (the widget is then a picker)."""
    assert spec.ref is not None
    target = ctx.spec.entity(spec.ref)
    if target is None or not ctx.may(spec.ref, "read"):
        return []
    user = rv.acting_user(ctx)
    page = ctx.store.list(user, spec.ref, limit=SELECT_LIMIT + 1, with_total=False,
                          sort=(rv.title_field(target),))
    if len(page.items) > SELECT_LIMIT:
        return None
    return [(str(r["id"]), rv.record_title(ctx, target, r)) for r in page.items]


def as_picker(ctx: Ctx, widget: Widget, spec: FieldSpec, value: Any) -> Widget:
    """A reference field's widget as a picker box: the record's number, with its title
    and where to look it up for the script."""
    assert spec.ref is not None
    target = ctx.spec.entity(spec.ref)
    widget.kind = "input"
    widget.choices = []
    attrs = widget.attrs
    attrs["type"] = "text"
    attrs["inputmode"] = "numeric"
    attrs["pattern"] = "[0-9]*"
    attrs["data-picker"] = spec.ref
    attrs["autocomplete"] = "off"
    current = widget.value or (str(value) if value not in (None, "") else "")
    widget.value = current
    if current.isdigit():
        attrs["data-picker-title"] = rv.names(ctx).title(spec.ref, int(current)) or ""
    if target is not None and ctx.may(spec.ref, "create"):
        attrs["data-picker-create"] = f"/e/{spec.ref}/new"
        attrs["data-picker-create-label"] = ctx.t(
            "quick_create", label=rv.entity_label(ctx, target))
    attrs["data-picker-find"] = ctx.t("find_record")
    attrs["data-picker-search"] = ctx.t("search_to_choose")
    attrs["placeholder"] = ctx.t("record_id")
    return widget


@handler()
def suggest(ctx: Ctx, entity: str) -> Response:
    spec = ctx.entity(entity)
    if not ctx.may(entity, "read"):
        raise HTTPException(403)
    text = ctx.request.query_params.get("q", "").strip()[:MAX_QUERY]
    user = rv.acting_user(ctx)
    tfield = rv.title_field(spec)
    found: list[dict[str, Any]] = []
    if text.isascii() and text.isdigit() and 0 < int(text) < 2**63:
        found = list(ctx.store.list(user, entity, filters={"id": int(text)}, limit=1,
                                    with_total=False).items)
    sort = (tfield,) if tfield in rv.visible(ctx, spec) else ("-id",)
    page = ctx.store.list(user, entity, search=text or None, sort=sort,
                          limit=SUGGESTIONS, with_total=False)
    seen = {r["id"] for r in found}
    found += [r for r in page.items if r["id"] not in seen]
    items = [{"id": int(r["id"]), "title": rv.record_title(ctx, spec, r)}
             for r in found[:SUGGESTIONS]]
    return JSONResponse({"items": items, "empty": ctx.t("suggest_none")},
                        headers={"Cache-Control": "no-store"})


def routes() -> list[Route]:
    return [Route("/e/{entity}/suggest", suggest)]
