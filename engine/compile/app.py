"""compile_app: a checked ProjectSpec in, an App out. Pure: no database is touched.

The App holds everything the Store needs, built once and shared by every request:
tables, one validator per entity, one machine per workflow, transition guards and `set`
expressions compiled per entity, and the access policies. Each entity's `Scope` is the
one the checker used (`expr.Scope.for_entity`): its expressions were parsed and
type-checked there, and are compiled from it without being read again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from guanxi import expr
from guanxi.compile.access import EntityPolicy, compile_policies
from guanxi.compile.machines import WorkflowMachine, build_machines
from guanxi.compile.rollups import Derived, build_derived
from guanxi.compile.tables import Tables, build_tables
from guanxi.compile.validation import EntityValidator
from guanxi.errors import RequestInvalid
from guanxi.fields.registry import FIELD_TYPES, SYSTEM_FIELDS
from guanxi.language.collector import collector_paused
from guanxi.messages import join
from guanxi.spec import EntitySpec, FieldSpec, ProjectSpec, TransitionSpec

# Compiled expression: fn(record, ctx, resolver=None) -> value.
Compiled = expr.Evaluator


@dataclass(frozen=True, slots=True)
class CompiledTransition:
    """A transition as one entity fires it: its guard and `set` compiled in that entity's scope."""

    spec: TransitionSpec
    guard: Compiled | None
    assignments: tuple[tuple[str, Compiled], ...]


@dataclass(frozen=True, slots=True)
class CompiledEntity:
    """Everything the Store needs about one entity."""

    spec: EntitySpec
    table: sa.Table
    validator: EntityValidator
    policy: EntityPolicy
    # What names mean on the entity, with its expressions parsed and type-checked.
    scope: expr.Scope
    machine: WorkflowMachine | None = None
    transitions: dict[str, CompiledTransition] = field(default_factory=dict)
    # Declared fields by name.
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    # Types of every column the entity has, declared and system: name -> type name.
    types: dict[str, str] = field(default_factory=dict)
    searchable: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    def field_spec(self, name: str) -> FieldSpec:
        """The declared field, or a stand-in FieldSpec for a system field."""
        declared = self.fields.get(name)
        if declared is not None:
            return declared
        # The state is read as plain text: its values are the workflow's states.
        kind = "string" if name == "state" else SYSTEM_FIELDS[name]
        return FieldSpec(name, kind, self.spec.loc)

    def sortable(self, name: str) -> bool:
        return name in self.types and FIELD_TYPES[self.types[name]].sortable


@dataclass(frozen=True, slots=True)
class App:
    """A compiled project."""

    spec: ProjectSpec
    tables: Tables
    entities: dict[str, CompiledEntity]
    machines: dict[str, WorkflowMachine]
    policies: dict[str, EntityPolicy]
    # Roll-ups and computed fields kept up to date across entities.
    derived: Derived = field(default_factory=Derived)
    # Whether some access condition calls `same_team(…)`: then each unit of work reads
    # the acting user's team mates (`guanxi.automation.teams`) into its context.
    team_rules: bool = False

    def entity(self, name: str) -> CompiledEntity:
        """The compiled entity `name`; RequestInvalid naming the entities there are."""
        try:
            return self.entities[name]
        except KeyError:
            raise RequestInvalid(
                f"unknown entity {name!r} (entities: {join(sorted(self.entities))})"
            ) from None


def _compile_transitions(machine: WorkflowMachine,
                         scope: expr.Scope) -> dict[str, CompiledTransition]:
    compiled: dict[str, CompiledTransition] = {}
    for transition in machine.spec.transitions:
        guard = expr.to_python(scope.checked(transition.when), scope) \
            if transition.when else None
        assignments = tuple(
            (name, expr.to_python(scope.checked(text), scope)) for name, text in transition.set
        )
        compiled[transition.name] = CompiledTransition(transition, guard, assignments)
    return compiled


def _entity_types(entity: EntitySpec) -> dict[str, str]:
    types = {name: kind for name, kind in SYSTEM_FIELDS.items()
             if name != "state" or entity.workflow}
    types.update({f.name: f.type for f in entity.fields})
    return types


def compile_app(spec: ProjectSpec) -> App:
    """Compile a checked project. Raises ValueError/GuanxiError only for projects that
    `guanxi check` would have refused."""
    with collector_paused():
        return _compile(spec)


def _compile(spec: ProjectSpec) -> App:
    tables = build_tables(spec)
    machines = build_machines(spec)
    scopes = {entity.name: expr.Scope.for_entity(spec, entity) for entity in spec.entities}
    policies = compile_policies(spec, tables.entities, scopes)
    entities: dict[str, CompiledEntity] = {}
    for entity in spec.entities:
        scope = scopes[entity.name]
        machine = machines.get(entity.workflow) if entity.workflow else None
        entities[entity.name] = CompiledEntity(
            spec=entity,
            table=tables.entities[entity.name],
            validator=EntityValidator(spec, entity, scope),
            policy=policies[entity.name],
            scope=scope,
            machine=machine,
            transitions=_compile_transitions(machine, scope) if machine else {},
            fields={f.name: f for f in entity.fields},
            types=_entity_types(entity),
            searchable=tuple(f.name for f in entity.fields if FIELD_TYPES[f.type].searchable),
        )
    return App(spec, tables, entities, machines, policies,
               build_derived(spec, tables.entities, scopes), _team_rules(spec))


def _team_rules(spec: ProjectSpec) -> bool:
    return any("same_team" in (getattr(access, op).condition or "")
               for entity in spec.entities for access in entity.access
               for op in ("create", "read", "update", "delete"))
