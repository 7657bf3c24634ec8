"""API tokens from the command line (`guanxi tokens add | list | revoke`), with an optional
expiry (expired tokens are refused) and the time of their last use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from guanxi.cli.main import main
from guanxi.server.auth import tokencache, tokens
from server_app import SHOP_PROJECT, Client, dispose, make_app


@pytest.fixture
def site(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    project = write_project(SHOP_PROJECT)
    app, made = make_app(project, db_url, {"rita": ("rep",), "max": ("manager",)})
    engine = app.state.holder.current().engine
    yield SimpleNamespace(app=app, engine=engine, rita=made["rita"],
                          cli=["--db", db_url, "--project", str(project)])
    dispose(app)


def me(site, token: str) -> int:
    with Client(site.app, headers={"Authorization": f"Bearer {token}"}) as api:
        return api.get("/api/me").status_code


def stored(site, token: str) -> sa.Row:
    with site.engine.connect() as conn:
        return conn.execute(sa.select(tokens.api_tokens).where(
            tokens.api_tokens.c.token_hash == tokens.digest(token))).one()


def aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def test_tokens_add_prints_a_working_token_once(site, capsys):
    assert main(["tokens", "add", "rita", "--name", "nightly import", *site.cli]) == 0
    out = capsys.readouterr()
    token = out.out.strip()
    assert token.startswith("gx_") and "shown only now" in out.err
    assert me(site, token) == 200
    assert main(["tokens", "list", "rita", *site.cli]) == 0
    listing = capsys.readouterr().out
    assert "nightly import" in listing and token not in listing


def test_tokens_add_with_expires_sets_the_expiry(site, capsys):
    assert main(["tokens", "add", "rita", "--expires", "30d", *site.cli]) == 0
    row = stored(site, capsys.readouterr().out.strip())
    expected = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    assert abs((aware(row.expires_at) - expected).total_seconds()) < 60


def test_an_expired_token_is_refused(site):
    token = tokens.issue(site.engine, site.rita.id, "short", dt.timedelta(hours=1))
    assert me(site, token) == 200
    with site.engine.begin() as conn:
        conn.execute(tokens.api_tokens.update().values(
            expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    tokencache.for_engine(site.engine, tokens.WATCHED_TABLES).clear()
    assert me(site, token) == 401


def test_a_token_about_to_expire_is_not_remembered(site):
    token = tokens.issue(site.engine, site.rita.id, "", dt.timedelta(seconds=2))
    assert me(site, token) == 200
    cache = tokencache.for_engine(site.engine, tokens.WATCHED_TABLES)
    assert cache.get(tokens.digest(token)) is None


def test_the_last_use_is_recorded_at_most_once_a_minute(site):
    token = tokens.issue(site.engine, site.rita.id)
    assert stored(site, token).last_used_at is None
    assert me(site, token) == 200
    first = stored(site, token).last_used_at
    assert abs((aware(first) - dt.datetime.now(dt.UTC)).total_seconds()) < 60
    tokencache.for_engine(site.engine, tokens.WATCHED_TABLES).clear()
    assert me(site, token) == 200
    assert stored(site, token).last_used_at == first


def test_recording_the_last_use_keeps_the_remembered_tokens(site):
    token = tokens.issue(site.engine, site.rita.id)
    assert me(site, token) == 200
    cache = tokencache.for_engine(site.engine, tokens.WATCHED_TABLES)
    assert cache.get(tokens.digest(token)) is not None


def test_tokens_revoke_stops_the_token_at_once(site, capsys):
    token = tokens.issue(site.engine, site.rita.id, "old")
    assert me(site, token) == 200
    (info,) = tokens.list_for(site.engine, site.rita.id)
    assert main(["tokens", "revoke", str(info.id), *site.cli]) == 0
    assert "revoked API token" in capsys.readouterr().out
    assert me(site, token) == 401


def test_tokens_revoke_of_an_unknown_id_says_so(site, capsys):
    assert main(["tokens", "revoke", "999", *site.cli]) == 1
    assert "no API token with id 999" in capsys.readouterr().err


@pytest.mark.parametrize("expires", ["soon", "0d", "-1d"])
def test_tokens_add_refuses_a_bad_expiry(site, capsys, expires):
    assert main(["tokens", "add", "rita", f"--expires={expires}", *site.cli]) == 1
    assert "is not a duration" in capsys.readouterr().err
    assert tokens.list_for(site.engine, site.rita.id) == []


def test_tokens_add_for_an_unknown_user_says_so(site, capsys):
    assert main(["tokens", "add", "ghost", *site.cli]) == 1
    assert "no active user named 'ghost'" in capsys.readouterr().err


def test_a_token_table_from_an_older_version_gains_the_new_columns(db_url):
    engine = sa.create_engine(db_url)
    old = sa.MetaData()
    sa.Table("guanxi_api_tokens", old,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("user_id", sa.Integer, nullable=False),
             sa.Column("label", sa.String(200), nullable=False),
             sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
             sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO guanxi_api_tokens (user_id, label, token_hash, "
                             "created_at) VALUES (1, 'kept', 'abc', :now)"),
                     {"now": dt.datetime.now(dt.UTC)})
    try:
        tokens.create_table(engine)
        tokens.create_table(engine)  # a second time changes nothing
        (info,) = tokens.list_all(engine)
        assert info.label == "kept" and info.expires_at is None and info.last_used_at is None
    finally:
        engine.dispose()
