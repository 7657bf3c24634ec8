"""A new or tighter rule makes the plan count the stored rows that break it, list the
first ids, and refuse unless the rows are accepted (`accept_invalid`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from evolving_project import CUSTOMER, Shop, open_shop
from guanxi.migrate import breaks
from guanxi.migrate import plan as migrate


@pytest.fixture
def shop(tmp_path: Path, db_url: str) -> Iterator[Shop]:
    shop = open_shop(tmp_path / "shop", db_url)
    yield shop
    shop.engine.dispose()


def with_customers(shop: Shop, *rows: dict[str, object]) -> list[int]:
    app = shop.write()
    shop.migrate(app)
    store, cleo = shop.store(app)
    return [int(store.create(cleo, "customer", row)["id"]) for row in rows]


def changed(old: str, new: str) -> str:
    assert old in CUSTOMER
    return CUSTOMER.replace(old, new)


def breaking(plan: migrate.MigrationPlan) -> list[str]:
    return [f"{s.description} | {s.data}" for s in plan.breaking()]


def test_a_new_min_counts_the_rows_below_it(shop: Shop) -> None:
    ids = with_customers(shop, {"name": "A", "visits": 1}, {"name": "B", "visits": 9},
                         {"name": "C", "visits": 2}, {"name": "D"})
    plan = migrate.plan(shop.write(changed("visits: {type: integer}",
                                           "visits: {type: integer, min: 3}")), shop.engine)
    assert breaking(plan) == [
        f"new or tighter rule customer.visits: min 3 | 2 stored row(s) break it "
        f"(ids {ids[0]}, {ids[2]})"]


def test_broken_rows_refuse_the_plan(shop: Shop) -> None:
    with_customers(shop, {"name": "A", "visits": 1})
    app = shop.write(changed("visits: {type: integer}", "visits: {type: integer, min: 3}"))
    with pytest.raises(migrate.MigrationRefused, match="--accept-invalid"):
        migrate.apply(migrate.plan(app, shop.engine), shop.engine)


def test_accepted_broken_rows_let_the_plan_apply_once(shop: Shop) -> None:
    with_customers(shop, {"name": "A", "visits": 1})
    app = shop.write(changed("visits: {type: integer}", "visits: {type: integer, min: 3}"))
    shop.migrate(app, accept_invalid={"customer.visits"})
    assert migrate.plan(app, shop.engine).empty


def test_accepting_another_field_does_not_accept_this_one(shop: Shop) -> None:
    with_customers(shop, {"name": "A", "visits": 1})
    app = shop.write(changed("visits: {type: integer}", "visits: {type: integer, min: 3}"))
    plan = migrate.plan(app, shop.engine)
    assert plan.refusal(accept_invalid={"customer.phone"}) is not None
    assert plan.refusal(accept_invalid={"customer"}) is None


def test_a_looser_min_breaks_nothing(shop: Shop) -> None:
    with_customers(shop, {"name": "A", "visits": 5})
    shop.migrate(shop.write(changed("visits: {type: integer}",
                                    "visits: {type: integer, min: 3}")))
    plan = migrate.plan(shop.write(changed("visits: {type: integer}",
                                           "visits: {type: integer, min: 1}")), shop.engine)
    assert plan.breaking() == ()


def test_a_new_pattern_counts_the_rows_that_do_not_match(shop: Shop) -> None:
    with_customers(shop, {"name": "A", "phone": "12-34"}, {"name": "B", "phone": "1234"})
    plan = migrate.plan(shop.write(changed("phone: {type: string}",
                                           "phone: {type: string, pattern: '[0-9]+'}")),
                        shop.engine)
    assert [s.data.split(" (")[0] for s in plan.breaking()] == ["1 stored row(s) break it"]


def test_a_new_min_length_counts_short_values(shop: Shop) -> None:
    with_customers(shop, {"name": "A", "phone": "12"}, {"name": "B", "phone": "1234"})
    plan = migrate.plan(shop.write(changed("phone: {type: string}",
                                           "phone: {type: string, min_length: 3}")),
                        shop.engine)
    assert len(plan.breaking()) == 1


def test_a_removed_option_counts_the_rows_that_have_it(shop: Shop) -> None:
    with_customers(shop, {"name": "A", "tier": "gold"}, {"name": "B", "tier": "silver"},
                   {"name": "C", "tier": "gold"})
    plan = migrate.plan(shop.write(changed("options: [gold, silver]", "options: [silver]")),
                        shop.engine)
    [step] = plan.breaking()
    assert "removed option(s) gold" in step.description
    assert step.data.startswith("2 stored row(s)")


def test_a_new_check_rule_counts_the_rows_that_fail_it(shop: Shop) -> None:
    with_customers(shop, {"name": "A", "visits": 50}, {"name": "B", "visits": 5})
    rules = ("  rules:\n"
             "    - check: visits == null or visits < 10\n"
             "      fields: [visits]\n"
             "      message: Too many visits\n")
    plan = migrate.plan(shop.write(CUSTOMER + rules), shop.engine)
    [step] = plan.breaking()
    assert "Too many visits" in step.description
    assert step.data.startswith("1 stored row(s)")


def test_a_new_require_rule_counts_the_rows_missing_the_field(shop: Shop) -> None:
    with_customers(shop, {"name": "A", "tier": "gold"}, {"name": "B", "tier": "gold",
                                                         "phone": "1"})
    rules = ("  rules:\n"
             "    - when: tier == \"gold\"\n"
             "      require: [phone]\n")
    plan = migrate.plan(shop.write(CUSTOMER + rules), shop.engine)
    assert [s.data.split(" (")[0] for s in plan.breaking()] == ["1 stored row(s) break it"]


def test_a_rule_unchanged_since_the_last_migration_is_not_counted(shop: Shop) -> None:
    with_customers(shop, {"name": "A", "visits": 1})
    app = shop.write(changed("visits: {type: integer}", "visits: {type: integer, min: 3}"))
    shop.migrate(app, accept_invalid=True)
    app = shop.write(changed("visits: {type: integer}",
                             "visits: {type: integer, min: 3, label: Visits}"))
    assert migrate.plan(app, shop.engine).breaking() == ()


def test_the_database_and_python_count_alike(shop: Shop) -> None:
    with_customers(shop, {"name": "A", "visits": 1, "phone": "12", "tier": "gold"},
                   {"name": "B", "visits": 50, "tier": "silver"},
                   {"name": "C", "phone": "  "}, {"name": "D", "visits": 3, "tier": "gold"})
    stricter = changed("visits: {type: integer}", "visits: {type: integer, min: 3}") \
        .replace("phone: {type: string}", "phone: {type: string, min_length: 3}") \
        .replace("options: [gold, silver]", "options: [silver]") + (
            "  rules:\n"
            "    - check: visits == null or visits < 10\n"
            "    - when: tier == \"gold\"\n"
            "      require: [phone]\n")
    app = shop.write(stricter)
    compiled = app.entities["customer"]
    with shop.engine.connect() as conn:
        present = frozenset(c["name"] for c in sa.inspect(conn).get_columns("customer"))
        found = breaks.probes(compiled, app, None, dt.datetime.now(dt.UTC), present)
        answers = {p.name: breaks.count_in_sql(conn, compiled.table, p) for p in found}
        in_sql = {name: answer for name, answer in answers.items() if answer is not None}
        in_python = breaks.count_in_python(breaks.Reader(conn, app), "customer", found)
    assert {"visits:min", "phone:min_length", "tier:options", "rule:1", "rule:2"} <= \
        set(in_sql)
    assert in_sql == {name: in_python[name] for name in in_sql}


def test_remembering_the_rules_alone_leaves_the_plan_empty(shop: Shop) -> None:
    app = shop.write()
    app.tables.metadata.create_all(shop.engine)  # as Store.create_schema does
    plan = migrate.plan(app, shop.engine)
    assert plan.empty
    assert [s.action for s in plan.steps] == ["remember_rules"]
    migrate.apply(plan, shop.engine)
    assert migrate.plan(app, shop.engine).steps == ()
