"""Sessions live in the database (`gx_session`): signing out, a new password, deactivation
and "sign out everywhere" end them at once, in every server process; a copy of the old
cookie is then worth nothing."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from guanxi.accounts import sessions, users
from guanxi.server.app import SESSION_COOKIE, create_app
from server_app import PASSWORD, SHOP_PROJECT, Client, dispose, make_app

SECRET = "test-secret-" + "x" * 20


@pytest.fixture
def site(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    project = write_project(SHOP_PROJECT)
    app, made = make_app(project, db_url, {"rita": ("rep",), "max": ("manager",)})
    yield SimpleNamespace(app=app, project=project, db_url=db_url, rita=made["rita"],
                          engine=app.state.holder.current().engine)
    dispose(app)


class Stolen:
    """A copy of a signed-in browser's session cookie and CSRF token."""

    def __init__(self, client: Client) -> None:
        self.cookie = client.cookies[SESSION_COOKIE]
        self.csrf = client.csrf("/")

    def me(self, app) -> int:
        with Client(app) as replay:
            replay.cookies.set(SESSION_COOKIE, self.cookie)
            return replay.get("/api/me").status_code

    def create_lead(self, app) -> int:
        with Client(app) as replay:
            replay.cookies.set(SESSION_COOKIE, self.cookie)
            return replay.post("/api/lead", json={"name": "Replayed"},
                               headers={"X-CSRF-Token": self.csrf}).status_code


def signed_in(app, username: str = "rita") -> tuple[Client, Stolen]:
    client = Client(app)
    client.login(username, PASSWORD)
    return client, Stolen(client)


def leads(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM lead")).scalar_one()


def test_the_copied_cookie_works_while_signed_in(site):
    client, stolen = signed_in(site.app)
    with client:
        assert stolen.me(site.app) == 200
        assert stolen.create_lead(site.app) == 201


def test_a_cookie_replayed_after_sign_out_is_refused(site):
    client, stolen = signed_in(site.app)
    with client:
        assert client.form("/logout", {}, page="/").status_code == 303
    assert stolen.me(site.app) == 401
    assert stolen.create_lead(site.app) == 401
    assert leads(site.engine) == 0


def test_a_cookie_replayed_after_a_password_change_is_refused(site):
    client, stolen = signed_in(site.app)
    with client:
        users.set_password(site.engine, "rita", "a-brand-new-secret")
        assert client.get("/api/me").status_code == 401
    assert stolen.me(site.app) == 401
    assert stolen.create_lead(site.app) == 401


def test_a_cookie_replayed_after_set_password_on_the_command_line_is_refused(site):
    client, stolen = signed_in(site.app)
    client.close()
    done = subprocess.run(
        [sys.executable, "-m", "guanxi.cli", "users", "set-password", "rita",
         "--password-stdin", "--db", site.db_url, "--project", str(site.project)],
        input="a-brand-new-secret\n", capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert stolen.me(site.app) == 401
    assert stolen.create_lead(site.app) == 401


def test_sign_out_everywhere_from_another_process_ends_every_session(site):
    first, stolen_first = signed_in(site.app)
    second, stolen_second = signed_in(site.app)
    first.close()
    second.close()
    done = subprocess.run(
        [sys.executable, "-m", "guanxi.cli", "users", "sign-out", "rita", "--db", site.db_url,
         "--project", str(site.project)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "2 session(s) ended" in done.stdout
    for stolen in (stolen_first, stolen_second):
        assert stolen.me(site.app) == 401
        assert stolen.create_lead(site.app) == 401


def test_sign_out_everywhere_leaves_other_users_signed_in(site):
    client, stolen = signed_in(site.app, "max")
    client.close()
    assert users.sign_out(site.engine, "rita") == 0
    assert stolen.me(site.app) == 200


def test_signing_out_in_one_process_ends_the_session_in_another(site):
    other = create_app(site.project, site.db_url, SECRET)
    try:
        client, stolen = signed_in(site.app)
        assert stolen.me(other) == 200
        with client:
            client.form("/logout", {}, page="/")
        assert stolen.me(other) == 401
    finally:
        dispose(other)


def test_signing_out_one_browser_leaves_the_others_signed_in(site):
    first, _ = signed_in(site.app)
    second, stolen_second = signed_in(site.app)
    with first, second:
        first.form("/logout", {}, page="/")
        assert second.get("/api/me").status_code == 200
    assert stolen_second.me(site.app) == 200


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(site):
    client, stolen = signed_in(site.app)
    client.close()
    users.set_active(site.engine, "rita", False)
    assert stolen.me(site.app) == 401
    users.set_active(site.engine, "rita", True)
    assert stolen.me(site.app) == 401


def test_a_cookie_from_before_this_change_signs_nobody_in(site):
    """A validly signed cookie that names a user id (no session key) is worthless."""
    import base64
    import json

    from itsdangerous import TimestampSigner

    payload = base64.b64encode(json.dumps({"uid": site.rita.id}).encode())
    forged = TimestampSigner(SECRET).sign(payload).decode()
    with Client(site.app) as client:
        client.cookies.set(SESSION_COOKIE, forged)
        assert client.get("/api/me").status_code == 401


def test_a_session_ends_after_its_lifetime(site):
    live = sessions.start(site.engine, site.rita.id)
    expired = sessions.start(site.engine, site.rita.id, lifetime=dt.timedelta(seconds=-1))
    assert sessions.user_for(site.engine, live) == users.get_user(site.engine, site.rita.id)
    assert sessions.user_for(site.engine, expired) is None


def test_the_database_holds_only_a_hash_of_the_session_key(site):
    key = sessions.start(site.engine, site.rita.id)
    with site.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT id FROM gx_session")).scalars().all()
    assert key not in stored and sessions._digest(key) in stored


def test_signing_in_removes_expired_sessions(site):
    sessions.start(site.engine, site.rita.id, lifetime=dt.timedelta(seconds=-1))
    client, _ = signed_in(site.app)
    client.close()
    with site.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM gx_session")).scalar_one() == 1


def test_sign_out_of_an_unknown_user_says_so(site, capsys):
    from guanxi.cli.main import main

    code = main(["users", "sign-out", "ghost", "--db", site.db_url,
                 "--project", str(Path(site.project))])
    assert code == 1
    assert "no user named 'ghost'" in capsys.readouterr().err
