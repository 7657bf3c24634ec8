"""An entity's shared views (`views:`) and board (`board:`): the fields they name exist,
a board totals a number field, views are offered to declared roles, and a view's
filters and sort read as a list's URL would (guanxi.store.filters)."""

from __future__ import annotations

from guanxi.checks.registry import Context, register, suggest
from guanxi.fields.registry import FIELD_TYPES, SYSTEM_FIELDS
from guanxi.language.tree import loc_at
from guanxi.spec import EntitySpec
from guanxi.store.filters import RANGE_ENDS, FilterError, FilterScope, parse_filters


def _known(entity: EntitySpec) -> list[str]:
    names = [f.name for f in entity.fields] + list(SYSTEM_FIELDS)
    return [n for n in names if n != "deleted_at" and (n != "state" or entity.workflow)]


def _states(ctx: Context, entity: EntitySpec) -> tuple[str, ...]:
    workflow = ctx.spec.workflow(entity.workflow) if entity.workflow else None
    return tuple(s.name for s in workflow.states) if workflow else ()


@register(88)
def check_board(ctx: Context) -> None:
    """The fields on the cards, and the field each column totals."""
    for entity in ctx.spec.entities:
        data = ctx.raw.entities.get(entity.name)
        known = _known(entity)
        for position, name in enumerate(entity.board.card):
            if name not in known:
                ctx.add("GX980", loc_at(data, "board", "card", position) or entity.loc,
                        suggest(name, known, "fields"), name=name,
                        where=f"{entity.name}.board.card", entity=entity.name)
        total = entity.board.sum
        if total is None:
            continue
        at = loc_at(data, "board", "sum") or entity.loc
        spec = entity.field(total)
        if spec is None:
            ctx.add("GX980", at, suggest(total, known, "fields"), name=total,
                    where=f"{entity.name}.board.sum", entity=entity.name)
        elif FIELD_TYPES[spec.type].kind != "number":
            ctx.add("GX981", at, "name a money, decimal, integer or percent field",
                    name=total, entity=entity.name, type=spec.type)


@register(89)
def check_views(ctx: Context) -> None:
    """Each shared view's roles, columns, filters and sort."""
    roles = [r.name for r in ctx.spec.roles]
    for entity in ctx.spec.entities:
        data = ctx.raw.entities.get(entity.name)
        known = _known(entity)
        scope = FilterScope.of(entity, known, _states(ctx, entity))
        for view in entity.views:
            where = f"{entity.name}.views.{view.name}"
            for position, role in enumerate(view.roles):
                if role not in roles:
                    ctx.add("GX982", loc_at(data, "views", view.name, "roles", position)
                            or view.loc, suggest(role, roles, "roles"), name=role,
                            view=view.name)
            for position, name in enumerate(view.columns):
                if name not in known:
                    ctx.add("GX980", loc_at(data, "views", view.name, "columns", position)
                            or view.loc, suggest(name, known, "fields"), name=name,
                            where=f"{where}.columns", entity=entity.name)
            for key, value in view.filters:
                at = loc_at(data, "views", view.name, "filters", key, key=True) or view.loc
                base, dot, end = key.rpartition(".")
                name = base if dot and end in RANGE_ENDS else key
                if name not in known:
                    ctx.add("GX980", at, suggest(name, known, "fields"), name=name,
                            where=f"{where}.filters", entity=entity.name)
                    continue
                try:
                    parse_filters([(key, value)], scope)
                except FilterError as error:
                    ctx.add("GX983", at, "write the value as the list's URL would carry it",
                            view=view.name, detail=error.message)
            if view.sort is not None:
                name = view.sort.lstrip("-")
                at = loc_at(data, "views", view.name, "sort") or view.loc
                if name not in known:
                    ctx.add("GX980", at, suggest(name, known, "fields"), name=name,
                            where=f"{where}.sort", entity=entity.name)
                else:
                    declared = entity.field(name)
                    kind = declared.type if declared is not None else SYSTEM_FIELDS[name]
                    if not FIELD_TYPES[kind].sortable:
                        ctx.add("GX983", at, "sort by another field", view=view.name,
                                detail=f"a list cannot be sorted by {name} ({kind})")
