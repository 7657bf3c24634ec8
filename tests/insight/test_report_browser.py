"""Charts in a real Chromium with the network cut off: only the application's own server
answers (every other host is unresolvable and every other request aborted), and the
dashboard's charts still draw, since they are SVG made on the server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import uvicorn
from guanxi.cli.server import prepare_demo
from guanxi.data.demo import PASSWORD
from guanxi.server.app import create_app
from playwright.sync_api import sync_playwright
from server_app import start_server

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OFFLINE_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live(sqlite_url: str) -> Iterator[SimpleNamespace]:
    """The acme demo (seeded) served by uvicorn on 127.0.0.1."""
    store, _ = prepare_demo(EXAMPLES / "acme", sqlite_url)
    store.dispose()
    app = create_app(EXAMPLES / "acme", sqlite_url, "test-secret-" + "x" * 20)
    port = free_port()
    server, thread = start_server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                 log_level="warning", ws="none",
                                                 lifespan="off"))
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)
    app.state.holder.current().store.dispose()


@pytest.fixture
def offline_page(chromium_path: str, live: SimpleNamespace) -> Iterator[SimpleNamespace]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path,
                                              args=OFFLINE_ARGS)
        page = chromium.new_page(viewport={"width": 1280, "height": 1000})
        elsewhere: list[str] = []

        def only_our_server(route, request) -> None:  # type: ignore[no-untyped-def]
            if request.url.startswith(live.url):
                route.continue_()
            else:
                elsewhere.append(request.url)
                route.abort()

        page.route("**/*", only_our_server)
        yield SimpleNamespace(page=page, elsewhere=elsewhere, url=live.url)
        chromium.close()


def sign_in(offline: SimpleNamespace, username: str) -> None:
    page = offline.page
    page.goto(offline.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(offline.url + "/")


def test_the_managers_dashboard_draws_its_charts_offline(offline_page, tmp_path):
    sign_in(offline_page, "mona")
    page = offline_page.page
    funnel = page.locator("svg.chart-funnel").first
    box = funnel.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    assert page.locator("svg.chart-funnel .mark").count() == 4
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
    assert offline_page.elsewhere == []


def test_a_report_page_draws_its_chart_beside_its_data_table_offline(offline_page,
                                                                     tmp_path):
    sign_in(offline_page, "rita")
    page = offline_page.page
    page.goto(offline_page.url + "/reports/won_by_product")
    assert page.locator("svg.chart-donut .mark").count() >= 1
    assert page.locator("table.report-table tbody tr").count() >= 1
    page.screenshot(path=tmp_path / "report.png", full_page=True)
    assert offline_page.elsewhere == []
