"""Importing files: reading CSV and XLSX, matching and cleaning columns, references by
natural key, the report, the modes, upserts through the update pipeline, and undo."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from crm_project import Crm, open_crm
from guanxi.cli.main import main
from guanxi.data import batches, mapping
from guanxi.data.importer import Importer, Problem, undo
from guanxi.errors import AccessDenied, RequestInvalid
from guanxi.identity import User
from openpyxl import Workbook


@pytest.fixture
def crm(write_project, db_url: str) -> Iterator[Crm]:
    opened = open_crm(write_project, db_url)
    yield opened
    opened.store.dispose()


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def run(crm: Crm, user: User, path: Path, yaml: str | None = None, **options
        ) -> tuple[object, list[Problem]]:
    problems: list[Problem] = []
    chosen = None
    if yaml is not None:
        file = path.with_suffix(".map.yaml")
        file.write_text(yaml, encoding="utf-8")
        chosen, found = mapping.load(file, crm.app.spec)
        assert chosen is not None, [str(p) for p in found]
    entity = options.pop("entity", "customer")
    result = Importer(crm.store, user, entity, chosen, report=problems.append,
                      **options).run(path)
    return result, problems


def customers(crm: Crm) -> list[dict]:
    return crm.store.list(crm.manager, "customer", sort=["id"], limit=500).items


def test_columns_match_fields_by_chinese_label_and_choices_by_label(crm: Crm,
                                                                    tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv",
                     "名称,邮箱,等级,营业收入\n王小明,wang@example.cn,金牌,3.5万\n")
    _result, problems = run(crm, crm.manager, path)
    assert problems == []
    [row] = customers(crm)
    assert (row["name"], row["email"], row["tier"], str(row["revenue"])) == (
        "王小明", "wang@example.cn", "gold", "35000.00")


def test_a_gbk_file_from_chinese_excel_is_read(crm: Crm, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", "名称,电话\n北京科技有限公司,13900000002\n"
                                          "上海贸易公司,021-12345678\n", encoding="gbk")
    run(crm, crm.manager, path)
    assert [r["name"] for r in customers(crm)] == ["北京科技有限公司", "上海贸易公司"]


def test_a_semicolon_file_with_a_bom_is_read(crm: Crm, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", "\ufeffname;email\nAda;ada@example.com\n")
    run(crm, crm.manager, path)
    assert [(r["name"], r["email"]) for r in customers(crm)] == [("Ada", "ada@example.com")]


def test_an_xlsx_workbook_is_read(crm: Crm, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Revenue", "Customer since"])
    sheet.append(["Ada", 1100.04, "2024-03-01"])
    sheet.append(["Bo", 12, None])
    book.save(tmp_path / "c.xlsx")
    run(crm, crm.manager, tmp_path / "c.xlsx")
    rows = customers(crm)
    assert [(r["name"], str(r["revenue"]), str(r["since"])) for r in rows] == [
        ("Ada", "1100.04", "2024-03-01"), ("Bo", "12.00", "None")]


def test_numbers_and_dates_are_read_in_the_mapping_formats(crm: Crm, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", "who,turnover,from\nAda,\"1.100,04\",31/12/2023\n")
    run(crm, crm.manager, path, """
entity: customer
columns:
  who: name
  turnover: {field: revenue, number: "1.234,56"}
  from: {field: since, format: "%d/%m/%Y"}
