"""My tasks (`/tasks`): the signed-in user's open activities, overdue, due today and
upcoming (`guanxi.workspace.tasks`), each completed with one click (a POST with the
CSRF token, through the Store)."""

from __future__ import annotations

from typing import Any

from guanxi.errors import AccessDenied, ValidationFailed, VersionConflict
from guanxi.fields.registry import title_of
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from guanxi.workspace import tasks
from guanxi.workspace.tasks import Task
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route


def _shown(ctx: Ctx, task: Task) -> dict[str, Any]:
    entity = ctx.entity(task.entity)
    record = task.record
    seen = rv.visible(ctx, entity)
    about = []
    for spec in entity.fields:
        value = record.get(spec.name)
        if spec.type == "reference" and spec.name in seen and value is not None:
            cell = rv.show(ctx, entity, spec.name, value)
            if cell.href:
                about.append({"text": cell.text, "href": cell.href})
    due = record.get(tasks.DUE)
    kind = entity.field("kind")
    return {
        "entity": task.entity, "id": task.record_id, "version": record.get("version"),
        "title": rv.record_title(ctx, entity, record) if title_of(entity) in seen
        else f"#{task.record_id}",
        "url": f"/e/{task.entity}/{task.record_id}",
        "due": rv.show(ctx, entity, tasks.DUE, due).text if due is not None else "",
        "kind": rv.show(ctx, entity, "kind", record.get("kind")).text
        if kind is not None and "kind" in seen and record.get("kind") else "",
        "about": about,
    }


@handler()
def tasks_page(ctx: Ctx) -> Response:
    mine = tasks.my_tasks(ctx.store, rv.acting_user(ctx))
    parts = [{"name": name, "label": ctx.t(f"tasks_{name}"),
              "tasks": [_shown(ctx, t) for t in found]}
             for name, found in (("overdue", mine.overdue), ("today", mine.today),
                                 ("upcoming", mine.upcoming))]
    return ctx.render("tasks", parts=parts, count=len(mine))


@handler()
def complete_task(ctx: Ctx, entity: str, id: int) -> Response:
    spec = ctx.entity(entity)
    user = rv.acting_user(ctx)
    try:
        record = tasks.complete(ctx.store, user, entity, id, ctx.form_int("version"))
    except VersionConflict:
        ctx.flash(ctx.t("version_conflict"))
        return ctx.redirect("/tasks")
    except AccessDenied:
        raise HTTPException(403) from None
    except ValidationFailed as error:
        ctx.flash("; ".join(m for ms in error.errors.values() for m in ms))
        return ctx.redirect("/tasks")
    ctx.flash(ctx.t("task_completed", title=rv.record_title(ctx, spec, record)))
    return ctx.redirect("/tasks")


def routes() -> list[Route]:
    return [Route("/tasks", tasks_page),
            Route("/tasks/{entity}/{id:int}/complete", complete_task, methods=["POST"])]
