"""Self-service: the public actor (`public:` in guanxi.yaml: its grants and the help
centre) and the web forms of forms/*.yaml, checked against the project. Every forms file
against `schemas/forms.schema.json`; entities, fields, assignment rules and grants
resolved, each problem located with a hint."""

from __future__ import annotations

from typing import Any

from guanxi.checks.entities import check_grants
from guanxi.checks.registry import Context, register, suggest
from guanxi.checks.schema import check_documents
from guanxi.language.tree import LocDict, LocList
from guanxi.mail.sending import CONTACT_ENTITY
from guanxi.selfservice.definitions import read_documents, sections
from guanxi.spec import PUBLIC_ROLE, SYSTEM_ROLE, EntitySpec, Loc

# Field types a visitor may not fill in: they point at records and users.
LINKING_TYPES = ("reference", "user")
HELP_FIELDS = ("title", "body", "category", "language", "tags")


def _fields(entity: EntitySpec) -> list[str]:
    return [f.name for f in entity.fields]


def _grants(entity: EntitySpec) -> Any:
    return next((a for a in entity.access if a.role == PUBLIC_ROLE), None)


@register(36)
def check_public(ctx: Context) -> None:
    """`public:`: its role name is its own, its grants name entities and their fields,
    and its help centre names an entity the public may read and that entity's fields."""
    public = ctx.project.get("public")
    if not isinstance(public, LocDict):
        return
    roles = ctx.project.get("roles")
    if isinstance(roles, LocDict) and PUBLIC_ROLE in roles:
        ctx.add("GX630", roles.key_loc(PUBLIC_ROLE),
                "rename the role; anonymous visitors act as the public actor")
    entities = [str(name) for name in ctx.raw.entities]
    grants = public.get("grants")
    if isinstance(grants, LocDict):
        for name, granted in grants.items():
            entity = ctx.spec.entity(str(name))
            if entity is None:
                ctx.unknown("entity", None, str(name), grants.key_loc(name), "GX631",
                            suggest(str(name), entities, "entities"), name=name)
            elif isinstance(granted, LocDict):
                check_grants(ctx, entity.name, PUBLIC_ROLE, granted, entity.workflow)
    centre = public.get("help_centre")
    if isinstance(centre, LocDict):
        _check_help(ctx, centre, entities)


def _check_help(ctx: Context, centre: LocDict, entities: list[str]) -> None:
    name = centre.get("entity")
    if not isinstance(name, str):
        return
    entity = ctx.spec.entity(name)
    if entity is None:
        ctx.add("GX632", centre.value_loc("entity"), suggest(name, entities, "entities"),
                entity=name)
        return
    declared = _fields(entity)
    for key in HELP_FIELDS:
        used = centre.get(key)
        if isinstance(used, str) and used not in declared:
            ctx.add("GX633", centre.value_loc(key), suggest(used, declared, "fields"),
                    key=key, name=used, entity=name)
    grant = _grants(entity)
    if grant is None or grant.read.kind == "none":
        ctx.add("GX634", centre.value_loc("entity"),
                f"grant the public a read condition on {name} under public: grants:, "
                "e.g. read: state == \"published\"", entity=name)
    contact = centre.get("contact")
    if isinstance(contact, str):
        forms = [form for form, _, _ in sections(read_documents(ctx.spec.root))]
        if contact not in forms:
            ctx.add("GX635", centre.value_loc("contact"), suggest(contact, forms, "forms"),
                    name=contact)


MARKETING_FIELDS = {"condition": "campaign", "subject": "campaign", "body": "campaign",
                    "email": "members", "consent": "members"}
