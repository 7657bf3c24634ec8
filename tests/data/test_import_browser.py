"""The web import in a real Chromium against a real uvicorn server with its worker:
upload, map a column and its values, preview, run, and watch the progress page refresh
itself until the job is done."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import uvicorn
from crm_project import PROJECT
from guanxi.data import plug
from server_app import PASSWORD, dispose, free_port, make_app, start_server

pytestmark = pytest.mark.browser

TIERED = "Name,Level\nAda,Gold\nBo,Platinum\nCy,gld\n"

plug.install()


@pytest.fixture
def live(write_project, sqlite_url: str) -> Iterator[SimpleNamespace]:
    app, _ = make_app(write_project(PROJECT), sqlite_url, {"mona": ("manager",)},
                      worker=True)
    port = free_port()
    server, thread = start_server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                 log_level="warning", ws="none",
                                                 lifespan="on"))
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}",
                          store=app.state.holder.current().store)
    server.should_exit = True
    thread.join(timeout=10)
    dispose(app)


def tiers(live: SimpleNamespace) -> list[tuple[str, str]]:
    store = live.store
    table = store.app.entity("customer").table
    with store.engine.connect() as conn:
        return [(r.name, r.tier) for r in conn.execute(table.select().order_by(table.c.id))]


def test_a_file_is_mapped_previewed_and_imported_while_the_page_shows_progress(
        browser, live, tmp_path: Path) -> None:
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text(TIERED, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live.url + "/login")
    page.fill("#username", "mona")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live.url + "/")
    page.goto(live.url + "/import")
    page.select_option('select[name="entity"]', "customer")
    page.set_input_files('input[name="file"]', str(csv_file))
    page.click('button[value="preview"]')
    page.select_option('select[name="col_1"]', "tier")
    page.click('button[value="map"]')  # the Level column now offers its unknown values
    page.select_option('select[aria-label="Level: imported as Platinum"]', "silver")
    page.select_option('select[aria-label="Level: imported as gld"]', "gold")
    page.click('button[value="preview"]')
    assert "3 created" in page.locator("section.card").first.inner_text()
    page.click('button[value="run"]')
    page.wait_for_url(f"{live.url}/import/*")
    page.locator(".import-status", has_text="done").wait_for(timeout=30_000)
    assert "3 of 3 rows" in page.locator(".import-rows").inner_text()
    assert tiers(live) == [("Ada", "gold"), ("Bo", "silver"), ("Cy", "gold")]
