"""acme's standard reports and dashboards on its demo data: every role's home page shows
its dashboard with charts and nothing it may not see; every report runs for the roles
whose dashboards hold it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from guanxi.accounts import users
from guanxi.cli.server import prepare_demo
from guanxi.data.demo import DEMO_USERS, PASSWORD
from guanxi.insight.reading import insight_of
from guanxi.insight.running import run_report
from guanxi.server.app import create_app
from server_app import Client

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme"
DASHBOARDS = {"admin": "Sales team", "mona": "Sales team", "rita": "My selling",
              "wei": "我的销售", "sue": "My service desk", "li": "我的服务台"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    url = f"sqlite:///{tmp_path_factory.mktemp('acme') / 'demo.sqlite'}"
    store, _ = prepare_demo(ACME, url)
    yield SimpleNamespace(store=store, url=url)
    store.dispose()


@pytest.mark.parametrize("username", [u[0] for u in DEMO_USERS])
def test_each_roles_home_page_shows_its_dashboard_with_charts(demo, username):
    app = create_app(ACME, demo.url, "test-secret-" + "x" * 20)
    with Client(app) as client:
        client.login(username, PASSWORD)
        home = client.get("/")
    app.state.holder.current().store.dispose()
    assert DASHBOARDS[username] in home.text
    assert '<svg class="chart' in home.text
    assert "Not available to you." not in home.text and "您无权查看" not in home.text


def test_every_report_runs_for_each_role_whose_dashboard_holds_it(demo):
    insight = insight_of(demo.store.app.spec)
    for user in users.list_users(demo.store.engine):
        dashboard = insight.dashboard_for(user.roles)
        assert dashboard is not None
        for tile in dashboard.tiles:
            if tile.report:
                assert run_report(demo.store, user, tile.report).report.name == tile.report
