"""Names as long as the language allows (63 characters) still make valid databases:
constraint and index names are shortened with a hash instead of overflowing."""

from __future__ import annotations

from guanxi.compile.app import compile_app
from guanxi.compile.tables import MAX_IDENTIFIER, constraint_name
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from store_project import add_account

ENTITY = "customer_relationship_management_account_with_a_very_long_name"
FIELD = "the_referenced_parent_account_of_this_customer_relationship_x"


def test_a_short_name_is_kept_as_written():
    assert constraint_name("uq", "lead", "email") == "uq_lead_email"


def test_a_long_name_is_shortened_and_stays_distinct():
    first = constraint_name("uq", ENTITY, FIELD)
    second = constraint_name("uq", ENTITY, FIELD[:-1] + "y")

    assert len(first) <= MAX_IDENTIFIER and len(second) <= MAX_IDENTIFIER
    assert first != second


def test_entities_and_fields_with_long_names_get_tables_and_records(write_project, db_url):
    root = write_project({
        "guanxi.yaml": "project: longnames\nroles: {clerk: {}}\n",
        "entities/account.yaml": f"""
            {ENTITY}:
              fields:
                name: {{type: string, required: true, unique: true}}
                {FIELD}: {{type: reference, to: {ENTITY}, index: true}}
              access:
                clerk: {{create: all, read: all, update: all}}
        """,
    })
    store = Store(compile_app(load_project_or_raise(root)), db_url)
    store.create_schema()
    clerk = add_account(store, "clerk", ["clerk"])

    parent = store.create(clerk, ENTITY, {"name": "Parent"})
    child = store.create(clerk, ENTITY, {"name": "Child", FIELD: parent["id"]})

    assert store.get(clerk, ENTITY, child["id"])[FIELD] == parent["id"]
    store.dispose()
