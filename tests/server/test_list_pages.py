"""List pages over HTTP: the filter bar's filters of every type in the URL, columns,
the owner column, totals, page numbers, saved and shared views, bulk actions, record
suggestions, and the board's filters and totals."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from lists_project import LISTS_PROJECT
from server_app import Client, dispose, make_app

PASSWORD = "long-secret-pw"
ROLES = {"rita": ("rep",), "rob": ("rep",), "max": ("manager",)}


@pytest.fixture
def shop(write_project, sqlite_url: str) -> Iterator[SimpleNamespace]:
    app, made = make_app(write_project(LISTS_PROJECT), sqlite_url, ROLES)
    yield SimpleNamespace(app=app, users=made, store=app.state.holder.current().store)
    dispose(app)


@pytest.fixture
def rita(shop) -> Iterator[Client]:
    with Client(shop.app) as client:
        client.login("rita", PASSWORD)
        yield client


@pytest.fixture
def max_(shop) -> Iterator[Client]:
    with Client(shop.app) as client:
        client.login("max", PASSWORD)
        yield client


def lead(shop, owner: str = "rita", **values):
    return shop.store.create(shop.users[owner], "lead", {"name": "L", **values})


def row_names(html: str) -> list[str]:
    return re.findall(r'<tr data-id="\d+">\s*<td class="pick">.*?</td>\s*<td><a [^>]*>([^<]*)</a>',
                      html, flags=re.S)


def test_a_money_range_in_the_url_filters_the_list(shop, rita):
    lead(shop, name="small", value=10)
    lead(shop, name="big", value=5000)
    page = rita.get("/e/lead", params={"value.from": "100", "value.to": "10000"})
    assert page.status_code == 200 and row_names(page.text) == ["big"]


def test_a_date_range_in_the_url_filters_the_list(shop, rita):
    lead(shop, name="early", due=dt.date(2026, 1, 5))
    lead(shop, name="late", due=dt.date(2026, 3, 5))
    page = rita.get("/e/lead", params={"due.from": "2026-02-01"})
    assert row_names(page.text) == ["late"]


def test_owner_reference_and_boolean_filters_in_the_url(shop, max_):
    account = shop.store.create(shop.users["max"], "account", {"name": "Acme"})
    lead(shop, name="robs", owner="rob", hot=True, account=account["id"])
    lead(shop, name="ritas", hot=False)
    rob = shop.users["rob"].id
    assert row_names(max_.get("/e/lead", params={"owner": rob}).text) == ["robs"]
    assert row_names(max_.get("/e/lead", params={"hot": "true"}).text) == ["robs"]
    assert row_names(max_.get("/e/lead", params={"account": account["id"]}).text) == ["robs"]


def test_a_filter_that_cannot_be_read_is_a_clear_error(shop, rita):
    for params, said in (({"value.from": "lots"}, "value"), ({"nope": "1"}, "nope"),
                         ({"name.from": "a"}, "range"), ({"owner": "x"}, "owner")):
        page = rita.get("/e/lead", params=params)
        assert page.status_code == 400, params
        assert said in page.text


def test_the_api_reads_ranges_too(shop, rita):
    lead(shop, name="small", value=10)
    lead(shop, name="big", value=5000)
    found = rita.get("/api/lead", params={"value.from": "100"}).json()
    assert [r["name"] for r in found["items"]] == ["big"]
    refused = rita.get("/api/lead", params={"email.to": "x"})
    assert refused.status_code == 400 and refused.json()["error"] == "bad_filter"


def test_the_filter_bar_offers_ranges_pickers_and_selects(shop, rita):
    page = rita.get("/e/lead").text
    assert 'name="value.from"' in page and 'name="due.to"' in page
    assert 'data-picker="account"' in page
    assert '<select name="owner"' in page and '<select name="hot"' in page


def test_the_list_shows_an_owner_column_and_money_with_its_currency(shop, rita):
    lead(shop, name="x", value=1234.5)
    page = rita.get("/e/lead").text
    assert ">Owner<" in page and ">Rita<" in page
    assert re.search(r'<td class="num">1,234.50 CNY</td>', page)


def test_the_totals_row_sums_the_whole_filtered_list(shop, rita):
    for number in range(30):
        lead(shop, name=f"l{number:02d}", value=100)
    lead(shop, name="robs", owner="rob", value=99999)
    page = rita.get("/e/lead").text
    totals = page.split('<tr class="totals">')[1].split("</tr>")[0]
    assert "3,000.00 CNY" in totals


def test_the_column_chooser_picks_the_columns(shop, rita):
    lead(shop, name="x", email="x@example.com")
    page = rita.get("/e/lead", params=[("columns", "email"), ("columns", "created_at")]).text
    header = page.split("<thead>")[1].split("</thead>")[0]
    assert ">Name<" in header and ">E-mail<" in header and ">Value<" not in header


def test_pages_are_numbered_with_the_total(shop, rita):
    for number in range(60):
        lead(shop, name=f"l{number:02d}")
    page = rita.get("/e/lead", params={"sort": "name", "page": "3"}).text
    assert row_names(page) == [f"l{n}" for n in range(50, 60)]
    assert "60 in total" in page and "page 3 of 3" in page
    assert 'aria-current="page">3<' in page and re.search(r'href="[^"]*page=1[^"]*">1<', page)


def test_a_page_past_the_last_is_not_found(shop, rita):
    assert rita.get("/e/lead", params={"page": "2"}).status_code == 404
    assert rita.get("/e/lead", params={"page": "zero"}).status_code == 400


def test_a_user_saves_a_view_and_opens_it(shop, rita):
    lead(shop, name="big", value=5000)
    lead(shop, name="small", value=5)
    saved = rita.form("/e/lead/views", {"name": "Large", "query": "value.from=1000&page=2"},
                      page="/e/lead")
    assert saved.status_code == 303
    page = rita.get("/e/lead").text
    href = re.search(r'<a href="(/e/lead\?[^"]*)"[^>]*>Large</a>', page).group(1)
    assert "page" not in href
    assert row_names(rita.get(href.replace("&amp;", "&")).text) == ["big"]


def test_a_saved_view_is_the_users_own(shop, rita, max_):
    rita.form("/e/lead/views", {"name": "Mine", "query": "hot=true"}, page="/e/lead")
    assert ">Mine<" not in max_.get("/e/lead").text


def test_a_user_deletes_her_view(shop, rita):
    rita.form("/e/lead/views", {"name": "Gone", "query": ""}, page="/e/lead")
    view_id = re.search(r'/e/lead/views/(\d+)/delete', rita.get("/e/lead").text).group(1)
    assert rita.form(f"/e/lead/views/{view_id}/delete", {}, page="/e/lead").status_code == 303
    assert ">Gone<" not in rita.get("/e/lead").text


def test_a_view_with_a_bad_filter_is_not_saved(shop, rita):
    answer = rita.form("/e/lead/views", {"name": "Bad", "query": "value.from=lots"},
                       page="/e/lead")
    assert answer.status_code == 400


def test_shared_views_are_offered_to_their_roles(shop, rita, max_):
    lead(shop, name="big", value=5000)
    page = rita.get("/e/lead").text
    assert ">Big deals<" in page and ">Hot ones<" not in page
    assert ">Hot ones<" in max_.get("/e/lead").text
    href = re.search(r'<a class="view shared" href="([^"]*)"[^>]*>Big deals', page).group(1)
    opened = rita.get(href.replace("&amp;", "&")).text
    header = opened.split("<thead>")[1].split("</thead>")[0]
    assert row_names(opened) == ["big"] and ">E-mail<" not in header


def test_bulk_transition_reports_each_record(shop, max_):
    fresh = lead(shop, name="fresh")
    done = lead(shop, name="done")
    shop.store.transition(shop.users["max"], "lead", done["id"], "contact")
    answer = max_.form("/e/lead/bulk", {"action": "transition", "transition": "contact",
                                        "ids": [fresh["id"], done["id"]]}, page="/e/lead")
    assert answer.status_code == 200 and "1 done, 1 refused." in answer.text
    assert shop.store.get(shop.users["max"], "lead", fresh["id"])["state"] == "contacted"
    refused = answer.text.split(f'data-id="{done["id"]}"')[1].split("</tr>")[0]
    assert "contact" in refused.lower()


def test_bulk_assigns_an_owner_through_the_rules(shop, rita, max_):
    mine = lead(shop, name="mine")
    robs = lead(shop, name="robs", owner="rob")
    answer = rita.form("/e/lead/bulk", {"action": "owner", "owner_to": shop.users["max"].id,
                                        "ids": [mine["id"], robs["id"]]}, page="/e/lead")
    assert "1 done, 1 refused." in answer.text
    assert shop.store.get(shop.users["max"], "lead", mine["id"])["owner"] == \
        shop.users["max"].id
    assert shop.store.get(shop.users["max"], "lead", robs["id"])["owner"] == \
        shop.users["rob"].id


def test_bulk_edit_of_a_field_validates_each_record(shop, max_):
    one = lead(shop, name="one")
    answer = max_.form("/e/lead/bulk", {"action": "edit", "field": "value", "value": "-5",
                                        "ids": [one["id"]]}, page="/e/lead")
    assert "0 done, 1 refused." in answer.text
    answer = max_.form("/e/lead/bulk", {"action": "edit", "field": "value", "value": "70",
                                        "ids": [one["id"]]}, page="/e/lead")
    assert "1 done, 0 refused." in answer.text
    assert shop.store.get(shop.users["max"], "lead", one["id"])["value"] == 70


def test_bulk_delete_keeps_to_delete_rights(shop, rita, max_):
    one = lead(shop, name="one")
    assert "0 done, 1 refused." in rita.form(
        "/e/lead/bulk", {"action": "delete", "ids": [one["id"]]}, page="/e/lead").text
    assert "1 done, 0 refused." in max_.form(
        "/e/lead/bulk", {"action": "delete", "ids": [one["id"]]}, page="/e/lead").text


def test_bulk_export_sends_the_selection_the_user_may_read(shop, rita):
    one = lead(shop, name="one")
    lead(shop, name="two")
    robs = lead(shop, name="robs", owner="rob")
    answer = rita.form("/e/lead/bulk", {"action": "export", "columns": "name,value",
                                        "ids": [one["id"], robs["id"]]}, page="/e/lead")
    assert answer.headers["content-type"].startswith("text/csv")
    assert "one" in answer.text and "two" not in answer.text and "robs" not in answer.text


def test_bulk_without_a_selection_is_refused(shop, rita):
    answer = rita.form("/e/lead/bulk", {"action": "delete"}, page="/e/lead")
    assert answer.status_code == 400


def test_suggestions_find_records_by_title_and_number_within_row_rules(shop, rita):
    first = lead(shop, name="Hottechi deal")
    lead(shop, name="Hottechi other", owner="rob")
    found = rita.get("/e/lead/suggest", params={"q": "hottechi"}).json()["items"]
    assert found == [{"id": first["id"], "title": "Hottechi deal"}]
    by_number = rita.get("/e/lead/suggest", params={"q": str(first["id"])}).json()["items"]
    assert by_number[0]["id"] == first["id"]


def test_a_reference_to_many_records_is_a_picker_not_a_select(shop, rita):
    shop.store.bulk_insert(shop.users["max"], "account",
                           [{"name": f"Account {n:04d}"} for n in range(1, 202)])
    form = rita.get("/e/lead/new").text
    assert 'data-picker="account"' in form and '<select id="f-account"' not in form
    last = rita.get("/e/account/suggest", params={"q": "Account 0201"}).json()["items"][0]
    created = rita.form("/e/lead/new", {"name": "Far", "account": str(last["id"])})
    assert created.status_code == 303


def test_a_reference_to_few_records_stays_a_select(shop, rita):
    shop.store.create(shop.users["max"], "account", {"name": "Acme"})
    form = rita.get("/e/lead/new").text
    assert 'data-picker="account"' not in form and ">Acme</option>" in form


def test_the_board_applies_the_lists_filters(shop, max_):
    lead(shop, name="robs", owner="rob")
    lead(shop, name="ritas")
    board = max_.get("/e/lead/board", params={"owner": shop.users["rob"].id}).text
    assert ">robs<" in board and ">ritas<" not in board
    assert max_.get("/e/lead/board", params={"value.from": "x"}).status_code == 400


def test_board_columns_show_counts_and_the_total_of_their_amounts(shop, rita):
    lead(shop, name="a", value=100)
    lead(shop, name="b", value=250)
    board = rita.get("/e/lead/board").text
    column = board.split('data-state="new"')[1].split("</section>")[0]
    assert '<span class="count">2</span>' in column and "350.00 CNY" in column


def test_board_cards_show_the_fields_the_yaml_chooses(shop, rita):
    lead(shop, name="a", value=100, due=dt.date(2026, 5, 1), email="a@example.com")
    card = rita.get("/e/lead/board").text.split('class="kcard"')[1].split("</article>")[0]
    assert 'data-field="value"' in card and 'data-field="due"' in card
    assert "a@example.com" not in card


def test_final_columns_start_collapsed(shop, rita):
    board = rita.get("/e/lead/board").text
    won = board.split('data-state="won"')[1].split("</section>")[0]
    new = board.split('data-state="new"')[1].split("</section>")[0]
    assert "<details>" in won and "<details open>" in new
