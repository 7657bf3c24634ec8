"""Bulk actions on the records ticked in a list: fire a transition, assign an owner,
set a field, delete, or export the selection. Each record is one Store call as the
signed-in user, so access rules, guards, validation and history hold per record; the
answer is a page with each record's result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guanxi.data.export import csv_chunks, export
from guanxi.errors import GuanxiError, ValidationFailed
from guanxi.fields.integers import parse_int
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from guanxi.server.display import field_spec
from guanxi.server.pages.editing import safe_next
from guanxi.server.pages.listing import require_read
from guanxi.server.pages.widgets import form_value
from guanxi.spec import EntitySpec
from starlette.exceptions import HTTPException
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

# The most records one bulk action takes.
MAX_SELECTION = 500
ACTIONS = ("transition", "owner", "edit", "delete", "export")


@dataclass
class Outcome:
    id: int
    title: str
    ok: bool
    message: str


def selected_ids(ctx: Ctx) -> list[int]:
    assert ctx.form is not None
    ids: list[int] = []
    for raw in ctx.form.getlist("ids"):
        number = parse_int(str(raw).strip())
        if number is None or number < 1:
            raise HTTPException(400, ctx.t("bulk_bad_ids"))
        if number not in ids:
            ids.append(number)
    if not ids:
        raise HTTPException(400, ctx.t("bulk_none"))
    if len(ids) > MAX_SELECTION:
        raise HTTPException(400, ctx.t("bulk_too_many", max=MAX_SELECTION))
    return ids


def _reason(error: GuanxiError) -> str:
    if isinstance(error, ValidationFailed):
        return "; ".join(m for messages in error.errors.values() for m in messages) \
            or str(error)
    return str(error)


def _plan(ctx: Ctx, entity: EntitySpec, action: str) -> tuple[str, dict[str, Any]]:
    """What each record gets: ("transition", name) or the changes of an update."""
    assert ctx.form is not None
    if action == "transition":
        workflow = rv.workflow_of(ctx, entity)
        name = str(ctx.form.get("transition") or "")
        if workflow is None or workflow.transition(name) is None:
            raise HTTPException(400, ctx.t("bulk_bad_transition"))
        return name, {}
    if action == "owner":
        owner = parse_int(str(ctx.form.get("owner_to") or "").strip())
        if owner is None:
            raise HTTPException(400, ctx.t("bulk_bad_owner"))
        return "", {"owner": owner}
    if action == "edit":
        name = str(ctx.form.get("field") or "")
        if entity.field(name) is None:
            raise HTTPException(400, ctx.t("bulk_bad_field"))
        return "", {name: form_value(field_spec(entity, name),
                                     str(ctx.form.get("value") or ""))}
    return "", {}


@handler()
def bulk_action(ctx: Ctx, entity: str) -> Response:
    spec = ctx.entity(entity)
    require_read(ctx, spec)
    assert ctx.form is not None
    action = str(ctx.form.get("action") or "")
    if action not in ACTIONS:
        raise HTTPException(400, ctx.t("bulk_bad_action"))
    ids = selected_ids(ctx)
    user = rv.acting_user(ctx)
    if action == "export":
        columns = [c for c in str(ctx.form.get("columns") or "").split(",") if c] or None
        exported = export(ctx.store, user, entity, columns=columns, filters={"id": ids},
                          language=ctx.language)
        return StreamingResponse(csv_chunks(exported), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition":
                                          f'attachment; filename="{entity}.csv"'})
    transition, changes = _plan(ctx, spec, action)
    outcomes = []
    for record_id in ids:
        title = f"#{record_id}"
        try:
            record = ctx.store.get(user, entity, record_id)
            title = rv.record_title(ctx, spec, record)
            if action == "transition":
                ctx.store.transition(user, entity, record_id, transition)
            elif action == "delete":
                ctx.store.delete(user, entity, record_id)
            else:
                ctx.store.update(user, entity, record_id, changes)
        except GuanxiError as error:
            outcomes.append(Outcome(record_id, title, False, _reason(error)))
            continue
        outcomes.append(Outcome(record_id, title, True, ctx.t("bulk_done")))
    done = sum(1 for o in outcomes if o.ok)
    back = safe_next(ctx.form.get("back"), entity, f"/e/{entity}")
    return ctx.render("bulk", entity, entity=spec,
                      title=rv.entity_label(ctx, spec, plural=True),
                      outcomes=outcomes, done=done, failed=len(outcomes) - done,
                      linked=action != "delete", back=back)


def routes() -> list[Route]:
    return [Route("/e/{entity}/bulk", bulk_action, methods=["POST"])]
