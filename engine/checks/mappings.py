"""Import mappings: every `mappings/*.yaml` of the project, against the mapping schema and
the entities it names (see `guanxi.data.mapping`)."""

from __future__ import annotations

from guanxi.checks.registry import Context, register
from guanxi.data import mapping


@register(90)
def check_mappings(ctx: Context) -> None:
    """Each mapping file: structure, entity, fields, lookups, value cleaning."""
    spec = ctx.spec
    for path in mapping.project_mappings(spec):
        _, problems = mapping.load(path, spec)
        ctx.found.extend(problems)
