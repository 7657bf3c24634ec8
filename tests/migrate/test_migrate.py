"""Migrations from edited YAML: planned in words, counted against stored data, applied
with Alembic's operations on both databases; data loss only when allowed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from guanxi.compile.app import App, compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.migrate import plan as migrate
from guanxi.store.database import create_engine

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)

PROJECT = """
    project: shop
    roles:
      clerk: {}
    """

CUSTOMER = """
    customer:
      fields:
        name: {type: string, required: true, max_length: 100}
        email: {type: email}
        referrer: {type: string}
      access:
        clerk: {create: all, read: all, update: all}
    """


@pytest.fixture
def project(write_project) -> Callable[..., App]:
    """Write (or rewrite) the project with the given customer entity; return its App."""

    def write(customer: str = CUSTOMER, workflows: dict[str, str] | None = None,
              **extra: str) -> App:
        files = {"guanxi.yaml": PROJECT, "entities/customer.yaml": customer}
        files.update({f"entities/{name}.yaml": text for name, text in extra.items()})
        files.update({f"workflows/{name}.yaml": text
                      for name, text in (workflows or {}).items()})
        root: Path = write_project(files)
        for stale in (root / "entities").glob("*.yaml"):
            if stale.name not in {Path(f).name for f in files}:
                stale.unlink()
        return compile_app(load_project_or_raise(root))

    return write


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


def migrated(app: App, engine: sa.Engine) -> App:
    migrate.apply(migrate.plan(app, engine), engine)
    return app


def insert(engine: sa.Engine, app: App, entity: str, *rows: dict[str, Any]) -> None:
    system = {"created_at": NOW, "updated_at": NOW, "version": 1}
    keys = {key for row in rows for key in row}
    with engine.begin() as conn:
        conn.execute(sa.insert(app.tables.entities[entity]),
                     [system | dict.fromkeys(keys) | row for row in rows])


def dump(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's columns and rows, to show a refused migration changed nothing."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        return {
            name: [tuple(c.name for c in table.columns),
                   *(tuple(r) for r in conn.execute(sa.select(table).order_by(*table.c)))]
            for name, table in sorted(metadata.tables.items())
        }


def columns(engine: sa.Engine, table: str) -> list[str]:
    return [c["name"] for c in sa.inspect(engine).get_columns(table)]


def rows(engine: sa.Engine, table: str, *names: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        t = sa.table(table, *(sa.column(n) for n in names))
        return [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.c))]


def added(declaration: str) -> str:
    """The customer entity with one more field declared."""
    return CUSTOMER.replace("referrer: {type: string}",
                            "referrer: {type: string}\n        " + declaration)


TWO_CUSTOMERS = ({"name": "Ada", "email": "ada@example.com", "referrer": "Bo"},
                 {"name": "Cy", "email": "cy@example.com"})


# ---------------------------------------------------------------- fresh database


def test_fresh_migrate_creates_every_table(project, engine: sa.Engine) -> None:
    app = project()
    plan = migrate.plan(app, engine)
    assert any(s.description.startswith("create table customer") for s in plan.steps)
    migrate.apply(plan, engine)
    assert set(sa.inspect(engine).get_table_names()) >= set(app.tables.metadata.tables)


def test_migrated_database_needs_nothing_more(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    plan = migrate.plan(app, engine)
    assert plan.empty
    assert plan.describe() == ["the database matches the project: nothing to do"]


def test_plan_changes_nothing(project, engine: sa.Engine) -> None:
    migrate.plan(project(), engine)
    assert sa.inspect(engine).get_table_names() == []


def test_plan_of_an_edit_changes_nothing(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", *TWO_CUSTOMERS)
    before = dump(engine)
    migrate.plan(project(CUSTOMER.replace("referrer: {type: string}", "")), engine)
    assert dump(engine) == before


# ---------------------------------------------------------------- additive changes


def test_added_field_becomes_a_column_and_rows_stay(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", *TWO_CUSTOMERS)
    edited = project(added("phone: {type: phone}"))
    plan = migrate.plan(edited, engine)
    assert [s.description for s in plan.steps] == ["add column customer.phone (VARCHAR(50))"]
    assert plan.steps[0].data == "2 existing row(s) get no value"
    migrate.apply(plan, engine)
    assert "phone" in columns(engine, "customer")
    assert rows(engine, "customer", "name", "email", "phone") == [
        ("Ada", "ada@example.com", None), ("Cy", "cy@example.com", None)]


def test_added_entity_gets_its_table(project, engine: sa.Engine) -> None:
    migrated(project(), engine)
    edited = project(note="""
        note:
          fields:
            text: {type: text}
        """)
    migrate.apply(migrate.plan(edited, engine), engine)
    assert "note" in sa.inspect(engine).get_table_names()


def test_added_index_is_created(project, engine: sa.Engine) -> None:
    migrated(project(), engine)
    edited = project(CUSTOMER.replace("email: {type: email}", "email: {type: email, index: true}"))
    migrate.apply(migrate.plan(edited, engine), engine)
    assert "ix_customer_email" in {i["name"] for i in sa.inspect(engine).get_indexes("customer")}


def test_required_field_added_to_rows_is_refused_with_the_count(project,
                                                                engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", *TWO_CUSTOMERS)
    before = dump(engine)
    edited = project(added("region: {type: string, required: true}"))
    plan = migrate.plan(edited, engine)
    (step,) = plan.blocked
    assert "2 row(s) have no value for the new required field 'region'" in step.blocked
    with pytest.raises(migrate.MigrationRefused, match="new required field 'region'"):
        migrate.apply(plan, engine)
    assert dump(engine) == before


def test_required_field_with_default_is_backfilled(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", *TWO_CUSTOMERS)
    edited = project(added("region: {type: string, required: true, default: east}"))
    plan = migrate.plan(edited, engine)
    assert plan.steps[0].data == "2 existing row(s) get 'east' (the field's default)"
    migrate.apply(plan, engine)
    assert rows(engine, "customer", "name", "region") == [("Ada", "east"), ("Cy", "east")]
    nullable = {c["name"]: c["nullable"] for c in sa.inspect(engine).get_columns("customer")}
    assert nullable["region"] is False


def test_required_field_added_to_an_empty_table_is_fine(project, engine: sa.Engine) -> None:
    migrated(project(), engine)
    edited = project(added("region: {type: string, required: true}"))
    migrate.apply(migrate.plan(edited, engine), engine)
    assert "region" in columns(engine, "customer")


def test_unique_over_duplicates_is_refused_with_the_count(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", *({"name": n, "email": "same@example.com"}
                                      for n in ("a", "b", "c")))
    edited = project(CUSTOMER.replace("email: {type: email}", "email: {type: email, unique: true}"))
    plan = migrate.plan(edited, engine)
    (step,) = plan.blocked
    assert step.blocked.startswith("2 duplicate(s) block unique 'email' on customer")
    with pytest.raises(migrate.MigrationRefused):
        migrate.apply(plan, engine, allow_data_loss=True)


def test_unique_over_distinct_values_is_applied(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", *TWO_CUSTOMERS)
    edited = project(CUSTOMER.replace("email: {type: email}", "email: {type: email, unique: true}"))
    migrate.apply(migrate.plan(edited, engine), engine)
    unique = {i["name"]: i["unique"] for i in sa.inspect(engine).get_indexes("customer")}
    assert unique["uq_customer_email"]


# ---------------------------------------------------------------- losing data


def test_removed_field_is_refused_without_the_flag(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", *TWO_CUSTOMERS)
    before = dump(engine)
    plan = migrate.plan(project(CUSTOMER.replace("referrer: {type: string}", "")), engine)
    (step,) = plan.losing_data
    assert step.data == "dropping column customer.referrer would lose 1 value(s)"
    with pytest.raises(migrate.MigrationRefused, match="would lose 1 value"):
        migrate.apply(plan, engine)
    assert dump(engine) == before


def test_removed_field_is_dropped_with_the_flag(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", *TWO_CUSTOMERS)
    plan = migrate.plan(project(CUSTOMER.replace("referrer: {type: string}", "")), engine)
    migrate.apply(plan, engine, allow_data_loss=True)
    assert "referrer" not in columns(engine, "customer")
    assert rows(engine, "customer", "name", "email") == [
        ("Ada", "ada@example.com"), ("Cy", "cy@example.com")]


def test_removed_entity_table_is_dropped_only_with_the_flag(project, engine: sa.Engine) -> None:
    note = "note:\n  fields:\n    text: {type: text}\n"
    app = migrated(project(note=note), engine)
    insert(engine, app, "note", {"text": "hello"})
    plan = migrate.plan(project(), engine)
    (step,) = plan.losing_data
    assert step.data == "dropping table note would lose 1 row(s)"
    with pytest.raises(migrate.MigrationRefused):
        migrate.apply(plan, engine)
    migrate.apply(plan, engine, allow_data_loss=True)
    assert "note" not in sa.inspect(engine).get_table_names()


def test_narrowed_text_counts_values_that_would_be_cut(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", {"name": "x" * 80}, {"name": "short"})
    plan = migrate.plan(project(CUSTOMER.replace("max_length: 100", "max_length: 50")), engine)
    (step,) = plan.losing_data
    assert step.data == "narrowing customer.name to 50 characters would cut 1 of 2 value(s)"
    with pytest.raises(migrate.MigrationRefused):
        migrate.apply(plan, engine)


def test_widened_text_is_applied_without_the_flag(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", {"name": "x" * 80})
    plan = migrate.plan(project(CUSTOMER.replace("max_length: 100", "max_length: 300")), engine)
    assert plan.losing_data == ()
    migrate.apply(plan, engine)
    assert rows(engine, "customer", "name") == [("x" * 80,)]


def test_field_made_required_over_empty_values_is_refused(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", *TWO_CUSTOMERS)
    edited = project(CUSTOMER.replace("referrer: {type: string}",
                                      "referrer: {type: string, required: true}"))
    (step,) = migrate.plan(edited, engine).blocked
    assert step.blocked.startswith("1 row(s) have no value for the now-required field 'referrer'")


def test_describe_marks_refused_and_data_losing_steps(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", *TWO_CUSTOMERS)
    edited = project(CUSTOMER.replace("referrer: {type: string}",
                                      "region: {type: string, required: true}"))
    text = "\n".join(migrate.plan(edited, engine).describe())
    assert "REFUSED: 2 row(s) have no value for the new required field 'region'" in text
    assert "LOSES DATA" in text


def test_table_others_refer_to_can_be_altered_keeping_references(project,
                                                                 engine: sa.Engine) -> None:
    order = """
        order:
          fields:
            customer: {type: reference, to: customer}
        """
    app = migrated(project(order=order), engine)
    insert(engine, app, "customer", *TWO_CUSTOMERS)
    with engine.connect() as conn:
        ada = conn.execute(sa.text("SELECT id FROM customer WHERE name = 'Ada'")).scalar_one()
    insert(engine, app, "order", {"customer": ada})
    edited = project(CUSTOMER.replace("referrer: {type: string}", ""), order=order)
    migrate.apply(migrate.plan(edited, engine), engine, allow_data_loss=True)
    assert rows(engine, "order", "customer") == [(ada,)]
    assert rows(engine, "customer", "id", "name") == [(ada, "Ada"), (ada + 1, "Cy")]


def test_workflow_added_to_an_entity_puts_its_rows_in_the_initial_state(
        project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", *TWO_CUSTOMERS)
    with_workflow = CUSTOMER.replace("customer:\n", "customer:\n      workflow: onboarding\n")
    edited = project(with_workflow, workflows={"onboarding": """
        onboarding:
          initial: prospect
          states: [prospect, active]
          transitions:
            activate: {from: prospect, to: active}
        """})
    plan = migrate.plan(edited, engine)
    assert "2 existing row(s) get 'prospect'" in "\n".join(plan.describe())
    migrate.apply(plan, engine)
    assert rows(engine, "customer", "name", "state") == [("Ada", "prospect"), ("Cy", "prospect")]


def test_added_reference_and_unique_fields_keep_the_rows(project, engine: sa.Engine) -> None:
    app = migrated(project(), engine)
    insert(engine, app, "customer", *TWO_CUSTOMERS)
    edited = project(added("parent: {type: reference, to: customer}\n"
                           "        code: {type: string, unique: true, index: true}"))
    migrate.apply(migrate.plan(edited, engine), engine)
    assert migrate.plan(edited, engine).empty
    foreign = sa.inspect(engine).get_foreign_keys("customer")
    assert (["parent"], "customer") in [(f["constrained_columns"], f["referred_table"])
                                        for f in foreign]
    assert rows(engine, "customer", "name", "parent", "code") == [
        ("Ada", None, None), ("Cy", None, None)]


def test_removed_reference_field_drops_its_column_and_foreign_key(project,
                                                                  engine: sa.Engine) -> None:
    with_parent = added("parent: {type: reference, to: customer}")
    app = migrated(project(with_parent), engine)
    insert(engine, app, "customer", {"name": "Ada"})
    plan = migrate.plan(project(), engine)
    assert [s.action for s in plan.losing_data] == ["drop_column"]
    migrate.apply(plan, engine, allow_data_loss=True)
    assert "parent" not in columns(engine, "customer")
    assert migrate.plan(project(), engine).empty
