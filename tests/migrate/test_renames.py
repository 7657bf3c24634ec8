"""`renamed_from:` renames a field, an entity or a choice option in the database,
keeping the data and the history, on both databases."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from evolving_project import CUSTOMER, Shop, open_shop
from guanxi.compile.app import compile_app
from guanxi.errors import ValidationFailed
from guanxi.language.project import load_project_or_raise
from guanxi.migrate import plan as migrate


@pytest.fixture
def shop(tmp_path: Path, db_url: str) -> Iterator[Shop]:
    shop = open_shop(tmp_path / "shop", db_url)
    yield shop
    shop.engine.dispose()


def with_records(shop: Shop) -> int:
    app = shop.write()
    shop.migrate(app)
    store, cleo = shop.store(app)
    record = store.create(cleo, "customer", {"name": "Ada", "phone": "123", "tier": "gold"})
    store.update(cleo, "customer", record["id"], {"phone": "456"})
    return int(record["id"])


def test_a_renamed_field_keeps_its_values(shop: Shop) -> None:
    record_id = with_records(shop)
    app = shop.write(CUSTOMER.replace("phone: {type: string}",
                                      "mobile: {type: string, renamed_from: phone}"))
    plan = shop.migrate(app)
    assert plan.steps[0].description.startswith("rename column customer.phone to mobile")
    assert not plan.losing_data
    store, cleo = shop.store(app)
    assert store.get(cleo, "customer", record_id)["mobile"] == "456"


def test_a_renamed_field_keeps_its_history(shop: Shop) -> None:
    record_id = with_records(shop)
    app = shop.write(CUSTOMER.replace("phone: {type: string}",
                                      "mobile: {type: string, renamed_from: phone}"))
    shop.migrate(app)
    store, cleo = shop.store(app)
    changes = [entry["changes"] for entry in store.history(cleo, "customer", record_id)]
    assert {"mobile": {"old": "123", "new": "456"}} in changes
    assert not any("phone" in c for c in changes)


def test_a_rename_already_applied_plans_nothing(shop: Shop) -> None:
    with_records(shop)
    app = shop.write(CUSTOMER.replace("phone: {type: string}",
                                      "mobile: {type: string, renamed_from: phone}"))
    shop.migrate(app)
    assert migrate.plan(app, shop.engine).empty


def test_the_rename_plan_changes_nothing(shop: Shop) -> None:
    with_records(shop)
    app = shop.write(CUSTOMER.replace("phone: {type: string}",
                                      "mobile: {type: string, renamed_from: phone}"))
    migrate.plan(app, shop.engine)
    old = shop.write()
    assert migrate.plan(old, shop.engine).empty


def test_a_renamed_entity_keeps_its_rows_and_history(shop: Shop) -> None:
    record_id = with_records(shop)
    renamed = CUSTOMER.replace("customer:\n", "client:\n  renamed_from: customer\n", 1)
    app = shop.write(renamed, entity_file="client")
    plan = shop.migrate(app)
    assert plan.steps[0].description.startswith("rename table customer to client")
    assert not plan.losing_data
    store, cleo = shop.store(app)
    assert store.get(cleo, "client", record_id)["phone"] == "456"
    assert len(store.history(cleo, "client", record_id)) == 2


def test_a_renamed_option_moves_the_stored_values(shop: Shop) -> None:
    record_id = with_records(shop)
    app = shop.write(CUSTOMER.replace(
        "tier: {type: choice, options: [gold, silver]}",
        "tier: {type: choice, options: {platinum: {label: Platinum, renamed_from: gold},"
        " silver: Silver}}"))
    plan = shop.migrate(app)
    assert any("from 'gold' to 'platinum'" in s.description for s in plan.steps)
    store, cleo = shop.store(app)
    assert store.get(cleo, "customer", record_id)["tier"] == "platinum"


def test_a_renamed_tag_moves_inside_the_stored_lists(shop: Shop) -> None:
    app = shop.write()
    shop.migrate(app)
    store, cleo = shop.store(app)
    both = store.create(cleo, "customer", {"name": "A", "labels": ["vip", "local"]})
    other = store.create(cleo, "customer", {"name": "B", "labels": ["new"]})
    app = shop.write(CUSTOMER.replace(
        "labels: {type: tags, options: [vip, new, local]}",
        "labels: {type: tags, options: {gold: {label: Gold, renamed_from: vip}, new: New,"
        " local: Local}}"))
    plan = shop.migrate(app)
    assert any(s.description.startswith("change the tag 'vip' of customer.labels to 'gold'")
               and s.data == "1 record(s) change" for s in plan.steps)
    store, cleo = shop.store(app)
    assert store.get(cleo, "customer", both["id"])["labels"] == ["gold", "local"]
    assert store.get(cleo, "customer", other["id"])["labels"] == ["new"]


ORDER = """
order:
  fields:
    title: {type: string, required: true}
    buyer: {type: reference, to: customer}
  access:
    clerk: {create: all, read: all, update: all}
"""


def with_order(shop: Shop, customer: str, order: str, entity_file: str = "customer") -> Any:
    shop.write(customer, entity_file=entity_file)
    (shop.root / "entities" / "order.yaml").write_text(textwrap.dedent(order),
                                                       encoding="utf-8")
    return compile_app(load_project_or_raise(shop.root))


def test_renaming_a_referenced_entity_and_the_reference_keeps_the_links(shop: Shop) -> None:
    app = with_order(shop, CUSTOMER, ORDER)
    shop.migrate(app)
    store, cleo = shop.store(app)
    customer = store.create(cleo, "customer", {"name": "Ada"})
    order = store.create(cleo, "order", {"title": "O1", "buyer": customer["id"]})
    app = with_order(shop, CUSTOMER.replace("customer:\n", "client:\n  renamed_from: customer\n",
                                            1),
                     ORDER.replace("buyer: {type: reference, to: customer}",
                                   "purchaser: {type: reference, to: client, "
                                   "renamed_from: buyer}"), entity_file="client")
    shop.migrate(app)
    assert migrate.plan(app, shop.engine).empty
    store, cleo = shop.store(app)
    assert store.get(cleo, "order", order["id"])["purchaser"] == customer["id"]
    with pytest.raises(ValidationFailed):
        store.create(cleo, "order", {"title": "O2", "purchaser": 999})
