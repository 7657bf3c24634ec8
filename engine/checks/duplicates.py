"""Duplicate rules (`duplicates:` of an entity): the fields they name exist, fuzzy
fields are among the matched ones, phone normalization reads phone fields, and the
regions that read national phone numbers (`phone_region:` in guanxi.yaml, a rule's
`region:`) are countries with a known numbering plan."""

from __future__ import annotations

import phonenumbers
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

REGION_HINT = "write a two-letter country code in capitals, such as CN, US or DE"


def _unknown_region(region: str | None) -> bool:
    return region is not None and region not in phonenumbers.SUPPORTED_REGIONS


@register(86)
def check_phone_regions(ctx: Context) -> None:
    """The project's `phone_region` and each duplicate rule's own `region`."""
    project_region = ctx.spec.phone_region
    if _unknown_region(project_region) and ctx.project.get("phone_region") is not None:
        ctx.add("GX812", ctx.project.value_loc("phone_region"),
                REGION_HINT, where="phone_region", name=project_region)
    for entity in ctx.spec.entities:
        data = ctx.raw.entities.get(entity.name)
        for index, rule in enumerate(entity.duplicates):
            if rule.region == project_region or not _unknown_region(rule.region):
                continue  # the project's own region is reported once, above
            ctx.add("GX812", loc_at(data, "duplicates", index, "region") or rule.loc,
                    REGION_HINT, where=f"duplicates of {entity.name}",
                    name=rule.region)
