"""Access policies: what each user may do with each entity, compiled from `access:` rules.

Default is deny. A user's roles are expanded through `includes`, and the user gets the
union of what those roles grant:

- a record may be read (updated, deleted) when any role's `read` (`update`, `delete`)
  condition holds; the conditions become one SQL `WHERE` clause (`read_filter` …);
- a new record may be created when any role's `create` condition holds for it;
- a field is visible when any role that may read the entity does not hide it;
- a field is writable when any role that may update (create) the entity neither hides
  it nor makes it readonly, and the record's workflow state lets it be edited.

Each condition is parsed and type-checked once, on the entity's scope (where the checker
left it), compiled to Python once, and to SQL once per operation and set of roles, with
bind parameters for the acting user and the moment (`rule`); the values are given when a
statement runs (`context_params(ctx)` of `guanxi.expr.functions`), so SQLAlchemy reuses
its compiled statements.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi import expr
from guanxi.expr.functions import context_params
from guanxi.fields.registry import SYSTEM_FIELDS
from guanxi.identity import User
from guanxi.language.standard import standard_files
from guanxi.messages import render
from guanxi.spec import AccessSpec, EntitySpec, Loc, Permission, ProjectSpec, TransitionSpec
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter, ColumnElement

OPERATIONS = ("create", "read", "update", "delete")

# fn(record, ctx, resolver) -> bool, built by guanxi.expr.to_python.
Check = expr.Evaluator


@dataclass(frozen=True, slots=True)
class CompiledPermission:
    """One operation's grant for one role, its condition parsed and type-checked once."""

    permission: Permission
    condition: expr.Checked | None = None  # for "where" grants
    check: Check | None = None  # the condition compiled to Python, for "where" grants

    @property
    def node(self) -> expr.Node | None:
        """The condition's tree, for "where" grants."""
        return None if self.condition is None else self.condition.node

    @property
    def kind(self) -> str:
        return self.permission.kind

    @property
    def granted(self) -> bool:
        return self.permission.granted


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """Everything one role's `access` entry grants on one entity."""

    access: AccessSpec
    operations: Mapping[str, CompiledPermission]

    @property
    def role(self) -> str:
        return self.access.role

    def grants(self, operation: str) -> bool:
        return self.operations[operation].granted


