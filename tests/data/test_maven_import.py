"""The Maven CRM export imported with `guanxi import` and the mapping files of
examples/maven alone, on SQLite and PostgreSQL; the figures checked against an
independent computation over the CSV files."""

from __future__ import annotations

import csv
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import EXAMPLES, REPO, fresh_postgres_schema
from guanxi.cli.main import main

MAVEN = EXAMPLES / "maven"
# The export, beside the repository (../shared/data/maven-crm) or where the variable says.
DATA = next((p for p in (Path(os.environ.get("GUANXI_MAVEN_DATA", "/nonexistent")),
                         *(up / "shared" / "data" / "maven-crm" for up in REPO.parents))
             if (p / "sales_pipeline.csv").is_file()), Path("/nonexistent"))
FILES = (("account", "accounts"), ("product", "products"), ("sales_agent", "sales_teams"),
         ("opportunity", "sales_pipeline"))

pytestmark = pytest.mark.skipif(not (DATA / "sales_pipeline.csv").is_file(),
                                reason="the Maven CRM export is not on this machine")


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def guanxi(*args: str) -> int:
    return main([str(a) for a in args])


def import_all(url: str, *extra: str) -> None:
    for entity, name in FILES:
        assert guanxi("import", MAVEN, entity, DATA / f"{name}.csv", "--db", url, *extra) == 0


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def imported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[str]:
    """A database with the four files imported, once per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('maven') / 'maven.sqlite'}"
    else:
        url = fresh_postgres_schema(request.getfixturevalue("postgres_database"))
    assert guanxi("migrate", MAVEN, "--db", url) == 0
    import_all(url)
    yield url


def query(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def test_every_opportunity_is_imported_in_its_stage(imported: str) -> None:
    expected = Counter(r["deal_stage"].lower() for r in rows("sales_pipeline"))
    found = dict(query(imported, "SELECT state, count(*) FROM opportunity GROUP BY state"))
    assert found == dict(expected)
    assert sum(found.values()) == 8800


def test_opportunities_keep_their_original_dates(imported: str) -> None:
    source = {r["opportunity_id"]: r for r in rows("sales_pipeline")}
    found = query(imported, "SELECT code, engage_date, close_date, created_at "
                            "FROM opportunity")
    for code, engaged, closed, created in found:
        row = source[code]
        assert str(engaged or "") == row["engage_date"]
        assert str(closed or "") == row["close_date"]
        if row["engage_date"]:
            assert str(created)[:10] == row["engage_date"]


def test_history_records_each_opportunity_as_imported_at_its_engage_date(imported: str
                                                                          ) -> None:
    [(count,)] = query(imported, "SELECT count(*) FROM gx_history WHERE entity = "
                                 "'opportunity' AND action = 'import'")
    assert count == 8800
    [(first,)] = query(imported, "SELECT min(at) FROM gx_history WHERE entity = 'opportunity'")
    assert str(first)[:10] == min(r["engage_date"] for r in rows("sales_pipeline")
                                  if r["engage_date"])


def test_gtxpro_is_mapped_to_gtx_pro(imported: str) -> None:
    expected = Counter("GTX Pro" if r["product"] == "GTXPro" else r["product"]
                       for r in rows("sales_pipeline"))
    found = dict(query(imported, "SELECT p.name, count(*) FROM opportunity o JOIN product p "
                                 "ON p.id = o.product GROUP BY p.name"))
    assert found == dict(expected)
    assert found["GTX Pro"] == 1480


def test_the_sector_typo_is_mapped(imported: str) -> None:
    sectors = dict(query(imported, "SELECT sector, count(*) FROM account GROUP BY sector"))
    assert "technolgy" not in sectors
    assert sectors["technology"] == 12


def test_subsidiaries_point_at_their_parent_even_further_down_the_file(imported: str
                                                                        ) -> None:
    expected = {r["account"]: r["subsidiary_of"] for r in rows("accounts")
                if r["subsidiary_of"]}
    found = dict(query(imported, "SELECT a.name, p.name FROM account a JOIN account p "
                                 "ON p.id = a.subsidiary_of"))
    assert found == expected


def test_only_prospecting_and_engaging_opportunities_lack_an_account(imported: str) -> None:
    found = dict(query(imported, "SELECT state, count(*) FROM opportunity "
                                 "WHERE account IS NULL GROUP BY state"))
    assert set(found) == {"prospecting", "engaging"}
    assert sum(found.values()) == sum(1 for r in rows("sales_pipeline") if not r["account"])


def test_won_total_per_regional_office_matches_the_csv(imported: str) -> None:
    office = {r["sales_agent"]: r["regional_office"].lower() for r in rows("sales_teams")}
    expected: defaultdict[str, Decimal] = defaultdict(Decimal)
    for r in rows("sales_pipeline"):
        if r["deal_stage"] == "Won":
            expected[office[r["sales_agent"]]] += Decimal(r["close_value"])
    found = query(imported, "SELECT a.regional_office, sum(o.close_value) FROM opportunity o "
                            "JOIN sales_agent a ON a.id = o.agent WHERE o.state = 'won' "
                            "GROUP BY a.regional_office")
    assert {k: Decimal(str(v)) for k, v in found} == dict(expected)


def test_win_rate_per_agent_matches_the_csv(imported: str) -> None:
    won: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    for r in rows("sales_pipeline"):
        if r["deal_stage"] in ("Won", "Lost"):
            closed[r["sales_agent"]] += 1
            won[r["sales_agent"]] += r["deal_stage"] == "Won"
    found = query(imported, "SELECT a.name, sum(CASE WHEN o.state = 'won' THEN 1 ELSE 0 END), "
                            "count(*) FROM opportunity o JOIN sales_agent a ON a.id = o.agent "
                            "WHERE o.state IN ('won', 'lost') GROUP BY a.name")
    assert {name: (int(w), int(n)) for name, w, n in found} == {
        name: (won[name], closed[name]) for name in closed}


def test_a_rerun_in_upsert_mode_changes_nothing(imported: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    [(history_before,)] = query(imported, "SELECT count(*) FROM gx_history")
    import_all(imported, "--mode", "upsert")
    out = capsys.readouterr().out
    assert "0 created, 0 updated, 8800 unchanged" in out
    assert "0 created, 0 updated, 85 unchanged" in out
    [(history_after,)] = query(imported, "SELECT count(*) FROM gx_history")
    assert history_after == history_before


def test_import_undo_removes_the_batch(db_url: str, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    assert guanxi("migrate", MAVEN, "--db", db_url) == 0
    assert guanxi("import", MAVEN, "product", DATA / "products.csv", "--db", db_url) == 0
    assert guanxi("import", MAVEN, "account", DATA / "accounts.csv", "--db", db_url) == 0
    batch = capsys.readouterr().out.strip().splitlines()[-1].split(":")[0].split()[-1]
    assert guanxi("import", "undo", MAVEN, batch, "--db", db_url) == 0
    assert query(db_url, "SELECT count(*) FROM account WHERE deleted_at IS NULL") == [(0,)]
    assert query(db_url, "SELECT count(*) FROM product WHERE deleted_at IS NULL") == [(7,)]
    [(status,)] = query(db_url, f"SELECT status FROM gx_import WHERE id = {int(batch)}")
    assert status == "undone"


def report(url: str, name: str, capsys: pytest.CaptureFixture[str]) -> dict:
    capsys.readouterr()
    assert guanxi("report", MAVEN, name, "--db", url, "--format", "json") == 0
    return json.loads(capsys.readouterr().out)


def test_the_won_by_office_report_matches_the_csv(imported: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    office = {r["sales_agent"]: r["regional_office"].lower() for r in rows("sales_teams")}
    expected: defaultdict[str, Decimal] = defaultdict(Decimal)
    for r in rows("sales_pipeline"):
        if r["deal_stage"] == "Won":
            expected[office[r["sales_agent"]]] += Decimal(r["close_value"])
    found = report(imported, "won_by_office", capsys)
    group = found["groups"][0]["name"]
    assert {row[group]: Decimal(str(row["won"])) for row in found["rows"]} == dict(expected)


def test_the_win_rate_by_agent_report_matches_the_csv(imported: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    won: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    for r in rows("sales_pipeline"):
        if r["deal_stage"] in ("Won", "Lost"):
            closed[r["sales_agent"]] += 1
            won[r["sales_agent"]] += r["deal_stage"] == "Won"
    found = report(imported, "win_rate_by_agent", capsys)
    group = found["groups"][0]["name"]
    rates = {row["labels"][group]: Decimal(str(row["win_rate"])) for row in found["rows"]
             if row["win_rate"] is not None}
    assert set(rates) == set(closed)
    for name, rate in rates.items():
        # The report gives the rate to 4 places.
        assert abs(rate - Decimal(won[name]) / Decimal(closed[name])) <= Decimal("0.00005"), name
