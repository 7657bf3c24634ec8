"""The project's default phone region (`phone_region:` in guanxi.yaml): duplicate rules
read national phone numbers in it unless they name their own `region:`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from guanxi.compile.app import compile_app
from guanxi.language.project import load_project, load_project_or_raise
from guanxi.store.facade import Store
from store_project import add_account

PROJECT = """
    project: people
    phone_region: CN
    roles:
      rep: {}
"""
CONTACT = """
    contact:
      title: name
      fields:
        name: {type: string, required: true}
        mobile: {type: phone}
        office: {type: phone}
      duplicates:
        - {match: [mobile], normalize: phone}
        - {match: [office], normalize: phone, region: US}
      access:
        rep: {create: all, read: all}
"""


@pytest.fixture
def store(write_project, sqlite_url: str) -> Iterator[Store]:
    root = write_project({"guanxi.yaml": PROJECT, "entities/contact.yaml": CONTACT})
    made = Store(compile_app(load_project_or_raise(root)), sqlite_url)
    made.create_schema()
    yield made
    made.dispose()


def likely(store: Store, **values: object) -> list[int]:
    rep = add_account(store, f"rep{len(values)}{id(values)}", ["rep"])
    return [f.record_id for f in store.likely_duplicates(rep, "contact", values)]


def test_a_rule_without_a_region_reads_national_numbers_in_the_projects(store: Store) -> None:
    rep = add_account(store, "rita", ["rep"])
    wang = store.create(rep, "contact", {"name": "Wang", "mobile": "139 0000 0002"})["id"]
    assert likely(store, name="W", mobile="+86 13900000002") == [wang]


def test_a_rules_own_region_wins_over_the_projects(store: Store) -> None:
    rep = add_account(store, "rita", ["rep"])
    desk = store.create(rep, "contact", {"name": "Desk", "office": "(202) 555-0143"})["id"]
    assert likely(store, name="D", office="+1 202 555 0143") == [desk]


def test_an_unknown_phone_region_is_refused_where_it_is_written(write_project) -> None:
    root = write_project({"guanxi.yaml": PROJECT.replace("CN", "QQ"),
                          "entities/contact.yaml": CONTACT.replace("region: US",
                                                                   "region: XY")})
    found = {(d.id, d.loc.line) for d in load_project(root).diagnostics}
    assert ("GX812", 2) in found  # phone_region: QQ, line 2 of guanxi.yaml
    assert ("GX812", 9) in found  # the rule's region: XY
