"""Attachments over real HTTP: on a record's page and in the JSON API, always served as
downloads that no browser runs, only to those who may read the record, with an upload
limit of their own."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from files_project import HTML, PDF, PNG, desk
from guanxi.attachments.storage import LocalStorage
from guanxi.server.auth import tokens
from guanxi.store.attachments import Upload
from server_app import PASSWORD, Client, dispose, make_app


@pytest.fixture
def world(write_project, sqlite_url: str, tmp_path) -> Iterator[SimpleNamespace]:
    app, made = make_app(write_project(desk()), sqlite_url,
                         {"ann": ("agent",), "sam": ("visitor",), "rae": ("reader",)},
                         max_body=16 * 1024)
    store = app.state.holder.current().store
    store.storage = LocalStorage(tmp_path / "files")
    ticket = store.create(made["ann"], "ticket", {"subject": "Printer"})["id"]
    yield SimpleNamespace(app=app, store=store, users=made, ticket=ticket)
    dispose(app)


def signed_in(world: SimpleNamespace, name: str) -> Client:
    client = Client(world.app)
    client.login(name, PASSWORD)
    return client


def upload(client: Client, ticket: int, name: str, content: bytes, **extra: str):
    token = client.csrf(f"/e/ticket/{ticket}")
    return client.post(f"/e/ticket/{ticket}/attachments", data={"csrf_token": token, **extra},
                       files={"file": (name, content, "application/octet-stream")})


def test_a_file_uploaded_on_the_page_is_listed_and_downloaded_as_an_attachment(world):
    with signed_in(world, "ann") as client:
        assert upload(client, world.ticket, "invoice.pdf", PDF).status_code == 303
        page = client.get(f"/e/ticket/{world.ticket}").text
        [added] = world.store.attachments(world.users["ann"], "ticket", world.ticket)
        assert f'href="/e/ticket/{world.ticket}/attachments/{added.id}"' in page
        answer = client.get(f"/e/ticket/{world.ticket}/attachments/{added.id}")
    assert answer.content == PDF
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["content-disposition"] == (
        "attachment; filename=\"invoice.pdf\"; filename*=UTF-8''invoice.pdf")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-security-policy"].startswith("sandbox")


def test_a_file_name_with_quotes_and_chinese_is_safe_in_the_header(world):
    added = world.store.attach(world.users["ann"], "ticket", world.ticket,
                               Upload('发票"; x=".txt', b"text"))
    with signed_in(world, "ann") as client:
        answer = client.get(f"/e/ticket/{world.ticket}/attachments/{added.id}")
    assert answer.headers["content-disposition"] == (
        "attachment; filename=\"__ x_.txt\"; "
        "filename*=UTF-8''%E5%8F%91%E7%A5%A8%20x%3D.txt")


def test_a_refused_file_is_told_next_to_the_file_input_without_an_error_page(world):
    with signed_in(world, "ann") as client:
        answer = upload(client, world.ticket, "photo.png", HTML)
        assert answer.status_code == 303
        page = client.get(f"/e/ticket/{world.ticket}").text
    assert 'class="field has-error"' in page and "text/html are not allowed" in page
    assert world.store.attachments(world.users["ann"], "ticket", world.ticket) == []


def test_a_user_who_may_not_read_the_record_gets_404_for_its_file(world):
    added = world.store.attach(world.users["ann"], "ticket", world.ticket,
                               Upload("a.txt", b"secret"))
    with signed_in(world, "sam") as client:
        answer = client.get(f"/e/ticket/{world.ticket}/attachments/{added.id}")
    assert answer.status_code == 404 and b"secret" not in answer.content


def test_a_reader_sees_the_files_but_no_upload_form(world):
    with signed_in(world, "rae") as client:
        page = client.get(f"/e/ticket/{world.ticket}").text
        refused = upload(client, world.ticket, "a.txt", b"hello")
    assert 'id="attachments"' in page and 'enctype="multipart/form-data"' not in page
    assert refused.status_code == 403


def test_the_upload_route_takes_files_above_the_general_body_limit(world):
    with signed_in(world, "ann") as client:
        fits = upload(client, world.ticket, "big.txt", b"x" * (40 * 1024))
        assert fits.status_code == 303
        assert upload(client, world.ticket, "huge.txt", b"x" * (200 * 1024)
                      ).status_code == 413
        elsewhere = client.post(f"/e/ticket/{world.ticket}/delete",
                                data={"csrf_token": client.csrf("/"), "x": "y" * (40 * 1024)})
        assert elsewhere.status_code == 413


def api(world: SimpleNamespace, name: str = "ann") -> Client:
    token = tokens.issue(world.store.engine, world.users[name].id, "test")
    return Client(world.app, headers={"authorization": f"Bearer {token}"})


def test_the_api_uploads_lists_downloads_and_removes_files(world):
    base = f"/api/ticket/{world.ticket}/attachments"
    with api(world) as client:
        added = client.post(f"{base}?name=scan.png&field=receipt", content=PNG)
        assert added.status_code == 201
        body = added.json()
        assert (body["name"], body["content_type"], body["field"]) == (
            "scan.png", "image/png", "receipt")
        assert client.get(f"/api/ticket/{world.ticket}").json()["receipt"] == body["id"]
        assert [a["id"] for a in client.get(base).json()["items"]] == [body["id"]]
        assert client.get(f"{base}/{body['id']}").content == PNG
        assert client.delete(f"{base}/{body['id']}").status_code == 204
        assert client.get(base).json()["items"] == []


def test_the_api_answers_a_refused_file_with_422_and_the_reason(world):
    with api(world) as client:
        answer = client.post(f"/api/ticket/{world.ticket}/attachments?name=x.png",
                             content=HTML)
    assert answer.status_code == 422
    assert "text/html" in answer.json()["fields"]["file"][0]


def test_the_api_answers_404_for_a_file_of_a_record_the_caller_may_not_read(world):
    with api(world) as client:
        added = client.post(f"/api/ticket/{world.ticket}/attachments?name=a.txt",
                            content=b"secret").json()
    with api(world, "sam") as client:
        answer = client.get(f"/api/ticket/{world.ticket}/attachments/{added['id']}")
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"


def test_the_openapi_document_describes_the_attachment_routes(world):
    with api(world) as client:
        paths = client.get("/openapi.json").json()["paths"]
    item = paths["/api/ticket/{id}/attachments"]
    assert set(item) >= {"get", "post"}
    assert "application/octet-stream" in item["post"]["requestBody"]["content"]
    assert set(paths["/api/ticket/{id}/attachments/{attachment}"]) >= {"get", "delete"}


def test_an_attached_file_shows_on_the_records_timeline_as_a_download(world):
    with signed_in(world, "ann") as client:
        assert upload(client, world.ticket, "invoice.pdf", PDF).status_code == 303
        [added] = world.store.attachments(world.users["ann"], "ticket", world.ticket)
        page = client.get(f"/e/ticket/{world.ticket}?kind=file").text
    timeline = page[page.index('id="timeline"'):]
    assert 'data-kind="file"' in timeline and "invoice.pdf" in timeline
    assert f'href="/e/ticket/{world.ticket}/attachments/{added.id}"' in timeline
