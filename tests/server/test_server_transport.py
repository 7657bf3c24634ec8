"""How the server meets the network: a Secure session cookie with --https-only, proxy
headers trusted only from the addresses given, and no caching of what signed-in users see."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from types import SimpleNamespace

import httpx
import pytest
from guanxi.accounts import users
from guanxi.cli.main import build_parser, main
from guanxi.cli.server import proxy_options
from guanxi.server.auth import tokens
from server_app import PASSWORD, SHOP_PROJECT, Client, dispose, make_app


@pytest.fixture
def shop(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    app, made = make_app(write_project(SHOP_PROJECT), db_url, {"rita": ("rep",)})
    engine = app.state.holder.current().engine
    yield SimpleNamespace(app=app, engine=engine, token=tokens.issue(engine, made["rita"].id))
    dispose(app)


def sign_in_cookie(client: Client) -> str:
    return client.login("rita", PASSWORD).headers["set-cookie"].lower()


def test_the_session_cookie_is_secure_with_https_only(write_project, sqlite_url):
    app, _ = make_app(write_project(SHOP_PROJECT), sqlite_url, {"rita": ("rep",)},
                      https_only=True)
    try:
        with Client(app, base_url="https://testserver") as client:
            assert "; secure" in sign_in_cookie(client)
    finally:
        dispose(app)


def test_the_session_cookie_is_not_secure_by_default(shop):
    with Client(shop.app) as client:
        assert "secure" not in sign_in_cookie(client)


@pytest.mark.parametrize("path", ["/", "/e/lead", "/account/tokens", "/e/lead/999",
                                  "/login", "/openapi.json"])
def test_pages_seen_signed_in_are_not_stored(shop, path):
    with Client(shop.app) as client:
        client.login("rita", PASSWORD)
        assert client.get(path).headers["cache-control"] == "no-store", path


@pytest.mark.parametrize("path", ["/api/me", "/api/lead", "/api/lead/999", "/api/nothing"])
def test_api_answers_are_not_stored(shop, path):
    with Client(shop.app, headers={"Authorization": f"Bearer {shop.token}"}) as api:
        assert api.get(path).headers["cache-control"] == "no-store", path
    with Client(shop.app) as anonymous:
        assert anonymous.get(path).headers["cache-control"] == "no-store", path


def test_static_files_may_be_cached(shop):
    with Client(shop.app) as client:
        response = client.get("/static/guanxi.css")
    assert response.status_code == 200 and "cache-control" not in response.headers


def test_proxy_headers_are_trusted_only_when_addresses_are_given():
    parser = build_parser()
    plain = parser.parse_args(["serve", "proj"])
    behind = parser.parse_args(["serve", "proj", "--forwarded-allow-ips", "10.0.0.5,10.0.0.6"])
    assert proxy_options(plain) == {"proxy_headers": False}
    assert proxy_options(behind) == {"proxy_headers": True,
                                     "forwarded_allow_ips": "10.0.0.5,10.0.0.6"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_guanxi_serve_https_only_behind_a_proxy_sends_a_secure_cookie(write_project,
                                                                     sqlite_url):
    project = write_project(SHOP_PROJECT)
    assert main(["migrate", str(project), "--db", sqlite_url]) == 0
    from guanxi.store.database import create_engine

    engine = create_engine(sqlite_url)
    users.add_user(engine, "rita", PASSWORD, ["rep"])
    engine.dispose()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "guanxi.cli", "serve", str(project), "--db", sqlite_url,
         "--port", str(port), "--https-only", "--forwarded-allow-ips", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        proxied = {"X-Forwarded-Proto": "https"}
        with httpx.Client(base_url=base, headers=proxied) as browser:
            page = browser.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            # The cookie is Secure; the proxy says the visitor's side is HTTPS, so the
            # client sends it back as a browser would over HTTPS.
            cookie = page.headers["set-cookie"]
            assert "; secure" in cookie.lower()
            browser.cookies.set("guanxi_session", cookie.split(";")[0].split("=", 1)[1])
            signed = browser.post("/login", data={"username": "rita", "password": PASSWORD,
                                                  "csrf_token": token})
            assert signed.status_code == 303, signed.text
            assert "; secure" in signed.headers["set-cookie"].lower()
            assert signed.headers["cache-control"] == "no-store"
    finally:
        server.terminate()
        server.wait(timeout=10)
