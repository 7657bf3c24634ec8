"""`guanxi demo` and `guanxi serve`: the sample database and the checks before serving."""

from __future__ import annotations

from pathlib import Path

import pytest
from guanxi.accounts import users
from guanxi.cli.main import main
from guanxi.cli.server import prepare_demo, reset_sqlite
from guanxi.data.demo import DEMO_USERS, PASSWORD
from guanxi.server.app import create_app
from server_app import Client, dispose


@pytest.fixture
def demo(acme_copy: Path):
    url = f"sqlite:///{acme_copy / 'demo.sqlite'}"
    store, report = prepare_demo(acme_copy, url)
    yield store, report, acme_copy, url
    store.dispose()


def test_demo_creates_a_user_for_every_role(demo):
    store, report, _, _ = demo
    roles = {role for u in users.list_users(store.engine) for role in u.roles}
    # every role a person holds; acme's `erp` is read as by its webhook, not signed in as
    assert roles == {r.name for r in store.app.spec.roles} - {"erp"}
    assert [login[0] for login in report.users] == [u[0] for u in DEMO_USERS]


def test_demo_seeds_records_of_every_entity_in_many_states(demo):
    store, report, _, _ = demo
    admin = users.find_user(store.engine, "admin")
    for entity in store.app.spec.entities:
        assert store.count(admin, entity.name) > 0, entity.name
    states = {r["state"] for r in store.list(admin, "lead", limit=200).items}
    assert {"new", "contacted", "qualified", "converted", "lost"} <= states
    assert report.skipped == 0


def test_demo_seeding_runs_once(demo):
    _, _, project, url = demo
    again_store, again = prepare_demo(project, url)
    again_store.dispose()
    assert again is None


def test_demo_rep_sees_only_her_own_leads(demo):
    store, _, project, url = demo
    rita = users.find_user(store.engine, "rita")
    app = create_app(project, url, "demo-test-secret")
    try:
        with Client(app) as client:
            client.login("rita", PASSWORD)
            page = client.get("/e/lead").text
        own = store.list(rita, "lead", limit=200).items
        assert own and all(r["owner"] == rita.id for r in own)
        assert all(r["name"] in page for r in own[:5])
    finally:
        dispose(app)


def test_serve_refuses_a_database_that_does_not_match_the_project(acme_copy, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert main(["serve", str(acme_copy), "--db", url]) == 1
    assert "guanxi migrate" in capsys.readouterr().err


def test_serve_reports_a_broken_project(write_project, tmp_path, capsys):
    root = write_project({"guanxi.yaml": "project: Bad Name\n"})
    assert main(["serve", str(root), "--db", f"sqlite:///{tmp_path / 'x.sqlite'}"]) == 1
    assert "guanxi.yaml" in capsys.readouterr().err


def test_demo_names_no_two_records_of_an_entity_alike(demo):
    store, _, _, _ = demo
    admin = users.find_user(store.engine, "admin")
    for entity, title in (("contact", "name"), ("lead", "name"), ("opportunity", "name"),
                          ("account", "name")):
        names = [r[title] for r in store.list(admin, entity, limit=500).items]
        assert len(names) == len(set(names)), entity


def test_demo_companies_earn_in_proportion_to_their_size(demo):
    store, _, _, _ = demo
    admin = users.find_user(store.engine, "admin")
    for account in store.list(admin, "account", limit=100).items:
        per_employee = account["annual_revenue"] / account["employees"]  # thousands of USD
        assert 100 <= per_employee <= 400, account["name"]


def test_demo_reset_starts_again_from_fresh_sample_data(acme_copy):
    url = f"sqlite:///{acme_copy / 'demo.sqlite'}"
    store, _ = prepare_demo(acme_copy, url)
    admin = users.find_user(store.engine, "admin")
    store.create(admin, "account", {"name": "Typed during the tour"})
    store.dispose()
    assert reset_sqlite(url) is None
    store, report = prepare_demo(acme_copy, url)
    try:
        assert report is not None
        admin = users.find_user(store.engine, "admin")
        assert store.count(admin, "account", where='name == "Typed during the tour"') == 0
    finally:
        store.dispose()


def test_demo_reset_refuses_to_drop_a_postgresql_database():
    assert "SQLite" in reset_sqlite("postgresql://postgres@127.0.0.1/acme")


@pytest.mark.parametrize("url, says", [
    ("mysql://root@127.0.0.1/acme", "unsupported database URL scheme 'mysql'"),
    ("not a url", "is not a database URL"),
])
def test_a_database_url_guanxi_cannot_use_is_one_line_not_a_traceback(acme_copy, capsys,
                                                                       url, says):
    assert main(["migrate", str(acme_copy), "--db", url]) == 1
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and err.count("\n") == 1
