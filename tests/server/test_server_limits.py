"""What one request may cost: bodies are bounded and read only for signed-in callers,
text fields have a default maximum length, idle sockets are closed (both backends)."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace

import pytest
from guanxi.errors import ValidationFailed
from guanxi.fields.registry import DEFAULT_TEXT_LENGTH
from guanxi.server import serving
from guanxi.server.auth import tokens
from guanxi.server.limits import DEFAULT_MAX_BODY, parse_size
from server_app import Client, dispose, make_app, start_server

NOTES_PROJECT = {
    "guanxi.yaml": """\
        project: notes
        languages: [en, zh]
        roles:
          rep: {label: {en: Rep}}
    """,
    "entities/note.yaml": """\
        note:
          title: title
          fields:
            title: {type: string, required: true}
            body: {type: text}
            essay: {type: text, max_length: 20000}
            summary: {type: text, max_length: 50}
          access:
            rep: {create: all, read: all, update: all}
    """,
}
MIB = 1024 * 1024


@pytest.fixture
def notes(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    app, made = make_app(write_project(NOTES_PROJECT), db_url, {"rita": ("rep",)},
                         max_body=64 * 1024)
    engine = app.state.holder.current().engine
    token = tokens.issue(engine, made["rita"].id, "tests")
    with Client(app, headers={"Authorization": f"Bearer {token}"}) as api:
        yield SimpleNamespace(app=app, api=api, rita=made["rita"],
                              store=app.state.holder.current().store)
    dispose(app)


class Upload:
    """A request body sent in chunks, counting how much of it the server took."""

    def __init__(self, size: int, chunk: int = 64 * 1024) -> None:
        self.size, self.chunk, self.sent = size, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.size:
            piece = b"x" * min(self.chunk, self.size - self.sent)
            self.sent += len(piece)
            yield piece


# ---------------------------------------------------------------- request bodies


def test_anonymous_api_post_is_refused_before_its_body_is_read(notes):
    upload = Upload(5 * MIB)
    with Client(notes.app) as anonymous:
        response = anonymous.post("/api/note", content=upload,
                                  headers={"Content-Type": "application/json"})
    assert response.status_code == 401
    assert upload.sent <= upload.chunk  # at most the first chunk was ever pulled


def test_anonymous_api_post_with_a_declared_length_is_refused_unread(notes):
    upload = Upload(5 * MIB)
    with Client(notes.app) as anonymous:
        response = anonymous.post("/api/note", content=upload, headers={
            "Content-Type": "application/json", "Content-Length": str(5 * MIB)})
    assert response.status_code in (401, 413)
    assert upload.sent <= upload.chunk


def test_anonymous_form_post_is_sent_to_sign_in_unread(notes):
    upload = Upload(5 * MIB)
    with Client(notes.app) as anonymous:
        response = anonymous.post("/e/note/new", content=upload, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert upload.sent <= upload.chunk


def test_signed_in_oversize_body_is_413_json(notes):
    response = notes.api.post("/api/note", content=b"{" + b" " * (100 * 1024) + b"}",
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"
    assert str(64 * 1024) in response.json()["detail"]


def test_signed_in_chunked_oversize_body_is_cut_off_at_the_limit(notes):
    upload = Upload(5 * MIB, chunk=16 * 1024)
    response = notes.api.post("/api/note", content=upload,
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert upload.sent <= 64 * 1024 + upload.chunk


def test_oversize_form_post_gets_the_413_page_in_the_users_language(notes):
    with Client(notes.app) as browser:
        browser.login("rita", "long-secret-pw")
        browser.form("/language", {"language": "zh", "next": "/"}, page="/")
        token = browser.csrf("/e/note/new")
        response = browser.post("/e/note/new", data={
            "csrf_token": token, "title": "big", "body": "x" * (100 * 1024)})
    assert response.status_code == 413
    assert "提交的内容太大" in response.text


def test_sign_in_form_is_bounded_too(notes):
    with Client(notes.app) as browser:
        token = browser.csrf("/login")
        response = browser.post("/login", data={"csrf_token": token, "username": "rita",
                                                "password": "x" * (100 * 1024)})
    assert response.status_code == 413


def test_body_within_the_limit_is_taken(notes):
    response = notes.api.post("/api/note", json={"title": "ok", "body": "y" * 9000})
    assert response.status_code == 201, response.text


def test_default_body_limit_is_one_mebibyte(write_project, sqlite_url):
    app, made = make_app(write_project(NOTES_PROJECT), sqlite_url, {"rita": ("rep",)})
    token = tokens.issue(app.state.holder.current().engine, made["rita"].id)
    with Client(app, headers={"Authorization": f"Bearer {token}"}) as api:
        response = api.post("/api/note", content=b" " * (DEFAULT_MAX_BODY + 1),
                            headers={"Content-Type": "application/json"})
    dispose(app)
    assert DEFAULT_MAX_BODY == MIB and response.status_code == 413


@pytest.mark.parametrize(("text", "size"), [("1048576", MIB), ("1MiB", MIB),
                                            ("512 KiB", 512 * 1024), ("2mb", 2 * MIB)])
def test_sizes_are_read_with_binary_units(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "0", "-1", "1.5MiB", "12 parsecs", "١٢"])
def test_bad_sizes_are_refused_with_a_reason(text):
    with pytest.raises(ValueError, match="size"):
        parse_size(text)


# ---------------------------------------------------------------- text lengths


def test_text_over_the_default_length_is_a_422_field_error_on_create(notes):
    response = notes.api.post("/api/note", json={"title": "t",
                                                 "body": "z" * (DEFAULT_TEXT_LENGTH + 1)})
    assert response.status_code == 422
    assert "body" in response.json()["fields"]
    assert str(DEFAULT_TEXT_LENGTH) in response.json()["fields"]["body"][0]


def test_text_over_the_default_length_is_a_422_field_error_on_update(notes):
    created = notes.api.post("/api/note", json={"title": "t", "body": "short"}).json()
    response = notes.api.patch(f"/api/note/{created['id']}",
                               json={"body": "z" * (DEFAULT_TEXT_LENGTH + 1)})
    assert response.status_code == 422
    assert "body" in response.json()["fields"]
    assert notes.api.get(f"/api/note/{created['id']}").json()["body"] == "short"


def test_text_of_exactly_the_default_length_is_taken(notes):
    response = notes.api.post("/api/note", json={"title": "t", "body": "z" * DEFAULT_TEXT_LENGTH})
    assert response.status_code == 201


def test_store_refuses_text_over_the_default_length(notes):
    with pytest.raises(ValidationFailed) as refused:
        notes.store.create(notes.rita, "note", {"title": "t",
                                                "body": "z" * (DEFAULT_TEXT_LENGTH + 1)})
    assert "body" in refused.value.errors


def test_max_length_in_yaml_raises_the_default(notes):
    response = notes.api.post("/api/note", json={"title": "t", "essay": "e" * 15000})
    assert response.status_code == 201, response.text


def test_max_length_in_yaml_lowers_the_default(notes):
    response = notes.api.post("/api/note", json={"title": "t", "summary": "s" * 51})
    assert response.status_code == 422 and "summary" in response.json()["fields"]


def test_text_over_the_default_length_is_a_field_error_on_the_form(notes):
    with Client(notes.app) as browser:
        browser.login("rita", "long-secret-pw")
        response = browser.form("/e/note/new", {"title": "t",
                                                "body": "z" * (DEFAULT_TEXT_LENGTH + 1)})
    assert response.status_code == 422
    block = response.text.split('data-field="body"', 1)[1].split("</div>", 1)[0]
    assert 'class="errors"' in block


def test_form_and_json_schema_declare_the_text_limits(notes):
    with Client(notes.app) as browser:
        browser.login("rita", "long-secret-pw")
        page = browser.get("/e/note/new").text
    assert f'maxlength="{DEFAULT_TEXT_LENGTH}"' in page.split('data-field="body"', 1)[1]
    assert 'maxlength="20000"' in page.split('data-field="essay"', 1)[1]
    document = notes.api.get("/openapi.json").json()
    schemas = str(document)
    assert f"'maxLength': {DEFAULT_TEXT_LENGTH}" in schemas and "'maxLength': 20000" in schemas


def test_checker_refuses_a_text_default_over_the_default_length(write_project):
    from guanxi.language.project import load_project

    files = dict(NOTES_PROJECT)
    files["entities/note.yaml"] = NOTES_PROJECT["entities/note.yaml"].replace(
        "body: {type: text}", f"body: {{type: text, default: {'d' * (DEFAULT_TEXT_LENGTH + 1)}}}")
    result = load_project(write_project(files))
    assert not result.ok
    assert any("longer than max_length 10000" in str(d) for d in result.diagnostics)


# ---------------------------------------------------------------- sockets


@pytest.fixture
def live(write_project, sqlite_url: str) -> Iterator[SimpleNamespace]:
    """The notes project served by uvicorn with `guanxi serve`'s settings (a short header
    timeout, so the test need not wait ten seconds)."""

    app, _ = make_app(write_project(NOTES_PROJECT), sqlite_url)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = serving.config(app, "127.0.0.1", port, header_timeout=0.5, log_level="warning",
                            ws="none", lifespan="off")
    server, thread = start_server(config)
    yield SimpleNamespace(port=port, config=config)
    server.should_exit = True
    thread.join(timeout=10)
    dispose(app)


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False


def test_a_socket_that_never_finishes_its_headers_is_closed(live):
    with socket.create_connection(("127.0.0.1", live.port)) as slow:
        slow.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n")  # no blank line: headers go on
        time.sleep(0.3)
        slow.sendall(b"X-Slow: 1\r\n")
        assert _closed_within(slow, 3)


def test_a_silent_socket_is_closed(live):
    with socket.create_connection(("127.0.0.1", live.port)) as silent:
        assert _closed_within(silent, 3)


def test_a_prompt_request_is_answered_normally(live):
    with socket.create_connection(("127.0.0.1", live.port)) as prompt:
        prompt.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        prompt.settimeout(5)
        assert prompt.recv(12).startswith(b"HTTP/1.1 200")


def test_serve_sets_uvicorns_limits_on_purpose(live):
    config = live.config
    assert config.h11_max_incomplete_event_size == serving.MAX_HEADER_BYTES
    assert config.timeout_keep_alive == serving.KEEP_ALIVE_SECONDS
    assert config.limit_concurrency == serving.DEFAULT_MAX_CONNECTIONS


def test_a_request_head_growing_past_the_header_limit_is_refused(live):
    with socket.create_connection(("127.0.0.1", live.port)) as big:
        big.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (20 * 1024))
        time.sleep(0.2)
        big.sendall(b"\r\n\r\n")
        big.settimeout(5)
        answer = big.recv(64)
        assert answer.startswith(b"HTTP/1.1 400"), answer
