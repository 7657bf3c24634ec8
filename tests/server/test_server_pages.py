"""The staff pages, driven over HTTP against the real app and database (both backends)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from server_app import SHOP_PROJECT, Client, dispose, make_app

PASSWORD = "long-secret-pw"


ROLES = {"rita": ("rep",), "rob": ("rep",), "max": ("manager",), "nobody": ()}


@pytest.fixture
def shop(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    """The shop project served over a fresh database; users are added when first named
    (hashing a password is deliberately slow)."""
    root = write_project(SHOP_PROJECT)
    app, _ = make_app(root, db_url)
    yield SimpleNamespace(app=app, users=LazyUsers(app), root=root,
                          store=app.state.holder.current().store)
    dispose(app)


class LazyUsers(dict):
    def __init__(self, app) -> None:
        super().__init__()
        self.engine = app.state.holder.current().engine

    def __missing__(self, username: str):
        from guanxi.accounts import users

        self[username] = users.add_user(self.engine, username, PASSWORD, ROLES[username],
                                        display_name=username.capitalize())
        return self[username]


def signed_in(shop: SimpleNamespace, username: str, **headers: str) -> Client:
    shop.users[username]
    client = Client(shop.app, headers=headers)
    client.login(username, PASSWORD)
    return client


@pytest.fixture
def rita(shop: SimpleNamespace) -> Iterator[Client]:
    with signed_in(shop, "rita") as client:
        yield client


def field_block(html: str, name: str) -> str:
    """The HTML of one form field's block (label, widget, errors)."""
    match = re.search(rf'<div class="field[^"]*" data-field="{name}">(.*?)\n</div>', html, re.S)
    assert match, f"no field {name} on the page"
    return match.group(1)


def new_lead(shop: SimpleNamespace, owner: str = "rita", **values: object) -> dict:
    return shop.store.create(shop.users[owner], "lead",
                             {"name": "Ann Lee", "email": "ann@example.com", **values})


# ---------------------------------------------------------------- home and navigation


def test_anonymous_visitor_is_sent_to_sign_in(shop):
    with Client(shop.app) as client:
        response = client.get("/e/lead")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/e/lead"


def test_home_lists_the_entities_the_user_may_use(rita):
    page = rita.get("/").text
    assert 'href="/e/lead"' in page
    assert 'href="/e/account"' in page
    assert 'href="/e/lead/board"' in page


def test_user_without_roles_sees_no_entities(shop):
    with signed_in(shop, "nobody") as client:
        page = client.get("/").text
        assert 'href="/e/lead"' not in page
        assert client.get("/e/lead").status_code == 403


def test_unknown_entity_is_404(rita):
    assert rita.get("/e/nothing").status_code == 404


# ---------------------------------------------------------------- forms


def test_create_form_carries_the_field_constraints(rita):
    page = rita.get("/e/lead/new").text
    name = field_block(page, "name")
    assert 'required' in name and 'maxlength="80"' in name and 'type="text"' in name
    assert 'type="email"' in field_block(page, "email")
    value = field_block(page, "value")
    assert 'type="number"' in value and 'min="0"' in value and 'step="0.01"' in value
    source = field_block(page, "source")
    assert '<option value="web">' in source and '<option value="phone">' in source


def test_creating_a_lead_redirects_to_its_page(shop, rita):
    response = rita.form("/e/lead/new", {"name": "Bo Chen", "email": "bo@example.com",
                                         "value": "1200.50", "source": "web"})
    assert response.status_code == 303
    record_id = int(response.headers["location"].rsplit("/", 1)[1])
    stored = shop.store.get(shop.users["rita"], "lead", record_id)
    assert stored["name"] == "Bo Chen" and str(stored["value"]) == "1200.50"
    page = rita.get(response.headers["location"]).text
    assert "Bo Chen" in page and "1,200.50" in page


def test_bad_email_is_shown_next_to_the_field_with_the_input_kept(shop, rita):
    response = rita.form("/e/lead/new", {"name": "Bo Chen", "email": "bo@example"})
    assert response.status_code == 422
    email = field_block(response.text, "email")
    assert 'class="errors"' in email and "e-mail" in email.lower()
    assert 'value="bo@example"' in email
    assert 'value="Bo Chen"' in field_block(response.text, "name")
    assert shop.store.count(shop.users["max"], "lead") == 0


