"""Access policies compiled from `access:` rules: row filters run as SQL on both
databases, field visibility and writability, transitions, and explanations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from guanxi import expr
from guanxi.compile.app import App, compile_app
from guanxi.identity import SYSTEM, User
from guanxi.language.project import load_project_or_raise
from guanxi.store.database import create_engine

FILES = {
    "guanxi.yaml": """
        project: shop
        roles:
          rep: {}
          manager: {includes: [rep]}
          auditor: {}
          clerk: {}
          watcher: {}
        """,
    "entities/deal.yaml": """
        deal:
          workflow: deal_flow
          fields:
            name: {type: string, required: true}
            value: {type: money}
            income: {type: money}
            source: {type: string}
            doubled: {type: money, compute: value * 2}
            code: {type: string, readonly: true}
          access:
            rep:
              create: value < 1000
              read: owner == current_user
              update: owner == current_user and value < 500
              delete: none
              hide: [income]
              readonly: [source]
              transitions: [win]
            manager: {create: all, read: all, update: all, delete: all}
            auditor:
              read: value > 100
              hide: [income, source]
            clerk: {read: all, hide: [income]}
        """,
    "workflows/deal_flow.yaml": """
        deal_flow:
          initial: open
          states:
            open: {}
            won: {final: true, editable: [name]}
            lost: {final: true}
          transitions:
            win: {from: open, to: won}
            lose: {from: open, to: lost}
            reopen_as_manager: {from: open, to: open, roles: [manager]}
        """,
}

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def app(write_project) -> App:
    return compile_app(load_project_or_raise(write_project(FILES)))


def user(user_id: int, *roles: str) -> User:
    return User(id=user_id, username=f"u{user_id}", roles=frozenset(roles))


def ctx(who: User) -> expr.Context:
    return expr.Context(who.id, who.roles, NOW)


@pytest.fixture
def engine(app: App, db_url: str) -> Iterator[sa.Engine]:
    """The project's tables with users 1 and 2 and four deals:
    (1, "a", 50) (1, "b", 700) (2, "c", 200) (2, "d", 20), as (owner, name, value)."""
    engine = create_engine(db_url)
    app.tables.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(app.tables.users), [
            {"id": i, "username": f"u{i}", "display_name": "", "password_hash": "x",
             "language": "en", "active": True, "created_at": NOW} for i in (1, 2)
        ])
        conn.execute(sa.insert(app.tables.entities["deal"]), [
            {"owner": owner, "name": name, "value": value, "created_at": NOW,
             "updated_at": NOW, "created_by": owner, "version": 1, "state": "open"}
            for owner, name, value in ((1, "a", 50), (1, "b", 700), (2, "c", 200), (2, "d", 20))
        ])
    yield engine
    engine.dispose()


def names(engine: sa.Engine, app: App, condition: sa.ColumnElement[bool]) -> list[str]:
    table = app.tables.entities["deal"]
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(table.c.name).where(condition)).scalars())


def readable(engine: sa.Engine, app: App, who: User) -> list[str]:
    return names(engine, app, app.policies["deal"].read_filter(who, ctx(who)))


# ---------------------------------------------------------------- row filters, in SQL


def test_user_without_roles_reads_nothing(app: App, engine: sa.Engine) -> None:
    assert readable(engine, app, SYSTEM) == []


def test_role_without_access_entry_reads_nothing(app: App, engine: sa.Engine) -> None:
    assert readable(engine, app, user(1, "watcher")) == []


def test_read_condition_selects_the_users_own_records(app: App, engine: sa.Engine) -> None:
    assert readable(engine, app, user(1, "rep")) == ["a", "b"]
    assert readable(engine, app, user(2, "rep")) == ["c", "d"]


def test_read_grants_of_several_roles_are_united(app: App, engine: sa.Engine) -> None:
    assert readable(engine, app, user(1, "rep", "auditor")) == ["a", "b", "c"]


def test_included_role_with_read_all_reads_everything(app: App, engine: sa.Engine) -> None:
    assert readable(engine, app, user(1, "manager")) == ["a", "b", "c", "d"]


def test_update_filter_combines_owner_and_value(app: App, engine: sa.Engine) -> None:
    rep = user(1, "rep")
    condition = app.policies["deal"].update_filter(rep, ctx(rep))
    assert names(engine, app, condition) == ["a"]


def test_delete_none_deletes_nothing_and_delete_all_everything(app: App,
                                                               engine: sa.Engine) -> None:
    policy = app.policies["deal"]
    rep, manager = user(1, "rep"), user(1, "manager")
    assert names(engine, app, policy.delete_filter(rep, ctx(rep))) == []
    assert len(names(engine, app, policy.delete_filter(manager, ctx(manager)))) == 4


def test_role_reading_without_update_grant_updates_nothing(app: App, engine: sa.Engine) -> None:
    clerk = user(1, "clerk")
    assert names(engine, app, app.policies["deal"].update_filter(clerk, ctx(clerk))) == []


# ---------------------------------------------------------------- create


def test_create_condition_is_checked_against_the_new_record(app: App) -> None:
    rep = user(1, "rep")
    policy = app.policies["deal"]
    assert policy.can_create(rep, ctx(rep), {"name": "x", "value": 999, "owner": 1})
    assert not policy.can_create(rep, ctx(rep), {"name": "x", "value": 1000, "owner": 1})


def test_create_all_accepts_any_record(app: App) -> None:
    manager = user(1, "manager")
    assert app.policies["deal"].can_create(manager, ctx(manager), {"value": 10**9})


def test_role_without_create_grant_cannot_create(app: App) -> None:
    clerk = user(1, "clerk")
    assert not app.policies["deal"].can_create(clerk, ctx(clerk), {"value": 1})


# ---------------------------------------------------------------- fields


def test_hidden_field_is_not_visible(app: App) -> None:
    visible = app.policies["deal"].visible_fields(user(1, "rep"))
    assert "income" not in visible
    assert {"id", "name", "value", "owner", "state", "version", "created_at"} <= visible


def test_field_hidden_by_one_role_is_visible_through_another(app: App) -> None:
    policy = app.policies["deal"]
    assert "source" not in policy.visible_fields(user(1, "auditor"))
    assert "source" in policy.visible_fields(user(1, "auditor", "rep"))


def test_field_hidden_by_every_reading_role_stays_hidden(app: App) -> None:
    assert "income" not in app.policies["deal"].visible_fields(user(1, "rep", "clerk"))


def test_user_without_read_grant_sees_no_field(app: App) -> None:
    assert app.policies["deal"].visible_fields(user(1, "watcher")) == frozenset()


def test_writable_fields_leave_out_hidden_readonly_and_computed(app: App) -> None:
    writable = app.policies["deal"].writable_fields(user(1, "rep"), "open")
    assert writable == {"name", "value", "owner"}


def test_readonly_fields_may_be_given_on_create(app: App) -> None:
    writable = app.policies["deal"].writable_fields(user(1, "rep"), "open", operation="create")
    assert writable == {"name", "value", "source", "code", "owner"}


def test_readonly_for_one_role_is_writable_through_another(app: App) -> None:
    writable = app.policies["deal"].writable_fields(user(1, "manager"), "open")
    assert writable == {"name", "value", "income", "source", "owner"}


def test_state_editable_list_limits_writable_fields(app: App) -> None:
    assert app.policies["deal"].writable_fields(user(1, "manager"), "won") == {"name"}


def test_role_without_update_grant_writes_nothing(app: App) -> None:
    assert app.policies["deal"].writable_fields(user(1, "clerk"), "open") == frozenset()


# ---------------------------------------------------------------- transitions


def transition(app: App, name: str):
    return app.spec.workflow("deal_flow").transition(name)


def test_transition_listed_in_access_is_allowed(app: App) -> None:
    assert app.policies["deal"].transition_allowed(user(1, "rep"), transition(app, "win"))


def test_transition_not_listed_in_access_is_refused(app: App) -> None:
    assert not app.policies["deal"].transition_allowed(user(1, "rep"), transition(app, "lose"))


def test_transition_roles_must_meet_the_users_roles(app: App) -> None:
    policy = app.policies["deal"]
    assert not policy.transition_allowed(user(1, "rep"), transition(app, "reopen_as_manager"))
    assert policy.transition_allowed(user(1, "manager"), transition(app, "reopen_as_manager"))


def test_role_that_may_not_update_fires_no_transition(app: App) -> None:
    assert not app.policies["deal"].transition_allowed(user(1, "clerk"), transition(app, "win"))


# ---------------------------------------------------------------- explanations


def test_explain_says_whether_the_read_condition_holds(app: App) -> None:
    rep = user(1, "rep")
    policy = app.policies["deal"]
    own = policy.explain(rep, ctx(rep), {"owner": 1, "value": 50})
    other = policy.explain(rep, ctx(rep), {"owner": 2, "value": 50})
    assert any(line.startswith("role rep may read deal where owner == current_user: holds "
                               "for this record") for line in own)
    assert "so u1 can see this deal" in own
    assert any("owner == current_user: does not hold for this record" in line
               for line in other)
    assert "so u1 cannot see this deal: no read condition holds for it" in other


def test_explain_names_the_role_hiding_a_field(app: App) -> None:
    rep = user(1, "rep")
    lines = app.policies["deal"].explain(rep, ctx(rep), None)
    assert "field income is hidden from rep (deal.access.rep.hide)" in lines
    assert "so field income is hidden from u1" in lines


def test_explain_names_roles_without_an_entry(app: App) -> None:
    watcher = user(1, "watcher")
    lines = app.policies["deal"].explain(watcher, ctx(watcher), None)
    assert any(line.startswith("role watcher has no access entry for deal") for line in lines)
    assert "so u1 cannot see any deal: no role of theirs grants read" in lines


def test_explain_names_readonly_fields_and_the_states_editable_list(app: App) -> None:
    rep = user(1, "rep")
    lines = app.policies["deal"].explain(rep, ctx(rep), {"owner": 1, "value": 50,
                                                         "state": "won"})
    assert "field source is read-only for rep (deal.access.rep.readonly)" in lines
    assert "field code is read-only once created (deal.fields.code.readonly)" in lines
    assert any(line.startswith("in state won, only name may be edited") for line in lines)


def test_may_tells_whether_any_role_grants_an_operation(app: App) -> None:
    policy = app.policies["deal"]
    assert policy.may(user(1, "rep"), "create")
    assert not policy.may(user(1, "rep"), "delete")
    assert policy.may(user(1, "manager"), "delete")
    assert not policy.may(user(1, "watcher"), "read")
