"""Signing in and out, the brake on guessing, session cookies, security headers, tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from guanxi.accounts import users
from guanxi.server.auth.brake import LoginBrake
from server_app import SHOP_PROJECT, Client, dispose, make_app


class FakeClock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def site(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    clock = FakeClock()
    app, made = make_app(write_project(SHOP_PROJECT), db_url, {"rita": ("rep",)},
                         brake=LoginBrake(limit=3, wait_seconds=60, clock=clock))
    yield SimpleNamespace(app=app, clock=clock, rita=made["rita"],
                          engine=app.state.holder.current().engine)
    dispose(app)


def attempt(client: Client, password: str, username: str = "rita"):
    return client.form("/login", {"username": username, "password": password})


def test_wrong_password_is_refused_with_a_message(site):
    with Client(site.app) as client:
        response = attempt(client, "wrong")
    assert response.status_code == 401
    assert "Wrong username or password" in response.text
    assert 'value="rita"' in response.text  # the username is kept


def test_right_password_signs_in_and_goes_to_next(site):
    with Client(site.app) as client:
        token = client.csrf("/login?next=/e/lead")
        response = client.post("/login", data={"username": "rita", "password": "long-secret-pw",
                                                "next": "/e/lead", "csrf_token": token})
        assert response.status_code == 303 and response.headers["location"] == "/e/lead"
        assert client.get("/e/lead").status_code == 200


def test_next_may_not_leave_the_site(site):
    with Client(site.app) as client:
        token = client.csrf()
        response = client.post("/login", data={"username": "rita", "password": "long-secret-pw",
                                                "next": "//evil.example/", "csrf_token": token})
    assert response.headers["location"] == "/"


def test_sign_in_without_csrf_token_is_refused(site):
    with Client(site.app) as client:
        response = client.post("/login", data={"username": "rita", "password": "long-secret-pw"})
    assert response.status_code == 403


def test_repeated_failures_engage_the_brake_even_for_the_right_password(site):
    with Client(site.app) as client:
        for _ in range(3):
            attempt(client, "wrong")
        response = attempt(client, "long-secret-pw")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text


def test_brake_releases_after_the_wait(site):
    with Client(site.app) as client:
        for _ in range(3):
            attempt(client, "wrong")
        site.clock.now += 61
        assert attempt(client, "long-secret-pw").status_code == 303


def test_brake_is_per_username(site):
    users.add_user(site.engine, "rob", "other-secret-pw", ["rep"])
    with Client(site.app) as client:
        for _ in range(3):
            attempt(client, "wrong")
        assert attempt(client, "other-secret-pw", username="rob").status_code == 303


def test_session_cookie_is_httponly_and_samesite_lax(site):
    with Client(site.app) as client:
        response = attempt(client, "long-secret-pw")
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("guanxi_session=")
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_signing_in_starts_a_fresh_session_and_csrf_token(site):
    with Client(site.app) as client:
        before = client.csrf("/login")
        attempt(client, "long-secret-pw")
        after = client.csrf("/")
    assert before != after


def test_sign_out_ends_the_session(site):
    with Client(site.app) as client:
        attempt(client, "long-secret-pw")
        response = client.form("/logout", {}, page="/")
        assert response.status_code == 303
        assert client.get("/").status_code == 303  # back to sign-in


def test_pages_carry_the_security_headers(site):
    with Client(site.app) as client:
        for path in ("/login", "/static/guanxi.css", "/openapi.json", "/api/lead"):
            headers = client.get(path).headers
            csp = headers["content-security-policy"]
            assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
            assert headers["x-content-type-options"] == "nosniff", path
            assert headers["referrer-policy"] == "same-origin", path


def test_pages_load_nothing_from_elsewhere(site):
    with Client(site.app) as client:
        attempt(client, "long-secret-pw")
        page = client.get("/e/lead/new").text
    assert "http://" not in page and "https://" not in page
    # Scripts are the project's own static files, never inline.
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.DOTALL)
    assert page.count("<script") == page.count('<script src="/static/js/')
    assert all(body == "" for body in scripts)


def test_tokens_page_shows_a_new_token_once(site):
    with Client(site.app) as client:
        attempt(client, "long-secret-pw")
        created = client.form("/account/tokens", {"label": "CI"})
        token = created.text.split('<pre class="token">')[1].split("</pre>")[0]
        listing = client.get("/account/tokens").text
        assert "CI" in listing and token not in listing
    with Client(site.app, headers={"Authorization": f"Bearer {token}"}) as api:
        assert api.get("/api/me").json()["username"] == "rita"


def test_revoked_token_stops_working(site):
    with Client(site.app) as client:
        attempt(client, "long-secret-pw")
        created = client.form("/account/tokens", {"label": "temp"})
        token = created.text.split('<pre class="token">')[1].split("</pre>")[0]
        token_id = created.text.split('name="revoke" value="')[1].split('"')[0]
        client.form("/account/tokens", {"revoke": token_id})
    with Client(site.app, headers={"Authorization": f"Bearer {token}"}) as api:
        assert api.get("/api/me").status_code == 401
