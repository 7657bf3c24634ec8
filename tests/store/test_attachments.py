"""Attachments through the Store: who may add, list, read and remove them follows the
record's rules; each change leaves history and an event; the type is told from the
bytes; erasure removes the content of sensitive ones."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from files_project import HTML, PDF, PNG, desk
from guanxi.attachments.storage import LocalStorage
from guanxi.compile.app import compile_app
from guanxi.errors import AccessDenied, NotFound, ValidationFailed
from guanxi.language.project import load_project_or_raise
from guanxi.store.attachments import Upload
from guanxi.store.facade import Store
from store_project import add_account


@pytest.fixture
def desk_store(write_project, db_url: str, tmp_path: Path):
    store = Store(compile_app(load_project_or_raise(write_project(desk()))), db_url)
    store.create_schema()
    store.storage = LocalStorage(tmp_path / "files")
    yield store
    store.dispose()


@pytest.fixture
def ann(desk_store):
    return add_account(desk_store, "ann", ["agent"])


@pytest.fixture
def ticket(desk_store, ann) -> int:
    return int(desk_store.create(ann, "ticket", {"subject": "Printer jams"})["id"])


def events_of(store: Store, record_id: int) -> list[str]:
    events = store.app.tables.events
    with store.engine.connect() as conn:
        return [row[0] for row in conn.execute(sa.select(events.c.kind).where(
            events.c.entity == "ticket", events.c.record_id == record_id)
            .order_by(events.c.id))]


def test_an_attached_file_is_listed_read_back_and_leaves_history_and_an_event(
        desk_store, ann, ticket):
    added = desk_store.attach(ann, "ticket", ticket, Upload("invoice.pdf", PDF))
    assert (added.name, added.content_type, added.size) == ("invoice.pdf",
                                                            "application/pdf", len(PDF))
    assert [a.id for a in desk_store.attachments(ann, "ticket", ticket)] == [added.id]
    found, content = desk_store.attachment(ann, "ticket", ticket, added.id)
    assert content == PDF and found.sha256 == added.sha256
    assert [h["action"] for h in desk_store.history(ann, "ticket", ticket)][-1] == "attach"
    assert events_of(desk_store, ticket)[-1] == "attached"


def test_a_removed_file_is_gone_from_the_list_and_the_storage(desk_store, ann, ticket,
                                                              tmp_path):
    added = desk_store.attach(ann, "ticket", ticket, Upload("a.txt", b"hello"))
    desk_store.detach(ann, "ticket", ticket, added.id)
    assert desk_store.attachments(ann, "ticket", ticket) == []
    assert desk_store.storage.get(added.key) is None
    assert events_of(desk_store, ticket)[-1] == "detached"


def test_html_sent_with_an_image_name_is_refused_by_its_content(desk_store, ann, ticket):
    with pytest.raises(ValidationFailed) as refused:
        desk_store.attach(ann, "ticket", ticket, Upload("photo.png", HTML))
    assert "text/html" in refused.value.errors["file"][0]
    assert desk_store.attachments(ann, "ticket", ticket) == []


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_kept(desk_store, ann, ticket,
                                                                   tmp_path):
    with pytest.raises(ValidationFailed) as refused:
        desk_store.attach(ann, "ticket", ticket, Upload("big.txt", b"x" * (64 * 1024 + 1)))
    assert "65537 bytes" in refused.value.errors["file"][0]
    files = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    assert files == []


def test_a_file_name_is_kept_without_its_path_or_control_characters(desk_store, ann, ticket):
    added = desk_store.attach(ann, "ticket", ticket,
                              Upload("..\\..\\etc/pass\x00wd\"<b>.txt", b"text"))
    assert added.name == "passwdb.txt"


def test_a_user_who_may_not_read_the_record_gets_not_found(desk_store, ann, ticket):
    added = desk_store.attach(ann, "ticket", ticket, Upload("a.txt", b"hello"))
    stranger = add_account(desk_store, "sam", ["visitor"])
    with pytest.raises(NotFound):
        desk_store.attachment(stranger, "ticket", ticket, added.id)
    with pytest.raises(NotFound):
        desk_store.attachments(stranger, "ticket", ticket)


def test_an_attachment_of_another_record_is_not_found_through_this_one(desk_store, ann,
                                                                       ticket):
    other = desk_store.create(ann, "ticket", {"subject": "Other"})["id"]
    added = desk_store.attach(ann, "ticket", other, Upload("a.txt", b"hello"))
    with pytest.raises(NotFound):
        desk_store.attachment(ann, "ticket", ticket, added.id)


def test_a_file_in_a_field_hidden_from_the_reader_is_not_listed(desk_store, ann, ticket):
    manager = add_account(desk_store, "max", ["manager"])
    scan = desk_store.attach(manager, "ticket", ticket, Upload("id.png", PNG), "id_scan")
    assert desk_store.get(manager, "ticket", ticket)["id_scan"] == scan.id
    assert desk_store.attachments(ann, "ticket", ticket) == []
    with pytest.raises(NotFound):
        desk_store.attachment(ann, "ticket", ticket, scan.id)


def test_only_a_user_who_may_update_the_record_attaches(desk_store, ann, ticket):
    reader = add_account(desk_store, "rae", ["reader"])
    with pytest.raises(AccessDenied):
        desk_store.attach(reader, "ticket", ticket, Upload("a.txt", b"hello"))
    assert desk_store.attachments(reader, "ticket", ticket) == []


def test_a_file_field_is_set_by_uploading_for_it_and_cleared_by_removing(desk_store, ann,
                                                                         ticket):
    receipt = desk_store.attach(ann, "ticket", ticket, Upload("r.pdf", PDF), "receipt")
    assert desk_store.get(ann, "ticket", ticket)["receipt"] == receipt.id
    desk_store.detach(ann, "ticket", ticket, receipt.id)
    assert desk_store.get(ann, "ticket", ticket)["receipt"] is None


def test_uploading_for_a_field_that_is_not_a_file_field_is_refused(desk_store, ann, ticket):
    with pytest.raises(ValidationFailed) as refused:
        desk_store.attach(ann, "ticket", ticket, Upload("r.pdf", PDF), "subject")
    assert "file fields: receipt, id_scan" in refused.value.errors["subject"][0]


def test_erasing_a_record_removes_the_content_of_its_sensitive_files(desk_store, ann,
                                                                     ticket):
    manager = add_account(desk_store, "max", ["manager"])
    scan = desk_store.attach(manager, "ticket", ticket, Upload("id.png", PNG), "id_scan")
    receipt = desk_store.attach(manager, "ticket", ticket, Upload("r.pdf", PDF), "receipt")
    desk_store.erase(manager, "ticket", ticket)
    assert desk_store.storage.get(scan.key) is None
    assert desk_store.storage.get(receipt.key) == PDF
    listed = {a.id: a for a in desk_store.attachments(manager, "ticket", ticket)}
    assert listed[scan.id].erased and listed[scan.id].name == "[erased]"
    with pytest.raises(NotFound):
        desk_store.attachment(manager, "ticket", ticket, scan.id)
    history = str(desk_store.history(manager, "ticket", ticket))
    assert "id.png" not in history
