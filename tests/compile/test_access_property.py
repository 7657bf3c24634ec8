"""Access properties over random data and users, on both databases.

For any records and any users with any roles: `Store.list` returns exactly the records
for which `Store.get` succeeds, which are exactly those the declared rules allow; and no
hidden field, nor any value of one, appears in a list, a record or its history.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from access_world import NOW, Oracle, add_users
from guanxi.compile.app import App, compile_app
from guanxi.errors import AccessDenied, NotFound
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FILES = {
    "guanxi.yaml": """
        project: props
        roles:
          rep: {}
          senior: {includes: [rep]}
          auditor: {}
          regional: {}
          boss: {}
          idle: {}
        """,
    "entities/account.yaml": """
        account:
          fields:
            name: {type: string, required: true}
            region: {type: choice, options: [east, west]}
          access:
            rep: {read: all}
            regional: {read: region == "east", hide: [name]}
            boss: {create: all, read: all, update: all, delete: all}
        """,
    "entities/deal.yaml": """
        deal:
          fields:
            title: {type: string, required: true}
            value: {type: integer}
            secret: {type: string}
            note: {type: string}
            assignee: {type: user}
            account: {type: reference, to: account}
          access:
            rep:
              read: owner == current_user or assignee == current_user
              update: owner == current_user
              hide: [secret]
            senior: {read: assignee == null, hide: [secret, note]}
            auditor: {read: value > 100 and value != null, hide: [secret, note]}
            regional: {read: account.region == "east", hide: [secret]}
            boss: {create: all, read: all, update: all, delete: all}
        """,
}

ROLES = ["rep", "senior", "auditor", "regional", "idle"]
USER_IDS = (1, 2, 3)
BOSS = User(9, "boss", frozenset({"boss"}))

deals = st.lists(
    st.fixed_dictionaries({
        "owner": st.sampled_from(USER_IDS),
        "assignee": st.none() | st.sampled_from(USER_IDS),
        "value": st.none() | st.integers(-50, 300),
        "account": st.none() | st.sampled_from([0, 1]),
    }),
    max_size=6,
)
role_sets = st.lists(st.frozensets(st.sampled_from(ROLES), max_size=3),
                     min_size=len(USER_IDS), max_size=len(USER_IDS))


@pytest.fixture
def app(write_project) -> App:
    return compile_app(load_project_or_raise(write_project(FILES)))


@pytest.fixture
def store(app: App, db_url: str) -> Iterator[Store]:
    store = Store(app, db_url, clock=lambda: NOW)
    store.create_schema()
    add_users(store.engine, app, [User(i, f"u{i}", frozenset()) for i in USER_IDS] + [BOSS])
    yield store
    store.dispose()


def reset(store: Store) -> None:
    tables = store.app.tables
    with store.engine.begin() as conn:
        for table in (tables.history, tables.entities["deal"], tables.entities["account"]):
            conn.execute(sa.delete(table))


_markers = itertools.count()
# Every value given to a field that a role may hide: "entity.field" -> values.
ISSUED: dict[str, set[str]] = {}


def marked(entity: str, field: str) -> str:
    """A value never given before, remembered as a value of `entity.field`."""
    value = f"{field}-{next(_markers)}"
    ISSUED.setdefault(f"{entity}.{field}", set()).add(value)
    return value


def populate(store: Store, rows: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Two accounts (east, west) and the deals, created and then changed by the boss so
    that history holds hidden fields too."""
    accounts = [store.create(BOSS, "account", {"name": marked("account", "name"),
                                           "region": region})["id"]
                for region in ("east", "west")]
    ids = []
    for row in rows:
        account = None if row["account"] is None else accounts[row["account"]]
        record = store.create(BOSS, "deal", {
            "title": "deal", "value": row["value"], "assignee": row["assignee"],
            "account": account, "owner": row["owner"], "secret": marked("deal", "secret"),
            "note": marked("deal", "note")})
        store.update(BOSS, "deal", record["id"], {"secret": marked("deal", "secret"),
                                                  "note": marked("deal", "note")})
        ids.append(record["id"])
    return {"deal": ids, "account": accounts}


def readable_by_rules(store: Store, oracle: Oracle, user: User, entity: str,
                      ids: list[int]) -> set[int]:
    table = store.app.tables.entities[entity]
    with store.engine.connect() as conn:
        def resolve(target: str, record_id: int) -> dict[str, Any] | None:
            t = store.app.tables.entities[target]
            row = conn.execute(sa.select(t).where(t.c.id == record_id)).mappings().first()
            return dict(row) if row is not None else None

        rows = conn.execute(sa.select(table).where(table.c.id.in_(ids))).mappings().all()
        return {row["id"] for row in rows
                if oracle.allows(user, entity, "read", dict(row), resolver=resolve)}


def assert_nothing_hidden(result: Any, entity: str, hidden: frozenset[str], where: str) -> None:
    """Neither the names of hidden fields nor any value they ever had appear in `result`."""
    records = result if isinstance(result, list) else [result]
    for record in records:
        shown = set(record) | set(record.get("changes") or {})
        assert not shown & hidden, f"{where} shows hidden field(s) {sorted(shown & hidden)}"
    text = repr(result)
    for field in hidden:
        leaked = [v for v in ISSUED.get(f"{entity}.{field}", ()) if v in text]
        assert not leaked, f"{where} shows values of hidden field {field}: {leaked}"


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=deals, roles=role_sets)
def test_list_get_and_rules_agree_and_hidden_fields_never_show(
        store: Store, rows: list[dict[str, Any]], roles: list[frozenset[str]]) -> None:
    reset(store)
    ids = populate(store, rows)
    oracle = Oracle(store.app.spec)
    for user_id, user_roles in zip(USER_IDS, roles):
        user = User(user_id, f"u{user_id}", user_roles)
        for entity in ("deal", "account"):
            try:
                listed = store.list(user, entity, limit=1000).items
            except AccessDenied:
                listed = []
            gotten = {}
            for record_id in ids[entity]:
                with contextlib.suppress(NotFound):
                    gotten[record_id] = store.get(user, entity, record_id)
            where = f"{entity} for roles {sorted(user_roles)}"
            assert {r["id"] for r in listed} == set(gotten), where
            assert set(gotten) == readable_by_rules(store, oracle, user, entity, ids[entity])
            hidden = oracle.hidden(user, entity)
            assert_nothing_hidden(listed, entity, hidden, f"list of {where}")
            for record_id, record in gotten.items():
                assert_nothing_hidden(record, entity, hidden, f"{where} {record_id}")
                assert_nothing_hidden(store.history(user, entity, record_id), entity, hidden,
                                      f"history of {where} {record_id}")