def test_missing_required_field_is_reported_on_that_field(rita):
    response = rita.form("/e/lead/new", {"name": "", "email": "x@example.com"})
    assert response.status_code == 422
    assert 'class="errors"' in field_block(response.text, "name")
    assert 'class="errors"' not in field_block(response.text, "email")


def test_form_post_without_csrf_token_is_refused(shop, rita):
    response = rita.post("/e/lead/new", data={"name": "Sneaky", "email": "s@example.com"})
    assert response.status_code == 403
    assert shop.store.count(shop.users["max"], "lead") == 0


def test_form_post_with_another_sessions_token_is_refused(shop, rita):
    with signed_in(shop, "rob") as rob:
        foreign = rob.csrf("/e/lead/new")
    response = rita.post("/e/lead/new", data={"name": "X", "csrf_token": foreign})
    assert response.status_code == 403


def test_edit_saves_only_with_the_current_version(shop, rita):
    lead = new_lead(shop)
    token = rita.csrf(f"/e/lead/{lead['id']}/edit")
    response = rita.post(f"/e/lead/{lead['id']}/edit", data={
        "csrf_token": token, "version": str(lead["version"]), "name": "Ann Lee-Smith",
        "email": "ann@example.com"})
    assert response.status_code == 303
    assert shop.store.get(shop.users["rita"], "lead", lead["id"])["name"] == "Ann Lee-Smith"


def test_stale_edit_shows_a_conflict_instead_of_overwriting(shop, rita):
    lead = new_lead(shop)
    shop.store.update(shop.users["max"], "lead", lead["id"], {"name": "Changed by Max"},
                      expected_version=lead["version"])
    token = rita.csrf(f"/e/lead/{lead['id']}/edit")
    response = rita.post(f"/e/lead/{lead['id']}/edit", data={
        "csrf_token": token, "version": str(lead["version"]), "name": "Rita's name",
        "email": "ann@example.com"})
    assert response.status_code == 409
    assert "changed this record while you were editing" in response.text
    assert 'value="Changed by Max"' in field_block(response.text, "name")
    assert "Rita&#39;s name" in response.text  # her input is shown beside, not saved
    assert shop.store.get(shop.users["max"], "lead", lead["id"])["name"] == "Changed by Max"


def test_edit_form_has_the_version_as_hidden_input(shop, rita):
    lead = new_lead(shop)
    page = rita.get(f"/e/lead/{lead['id']}/edit").text
    assert f'name="version" value="{lead["version"]}"' in page


# ---------------------------------------------------------------- hidden fields, escaping


def test_rep_never_sees_a_hidden_field(shop, rita):
    lead = new_lead(shop)
    shop.store.update(shop.users["max"], "lead", lead["id"], {"income": "98765.43"})
    for path in (f"/e/lead/{lead['id']}", f"/e/lead/{lead['id']}/edit", "/e/lead",
                 "/e/lead/new", "/e/lead/board"):
        page = rita.get(path).text
        assert "Income" not in page, path
        assert "98765" not in page and "98,765" not in page, path


def test_manager_sees_the_field_hidden_from_reps(shop):
    lead = new_lead(shop)
    shop.store.update(shop.users["max"], "lead", lead["id"], {"income": "98765.43"})
    with signed_in(shop, "max") as client:
        page = client.get(f"/e/lead/{lead['id']}").text
    assert "Income" in page and "98,765.43" in page


def test_script_in_a_text_field_renders_as_text(shop, rita):
    lead = new_lead(shop, name="<script>alert('x')</script>")
    for path in (f"/e/lead/{lead['id']}", "/e/lead", "/e/lead/board"):
        page = rita.get(path).text
        assert "<script>alert" not in page, path
        assert "&lt;script&gt;alert(" in page, path


def test_another_reps_record_is_not_found(shop, rita):
    theirs = new_lead(shop, owner="rob")
    assert rita.get(f"/e/lead/{theirs['id']}").status_code == 404
    assert rita.get("/e/lead/999999").status_code == 404


# ---------------------------------------------------------------- workflow


def test_detail_offers_exactly_the_transitions_the_user_may_fire(shop, rita):
    lead = new_lead(shop)
    page = rita.get(f"/e/lead/{lead['id']}").text
    assert 'data-transition="contact"' in page
    assert "/transition/lose" in page
    assert "/transition/win" not in page  # not from state new, and managers only


