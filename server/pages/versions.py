"""A record as it was: GET /e/{entity}/{id}/version/{entry} shows the fields the user may
see as they stood after history entry `entry` (an article's earlier text, for one),
rebuilt from the Store's history (which leaves out what the user may not see)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from guanxi.server.pages.timeline import history_value
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route


def values_after(history: Sequence[dict[str, Any]], entry: int) -> dict[str, Any] | None:
    """The values the history gives each field after entry `entry` (None: no such entry)."""
    values: dict[str, Any] = {}
    for item in history:
        for name, change in (item.get("changes") or {}).items():
            values[name] = change.get("new")
        if item.get("id") == entry:
            return values
    return None


@handler()
def version_page(ctx: Ctx, entity: str, id: int, entry: int) -> Response:
    spec = ctx.entity(entity)
    user = rv.acting_user(ctx)
    record = ctx.store.get(user, entity, id)
    history = ctx.store.history(user, entity, id)
    values = values_after(history, entry)
    if values is None:
        raise HTTPException(404)
    at = next(item.get("at") for item in history if item.get("id") == entry)
    seen = rv.visible(ctx, spec)
    fields = [{"name": name, "label": rv.label_of(ctx, spec, name),
               "cell": history_value(ctx, spec, name, values.get(name))}
              for name in rv.detail_fields(ctx, spec) if name in seen and name in values]
    return ctx.render("version", template_entity=entity, entity=spec, record=record,
                      title=rv.record_title(ctx, spec, record), fields=fields,
                      at=rv.show(ctx, spec, "updated_at", at).text if at else "")


def routes() -> list[Route]:
    return [Route("/e/{entity}/{id:int}/version/{entry:int}", version_page)]