@register(37)
def check_marketing(ctx: Context) -> None:
    """`marketing:`: its entities and fields exist, its members are contacts, and the
    system actor may record a withdrawal of consent."""
    data = ctx.project.get("marketing")
    if not isinstance(data, LocDict):
        return
    names = [e.name for e in ctx.spec.entities]
    found: dict[str, EntitySpec] = {}
    for key in ("campaign", "members"):
        name = data.get(key)
        if not isinstance(name, str):
            continue
        entity = ctx.spec.entity(name)
        if entity is None:
            ctx.add("GX650", data.value_loc(key), suggest(name, names, "entities"), key=key,
                    entity=name)
        else:
            found[key] = entity
    members = found.get("members")
    if members is not None and members.name != CONTACT_ENTITY:
        ctx.add("GX652", data.value_loc("members"),
                f"write members: {CONTACT_ENTITY}", entity=members.name)
    for key, owner in MARKETING_FIELDS.items():
        entity = found.get(owner)
        used = data.get(key)
        if entity is None or not isinstance(used, str):
            continue
        if entity.field(used) is None:
            ctx.add("GX651", data.value_loc(key), suggest(used, _fields(entity), "fields"),
                    key=key, name=used, entity=entity.name)
    if members is not None:
        system = next((a for a in members.access if a.role == SYSTEM_ROLE), None)
        if system is None or system.update.kind == "none":
            ctx.add("GX653", data.value_loc("members"),
                    f"grant the system actor update on {members.name} (system: grants:)",
                    entity=members.name)


@register(86)
def check_forms(ctx: Context) -> None:
    """The project's forms files: structure, then meaning."""
    documents = read_documents(ctx.spec.root)
    check_documents(ctx, documents, "forms")
    entities = [e.name for e in ctx.spec.entities]
    first: dict[str, Loc] = {}
    for name, value, holder in sections(documents):
        loc = holder.key_loc(name)
        if name in first:
            ctx.add("GX640", loc, "rename one of them", name=name, first=first[name])
            continue
        first[name] = loc
        entity_name = value.get("entity")
        if not isinstance(entity_name, str):
            continue
        entity = ctx.spec.entity(entity_name)
        if entity is None:
            ctx.add("GX641", value.value_loc("entity"),
                    suggest(entity_name, entities, "entities"), name=name, entity=entity_name)
            continue
        _check_form(ctx, name, entity, value)


def _named(value: LocDict, key: str) -> list[tuple[str, Loc]]:
    """The names under `key` (a list of names, or a mapping's keys) and where each is."""
    found = value.get(key)
    if isinstance(found, LocList):
        return [(item, found.item_loc(i)) for i, item in enumerate(found)
                if isinstance(item, str)]
    if isinstance(found, LocDict):
        return [(str(k), found.key_loc(k)) for k in found]
    return []


def _check_form(ctx: Context, name: str, entity: EntitySpec, value: LocDict) -> None:
    declared = _fields(entity)
    for key in ("fields", "required", "values"):
        for used, loc in _named(value, key):
            if used not in declared:
                ctx.add("GX642", loc, suggest(used, declared, "fields"), name=name,
                        entity=entity.name, field=used, key=key)
    for used, loc in _named(value, "fields"):
        spec = entity.field(used)
        if spec is not None and spec.type in LINKING_TYPES:
            ctx.add("GX648", loc, "set it with a fixed value (values:) or leave it out",
                    name=name, field=used, type=spec.type)
    grant = _grants(entity)
    if grant is None or grant.create.kind == "none":
        ctx.add("GX643", value.value_loc("entity"),
                f"grant it under public: grants: {entity.name}: {{create: all}}", name=name,
                entity=entity.name)
    rule = value.get("assign")
    if isinstance(rule, str):
        known = {a.name: a for a in ctx.spec.assignments}
        found = known.get(rule)
        if found is None:
            ctx.add("GX644", value.value_loc("assign"),
                    suggest(rule, list(known), "assignment rules"), name=name, rule=rule)
        elif found.entity != entity.name or "create" not in found.on:
            ctx.add("GX645", value.value_loc("assign"),
                    f"give the rule entity: {entity.name} and on: create", name=name,
                    rule=rule, entity=entity.name)
    consent = value.get("consent")
    if isinstance(consent, str):
        spec = entity.field(consent)
        if spec is None or spec.type != "boolean":
            ctx.add("GX646", value.value_loc("consent"),
                    "name a boolean field the visitor ticks", name=name, field=consent)
    if value.get("duplicates", "notify") == "notify" and entity.duplicates:
        system = next((a for a in entity.access if a.role == SYSTEM_ROLE), None)
        if system is None or system.read.kind == "none":
            ctx.add("GX647", value.key_loc("entity"),
                    f"grant the system actor read on {entity.name} (system: grants:), or "
                    "write duplicates: create", name=name, entity=entity.name)
