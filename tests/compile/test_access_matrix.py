"""The access matrix of examples/acme, generated from its declarations.

For every role (and a user with no role) and every entity, the Store is asked to create,
read, list, update, fire each transition of, and delete a record the user owns and one
another user owns. The expected outcome of each cell is derived from the `access:`
entries alone (conditions evaluated by the expression language's Python evaluator, the
Store enforcing them in SQL). After every refused write the database is unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from access_world import NOW, Oracle, Samples, add_users, dump, sample_value, stored
from conftest import EXAMPLES, fresh_postgres_schema
from guanxi import expr
from guanxi.compile.app import App, compile_app
from guanxi.errors import AccessDenied, NotFound
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.spec import EntitySpec, TransitionSpec
from guanxi.store.facade import Store

SPEC = load_project_or_raise(EXAMPLES / "acme")
APP = compile_app(SPEC)
ROLES = [role.name for role in SPEC.roles] + ["(none)"]
ENTITIES = [entity.name for entity in SPEC.entities]

ADMIN = User(1, "admin", frozenset({"admin"}))
_user_ids = itertools.count(2)


@dataclass
class World:
    app: App
    store: Store
    me: User
    other: User
    samples: Samples
    oracle: Oracle

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        return dump(self.store.engine, self.app.tables.metadata)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_store(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One database per backend for the whole matrix: every cell works on records and
    users of its own, so cells cannot see each other's effects."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'guanxi.sqlite'}"
    else:
        url = fresh_postgres_schema(request.getfixturevalue("postgres_database"))
    store = Store(APP, url, clock=lambda: NOW)
    store.create_schema()
    add_users(store.engine, APP, [ADMIN])
    yield store
    store.dispose()


@pytest.fixture
def world(request: pytest.FixtureRequest, shared_store: Store) -> World:
    role = request.node.callspec.params["role"]
    roles = frozenset() if role == "(none)" else frozenset({role})
    me_id, other_id = next(_user_ids), next(_user_ids)
    me, other = User(me_id, f"me{me_id}", roles), User(other_id, f"other{other_id}", roles)
    add_users(shared_store.engine, APP, [me, other])
    return World(APP, shared_store, me, other, Samples(APP, shared_store, ADMIN), Oracle(SPEC))


def editable_field(entity: EntitySpec) -> str:
    """A plain optional text field no role hides or makes read-only, to update."""
    # Among the declared roles (the matrix's): the portal's entries are not one of them.
    closed = {name for access in entity.access if access.role in ROLES
              for name in (*access.hide, *access.readonly)}
    for field in entity.fields:
        if (field.type in ("string", "text") and not field.required and not field.unique
                and not field.pattern and not field.compute and not field.readonly
                and field.name not in closed):
            return field.name
    raise AssertionError(f"{entity.name} has no field every role may edit")


class Cells:
    """Collects every cell that does not behave as declared."""

    def __init__(self, world: World, entity: str) -> None:
        self.world = world
        self.entity = entity
        self.wrong: list[str] = []

    def check(self, cell: str, expected: str, action: Callable[[], Any]) -> None:
        """Run `action`; `expected` is "ok", "denied" (AccessDenied) or "not found"."""
        before = self.world.dump() if expected != "ok" else None
        try:
            action()
            outcome = "ok"
        except AccessDenied:
            outcome = "denied"
        except NotFound:
            outcome = "not found"
        if outcome != expected:
            self.wrong.append(f"{cell}: expected {expected}, got {outcome}")
        elif before is not None and self.world.dump() != before:
            self.wrong.append(f"{cell}: refused, but the database changed")


def write_outcome(oracle: Oracle, user: User, entity: str, operation: str,
                  record: dict[str, Any]) -> str:
    """What a write should come to: unreadable records are not found to the user."""
    if not oracle.allows(user, entity, "read", record):
        return "not found"
    return "ok" if oracle.allows(user, entity, operation, record) else "denied"


def check_create(world: World, cells: Cells, entity: str) -> None:
    me = world.me
    new = world.samples.values(entity, me.id, world.samples.references(entity, me.id))
    allowed = world.oracle.allows(me, entity, "create", new)
    cells.check("create", "ok" if allowed else "denied",
                lambda: world.store.create(me, entity, new))


def check_read_and_list(world: World, cells: Cells, entity: str,
                        records: dict[str, int]) -> None:
    me, store = world.me, world.store
    try:
        listed = {r["id"] for r in store.list(me, entity, limit=1000).items}
    except AccessDenied:  # a user who may read none of the entity may be told so
        listed = set()
    for whose, record_id in records.items():
        record = stored(store.engine, APP.tables.entities[entity], record_id)
        readable = world.oracle.allows(me, entity, "read", record)
        cells.check(f"read {whose}", "ok" if readable else "not found",
                    lambda r=record_id: store.get(me, entity, r))
        if (record_id in listed) != readable:
            cells.wrong.append(f"list {whose}: listed={record_id in listed}, "
                               f"readable={readable}")


def check_writes(world: World, cells: Cells, entity: str, records: dict[str, int],
                 operation: str) -> None:
    me, store = world.me, world.store
    field = editable_field(SPEC.entity(entity))
    for whose, record_id in records.items():
        record = stored(store.engine, APP.tables.entities[entity], record_id)
        expected = write_outcome(world.oracle, me, entity, operation, record)

        def write(record_id: int = record_id) -> Any:
            if operation == "update":
                return store.update(me, entity, record_id, {field: "changed"})
            return store.delete(me, entity, record_id)

        cells.check(f"{operation} {whose}", expected, write)


def transition_values(world: World, entity: str, transition: TransitionSpec,
                      record: dict[str, Any]) -> dict[str, Any]:
    """Values for the fields the transition and its target state require."""
    spec = SPEC.entity(entity)
    target = SPEC.workflow(spec.workflow).state(transition.target)
    needed = [*transition.require, *(target.require if target else ())]
    references = world.samples.references(entity, world.me.id)
    return {name: sample_value(spec.field(name), world.me.id, references, world.samples.taken)
            for name in dict.fromkeys(needed) if record.get(name) is None}


def check_transitions(world: World, cells: Cells, entity: str) -> None:
    """Every transition leaving the initial state whose guard holds, on fresh records."""
    me, store, oracle = world.me, world.store, world.oracle
    spec = SPEC.entity(entity)
    workflow = SPEC.workflow(spec.workflow) if spec.workflow else None
    if workflow is None:
        return
    scope = expr.Scope.for_entity(SPEC, spec)
    for transition in workflow.transitions:
        if workflow.initial not in transition.sources and "*" not in transition.sources:
            continue
        guard = expr.to_python(expr.parse(transition.when), scope) if transition.when else None
        for whose, owner in (("own", me.id), ("other", world.other.id)):
            record_id = world.samples.create(entity, owner)["id"]
            record = stored(store.engine, APP.tables.entities[entity], record_id)
            if guard is not None and not guard(record, oracle.context(me)):
                continue
            expected = write_outcome(oracle, me, entity, "update", record)
            if expected == "ok" and not oracle.may_fire(me, entity, transition):
                expected = "denied"
            values = transition_values(world, entity, transition, record)
            cells.check(f"transition {transition.name} {whose}", expected,
                        lambda r=record_id, t=transition.name, v=values:
                        store.transition(me, entity, r, t, v))


@pytest.mark.parametrize("entity", ENTITIES)
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(world: World, role: str, entity: str) -> None:
    cells = Cells(world, entity)
    records = {"own": world.samples.create(entity, world.me.id)["id"],
               "other": world.samples.create(entity, world.other.id)["id"]}
    check_create(world, cells, entity)
    check_read_and_list(world, cells, entity, records)
    check_writes(world, cells, entity, records, "update")
    check_transitions(world, cells, entity)
    check_writes(world, cells, entity, records, "delete")
    assert not cells.wrong, f"{role} on {entity}:\n" + "\n".join(cells.wrong)
