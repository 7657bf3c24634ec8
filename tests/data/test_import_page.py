"""The import pages: upload, the mapping screen with its value maps, a preview with each
row's problems, the run queued as a job with its progress, history and undo."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import yaml
from crm_project import PROJECT
from guanxi.automation.worker import Worker
from guanxi.data import plug
from server_app import PASSWORD, Client, dispose, make_app

USERS = {"mona": ("manager",), "ada": ("admin",), "rita": ("rep",)}
CSV = "名称,邮箱\nAda,ada@example.com\nBo,not-an-email\n"
TIERED = "Name,Level\nAda,Gold\nBo,Platinum\nCy,gld\n"

plug.install()


@pytest.fixture
def app(write_project, db_url: str) -> Iterator[object]:
    made, _ = make_app(write_project(PROJECT), db_url, USERS)
    yield made
    dispose(made)


def upload(client: Client, text: str, **fields: str):
    token = client.csrf("/import")
    return client.post("/import", data={"csrf_token": token, "entity": "customer", **fields},
                       files={"file": ("customers.csv", text.encode("utf-8"), "text/csv")})


def token_of(page) -> str:
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


def again(client: Client, token: str, **fields: str):
    return client.post("/import", data={
        "csrf_token": client.csrf("/import"), "entity": "customer", "token": token,
        "name": "customers.csv", **fields})


def work(app: object) -> None:
    """One pass of the automation worker, as `guanxi serve` runs it every second."""
    Worker(app.state.holder.current().store).tick()  # type: ignore[attr-defined]


def customers(app: object) -> list[tuple[str, str | None]]:
    store = app.state.holder.current().store  # type: ignore[attr-defined]
    with store.engine.connect() as conn:
        table = store.app.entity("customer").table
        return [(r.name, r.tier) for r in conn.execute(table.select().where(
            table.c.deleted_at.is_(None)).order_by(table.c.id))]


def test_a_preview_shows_each_rows_problems_and_writes_nothing(app) -> None:
    with Client(app) as client:
        client.login("mona", PASSWORD)
        page = upload(client, CSV, action="preview", mode="skip-bad")
    assert page.status_code == 200
    assert "not-an-email" in page.text and "Name" in page.text
    assert customers(app) == []


def test_the_mapping_screen_suggests_fields_and_offers_the_values_no_option_takes(
        app) -> None:
    with Client(app) as client:
        client.login("mona", PASSWORD)
        page = upload(client, TIERED, action="map")
    assert page.status_code == 200
    level = re.search(r'<select name="col_1"[^>]*>(.*?)</select>', page.text, re.S).group(1)
    assert '<option value="" selected>' in level  # "Level" matches no field by name
    page_name = re.search(r'<select name="col_0"[^>]*>(.*?)</select>', page.text, re.S)
    assert '<option value="name" selected>' in page_name.group(1)
    with Client(app) as client:
        client.login("mona", PASSWORD)
        chosen = again(client, token_of(page), action="map", mapped="1", col_0="name",
                       col_1="tier")
    offered = re.findall(r'name="from_1_\d+" value="([^"]*)"', chosen.text)
    assert offered == ["Platinum", "gld", ""]  # Gold is an option's label; a blank to add


def test_a_value_map_edited_on_the_screen_is_used_and_downloaded_as_yaml(app) -> None:
    with Client(app) as client:
        client.login("mona", PASSWORD)
        token = token_of(upload(client, TIERED, action="map"))
        edited = {"mapped": "1", "col_0": "name", "col_1": "tier",
                  "from_1_0": "Platinum", "to_1_0": "gold", "from_1_1": "gld", "to_1_1": "gold"}
        download = again(client, token, action="download", **edited)
        preview = again(client, token, action="preview", **edited)
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    assert yaml.safe_load(download.text) == {
        "entity": "customer",
        "columns": {"Name": {"field": "name"},
                    "Level": {"field": "tier", "values": {"Platinum": "gold", "gld": "gold"}}}}
    assert "3 created" in preview.text and 'value="run"' in preview.text


def test_two_columns_filling_one_field_are_refused_next_to_the_column(app) -> None:
    with Client(app) as client:
        client.login("mona", PASSWORD)
        token = token_of(upload(client, TIERED, action="map"))
        page = again(client, token, action="preview", mapped="1", col_0="name", col_1="name")
    assert page.status_code == 400
    assert "fills &#39;name&#39;, which column &#39;Name&#39; already fills" in page.text
    assert customers(app) == []


def test_a_run_is_queued_as_a_job_and_its_page_shows_the_progress(app) -> None:
    with Client(app) as client:
        client.login("mona", PASSWORD)
        token = token_of(upload(client, TIERED, action="map"))
        run = again(client, token, action="run", mapped="1", col_0="name", col_1="tier",
                    from_1_0="Platinum", to_1_0="silver", from_1_1="gld", to_1_1="gold")
        assert run.status_code == 303
        batch_url = run.headers["location"]
        waiting = client.get(batch_url)
        assert waiting.headers["refresh"] == "2"
        assert client.get(f"{batch_url}/progress").json()["status"] == "queued"
        assert customers(app) == []
        work(app)
        done = client.get(f"{batch_url}/progress").json()
        finished = client.get(batch_url)
    assert (done["status"], done["done"], done["total"], done["created"]) == ("done", 3, 3, 3)
    assert "refresh" not in finished.headers
    assert customers(app) == [("Ada", "gold"), ("Bo", "silver"), ("Cy", "gold")]


def test_an_uploaded_file_is_imported_after_its_preview_and_undone(app) -> None:
    with Client(app) as client:
        client.login("ada", PASSWORD)
        preview = upload(client, CSV, action="preview", mode="skip-bad")
        run = again(client, token_of(preview), mode="skip-bad", action="run")
        work(app)
        batch = run.headers["location"].rsplit("/", 1)[1]
        page = client.get(f"/import/{batch}")
        assert "not-an-email" in page.text  # the refused row's problem
        assert customers(app) == [("Ada", None)]
        undone = client.form(f"/import/{batch}/undo", {}, page="/import")
        assert undone.status_code == 303
    assert customers(app) == []


def test_an_import_is_shown_only_to_its_sender_and_administrators(app) -> None:
    with Client(app) as client:
        client.login("mona", PASSWORD)
        run = again(client, token_of(upload(client, CSV, action="map")), action="run",
                    mode="skip-bad")
        batch_url = run.headers["location"]
    with Client(app) as client:
        client.login("rita", PASSWORD)
        assert client.get(batch_url).status_code == 404
        assert client.get(f"{batch_url}/progress").status_code == 404
    with Client(app) as client:
        client.login("ada", PASSWORD)
        assert client.get(batch_url).status_code == 200