class EntityPolicy:
    """The compiled access rules of one entity. Read-only after construction."""

    def __init__(self, project: ProjectSpec, entity: EntitySpec, tables: Mapping[str, sa.Table],
                 scope: expr.Scope, grants: Mapping[str, RoleGrant]) -> None:
        self.project = project
        self.entity = entity
        self._tables = tables
        self._scope = scope
        self._grants = dict(grants)
        self._declared = tuple(f.name for f in entity.fields)
        system = [name for name in SYSTEM_FIELDS if name != "state" or entity.workflow]
        self._all_fields = frozenset(self._declared) | frozenset(system)
        workflow = project.workflow(entity.workflow) if entity.workflow else None
        self._states = {s.name: s for s in workflow.states} if workflow else {}
        self._expanded: dict[frozenset[str], frozenset[str]] = {}
        # SQL conditions with context bind parameters, per operation and roles.
        self._rules: dict[tuple[str, frozenset[str], frozenset[str]], ColumnElement[bool]] = {}
        # Field sets depend only on the roles (and state): computed once per combination.
        self._memo: dict[tuple[Any, ...], frozenset[str]] = {}

    @property
    def grants(self) -> Mapping[str, RoleGrant]:
        """What each role's `access` entry grants, by role name."""
        return self._grants

    # ------------------------------------------------------------ roles

    def roles_of(self, user: User) -> frozenset[str]:
        """The user's roles, expanded through `includes`."""
        roles = self._expanded.get(user.roles)
        if roles is None:
            roles = self.project.expand_roles(user.roles)
            self._expanded[user.roles] = roles
        return roles

    def _granting(self, user: User, operation: str) -> Iterator[RoleGrant]:
        for role in sorted(self.roles_of(user)):
            grant = self._grants.get(role)
            if grant is not None and grant.grants(operation):
                yield grant

    def may(self, user: User, operation: str) -> bool:
        """Whether any of the user's roles grants `operation` on some records (or all)."""
        return next(self._granting(user, operation), None) is not None

    # ------------------------------------------------------------ row filters

    def rule(self, user: User, ctx: expr.Context, operation: str) -> ColumnElement[bool]:
        """The SQL condition on this entity's rows on which the user may do `operation`
        ("read", "update" or "delete"), with bind parameters for the user and the moment:
        run it with `context_params(ctx)` (a statement run without them fails).
        Compiled once per set of roles; for a WHERE clause only (NULL drops a row)."""
        key = (operation, user.roles, ctx.roles)
        known = self._rules.get(key)
        if known is None:
            known = self._rules[key] = self._compile_rule(user, ctx, operation)
        return known

    def _compile_rule(self, user: User, ctx: expr.Context,
                      operation: str) -> ColumnElement[bool]:
        conditions: list[ColumnElement[bool]] = []
        for grant in self._granting(user, operation):
            compiled = grant.operations[operation]
            if compiled.kind == "all":
                return sa.true()
            assert compiled.condition is not None
            conditions.append(expr.to_sql(compiled.condition, self._scope, self._tables,
                                          self.entity.name, ctx, parameters=True))
        if not conditions:
            return sa.false()
        return conditions[0] if len(conditions) == 1 else sa.or_(*conditions)

    def _filter(self, user: User, ctx: expr.Context, operation: str) -> ColumnElement[bool]:
        return with_values(self.rule(user, ctx, operation), ctx)

    def read_filter(self, user: User, ctx: expr.Context) -> ColumnElement[bool]:
        """The SQL condition on this entity's rows that the user may read (for a WHERE
        clause; the user and the moment are in it as values: see `rule`)."""
        return self._filter(user, ctx, "read")

    def update_filter(self, user: User, ctx: expr.Context) -> ColumnElement[bool]:
        """The SQL condition on this entity's rows that the user may update."""
        return self._filter(user, ctx, "update")

    def delete_filter(self, user: User, ctx: expr.Context) -> ColumnElement[bool]:
        """The SQL condition on this entity's rows that the user may delete."""
        return self._filter(user, ctx, "delete")

    def creates_any(self, user: User) -> bool:
        """Whether the user may create every record (a role grants `create: all`), so
        that `can_create` holds whatever the record."""
        return any(grant.operations["create"].kind == "all"
                   for grant in self._granting(user, "create"))

    def can_create(self, user: User, ctx: expr.Context, record: Mapping[str, Any],
                   resolver: expr.Resolver | None = None) -> bool:
        """Whether the user may create `record` (field name -> value, as it would be stored)."""
        for grant in self._granting(user, "create"):
            compiled = grant.operations["create"]
            if compiled.kind == "all":
                return True
            if _holds(compiled, record, ctx, resolver):
                return True
        return False

    # ------------------------------------------------------------ fields

    def visible_fields(self, user: User) -> frozenset[str]:
        """Declared and system fields the user sees; nothing without a read grant.

        A field is visible when any role that may read the entity does not hide it.
        `id` is always visible to a reader: a record cannot be addressed without it.
        """
        key = ("visible", user.roles)
        known = self._memo.get(key)
        if known is None:
            known = self._memo[key] = self._visible(user)
        return known

    def _visible(self, user: User) -> frozenset[str]:
        visible: set[str] = set()
        for grant in self._granting(user, "read"):
            visible |= self._all_fields - frozenset(grant.access.hide)
            visible.add("id")
        return frozenset(visible)

    def writable_fields(self, user: User, state: str | None,
                        operation: str = "update") -> frozenset[str]:
        """Fields the user may give values for, on `operation` "update" (default) or "create".

        Update: declared fields, plus `owner`, that some role granting update neither
        hides nor makes readonly (in its access entry or the field's `readonly:`), that
        the user can see, and that are not computed. Create: the same with the roles
        granting create, where readonly fields may still be given a first value and a
        read grant is not needed. In both, a workflow `state` whose `editable:` is a list
        leaves only the fields on that list. No other system field is ever writable.
        """
        if operation not in ("create", "update"):
            raise ValueError(f"operation must be 'create' or 'update', not {operation!r}")
        key = ("writable", user.roles, state, operation)
        known = self._memo.get(key)
        if known is None:
            known = self._memo[key] = self._writable(user, state, operation == "create")
        return known

    def _writable(self, user: User, state: str | None, creating: bool) -> frozenset[str]:
        writable: set[str] = set()
        for grant in self._granting(user, "create" if creating else "update"):
            closed = set(grant.access.hide)
            if not creating:
                closed |= set(grant.access.readonly)
            for field in self.entity.fields:
                if field.derived or field.name in closed:
                    continue
                if field.readonly and not creating:
                    continue
                writable.add(field.name)
            if "owner" not in closed:
                writable.add("owner")
        if not creating:
            writable &= self.visible_fields(user)
        spec = self._states.get(state) if state is not None else None
        if spec is not None and spec.editable is not None:
            writable &= set(spec.editable)
        return frozenset(writable)

    # ------------------------------------------------------------ transitions

    def transition_allowed(self, user: User, transition: TransitionSpec) -> bool:
        """Whether the user's roles may fire `transition` on records they may update.

        The transition's `roles:` (empty: any) must meet the user's roles, and some role
        of the user that grants update must list the transition in its access entry's
        `transitions:` (not given: all of them). Whether the record itself may be
        updated is the update filter's question, asked by the Store.
        """
        roles = self.roles_of(user)
        if transition.roles and not roles.intersection(transition.roles):
            return False
        for grant in self._granting(user, "update"):
            listed = grant.access.transitions
            if listed is None or transition.name in listed:
                return True
        return False

    # ------------------------------------------------------------ explanations

    def explain(self, user: User, ctx: expr.Context, record: Mapping[str, Any] | None,
                resolver: expr.Resolver | None = None) -> list[str]:
        """Human lines, in the user's language, telling why the user can or cannot see
        (and change) the record and each of its fields. With `record` None, the lines
        speak of the entity. Places in the YAML are given relative to the project."""
        say = _sayer(user.language)
        name = self.entity.name
        roles = self.roles_of(user)
        through = sorted(roles - user.roles)
        assigned = sorted(user.roles) or say("explain_no_roles")
        lines = [say("explain_user_through" if through else "explain_user",
                     user=user.username, roles=assigned, through=through)]
        outcome: dict[str, bool] = {}
        for role in sorted(roles):
            grant = self._grants.get(role)
            if grant is None:
                unknown = self.project.role(role) is None
                lines.append(say("explain_no_entry_unknown" if unknown else "explain_no_entry",
                                 role=role, entity=name))
                continue
            for operation in ("read", "update", "delete", "create"):
                line, holds = self._explain_operation(grant, operation, record, ctx,
                                                      resolver, say)
                lines.append(line)
                if holds:
                    outcome[operation] = True
        lines.extend(self._explain_verdict(user, record, outcome, say))
        lines.extend(self._explain_fields(user, say))
        lines.extend(self._explain_readonly(user, record, say))
        return lines

    def _explain_operation(self, grant: RoleGrant, operation: str,
                           record: Mapping[str, Any] | None, ctx: expr.Context,
                           resolver: expr.Resolver | None, say: _Say) -> tuple[str, bool]:
        compiled = grant.operations[operation]
        params = {"role": grant.role, "entity": self.entity.name, "key": operation,
                  "operation": say(f"explain_verb_{operation}"),
                  "path": f"{self.entity.name}.access.{grant.role}.{operation}",
                  "loc": self.where(compiled.permission.loc),
                  "condition": compiled.permission.condition}
        if compiled.kind == "none":
            return say("explain_op_none", **params), False
        if compiled.kind == "all":
            return say("explain_op_new" if operation == "create" else "explain_op_all",
                       **params), True
        if record is None:
            return say("explain_op_where", **params), False
        try:
            holds = _holds(compiled, record, ctx, resolver)
        except Exception as error:  # an explanation must not fail where the Store would not
            return say("explain_op_error", error=str(error), **params), False
        return say("explain_op_holds" if holds else "explain_op_fails", **params), holds

    def _explain_verdict(self, user: User, record: Mapping[str, Any] | None,
                         outcome: Mapping[str, bool], say: _Say) -> list[str]:
        who, name = user.username, self.entity.name
        if not self.may(user, "read"):
            return [say("explain_none_readable", user=who, entity=name)]
        if record is None:
            return []
        lines = [say("explain_can_see" if outcome.get("read") else "explain_cannot_see",
                     user=who, entity=name)]
        for operation in ("update", "delete"):
            lines.append(say("explain_can_do" if outcome.get(operation) else "explain_cannot_do",
                             user=who, entity=name,
                             operation=say(f"explain_verb_{operation}")))
        return lines

    def _explain_fields(self, user: User, say: _Say) -> list[str]:
        name = self.entity.name
        readers = list(self._granting(user, "read"))
        lines: list[str] = []
        for field in sorted(self._all_fields):
            hiding = [g.role for g in readers if field in g.access.hide]
            if not hiding:
                continue
            showing = [g.role for g in readers if field not in g.access.hide]
            for role in hiding:
                lines.append(say("explain_hidden_from_role", field=field, role=role, entity=name))
            if showing:
                lines.append(say("explain_visible_through", field=field, roles=showing))
            else:
                lines.append(say("explain_hidden_from_user", field=field, user=user.username))
        return lines

    def _explain_readonly(self, user: User, record: Mapping[str, Any] | None,
                          say: _Say) -> list[str]:
        name = self.entity.name
        updaters = list(self._granting(user, "update"))
        lines: list[str] = []
        for grant in updaters:
            for readonly in grant.access.readonly:
                lines.append(say("explain_readonly_role", field=readonly, role=grant.role,
                                 entity=name))
        for field in self.entity.fields:
            if field.readonly and updaters:
                lines.append(say("explain_readonly_field", field=field.name, entity=name))
        state_name = record.get("state") if record else None
        state = self._states.get(state_name) if isinstance(state_name, str) else None
        if state is not None and state.editable is not None and updaters:
            lines.append(say("explain_state_editable" if state.editable
                             else "explain_state_frozen",
                             state=state.name, fields=list(state.editable),
                             loc=self.where(state.loc)))
        return lines

    def where(self, loc: Loc) -> str:
        """`loc` as the explanation shows it: relative to the project's directory (a file
        of a base project as `../base/...`, a shipped workflow by its package path),
        never as an absolute path on the server."""
        return project_relative(loc, self.project.root)


