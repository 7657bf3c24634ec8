"""A property over random roles, paths and conditions, on both databases: which records
match a user's condition does not depend on the values of fields that user cannot see.

Build a world, ask a question as one role, change every value hidden from that role
(on every entity, so also at the far end of paths), ask again: the same ids, or the
same refusal. And a condition is refused exactly when one of its paths reads a hidden
field on some hop, so the property is not kept by refusing everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from access_world import NOW, add_users
from guanxi.compile.app import App, compile_app
from guanxi.errors import GuanxiError
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FILES = {
    "guanxi.yaml": """
        project: paths
        roles:
          rep: {}
          auditor: {}
          boss: {}
        """,
    "entities/org.yaml": """
        org:
          fields:
            tier: {type: integer}
            revenue: {type: integer}
            code: {type: string}
            parent: {type: reference, to: org}
          access:
            rep: {read: tier != 3, hide: [revenue, code]}
            auditor: {read: all, hide: [tier]}
            boss: {create: all, read: all, update: all, delete: all}
        """,
    "entities/person.yaml": """
        person:
          fields:
            name: {type: string}
            salary: {type: integer}
            org: {type: reference, to: org}
          access:
            rep: {read: all, hide: [salary]}
            auditor: {read: all, hide: [name]}
            boss: {create: all, read: all, update: all, delete: all}
        """,
    "entities/task.yaml": """
        task:
          fields:
            title: {type: string}
            budget: {type: integer}
            person: {type: reference, to: person}
            org: {type: reference, to: org}
          access:
            rep: {read: all, hide: [budget]}
            auditor: {read: all}
            boss: {create: all, read: all, update: all, delete: all}
        """,
}

BOSS = User(9, "boss", frozenset({"boss"}))
USERS = {role: User(i, role, frozenset({role})) for i, role in enumerate(("rep", "auditor"), 1)}
# What each role may not see, by entity (as declared above).
HIDDEN = {"rep": {"org": {"revenue", "code"}, "person": {"salary"}, "task": {"budget"}},
          "auditor": {"org": {"tier"}, "person": {"name"}, "task": set()}}
VALUES = {"integer": st.none() | st.integers(0, 4),
          "string": st.none() | st.sampled_from(["a", "ab", "b"])}
LEAVES = {"org": {"tier": "integer", "revenue": "integer", "code": "string"},
          "person": {"name": "string", "salary": "integer"},
          "task": {"title": "string", "budget": "integer"}}
REFERENCES = {"org": {"parent": "org"}, "person": {"org": "org"},
              "task": {"person": "person", "org": "org"}}
COUNTS = {"org": 3, "person": 3, "task": 4}


def paths(entity: str, depth: int = 3) -> list[tuple[tuple[str, ...], str, str]]:
    """(path, its last entity, its type) for every leaf field within `depth` hops."""
    found = [((name,), entity, kind) for name, kind in LEAVES[entity].items()]
    if depth > 1:
        for name, target in REFERENCES[entity].items():
            found += [((name, *rest), last, kind) for rest, last, kind in paths(target, depth - 1)]
    return found


def reads_hidden(role: str, root: str, path: tuple[str, ...]) -> bool:
    entity = root
    for step in path:
        if step in HIDDEN[role][entity]:
            return True
        entity = REFERENCES[entity].get(step, entity)
    return False


@st.composite
def atoms(draw: st.DrawFn, root: str) -> tuple[str, tuple[str, ...]]:
    path, _, kind = draw(st.sampled_from(paths(root)))
    text = ".".join(path)
    if kind == "integer":
        n = draw(st.integers(0, 4))
        form = draw(st.sampled_from(["{p} > {n}", "{p} <= {n}", "{p} == {n}", "{p} == null",
                                     "not ({p} < {n})", "coalesce({p}, 0) == {n}"]))
    else:
        n = draw(st.sampled_from(["a", "b"]))
        form = draw(st.sampled_from(['{p} == "{n}"', 'starts_with({p}, "{n}")',
                                     "is_empty({p})", '{p} != "{n}"']))
    return form.format(p=text, n=n), path


@st.composite
def questions(draw: st.DrawFn) -> tuple[str, str, str, list[tuple[str, ...]]]:
    """(role, entity, condition, the paths it reads)."""
    role = draw(st.sampled_from(sorted(USERS)))
    root = draw(st.sampled_from(sorted(LEAVES)))
    parts = draw(st.lists(atoms(root), min_size=1, max_size=3))
    joiners = draw(st.lists(st.sampled_from([" and ", " or "]), min_size=len(parts),
                            max_size=len(parts)))
    condition = parts[0][0]
    for (text, _), joiner in zip(parts[1:], joiners):
        condition = f"({condition}){joiner}{text}"
    return role, root, condition, [path for _, path in parts]


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    """Field values and references (as indexes of earlier records) for every record."""
    world: dict[str, list[dict[str, Any]]] = {}
    for entity in ("org", "person", "task"):
        rows = []
        for index in range(COUNTS[entity]):
            row = {name: draw(VALUES[kind]) for name, kind in LEAVES[entity].items()}
            for name, target in REFERENCES[entity].items():
                limit = index if target == entity else COUNTS[target]
                row[name] = draw(st.none() | st.integers(0, limit - 1)) if limit else None
            rows.append(row)
        world[entity] = rows
    return world


@pytest.fixture
def app(write_project) -> App:
    return compile_app(load_project_or_raise(write_project(FILES)))


@pytest.fixture
def store(app: App, db_url: str) -> Iterator[Store]:
    store = Store(app, db_url, clock=lambda: NOW)
    store.create_schema()
    add_users(store.engine, app, [*USERS.values(), BOSS])
    yield store
    store.dispose()


def build(store: Store, world: dict[str, list[dict[str, Any]]]) -> dict[str, list[int]]:
    tables = store.app.tables
    with store.engine.begin() as conn:
        for name in ("task", "person", "org", "history"):
            conn.execute(sa.delete(tables.history if name == "history"
                                   else tables.entities[name]))
    ids: dict[str, list[int]] = {}
    for entity in ("org", "person", "task"):
        ids[entity] = []
        for row in world[entity]:
            values = dict(row)
            for name, target in REFERENCES[entity].items():
                if values[name] is not None:
                    values[name] = ids[target][values[name]]
            ids[entity].append(store.create(BOSS, entity, values)["id"])
    return ids


def change_hidden(store: Store, role: str, ids: dict[str, list[int]],
                  world: dict[str, list[dict[str, Any]]]) -> None:
    """Give every field hidden from `role` the value it has in `world` instead."""
    for entity, hidden in HIDDEN[role].items():
        if not hidden:
            continue
        for record_id, row in zip(ids[entity], world[entity]):
            store.update(BOSS, entity, record_id, {name: row[name] for name in hidden})


def answer(store: Store, user: User, entity: str, condition: str) -> object:
    try:
        return {r["id"] for r in store.list(user, entity, where=condition, limit=1000).items}
    except GuanxiError as error:
        return f"refused: {error}"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(question=questions(), world=worlds(), other=worlds())
def test_matching_ids_do_not_depend_on_values_the_role_cannot_see(
        store: Store, question: tuple[str, str, str, list[tuple[str, ...]]],
        world: dict[str, list[dict[str, Any]]], other: dict[str, list[dict[str, Any]]]) -> None:
    role, entity, condition, read = question
    user = USERS[role]
    ids = build(store, world)
    before = answer(store, user, entity, condition)
    change_hidden(store, role, ids, other)
    after = answer(store, user, entity, condition)
    assert after == before, f"{role} on {entity}: {condition}"
    refused = isinstance(before, str)
    assert refused == any(reads_hidden(role, entity, path) for path in read), (
        f"{role} on {entity}: {condition} -> {before}")
