"""Exporting lists: only what the caller may read, sensitive fields redacted, no live
formulas, the list's filters and sort; from the API, the list page and the CLI."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from crm_project import PROJECT
from guanxi.cli.main import main
from guanxi.identity import User
from openpyxl import load_workbook
from server_app import PASSWORD, Client, dispose, make_app

USERS = {"rita": ("rep",), "ralf": ("rep",), "mona": ("manager",), "ada": ("admin",)}


@pytest.fixture
def served(write_project, db_url: str) -> Iterator[tuple[object, dict[str, User], Path]]:
    root = write_project(PROJECT)
    app, users = make_app(root, db_url, USERS)
    store = app.state.holder.current().store
    rita, mona = users["rita"], users["mona"]
    made = [store.create(rita, "customer", {"name": "=HYPERLINK(\"http://evil\")",
                                            "tier": "gold", "notes": "+1 555 0100"}),
            store.create(rita, "customer", {"name": "Bo", "tier": "silver", "notes": "@home"}),
            store.create(users["ralf"], "customer", {"name": "Ralf's"})]
    for record, revenue in zip(made, (100, 50, 7)):
        store.update(mona, "customer", record["id"], {"revenue": revenue})
    yield app, users, root
    dispose(app)


def signed_in(app: object, username: str) -> Client:
    client = Client(app)
    client.login(username, PASSWORD)
    return client


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_a_reps_csv_export_holds_no_hidden_column_and_no_live_formula(served) -> None:
    app, _, _ = served
    with signed_in(app, "rita") as client:
        response = client.get("/api/customer/export?format=csv&sort=id")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = csv_rows(response.text)
    assert "Revenue" not in rows[0]
    assert [r[rows[0].index("Name")] for r in rows[1:]] == ["'=HYPERLINK(\"http://evil\")", "Bo"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows[1:] for cell in r)


def test_a_reps_xlsx_export_holds_no_hidden_column_and_no_formula(served) -> None:
    app, _, _ = served
    with signed_in(app, "rita") as client:
        response = client.get("/api/customer/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert "Revenue" not in [c.value for c in next(sheet.iter_rows())]
    assert all(c.data_type != "f" for c in cells)
    assert len(list(sheet.iter_rows())) == 3


def test_an_xlsx_export_of_text_with_control_characters_marks_them_instead_of_failing(
        served) -> None:
    app, users, _ = served
    store = app.state.holder.current().store
    store.create(users["rita"], "customer", {"name": "Bell\x07 Co", "tier": "gold"})
    with signed_in(app, "rita") as client:
        response = client.get("/api/customer/export?format=xlsx&sort=id")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "Bell\ufffd Co" in [c.value for row in sheet.iter_rows() for c in row]


def test_sensitive_fields_are_redacted_except_for_administrators(served) -> None:
    app, _, _ = served
    found = {}
    for username in ("mona", "ada"):
        with signed_in(app, username) as client:
            rows = csv_rows(client.get("/api/customer/export?sort=id").text)
        found[username] = [r[rows[0].index("Revenue")] for r in rows[1:]]
    assert found == {"mona": ["[redacted]"] * 3, "ada": ["100.00", "50.00", "7.00"]}


def test_the_export_follows_the_lists_filters_and_sort(served) -> None:
    app, _, _ = served
    with signed_in(app, "mona") as client:
        rows = csv_rows(client.get("/api/customer/export?sort=-name&tier=").text)
        gold = csv_rows(client.get("/api/customer/export?tier=gold").text)
    names = [r[rows[0].index("Name")] for r in rows[1:]]
    assert names == sorted(names, reverse=True)
    assert len(gold) == 2


@pytest.mark.parametrize("query", ["columns=name,revenue", "where=revenue > 10",
                                   "sort=revenue"])
def test_a_rep_cannot_export_through_a_hidden_field(served, query: str) -> None:
    app, _, _ = served
    with signed_in(app, "rita") as client:
        response = client.get(f"/api/customer/export?{query}")
    assert response.status_code == 400
    assert b"100" not in response.content


def test_the_list_page_links_to_its_export(served) -> None:
    app, _, _ = served
    with signed_in(app, "rita") as client:
        page = client.get("/e/customer?q=Bo").text
    # The list's search and its columns go with the export.
    for fmt in ("csv", "xlsx"):
        assert re.search(r'href="/api/customer/export\?q=Bo&amp;format=' + fmt
                         + r'&amp;columns=[a-z_%C0-9]+"', page), fmt


def test_guanxi_export_writes_a_workbook(served, db_url: str, tmp_path: Path) -> None:
    _, _, root = served
    out = tmp_path / "customers.xlsx"
    assert main(["export", str(root), "customer", "--db", db_url, "--as", "rita",
                 "--output", str(out), "--sort", "name"]) == 0
    sheet = load_workbook(out).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "Revenue" not in values[0]
    assert [row[values[0].index("Name")] for row in values[1:]] == [
        "'=HYPERLINK(\"http://evil\")", "Bo"]