def test_firing_a_transition_moves_the_state_and_shows_in_history(shop, rita):
    lead = new_lead(shop)
    token = rita.csrf(f"/e/lead/{lead['id']}")
    response = rita.post(f"/e/lead/{lead['id']}/transition/contact", data={
        "csrf_token": token, "version": str(lead["version"])})
    assert response.status_code == 303
    assert shop.store.get(shop.users["rita"], "lead", lead["id"])["state"] == "contacted"
    page = rita.get(f"/e/lead/{lead['id']}").text
    assert 'aria-current="step">Contacted' in page
    assert "Mark contacted → Contacted" in page


def test_win_is_refused_to_a_rep_even_when_posted_directly(shop, rita):
    lead = new_lead(shop)
    shop.store.transition(shop.users["rita"], "lead", lead["id"], "contact")
    page = rita.get(f"/e/lead/{lead['id']}").text
    assert "/transition/win" not in page
    token = rita.csrf(f"/e/lead/{lead['id']}")
    response = rita.post(f"/e/lead/{lead['id']}/transition/win", data={"csrf_token": token})
    assert response.status_code == 403
    assert shop.store.get(shop.users["rita"], "lead", lead["id"])["state"] == "contacted"


def test_transition_that_needs_a_field_asks_for_it(shop, rita):
    lead = new_lead(shop)
    token = rita.csrf(f"/e/lead/{lead['id']}")
    response = rita.post(f"/e/lead/{lead['id']}/transition/lose", data={"csrf_token": token})
    assert response.status_code == 409
    assert 'name="loss_reason"' in response.text
    response = rita.post(f"/e/lead/{lead['id']}/transition/lose", data={
        "csrf_token": token, "loss_reason": "went quiet"})
    assert response.status_code == 303
    record = shop.store.get(shop.users["rita"], "lead", lead["id"])
    assert (record["state"], record["loss_reason"]) == ("lost", "went quiet")


def test_stale_transition_is_not_applied(shop, rita):
    lead = new_lead(shop)
    shop.store.update(shop.users["rita"], "lead", lead["id"], {"value": "5"})
    token = rita.csrf(f"/e/lead/{lead['id']}")
    response = rita.post(f"/e/lead/{lead['id']}/transition/contact", data={
        "csrf_token": token, "version": str(lead["version"])})
    assert response.status_code == 303
    assert shop.store.get(shop.users["rita"], "lead", lead["id"])["state"] == "new"
    assert "changed this record" in rita.get(response.headers["location"]).text


def test_board_has_a_column_per_state_with_working_buttons(shop, rita):
    lead = new_lead(shop)
    page = rita.get("/e/lead/board").text
    for state in ("new", "contacted", "won", "lost"):
        assert f'data-state="{state}"' in page
    form = re.search(rf'<form method="post" action="/e/lead/{lead["id"]}/transition/contact"'
                     r'.*?</form>', page, re.S)
    assert form and 'name="csrf_token"' in form.group(0)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(0)).group(1)
    response = rita.post(f"/e/lead/{lead['id']}/transition/contact", data={
        "csrf_token": token, "version": str(lead["version"]), "next": "/e/lead/board"})
    assert response.headers["location"] == "/e/lead/board"
    assert shop.store.get(shop.users["rita"], "lead", lead["id"])["state"] == "contacted"


# ---------------------------------------------------------------- lists


def test_list_searches_filters_and_counts(shop, rita):
    new_lead(shop, name="Alpha One", email="a1@example.com", source="web")
    new_lead(shop, name="Alpha Two", email="a2@example.com", source="phone")
    new_lead(shop, name="Beta", email="b@example.com", source="web")
    page = rita.get("/e/lead", params={"q": "alpha"}).text
    assert "Alpha One" in page and "Alpha Two" in page and "Beta" not in page
    assert "2 in total" in page
    page = rita.get("/e/lead", params={"source": "web"}).text
    assert "Alpha One" in page and "Beta" in page and "Alpha Two" not in page


def test_list_filters_any_field_the_user_sees_as_the_api_does(shop, rita):
    new_lead(shop, name="Alpha", email="a@example.com")
    new_lead(shop, name="Beta", email="b@example.com")
    page = rita.get("/e/lead", params={"email": "b@example.com"}).text
    assert "Beta" in page and "Alpha" not in page


def test_list_takes_an_empty_filter_from_the_form_as_any(shop, rita):
    new_lead(shop, name="Alpha", source="web")
    page = rita.get("/e/lead", params={"source": "", "state": ""}).text
    assert "Alpha" in page and "1 in total" in page


