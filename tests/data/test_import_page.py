"""The import pages: upload, preview with each row's problems, run, history and undo."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from crm_project import PROJECT
from server_app import PASSWORD, Client, dispose, make_app

USERS = {"mona": ("manager",), "ada": ("admin",)}
CSV = "名称,邮箱\nAda,ada@example.com\nBo,not-an-email\n"


@pytest.fixture
def app(write_project, db_url: str) -> Iterator[object]:
    made, _ = make_app(write_project(PROJECT), db_url, USERS)
    yield made
    dispose(made)


def upload(client: Client, text: str, **fields: str):
    token = client.csrf("/import")
    return client.post("/import", data={"csrf_token": token, "entity": "customer", **fields},
                       files={"file": ("customers.csv", text.encode("utf-8"), "text/csv")})


def customers(app: object) -> list[str]:
    store = app.state.holder.current().store  # type: ignore[attr-defined]
    with store.engine.connect() as conn:
        table = store.app.entity("customer").table
        return [r.name for r in conn.execute(table.select().where(
            table.c.deleted_at.is_(None)).order_by(table.c.id))]


def test_a_preview_shows_each_rows_problems_and_writes_nothing(app) -> None:
    with Client(app) as client:
        client.login("mona", PASSWORD)
        page = upload(client, CSV, action="preview", mode="skip-bad")
    assert page.status_code == 200
    assert "not-an-email" in page.text and "Name" in page.text
    assert customers(app) == []


def test_an_uploaded_file_is_imported_after_its_preview_and_undone(app) -> None:
    with Client(app) as client:
        client.login("ada", PASSWORD)
        preview = upload(client, CSV, action="preview", mode="skip-bad")
        token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
        done = client.post("/import", data={
            "csrf_token": client.csrf("/import"), "entity": "customer", "mode": "skip-bad",
            "token": token, "name": "customers.csv", "action": "run"})
        assert done.status_code == 200
        assert customers(app) == ["Ada"]
        batch = re.search(r'action="/import/(\d+)/undo"', done.text).group(1)
        undone = client.form(f"/import/{batch}/undo", {}, page="/import")
        assert undone.status_code == 303
    assert customers(app) == []
