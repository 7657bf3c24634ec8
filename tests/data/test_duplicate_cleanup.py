"""Scheduled duplicate clean-up: a schedule with `do: duplicates` runs the duplicates
report as a job, merges what rules marked `safe` find (exact keys only) and tells the
roles in `to:` of the clusters they were not told of before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from guanxi.automation import notifications
from guanxi.automation.worker import Worker
from guanxi.compile.app import compile_app
from guanxi.data import plug
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from store_project import add_account

START = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
FILES = {
    "guanxi.yaml": """
        project: people
        roles:
          rep: {}
          admin: {admin: true}
        system:
          grants:
            contact: {read: all, update: all, delete: all}
            activity: {read: all, update: all}
    """,
    "entities/contact.yaml": """
        contact:
          title: name
          fields:
            name: {type: string, required: true}
            email: {type: email}
            phone: {type: phone}
          duplicates:
            - {match: [email], normalize: email, safe: true}
            - {match: [name], fuzzy: {name: 0.85}}
          access:
            rep: {create: all, read: all, update: all}
    """,
    "entities/activity.yaml": """
        activity:
          fields:
            subject: {type: string, required: true}
            contact: {type: reference, to: contact}
          access:
            rep: {create: all, read: all}
    """,
    "automation/cleanup.yaml": """
        contact_duplicates:
          every: 1d
          entity: contact
          do: {duplicates: safe, to: admin}   # merge what safe rules find; tell admins
    """,
}

plug.install()


@dataclass
class People:
    store: Store
    rep: User
    admin: User

    def contact(self, **values: object) -> int:
        return int(self.store.create(self.rep, "contact", values)["id"])

    def run(self, moment: dt.datetime) -> None:
        Worker(self.store, clock=lambda: moment).run_until_quiet(moment)

    def alive(self) -> list[int]:
        table = self.store.app.entity("contact").table
        with self.store.engine.connect() as conn:
            return [r.id for r in conn.execute(table.select().where(
                table.c.deleted_at.is_(None)).order_by(table.c.id))]

    def told(self) -> list[str]:
        return [n.text("en") for n in notifications.inbox(self.store.engine, self.admin.id)]


@pytest.fixture
def people(write_project, db_url: str) -> Iterator[People]:
    app = compile_app(load_project_or_raise(write_project(FILES)))
    store = Store(app, db_url, clock=lambda: START)
    store.create_schema()
    made = People(store, add_account(store, "rita", ["rep"]),
                  add_account(store, "ada", ["admin"]))
    made.run(START)  # first sight: the schedule starts at its next occurrence
    yield made
    store.dispose()


def test_records_a_safe_rule_finds_equal_are_merged_into_the_oldest(people: People) -> None:
    wang = people.contact(name="Wang Wei", email="wang@example.cn")
    again = people.contact(name="W. Wang", email="WANG@example.cn", phone="13900000002")
    call = people.store.create(people.rep, "activity", {"subject": "Call", "contact": again})
    people.run(START + DAY)
    assert people.alive() == [wang]
    survivor = people.store.get(people.rep, "contact", wang)
    assert (survivor["name"], survivor["phone"]) == ("Wang Wei", "13900000002")
    assert people.store.get(people.rep, "activity", call["id"])["contact"] == wang


def test_clusters_only_a_fuzzy_rule_finds_are_reported_not_merged(people: People) -> None:
    first = people.contact(name="Zhang Xiaoming")
    second = people.contact(name="Zhang Xiaomin")
    people.run(START + DAY)
    assert people.alive() == [first, second]
    assert people.told() == ["1 new group(s) of likely duplicate contact records"]


def test_a_cluster_is_reported_once_and_again_when_it_grows(people: People) -> None:
    people.contact(name="Zhang Xiaoming")
    people.contact(name="Zhang Xiaomin")
    people.run(START + DAY)
    people.run(START + 2 * DAY)
    assert len(people.told()) == 1
    people.contact(name="Zhang Xiaomng")
    people.run(START + 3 * DAY)
    assert len(people.told()) == 2
