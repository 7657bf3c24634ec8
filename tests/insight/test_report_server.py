"""Reports over HTTP: the JSON API (and its OpenAPI document), the report page with its
SVG chart, data table and drill-down links, the CSV download, and the home page's
dashboard; on both databases."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest
from guanxi.server.auth import tokens
from guanxi.server.security import CONTENT_SECURITY_POLICY
from report_world import PROJECT, World, seed
from server_app import PASSWORD, Client, dispose, foreign_scripts, make_app

ROLES = {"rita": ("rep",), "ralf": ("rep",), "mona": ("manager",), "wang": ("rep",)}


@pytest.fixture
def site(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    root = write_project(PROJECT)
    app, made = make_app(root, db_url, ROLES, language={"wang": "zh"})
    store = app.state.holder.current().store
    world = World(store.app, store, made["rita"], made["ralf"], made["mona"], made["wang"],
                  root)
    seed(world)
    engine = app.state.holder.current().engine
    clients: list[Client] = []

    def api(username: str) -> Client:
        token = tokens.issue(engine, made[username].id, "tests")
        client = Client(app, headers={"Authorization": f"Bearer {token}"})
        clients.append(client)
        return client

    def browser(username: str) -> Client:
        client = Client(app)
        client.login(username, PASSWORD)
        clients.append(client)
        return client

    yield SimpleNamespace(app=app, api=api, browser=browser)
    for client in clients:
        client.close()
    dispose(app)


def test_the_api_answers_a_report_as_json(site):
    response = site.api("mona").get("/api/reports/won_by_region")
    assert response.status_code == 200
    assert [(r["labels"]["account_region"], r["won"]) for r in response.json()["rows"]] == [
        ("East", 100), ("West", 999.99), ("(none)", 60)]


def test_the_api_takes_parameters_as_query_arguments(site):
    response = site.api("mona").get("/api/reports/won_by_month?from=2026-03-01")
    assert {r["close_date_month"] for r in response.json()["rows"]} == {"2026-03-01"}


def test_the_api_refuses_a_parameter_value_with_400(site):
    response = site.api("mona").get("/api/reports/won_by_month?from=soon")
    assert response.status_code == 400
    assert "parameter 'from'" in response.json()["detail"]


def test_the_api_answers_404_for_an_unknown_report(site):
    response = site.api("mona").get("/api/reports/nothing")
    assert (response.status_code, response.json()["error"]) == (404, "not_found")


def test_the_api_refuses_a_rep_a_report_over_a_hidden_field_with_403(site):
    response = site.api("rita").get("/api/reports/margin_by_product")
    assert response.status_code == 403


def test_the_api_lists_only_the_reports_the_caller_may_run(site):
    names = {r["name"] for r in site.api("rita").get("/api/reports").json()["items"]}
    assert "pipeline_by_stage" in names
    assert not names & {"margin_by_product", "by_rating", "big_accounts", "by_margin_param"}


def test_the_openapi_document_has_the_callers_reports_with_their_parameters(site):
    paths = site.api("rita").get("/openapi.json").json()["paths"]
    assert [p["name"] for p in paths["/api/reports/won_by_month"]["get"]["parameters"]] == [
        "from", "to", "mine"]
    assert "/api/reports/margin_by_product" not in paths


def test_the_report_page_shows_an_svg_chart_and_the_data_table(site):
    page = site.browser("mona").get("/reports/pipeline_by_stage")
    assert page.status_code == 200
    assert '<svg class="chart chart-funnel"' in page.text
    assert '<table class="records compact report-table">' in page.text


def test_the_report_page_keeps_the_strict_content_security_policy(site):
    page = site.browser("mona").get("/reports/won_by_month")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "style=" not in page.text and foreign_scripts(page.text) == []


def test_a_row_links_to_the_list_of_its_records(site):
    browser = site.browser("mona")
    page = browser.get("/reports/won_by_region")
    link = page.text.split('class="drill" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    where = parse_qs(urlparse(link).query)["where"][0]
    assert where == '(state == "won") and account.region == "east"'
    listed = browser.get(link)
    assert listed.status_code == 200
    assert ">A1<" in listed.text and ">A2<" not in listed.text


def test_a_drill_down_over_a_hidden_field_is_refused(site):
    response = site.browser("rita").get(
        "/e/deal?where=" + "account.rating%20%3D%3D%205")
    assert response.status_code == 400


def test_the_csv_download_is_an_attachment_with_a_heading_row(site):
    response = site.browser("mona").get("/reports/won_by_region/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="won_by_region.csv"'
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0] == ["Region", "Won", "Deals"]


def test_the_home_page_shows_the_users_dashboard_with_its_charts(site):
    home = site.browser("rita").get("/")
    assert "My selling" in home.text
    assert '<svg class="chart chart-funnel"' in home.text
    assert '<svg class="chart chart-kpi"' in home.text


def test_a_dashboard_tile_the_user_may_not_see_says_so(site):
    home = site.browser("rita").get("/")
    assert "Not available to you." in home.text
    assert "chart-pie" not in home.text


def test_a_list_tile_shows_the_matching_records(site):
    home = site.browser("ralf").get("/")
    assert ">B2</a>" in home.text


def test_the_dashboard_is_in_the_users_language(site):
    home = site.browser("wang").get("/")
    assert "我的销售" in home.text


def test_the_report_page_of_a_report_over_a_hidden_field_is_forbidden(site):
    assert site.browser("rita").get("/reports/margin_by_product").status_code == 403


def test_the_page_of_an_unknown_report_is_not_found(site):
    assert site.browser("mona").get("/reports/nothing").status_code == 404


def test_the_reports_page_lists_only_the_reports_the_user_may_run(site):
    page = site.browser("rita").get("/reports")
    assert 'href="/reports/pipeline_by_stage"' in page.text
    assert "margin_by_product" not in page.text


def test_the_excel_download_is_a_workbook_with_numbers_as_numbers(site):
    response = site.browser("mona").get("/reports/won_by_region/xlsx")
    assert response.headers["content-disposition"] == 'attachment; filename="won_by_region.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Region", "Won", "Deals"], ["East", 100, 1], ["West", 999.99, 1], ["(none)", 60, 1]]
