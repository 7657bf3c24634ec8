""""Breaching soon" (`/breaching`, `?entity=ticket`): the running SLA clocks of the
records the user may read, soonest due first (breached ones on top), each with its due
time, the business time left and a link to the record."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from guanxi.automation import slas
from guanxi.errors import NotFound
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from guanxi.spec import EntitySpec
from starlette.responses import Response
from starlette.routing import Route

SHOWN = 100


@handler()
def breaching_page(ctx: Ctx) -> Response:
    user = rv.acting_user(ctx)
    chosen = ctx.request.query_params.get("entity")
    entity = ctx.spec.entity(chosen) if chosen else None
    now = ctx.store.clock()
    rows = []
    for due in slas.breaching(ctx.store.engine, entity=entity.name if entity else None,
                              limit=SHOWN * 5):
        spec = ctx.spec.entity(due.entity)
        if spec is None:
            continue
        try:  # only the records the user may read
            record = dict(ctx.store.get(user, due.entity, due.record_id))
        except NotFound:
            continue
        [clock] = [c for c in slas.clocks(ctx.store.engine, ctx.spec, due.entity,
                                          due.record_id, now) if c.name == due.name]
        rows.append({"entity": rv.entity_label(ctx, spec), "link":
                     f"/e/{due.entity}/{due.record_id}",
                     "title": rv.record_title(ctx, spec, record), "clock": clock})
        if len(rows) >= SHOWN:
            break
    return ctx.render("breaching", rows=rows)


def sla_links(ctx: Ctx, entity: EntitySpec, params: Mapping[str, str]) -> list[dict[str, str]]:
    """The service-level links above an entity's list (`?sla=…`, `?sort=sla_due`), each
    keeping the list's other parameters; none for an entity without `sla:`."""
    if not entity.sla:
        return []
    kept = {k: v for k, v in params.items() if k not in ("sla", "after", "sort")}
    chosen, sort = params.get("sla", ""), params.get("sort", "")
    links = []
    for value, label in (("", "sla_any"), ("breaching_soon", "breaching_soon"),
                         ("breached", "sla_breached"), ("breaching", "sla_attention")):
        query = {**kept, **({"sla": value} if value else {}), "sort": "sla_due"}
        links.append({"label": ctx.t(label), "href": "?" + urlencode(query),
                      "current": "true" if chosen == value and sort == "sla_due" else ""})
    return links


def routes() -> list[Route]:
    return [Route("/breaching", breaching_page)]