""")
    [row] = customers(crm)
    assert (str(row["revenue"]), str(row["since"])) == ("1100.04", "2023-12-31")


def test_a_value_map_and_trimming_clean_values(crm: Crm, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", "name,tier\n  Ada  ,GOLDEN\n")
    run(crm, crm.manager, path, "entity: customer\ncolumns:\n  tier: {field: tier, "
                                "values: {golden: gold}}\n")
    [row] = customers(crm)
    assert (row["name"], row["tier"]) == ("Ada", "gold")


def test_references_are_found_by_their_title(crm: Crm, tmp_path: Path) -> None:
    company = crm.store.create(crm.manager, "company", {"name": "Acme"})
    path = write_csv(tmp_path / "c.csv", "name,company\nAda,Acme\n")
    run(crm, crm.manager, path)
    assert customers(crm)[0]["company"] == company["id"]


def test_a_missing_reference_is_reported_and_nothing_is_written(crm: Crm,
                                                                tmp_path: Path) -> None:
    crm.store.create(crm.manager, "company", {"name": "Acme"})
    path = write_csv(tmp_path / "c.csv", "name,company\nAda,Acme\nBo,Nowhere\n")
    result, problems = run(crm, crm.manager, path)
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "company", "Nowhere")]
    assert "there is no company with name Nowhere" in problems[0].message
    assert result.written is False and customers(crm) == []


def test_skip_bad_writes_the_good_rows(crm: Crm, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", "name,email\nAda,ada@example.com\nBo,not-an-email\n")
    result, problems = run(crm, crm.manager, path, mode="skip-bad")
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "email", "not-an-email")]
    assert (result.created, result.failed) == (1, 1)
    assert [r["name"] for r in customers(crm)] == ["Ada"]


def test_a_value_another_record_has_is_reported_on_its_line(crm: Crm,
                                                            tmp_path: Path) -> None:
    crm.store.create(crm.manager, "customer", {"name": "Ada", "email": "ada@example.com"})
    path = write_csv(tmp_path / "c.csv", "name,email\nBo,bo@example.com\n"
                                          "Cy,ada@EXAMPLE.com\nDi,di@example.com\n")
    result, problems = run(crm, crm.manager, path)
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "email", "ada@EXAMPLE.com")]
    assert "already used" in problems[0].message
    assert result.written is False and [r["name"] for r in customers(crm)] == ["Ada"]


def test_skip_bad_writes_the_rows_beside_a_value_another_record_has(crm: Crm,
                                                                    tmp_path: Path) -> None:
    crm.store.create(crm.manager, "customer", {"name": "Ada", "email": "ada@example.com"})
    path = write_csv(tmp_path / "c.csv", "name,email\nBo,bo@example.com\n"
                                          "Cy,ada@EXAMPLE.com\nDi,di@example.com\n")
    result, problems = run(crm, crm.manager, path, mode="skip-bad")
    assert [(p.row, p.column) for p in problems] == [(3, "email")]
    assert (result.created, result.failed) == (2, 1)
    assert [r["name"] for r in customers(crm)] == ["Ada", "Bo", "Di"]


def test_missing_targets_are_created_when_the_mapping_says_so(crm: Crm,
                                                              tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", "name,company\nAda,Acme\nBo,Acme\n")
    result, _ = run(crm, crm.manager, path, "entity: customer\ncolumns:\n  company: "
                                            "{field: company, lookup: name, create: true}\n")
    [acme] = crm.store.list(crm.manager, "company").items
    assert [r["company"] for r in customers(crm)] == [acme["id"], acme["id"]]
    undo(crm.store, crm.manager, result.batch)
    assert crm.store.list(crm.manager, "company").items == []


def test_a_dry_run_writes_nothing(crm: Crm, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", "name\nAda\nBo\n")
    result, _ = run(crm, crm.manager, path, dry_run=True)
    assert (result.created, result.written, result.batch) == (2, False, None)
    assert customers(crm) == []


def test_the_owner_is_mapped_from_a_column_to_users(crm: Crm, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", "name,rep\nAda,rita\nBo,ralf\n")
    run(crm, crm.manager, path, "entity: customer\nowner: {column: rep}\n")
    assert [r["owner"] for r in customers(crm)] == [crm.rep.id, crm.other_rep.id]


def test_upsert_updates_matching_records_through_the_update_pipeline(crm: Crm,
                                                                     tmp_path: Path) -> None:
    run(crm, crm.manager, write_csv(tmp_path / "a.csv", "name,email\nAda,ada@example.com\n"))
    result, _ = run(crm, crm.manager, write_csv(
        tmp_path / "b.csv", "name,email\nAda Lovelace,ada@example.com\nBo,bo@example.com\n"),
        mode="upsert", keys=["email"])
    assert (result.created, result.updated) == (1, 1)
    ada = customers(crm)[0]
    assert ada["name"] == "Ada Lovelace"
    actions = [h["action"] for h in crm.store.history(crm.manager, "customer", ada["id"])]
    assert actions == ["create", "update"]


def test_upsert_refuses_bad_values_as_update_does(crm: Crm, tmp_path: Path) -> None:
    run(crm, crm.manager, write_csv(tmp_path / "a.csv", "name,email\nAda,ada@example.com\n"))
    _result, problems = run(crm, crm.manager, write_csv(
        tmp_path / "b.csv", "name,email,revenue\n,ada@example.com,-5\n"), mode="upsert",
        keys=["email"])
    assert {p.column for p in problems} == {"name", "revenue"}
    assert customers(crm)[0]["name"] == "Ada"


def test_upsert_never_changes_records_the_user_cannot_read(crm: Crm, tmp_path: Path) -> None:
    crm.store.create(crm.other_rep, "customer", {"name": "Ralf's", "email": "x@example.com"})
    result, problems = run(crm, crm.rep, write_csv(
        tmp_path / "b.csv", "name,email\nMine now,x@example.com\n"), mode="upsert",
        keys=["email"])
    assert result.written is False and [p.column for p in problems] == ["email"]
    assert customers(crm)[0]["name"] == "Ralf's"


def test_undo_restores_what_an_upsert_changed(crm: Crm, tmp_path: Path) -> None:
    run(crm, crm.manager, write_csv(tmp_path / "a.csv", "name,email\nAda,ada@example.com\n"))
    result, _ = run(crm, crm.manager, write_csv(
        tmp_path / "b.csv", "name,email\nAda L.,ada@example.com\nBo,bo@example.com\n"),
        mode="upsert", keys=["email"])
    undo(crm.store, crm.manager, result.batch)
    assert [r["name"] for r in customers(crm)] == ["Ada"]


def test_the_journal_names_each_created_record_with_its_line(crm: Crm,
                                                             tmp_path: Path) -> None:
    lines = "".join(f"P{n},p{n}@example.com\n" if n != 4 else "Bad,not-an-email\n"
                    for n in range(1, 8))
    path = write_csv(tmp_path / "c.csv", "name,email\n" + lines)
    result, _ = run(crm, crm.manager, path, mode="skip-bad", batch_size=2)
    by_name = {r["name"]: r["id"] for r in customers(crm)}
    journaled = batches.journaled(crm.store.engine, result.batch)
    assert sorted((j.number, j.record_id, j.action) for j in journaled) == [
        (n + 1, by_name[f"P{n}"], "create") for n in (1, 2, 3, 5, 6, 7)]
    undo(crm.store, crm.manager, result.batch)
    assert customers(crm) == []


def test_a_historical_import_needs_an_administrator(crm: Crm, write_project,
                                                    tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", "name,opened\nAda,2020-01-01\n")
    with pytest.raises(AccessDenied):
        run(crm, crm.manager, path, "entity: customer\ntimes: {created_at: opened}\n")
    run(crm, crm.admin, path, "entity: customer\ntimes: {created_at: opened}\n")
    assert str(customers(crm)[0]["created_at"])[:10] == "2020-01-01"


def test_the_cli_writes_every_problem_to_the_report(crm: Crm, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", "name,email\n,bad\nBo,bo@example.com\n")
    report = tmp_path / "report.csv"
    code = main(["import", str(crm.root), "customer", str(path), "--db", crm.url,
                 "--report", str(report), "--as", "mona"])
    assert code == 1
    with open(report, encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["row", "column", "value", "message"]
    assert sorted((r[0], r[1], r[2]) for r in lines[1:]) == [("2", "email", "bad"),
                                                             ("2", "name", "")]
    assert customers(crm) == []


def test_upsert_refuses_a_key_the_user_cannot_see(crm: Crm, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", "name,revenue\nAda,5\n")
    with pytest.raises(RequestInvalid):
        run(crm, crm.rep, path, mode="upsert", keys=["revenue"])
