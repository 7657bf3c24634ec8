"""Duplicate rules (`duplicates:` of an entity): the fields they name exist, fuzzy
fields are among the matched ones, and phone normalization reads phone fields."""

from __future__ import annotations

from guanxi.checks.registry import Context, register, suggest
from guanxi.language.tree import loc_at


@register(85)
def check_duplicate_rules(ctx: Context) -> None:
    """Each rule's match and fuzzy fields."""
    for entity in ctx.spec.entities:
        names = [f.name for f in entity.fields]
        for index, rule in enumerate(entity.duplicates):
            data = ctx.raw.entities.get(entity.name)
            for position, name in enumerate(rule.match):
                if entity.field(name) is None:
                    loc = loc_at(data, "duplicates", index, "match", position) or rule.loc
                    ctx.add("GX306", loc, suggest(name, names, "fields"), name=name,
                            where=f"duplicates of {entity.name}")
            for name, _ in rule.fuzzy:
                if name not in rule.match:
                    loc = loc_at(data, "duplicates", index, "fuzzy", name, key=True) or rule.loc
                    ctx.add("GX810", loc, f"add it to match: [{', '.join(rule.match)}]",
                            name=name)
            if rule.normalize == "phone":
                for name in rule.match:
                    spec = entity.field(name)
                    if spec is not None and spec.type != "phone":
                        loc = loc_at(data, "duplicates", index, "normalize") or rule.loc
                        ctx.add("GX811", loc, None, name=name, type=spec.type)