_Say = Callable[..., str]


def _sayer(language: str) -> _Say:
    def say(code: str, **params: Any) -> str:
        return render(code, params, language)

    return say


def project_relative(loc: Loc, root: str) -> str:
    """`file:line:col` with the file relative to the project directory `root`."""
    if loc.line == 0 or not root:
        return str(loc) if not os.path.isabs(loc.file) else os.path.basename(loc.file)
    file = os.path.abspath(loc.file)
    if file in _shipped_workflows():
        file = "guanxi/workflows/" + os.path.basename(file)
    else:
        file = os.path.relpath(file, os.path.abspath(root))
    return f"{file.replace(os.sep, '/')}:{loc.line}:{loc.col}"


def _shipped_workflows() -> frozenset[str]:
    return frozenset(os.path.abspath(f) for f in standard_files())


def with_values(condition: ColumnElement[bool], ctx: expr.Context) -> ColumnElement[bool]:
    """`condition` (from `EntityPolicy.rule`) with the context's values in its bind
    parameters, for statements run without `context_params(ctx)`."""
    values = context_params(ctx)
    if not any(isinstance(e, BindParameter) and e.key in values
               for e in visitors.iterate(condition)):
        return condition

    def bind(element: visitors.ExternallyTraversible,
             **kw: Any) -> visitors.ExternallyTraversible | None:
        if isinstance(element, BindParameter) and element.key in values:
            if element.expanding:
                return sa.bindparam(None, list(values[element.key]), type_=element.type,
                                    expanding=True)
            return sa.literal(values[element.key], element.type)
        return None

    return visitors.replacement_traverse(condition, {}, bind)