def test_list_filter_on_a_field_the_user_cannot_see_is_400(shop, rita):
    assert rita.get("/e/lead", params={"income": "5"}).status_code == 400


def test_list_filter_on_an_unknown_state_is_400(shop, rita):
    assert rita.get("/e/lead", params={"state": "AAA"}).status_code == 400


def test_detail_offers_edit_and_delete_as_the_users_rights_on_the_record_allow(shop, rita):
    lead = new_lead(shop)
    own = rita.get(f"/e/lead/{lead['id']}").text
    assert f'href="/e/lead/{lead["id"]}/edit"' in own
    assert f'action="/e/lead/{lead["id"]}/delete"' not in own
    with signed_in(shop, "max") as manager:
        managed = manager.get(f"/e/lead/{lead['id']}").text
    assert f'action="/e/lead/{lead["id"]}/delete"' in managed


def test_list_pages_are_numbered(shop, rita):
    for number in range(30):
        new_lead(shop, name=f"Lead {number:02d}", email=f"l{number}@example.com")
    first = rita.get("/e/lead", params={"sort": "name"}).text
    assert "Lead 00" in first and "Lead 24" in first and "Lead 25" not in first
    next_link = re.search(r'href="(\?[^"]*page=2[^"]*)" rel="next"', first).group(1)
    second = rita.get("/e/lead" + next_link.replace("&amp;", "&")).text
    assert "Lead 25" in second and "Lead 29" in second and "Lead 24" not in second


def test_list_shows_only_the_users_own_records(shop, rita):
    new_lead(shop, name="Mine")
    new_lead(shop, owner="rob", name="Robs", email="r@example.com")
    page = rita.get("/e/lead").text
    assert "Mine" in page and "Robs" not in page


def test_account_page_shows_its_related_leads(shop, rita):
    account = shop.store.create(shop.users["rita"], "account", {"name": "Acme"})
    new_lead(shop, name="Linked Lead", account=account["id"])
    page = rita.get(f"/e/account/{account['id']}").text
    assert 'data-related="lead"' in page and "Linked Lead" in page


# ---------------------------------------------------------------- languages, templates


def test_sign_in_page_follows_accept_language(shop):
    with Client(shop.app, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}) as client:
        assert "登录" in client.get("/login").text
    with Client(shop.app, headers={"Accept-Language": "en-US"}) as client:
        assert "Sign in" in client.get("/login").text


def test_user_language_choice_switches_labels_to_chinese(shop, rita):
    lead = new_lead(shop)
    rita.form("/language", {"language": "zh", "next": "/"}, page="/")
    page = rita.get(f"/e/lead/{lead['id']}").text
    assert "姓名" in page and "新建" in page and "历史" in page


def test_project_template_overrides_the_built_in_one(shop, rita):
    override = shop.root / "templates" / "lead" / "detail.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "builtin/detail.html" %}{% block title %}CUSTOM '
                        '{{ title }}{% endblock %}', encoding="utf-8")
    from server_app import make_app as build

    app, _ = build(shop.root, str(shop.store.engine.url.render_as_string(False)))
    lead = new_lead(shop)
    with Client(app) as client:
        client.login("rita", PASSWORD)
        page = client.get(f"/e/lead/{lead['id']}").text
    dispose(app)
    assert "<title>CUSTOM Ann Lee" in page


def test_users_own_language_is_used_without_asking(shop):
    from guanxi.accounts import users

    users.add_user(shop.store.engine, "wei", PASSWORD, ["rep"], language="zh")
    with Client(shop.app, headers={"Accept-Language": "en"}) as client:
        client.login("wei", PASSWORD)
        page = client.get("/").text
    assert "今天要处理什么" in page and 'lang="zh-CN"' in page


def test_manager_reassigns_a_lead_to_another_rep(shop):
    lead = new_lead(shop)
    rob = shop.users["rob"]
    with signed_in(shop, "max") as client:
        form = client.get(f"/e/lead/{lead['id']}/edit").text
        assert f'<option value="{rob.id}">Rob</option>' in form
        token = client.csrf(f"/e/lead/{lead['id']}/edit")
        response = client.post(f"/e/lead/{lead['id']}/edit", data={
            "csrf_token": token, "version": str(lead["version"]), "name": "Ann Lee",
            "email": "ann@example.com", "owner": str(rob.id)})
    assert response.status_code == 303
    assert shop.store.get(rob, "lead", lead["id"])["owner"] == rob.id
