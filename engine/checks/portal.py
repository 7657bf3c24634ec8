"""Checks of the self-service keys of guanxi.yaml: the customer portal (`portal:`) and
attachments (`attachments:`).

The portal's names resolve (the principal entity, its e-mail and account fields, the
tickets entity, the reply transition, the entities its grants name); its grants are
checked like a role's; the system actor can read the principal (it finds contacts by
address); `current_contact` and `current_account` are read only in the portal's
grants, and `current_user` never there (a portal user is no staff user).
"""

from __future__ import annotations

from collections.abc import Iterator

from guanxi.attachments.sniffing import KNOWN_TYPES
from guanxi.checks.registry import Context, register, suggest
from guanxi.checks.system import check_entity_grants
from guanxi.expr.checker import names_in
from guanxi.expr.nodes import Node
from guanxi.expr.scope import Scope
from guanxi.expr.types import CURRENT_ACCOUNT, CURRENT_CONTACT, CURRENT_USER
from guanxi.language.selfservice import size_of
from guanxi.language.tree import LocDict
from guanxi.spec import NOWHERE, PORTAL_ROLE, SYSTEM_ROLE, EntitySpec, Loc, PortalSpec

PRINCIPAL = (CURRENT_CONTACT, CURRENT_ACCOUNT)


def _reads(scope: Scope, text: str | None) -> frozenset[str]:
    """The principal names (`current_*`) a text reads; nothing when it does not parse."""
    if not text:
        return frozenset()
    tree = scope.tree(text)
    if not isinstance(tree, Node):
        return frozenset()
    return frozenset(n.parts[0] for n in names_in(tree) if len(n.parts) == 1
                     and n.parts[0] in (*PRINCIPAL, CURRENT_USER))


def _conditions(entity: EntitySpec) -> Iterator[tuple[str, str, Loc]]:
    """(role, condition, place) of each access condition, rule and computed field of
    the entity; role "" for what is not an access grant."""
    for grant in entity.access:
        for permission in (grant.create, grant.read, grant.update, grant.delete):
            if permission.kind == "where" and permission.condition:
                yield grant.role, permission.condition, permission.loc
    for rule in entity.rules:
        for text, loc in ((rule.when, rule.when_loc), (rule.check, rule.check_loc)):
            if text:
                yield "", text, loc or entity.loc
    for field in entity.fields:
        if field.compute:
            yield "", field.compute, field.compute_loc or field.loc


@register(36)
def check_principal_names(ctx: Context) -> None:
    """`current_contact`/`current_account` only in the portal's grants; `current_user`
    not there; `current_account` only when the portal names its account field."""
    portal = ctx.spec.portal
    for entity in ctx.spec.entities:
        scope = Scope.for_entity(ctx.spec, entity)
        for role, text, loc in _conditions(entity):
            read = _reads(scope, text)
            if role == PORTAL_ROLE and CURRENT_USER in read:
                ctx.add("GX618", loc, "write current_contact: the portal's user is a contact",
                        entity=entity.name)
            elif role != PORTAL_ROLE:
                for name in sorted(read & set(PRINCIPAL)):
                    ctx.add("GX617", loc, "use it under 'portal: grants:' only",
                            name=name, entity=entity.name)
            if role == PORTAL_ROLE and CURRENT_ACCOUNT in read and portal is not None \
                    and portal.account is None:
                ctx.add("GX619", loc, "add 'account: <field of the contact>' under 'portal:'",
                        entity=entity.name)


def _field_of(ctx: Context, entity: EntitySpec, name: str, loc: Loc | None, kind: str,
              problem: str) -> None:
    field = entity.field(name)
    names = [f.name for f in entity.fields if f.type == kind]
    if field is None or field.type != kind:
        ctx.add(problem, loc or NOWHERE, suggest(name, names, f"{kind} fields"),
                name=name, entity=entity.name, type=kind)


def _check_names(ctx: Context, portal: PortalSpec) -> None:
    entities = [e.name for e in ctx.spec.entities]
    principal = ctx.spec.entity(portal.principal)
    if principal is None:
        ctx.add("GX611", portal.principal_loc or portal.loc,
                suggest(portal.principal, entities, "entities"), what="principal",
                name=portal.principal)
    else:
        _field_of(ctx, principal, portal.email, portal.email_loc, "email", "GX612")
        if portal.account is not None:
            _field_of(ctx, principal, portal.account, portal.account_loc, "reference",
                      "GX612")
    tickets = ctx.spec.entity(portal.tickets)
    if tickets is None:
        ctx.add("GX611", portal.tickets_loc or portal.loc,
                suggest(portal.tickets, entities, "entities"), what="tickets",
                name=portal.tickets)
    elif portal.reply_transition is not None:
        workflow = ctx.spec.workflow(tickets.workflow) if tickets.workflow else None
        names = [t.name for t in workflow.transitions] if workflow else []
        if portal.reply_transition not in names:
            ctx.add("GX613", portal.reply_loc or portal.loc,
                    suggest(portal.reply_transition, names, "transitions"),
                    name=portal.reply_transition, entity=tickets.name)


def _may(entity: EntitySpec | None, role: str, operation: str) -> bool:
    if entity is None:
        return True  # reported as unknown
    return any(grant.role == role and getattr(grant, operation).granted
               for grant in entity.access)


@register(37)
def check_portal(ctx: Context) -> None:
    data = ctx.project.get("portal")
    portal = ctx.spec.portal
    if not isinstance(data, LocDict) or portal is None:
        return
    roles = ctx.project.get("roles")
    if isinstance(roles, LocDict) and PORTAL_ROLE in roles:
        ctx.add("GX610", roles.key_loc(PORTAL_ROLE),
                "rename the role; portal users hold it")
    _check_names(ctx, portal)
    check_entity_grants(ctx, data.get("grants"), PORTAL_ROLE, "GX614")
    tickets = ctx.spec.entity(portal.tickets)
    if not _may(tickets, PORTAL_ROLE, "read"):
        ctx.add("GX615", portal.tickets_loc or portal.loc,
                f"add '{portal.tickets}: {{read: ...}}' under 'portal: grants:'",
                entity=portal.tickets)
    principal = ctx.spec.entity(portal.principal)
    if not _may(principal, SYSTEM_ROLE, "read"):
        ctx.add("GX616", portal.principal_loc or portal.loc,
                f"add 'system: grants: {{{portal.principal}: {{read: all}}}}'",
                entity=portal.principal)


@register(38)
def check_attachments(ctx: Context) -> None:
    data = ctx.project.get("attachments")
    if not isinstance(data, LocDict):
        return
    if "max_size" in data and size_of(data.get("max_size")) is None:
        ctx.add("GX620", data.value_loc("max_size"), "write e.g. 10MiB, 512KiB or 1048576",
                value=data.get("max_size"))
    for name, loc in ctx.names_in(data, "types"):
        if name.lower() not in KNOWN_TYPES:
            ctx.add("GX621", loc, suggest(name, KNOWN_TYPES, "types"), name=name)
