"""Erasure: a record's sensitive values gone from the record, its history and its
events, with an audit entry that holds no values."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from crm_project import PROJECT, Crm, open_crm
from guanxi.cli.main import main
from guanxi.errors import AccessDenied
from server_app import PASSWORD, Client, dispose, make_app


@pytest.fixture
def crm(write_project, db_url: str) -> Iterator[Crm]:
    opened = open_crm(write_project, db_url)
    yield opened
    opened.store.dispose()


def customer_with_revenue(crm: Crm) -> int:
    record = crm.store.create(crm.manager, "customer", {"name": "Wang", "revenue": 123456})
    crm.store.update(crm.manager, "customer", record["id"], {"revenue": 654321})
    return int(record["id"])


def stored_text(crm: Crm, record_id: int) -> str:
    tables = crm.app.tables
    with crm.store.engine.connect() as conn:
        history = conn.execute(sa.select(tables.history.c.changes).where(
            tables.history.c.record_id == record_id)).scalars().all()
        events = conn.execute(sa.select(tables.events.c.changes).where(
            tables.events.c.record_id == record_id)).scalars().all()
    return json.dumps([history, events], default=str)


def test_erasure_removes_sensitive_values_from_record_history_and_events(crm: Crm) -> None:
    record_id = customer_with_revenue(crm)
    assert "654321" in stored_text(crm, record_id)
    assert crm.store.erase(crm.admin, "customer", record_id) == ("revenue",)
    assert crm.store.get(crm.manager, "customer", record_id)["revenue"] is None
    assert "123456" not in stored_text(crm, record_id)
    assert "654321" not in stored_text(crm, record_id)


def test_erasure_keeps_the_other_fields_and_records_an_audit_entry(crm: Crm) -> None:
    record_id = customer_with_revenue(crm)
    crm.store.erase(crm.admin, "customer", record_id)
    assert crm.store.get(crm.manager, "customer", record_id)["name"] == "Wang"
    last = crm.store.history(crm.admin, "customer", record_id)[-1]
    assert last["action"] == "erase"
    assert last["changes"] == {"revenue": {"old": "[erased]", "new": None}}


def test_only_administrators_may_erase(crm: Crm) -> None:
    record_id = customer_with_revenue(crm)
    with pytest.raises(AccessDenied):
        crm.store.erase(crm.manager, "customer", record_id)
    assert "654321" in stored_text(crm, record_id)


def test_guanxi_erase_erases_from_the_command_line(crm: Crm,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    record_id = customer_with_revenue(crm)
    assert main(["erase", str(crm.root), "customer", str(record_id), "--db", crm.url]) == 0
    assert "erased revenue of customer" in capsys.readouterr().out
    assert "654321" not in stored_text(crm, record_id)


def test_an_administrator_erases_from_the_records_page(write_project, db_url: str) -> None:
    app, made = make_app(write_project(PROJECT), db_url,
                         {"ada": ("admin",), "mona": ("manager",)})
    store = app.state.holder.current().store
    try:
        record = store.create(made["mona"], "customer", {"name": "Wang", "revenue": 123456})
        page = f"/e/customer/{record['id']}"
        with Client(app) as client:
            client.login("mona", PASSWORD)
            assert "/erase" not in client.get(page).text
        with Client(app) as client:
            client.login("ada", PASSWORD)
            assert f'action="{page}/erase"' in client.get(page).text
            assert client.form(f"{page}/erase", {}, page=page).status_code == 303
        assert store.get(made["ada"], "customer", record["id"])["revenue"] is None
    finally:
        dispose(app)