def _holds(compiled: CompiledPermission, record: Mapping[str, Any], ctx: expr.Context,
           resolver: expr.Resolver | None) -> bool:
    assert compiled.check is not None
    return bool(compiled.check(record, ctx, resolver))


def _compile_permission(permission: Permission, scope: expr.Scope) -> CompiledPermission:
    if permission.kind != "where":
        return CompiledPermission(permission)
    if not permission.condition:
        raise ValueError(f"{permission.loc}: a row condition is empty")
    condition = scope.checked(permission.condition)
    return CompiledPermission(permission, condition, expr.to_python(condition, scope))


def compile_policies(spec: ProjectSpec, tables: Mapping[str, sa.Table],
                     scopes: Mapping[str, expr.Scope] | None = None,
                     ) -> dict[str, EntityPolicy]:
    """One EntityPolicy per entity of a checked project, keyed by entity name; `scopes`
    (by entity name) default to `expr.Scope.for_entity`."""
    policies: dict[str, EntityPolicy] = {}
    for entity in spec.entities:
        scope = scopes[entity.name] if scopes is not None else \
            expr.Scope.for_entity(spec, entity)
        grants: dict[str, RoleGrant] = {}
        for access in entity.access:
            operations = {
                op: _compile_permission(getattr(access, op), scope) for op in OPERATIONS
            }
            grants[access.role] = RoleGrant(access, operations)
        policies[entity.name] = EntityPolicy(spec, entity, tables, scope, grants)
    return policies
