"""Reports give on SQLite and PostgreSQL what a plain Python computation over the same
records gives: counts, sums, weighted sums, averages, min/max, distinct counts, ratios,
conditions, date buckets and paths through references."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from guanxi.insight.running import run_report
from report_world import ACCOUNTS, open_world, seed

STATES = ["prospecting", "engaging", "won", "lost"]


def random_deals(world: Any, count: int, rng: random.Random) -> list[dict[str, Any]]:
    owners = [world.rep.id, world.other_rep.id, world.manager.id]
    deals = []
    for i in range(count):
        amount = None if rng.random() < 0.1 else Decimal(rng.randint(0, 10**7)) / 100
        deals.append({
            "name": f"D{i}", "account": rng.choice([0, 1, 2, None]),
            "product": rng.choice(["basic", "pro", None]), "amount": amount,
            "probability": Decimal(rng.randint(0, 100)), "margin": None,
            "seats": rng.choice([None, *range(10)]), "state": rng.choice(STATES),
            "close_date": None if rng.random() < 0.1 else
            dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 700)),
            "owner": rng.choice(owners)})
    return deals


def q(value: Decimal | None, places: int) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def grouped(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any]
            ) -> dict[Any, list[dict[str, Any]]]:
    out: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[key(row)].append(row)
    return out


def total(values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


@pytest.fixture
def world(write_project, db_url):
    opened = open_world(write_project, db_url)
    rows = seed(opened, random_deals(opened, 400, random.Random(15)))
    yield opened, rows
    opened.store.dispose()


def by_key(result: Any, group: str) -> dict[Any, dict[str, Any]]:
    return {row[group]: row for row in result.as_json()["rows"]}


def test_pipeline_by_stage_matches_a_python_computation(world):
    opened, rows = world
    result = run_report(opened.store, opened.manager, "pipeline_by_stage")
    expected = {}
    for state, group in grouped(rows, lambda r: r["state"]).items():
        weighted = total([q(r["amount"] * r["probability"] / 100, 6)
                          for r in group if r["amount"] is not None])
        expected[state] = (len(group), q(total([r["amount"] for r in group]), 2),
                           q(weighted, 2))
    got = {row.keys[0]: row.values for row in result.rows}
    assert got == expected


def test_a_ratio_of_conditional_counts_matches_a_python_computation(world):
    opened, rows = world
    result = run_report(opened.store, opened.manager, "win_rate_by_owner")
    expected = {}
    for owner, group in grouped(rows, lambda r: r["owner"]).items():
        won = sum(1 for r in group if r["state"] == "won")
        closed = sum(1 for r in group if r["state"] in ("won", "lost"))
        expected[owner] = (q(Decimal(won) / closed, 4) if closed else None, won)
    assert {row.keys[0]: row.values for row in result.rows} == expected


def test_a_group_through_a_reference_matches_a_python_computation(world):
    opened, rows = world
    result = run_report(opened.store, opened.manager, "won_by_region")
    regions = {i: region for i, (_, region, _) in enumerate(ACCOUNTS)}
    won = [r for r in rows if r["state"] == "won"]
    expected = {region: (q(total([r["amount"] for r in group]), 2), len(group))
                for region, group in grouped(won, lambda r: regions.get(
                    _index(opened, r["account"]))).items()}
    assert {row.keys[0]: row.values for row in result.rows} == expected


def _index(opened: Any, account_id: int | None) -> int | None:
    if account_id is None:
        return None
    names = {a["id"]: a["name"] for a in opened.store.list(opened.manager, "account").items}
    return [n for n, _, _ in ACCOUNTS].index(names[account_id])


def test_averages_extremes_and_distinct_counts_match_a_python_computation(world):
    opened, rows = world
    result = run_report(opened.store, opened.manager, "by_account")
    expected = {}
    for account, group in grouped(rows, lambda r: r["account"]).items():
        amounts = [r["amount"] for r in group if r["amount"] is not None]
        dates = [r["close_date"] for r in group if r["close_date"] is not None]
        expected[account] = (
            len(group), q(sum(amounts) / len(amounts), 2) if amounts else None,
            q(max(amounts), 2) if amounts else None, min(dates) if dates else None,
            len({r["product"] for r in group if r["product"] is not None}))
    assert {row.keys[0]: row.values for row in result.rows} == expected


def test_month_buckets_and_conditional_sums_match_a_python_computation(world):
    opened, rows = world
    result = run_report(opened.store, opened.manager, "won_by_month")

    def month(r: dict[str, Any]) -> Any:
        day = r["close_date"]
        return (day.replace(day=1) if day else None, r["product"])

    expected = {key: (q(total([r["amount"] for r in group if r["state"] == "won"]), 2),
                      len(group))
                for key, group in grouped(rows, month).items()}
    assert {row.keys: row.values for row in result.rows} == expected


def test_a_report_without_groups_is_one_row_of_totals(world):
    opened, rows = world
    result = run_report(opened.store, opened.manager, "seats_total")
    assert [row.values for row in result.rows] == [
        (total([r["seats"] for r in rows]), len(rows))]
