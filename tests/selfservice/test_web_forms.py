"""Public web forms over real HTTP, on SQLite and PostgreSQL: a post creates a record as
the public actor with the form's own fields and fixed values; field errors show next to
their inputs; honeypot, size limit, captcha and the rate limit per address refuse spam;
a known lead is not entered twice; administrators get each form's URL and snippet."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from types import SimpleNamespace

import pytest
from conftest import fresh_postgres_schema
from guanxi.automation import notifications
from guanxi.automation.worker import Worker
from guanxi.selfservice.spam import PublicGuard
from selfservice_project import PROJECT, USERS, write_files
from server_app import PASSWORD, Client, dispose, make_app

ADMIN_PROJECT = {**PROJECT, "guanxi.yaml": PROJECT["guanxi.yaml"].replace(
    "  manager: {includes: [agent, rep]}", "  manager: {includes: [agent, rep]}\n"
    "          admin: {admin: true}")}
CONTACT = {"requester_name": "Li Na", "requester_email": "li@example.com", "kind": "inquiry",
           "subject": "The fan is loud", "description": "Since Monday.",
           "privacy_consent": "true"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[SimpleNamespace]:
    root = write_files(tmp_path_factory.mktemp("forms"), ADMIN_PROJECT)
    if request.param == "sqlite":
        url = f"sqlite:///{root / 'guanxi.sqlite'}"
    else:
        url = fresh_postgres_schema(request.getfixturevalue("postgres_database"))
    app, made = make_app(root, url, {**USERS, "ada": ("admin",)},
                         public_guard=PublicGuard(limit=1000))
    yield SimpleNamespace(app=app, store=app.state.holder.current().store, users=made)
    dispose(app)


@pytest.fixture
def visitor(world: SimpleNamespace) -> Iterator[Client]:
    with Client(world.app) as client:
        yield client


def tickets(world: SimpleNamespace, **where: str) -> list[Mapping[str, object]]:
    return [t for t in world.store.list(world.users["amy"], "ticket", limit=500).items
            if all(t[k] == v for k, v in where.items())]


def test_a_contact_post_opens_a_ticket_with_the_forms_fixed_values(world, visitor):
    answer = visitor.form("/forms/contact", {**CONTACT, "subject": "Loud fan 1"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/forms/contact/thanks"
    [ticket] = tickets(world, subject="Loud fan 1")
    assert ticket["requester_email"] == "li@example.com"
    assert ticket["channel"] == "web" and ticket["privacy_consent"] is True
    assert "Your ticket is open." in visitor.get("/forms/contact/thanks").text


def test_a_post_sets_only_the_forms_fields_and_cannot_change_its_fixed_values(world, visitor):
    visitor.form("/forms/contact", {**CONTACT, "subject": "Loud fan 2", "channel": "phone",
                                    "owner": str(world.users["amy"].id)})
    [ticket] = tickets(world, subject="Loud fan 2")
    assert ticket["channel"] == "web"
    assert ticket["owner"] is None


def test_field_errors_show_next_to_their_inputs_and_nothing_is_created(world, visitor):
    answer = visitor.form("/forms/contact", {**CONTACT, "subject": "Bad mail",
                                             "requester_email": "li@"})
    assert answer.status_code == 400
    field = re.search(r'data-field="requester_email".*?</div>', answer.text, re.S)
    assert field is not None and 'class="errors"' in field.group(0)
    assert 'value="li@"' in answer.text
    assert tickets(world, subject="Bad mail") == []


def test_a_form_requires_its_required_fields(world, visitor):
    answer = visitor.form("/forms/contact", {**CONTACT, "subject": "No consent",
                                             "privacy_consent": "false"})
    assert answer.status_code == 400
    assert tickets(world, subject="No consent") == []


def test_a_honeypot_filled_post_is_refused_and_creates_nothing(world, visitor):
    answer = visitor.form("/forms/contact", {**CONTACT, "subject": "Bot", "website": "x"})
    assert answer.status_code == 400
    assert tickets(world, subject="Bot") == []


def test_a_post_without_the_csrf_token_is_refused(world, visitor):
    visitor.get("/forms/contact")
    answer = visitor.post("/forms/contact", data={**CONTACT, "subject": "No token"})
    assert answer.status_code == 403
    assert tickets(world, subject="No token") == []


def test_a_known_email_makes_no_second_lead_and_tells_its_owner(world, visitor):
    rob = world.users["rob"]
    known = world.store.create(rob, "lead", {"name": "Kim", "email": "kim@example.com"})
    answer = visitor.form("/forms/quote", {"name": "Kim again", "email": "KIM@example.com"})
    assert answer.status_code == 303
    leads = world.store.list(world.store.system, "lead", limit=500).items
    assert [lead["name"] for lead in leads if lead["email"] == "kim@example.com"] == ["Kim"]
    told = notifications.inbox(world.store.engine, rob.id)
    assert any(n.record_id == known["id"] and n.entity == "lead" for n in told)


def test_a_web_lead_is_given_to_a_rep_by_the_forms_assignment_rule(world, visitor):
    visitor.form("/forms/quote", {"name": "Zhao", "email": "zhao@example.com",
                                  "notes": "100 units"})
    Worker(world.store).run_until_quiet(world.store.clock())
    [lead] = [lead for lead in world.store.list(world.store.system, "lead", limit=500).items
              if lead["email"] == "zhao@example.com"]
    assert lead["source"] == "web"
    assert lead["owner"] == world.users["rob"].id


def test_administrators_see_each_forms_address_and_embed_snippet(world):
    with Client(world.app) as admin:
        admin.login("ada", PASSWORD)
        page = admin.get("/admin/forms")
    assert page.status_code == 200
    assert "http://testserver/forms/quote" in page.text
    assert "&lt;iframe src=&#34;http://testserver/forms/quote&#34;" in page.text


def test_the_forms_page_is_for_administrators_only(world):
    with Client(world.app) as rep:
        rep.login("rob", PASSWORD)
        assert rep.get("/admin/forms").status_code == 403


def test_a_form_may_be_shown_in_a_frame_elsewhere_but_the_help_centre_may_not(world, visitor):
    form = visitor.get("/forms/quote")
    assert "frame-ancestors *" in form.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in visitor.get("/help").headers["content-security-policy"]


def test_an_unknown_form_is_not_found(visitor):
    assert visitor.get("/forms/nothing").status_code == 404


# ---------------------------------------------------------------- the guard's limits


@pytest.fixture
def guarded(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    class Sum:
        def fields(self) -> str:
            return '<label for="captcha">2 + 3</label><input id="captcha" name="captcha">'

        def verify(self, posted: Mapping[str, str], address: str) -> bool:
            return posted.get("captcha") == "5"

    guard = PublicGuard(limit=2, max_bytes=2000, captcha=Sum())
    app, made = make_app(write_project(PROJECT), db_url, USERS, public_guard=guard)
    with Client(app) as client:
        yield SimpleNamespace(app=app, client=client, users=made,
                              store=app.state.holder.current().store)
    dispose(app)


def test_posts_over_the_rate_limit_of_an_address_are_refused(guarded):
    codes = [guarded.client.form("/forms/contact", {**CONTACT, "captcha": "5"}).status_code
             for _ in range(3)]
    assert codes == [303, 303, 429]
    assert guarded.store.count(guarded.users["amy"], "ticket") == 2


def test_a_post_over_the_size_limit_is_refused(guarded):
    answer = guarded.client.form("/forms/contact", {**CONTACT, "captcha": "5",
                                                    "description": "x" * 3000})
    assert answer.status_code == 413
    assert guarded.store.count(guarded.users["amy"], "ticket") == 0


def test_the_captcha_hook_shows_its_inputs_and_refuses_a_wrong_answer(guarded):
    assert 'name="captcha"' in guarded.client.get("/forms/contact").text
    answer = guarded.client.form("/forms/contact", {**CONTACT, "captcha": "6"})
    assert answer.status_code == 400
    assert guarded.store.count(guarded.users["amy"], "ticket") == 0
