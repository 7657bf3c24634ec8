"""compile_app: a checked project becomes tables, validators, machines and policies,
without touching a database."""

from __future__ import annotations

import sqlalchemy as sa
from guanxi.compile.app import compile_app
from guanxi.compile.tables import build_tables
from guanxi.language.project import load_project_or_raise
from store_project import PROJECT


def compiled(write_project, files=None):
    return compile_app(load_project_or_raise(write_project({**PROJECT, **(files or {})})))


def index_columns(table: sa.Table) -> dict[str, tuple[tuple[str, ...], bool]]:
    return {i.name: (tuple(c.name for c in i.columns), bool(i.unique)) for i in table.indexes}


def test_each_entity_gets_a_table_named_after_it_with_system_columns(write_project):
    app = compiled(write_project)
    lead = app.tables.entities["lead"]
    assert lead.name == "lead"
    assert [c.name for c in lead.columns][:8] == [
        "id", "created_at", "updated_at", "created_by", "owner", "version", "state",
        "deleted_at"]
    assert "state" not in app.tables.entities["account"].c


def test_required_fields_are_not_null_and_others_nullable(write_project):
    lead = compiled(write_project).tables.entities["lead"]
    assert lead.c.name.nullable is False
    assert lead.c.email.nullable is True
    assert lead.c.version.nullable is False and lead.c.state.nullable is False


def test_no_column_has_a_database_default(write_project):
    lead = compiled(write_project).tables.entities["lead"]
    assert all(c.server_default is None for c in lead.columns)


def test_references_and_users_are_foreign_keys(write_project):
    lead = compiled(write_project).tables.entities["lead"]
    targets = {fk.parent.name: fk.target_fullname for fk in lead.foreign_keys}
    assert targets == {"account": "account.id", "owner": "gx_user.id",
                       "created_by": "gx_user.id"}


def test_unique_fields_state_owner_and_references_are_indexed(write_project):
    indexes = index_columns(compiled(write_project).tables.entities["lead"])
    assert indexes["uq_lead_email"] == (("email",), True)
    assert indexes["ix_lead_account"] == (("account",), False)
    assert ("state",) in {cols for cols, _ in indexes.values()}
    assert ("owner",) in {cols for cols, _ in indexes.values()}


def test_declared_indexes_are_built(write_project):
    entity = PROJECT["entities/account.yaml"].replace(
        "          access:", "          indexes: [[sector, name], {fields: [sector], "
        "unique: false}]\n          access:")
    indexes = index_columns(
        compiled(write_project, {"entities/account.yaml": entity}).tables.entities["account"])
    assert (("sector", "name"), False) in indexes.values()


def test_engine_tables_are_defined(write_project):
    tables = compiled(write_project).tables
    assert tables.users.name == "gx_user" and tables.users.c.username.unique
    assert {c.name for c in tables.user_roles.columns} == {"user_id", "role"}
    assert {c.name for c in tables.history.columns} == {
        "id", "entity", "record_id", "at", "user_id", "action", "transition", "changes"}


def test_references_may_form_cycles(write_project, sqlite_url):
    account = PROJECT["entities/account.yaml"].replace(
        "            sector:", "            main_lead: {type: reference, to: lead}\n"
        "            sector:")
    app = compiled(write_project, {"entities/account.yaml": account})
    engine = sa.create_engine(sqlite_url)
    app.tables.metadata.create_all(engine)
    app.tables.metadata.drop_all(engine)
    engine.dispose()


def test_one_machine_per_workflow_shared_by_entities(write_project):
    app = compiled(write_project)
    machine = app.machines["pipeline"]
    assert app.entity("lead").machine is machine
    assert [t.name for t in machine.transitions_from("new")] == ["contact", "lose"]
    assert machine.transitions_from("converted") == []
    assert machine.refusal("qualify", "new") == (
        "can't 'qualify' from 'new' (allowed from: contacted)")


def test_wildcard_sources_mean_every_non_final_state(write_project):
    workflow = PROJECT["workflows/pipeline.yaml"].replace(
        "from: [new, contacted, qualified], to: lost", "from: '*', to: lost")
    machine = compiled(write_project, {"workflows/pipeline.yaml": workflow}).machines["pipeline"]
    assert machine.sources["lose"] == ("new", "contacted", "qualified")


def test_policies_come_with_the_app(write_project):
    app = compiled(write_project)
    assert set(app.policies) == {"account", "lead"}
    assert app.entity("lead").policy is app.policies["lead"]


def test_compiling_twice_gives_equal_schemas(write_project):
    first = build_tables(load_project_or_raise(write_project(PROJECT)))
    second = build_tables(load_project_or_raise(write_project(PROJECT)))
    assert [str(sa.schema.CreateTable(t)) for t in first.metadata.sorted_tables] == [
        str(sa.schema.CreateTable(t)) for t in second.metadata.sorted_tables]
