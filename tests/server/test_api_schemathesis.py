"""The OpenAPI document against the live server: schemathesis generates requests from
/openapi.json of the acme demo (served by uvicorn over SQLite, seeded as `guanxi demo`
seeds it) and sends them with the API tokens of two roles. Every response must be a
documented status code with a body that matches its documented schema, and none may be a
server error.

Bounded so it stays well under a minute: the fuzzing phase only, a few examples per
operation, generated deterministically, one worker."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace

import httpx
import pytest
from conftest import EXAMPLES

pytest.importorskip("schemathesis")

# Sales rep (hidden fields, own records only) and administrator (everything).
USERS = ("rita", "admin")
EXAMPLES_PER_OPERATION = 5
TIME_LIMIT = 150  # a hard stop per role; a run takes about 15 s on a free machine
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance")


@pytest.fixture(scope="module")
def live_acme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The acme demo served by uvicorn on a free local port, with a token per user."""
    import uvicorn
    from guanxi.accounts import users
    from guanxi.cli.server import prepare_demo
    from guanxi.server.app import create_app
    from guanxi.server.auth import tokens

    folder = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    store, _ = prepare_demo(EXAMPLES / "acme", url)
    store.dispose()
    app = create_app(EXAMPLES / "acme", url, "schemathesis-secret-" + "x" * 20)
    engine = app.state.holder.current().engine
    issued = {name: tokens.issue(engine, users.find_user(engine, name).id, "schemathesis")
              for name in USERS}
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="error"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield SimpleNamespace(base=f"http://127.0.0.1:{sock.getsockname()[1]}", tokens=issued,
                          folder=folder)
    server.should_exit = True
    thread.join(timeout=10)
    app.state.holder.current().store.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("username", USERS)
def test_schemathesis_finds_no_server_error_or_schema_violation(live_acme, username):
    token = live_acme.tokens[username]
    auth = {"Authorization": f"Bearer {token}"}
    response = httpx.get(f"{live_acme.base}/openapi.json", headers=auth, timeout=30)
    assert response.status_code == 200, response.text
    schema = live_acme.folder / f"openapi-{username}.json"
    schema.write_text(json.dumps(response.json()), encoding="utf-8")
    report = live_acme.folder / f"junit-{username}.xml"
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", str(schema),
        "--url", live_acme.base, "--header", f"Authorization: Bearer {token}",
        "--phases", "fuzzing", "--checks", ",".join(CHECKS),
        "--max-examples", str(EXAMPLES_PER_OPERATION), "--generation-deterministic",
        "--workers", "1", "--request-timeout", "20",
        "--report", "junit", "--report-junit-path", str(report), "--no-color",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIME_LIMIT,
                          cwd=live_acme.folder)
    summary = done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, summary
    assert "Tested: " in done.stdout and " passed" in done.stdout, summary
    assert "failures" not in done.stdout.rsplit("SUMMARY", 1)[-1].split("Test cases:")[-1], \
        summary


def test_openapi_declares_ids_from_one_and_money_places(live_acme):
    auth = {"Authorization": f"Bearer {live_acme.tokens['admin']}"}
    doc = httpx.get(f"{live_acme.base}/openapi.json", headers=auth, timeout=30).json()
    path_id = doc["paths"]["/api/contact/{id}"]["parameters"][0]["schema"]
    assert path_id["minimum"] == 1
    account = next(p for p in doc["paths"]["/api/contact"]["get"]["parameters"]
                   if p["name"] == "account")
    assert account["schema"]["anyOf"][0]["minimum"] == 1
    schemas = doc["components"]["schemas"]
    assert "2 digits after the point" in schemas["Opportunity"]["properties"]["amount"][
        "description"]
    for name in ("OpportunityCreate", "OpportunityUpdate"):
        assert schemas[name]["properties"]["amount"]["multipleOf"] == 0.01
