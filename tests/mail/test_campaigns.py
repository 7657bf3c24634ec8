"""Campaigns with consent, over real HTTP and a real SMTP mailbox (aiosmtpd): a campaign's
e-mail reaches only the members of its audience who agreed to marketing, each with a
signed unsubscribe link that records the withdrawal (time and source); leads attributed
to a campaign give its cost per lead."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace

import pytest
from guanxi.automation.worker import Worker
from guanxi.mail.smtp import ENV_URL
from mail_world import Mailbox
from server_app import PASSWORD, Client, dispose, make_app

PROJECT = {
    "guanxi.yaml": """
        project: outreach
        roles: {marketer: {}}
        system:
          grants:
            contact: {create: none, read: all, update: all, delete: none}
        marketing: {campaign: campaign, members: contact, condition: audience,
                    subject: subject, body: email_text}
    """,
    "entities/contact.yaml": """
        contact:
          title: name
          fields:
            name: {type: string, required: true}
            email: {type: email}
            city: {type: string}
            marketing_consent: {type: boolean, default: false}
          access:
            marketer: {create: all, read: all, update: all, delete: none}
    """,
    "entities/campaign.yaml": """
        campaign:
          title: name
          fields:
            name: {type: string, required: true}
            budget: {type: money}
            audience: {type: string}
            subject: {type: string}
            email_text: {type: text}
            leads: {type: integer, rollup: {count: lead, via: campaign}}
            cost_per_lead: {type: money, compute: 'if(leads > 0, budget / leads, null)'}
          access:
            marketer: {create: all, read: all, update: all, delete: none}
    """,
    "entities/lead.yaml": """
        lead:
          title: name
          fields:
            name: {type: string, required: true}
            campaign: {type: reference, to: campaign}
          access:
            marketer: {create: all, read: all, update: all, delete: none}
    """,
}
LINK = re.compile(r"http://testserver(/unsubscribe/[A-Za-z0-9_.\-]+)")


@pytest.fixture
def outreach(write_project, db_url: str, monkeypatch: pytest.MonkeyPatch
             ) -> Iterator[SimpleNamespace]:
    with Mailbox() as mailbox:
        monkeypatch.setenv(ENV_URL, mailbox.url)
        app, made = make_app(write_project(PROJECT), db_url, {"mia": ("marketer",)})
        store = app.state.holder.current().store
        mia = made["mia"]
        people = {name: store.create(mia, "contact", values) for name, values in {
            "agreed": {"name": "Ann", "email": "ann@example.com", "city": "Shanghai",
                       "marketing_consent": True},
            "refused": {"name": "Bo", "email": "bo@example.com", "city": "Shanghai"},
            "elsewhere": {"name": "Cy", "email": "cy@example.com", "city": "Beijing",
                          "marketing_consent": True},
        }.items()}
        campaign = store.create(mia, "campaign", {
            "name": "Spring", "budget": "900", "audience": 'city == "Shanghai"',
            "subject": "GTX spring offer", "email_text": "Twenty percent off."})
        with Client(app) as client:
            client.login("mia", PASSWORD)
            yield SimpleNamespace(app=app, store=store, mia=mia, people=people,
                                  campaign=campaign, client=client, mailbox=mailbox)
        dispose(app)


def send(world: SimpleNamespace) -> str:
    url = f"/e/campaign/{world.campaign['id']}"
    answer = world.client.form(url + "/send", {}, page=url)
    assert answer.status_code == 303
    Worker(world.store).run_until_quiet(world.store.clock())
    return world.client.get(url).text


def test_campaign_email_reaches_only_audience_members_who_agreed(outreach):
    page = send(outreach)
    assert [m["To"] for m in outreach.mailbox.messages] == ["ann@example.com"]
    assert outreach.mailbox.messages[0]["Subject"].startswith("GTX spring offer")
    assert "1 e-mails queued; 1 members without consent" in page


def test_each_email_ends_with_an_unsubscribe_link_that_withdraws_consent(outreach):
    send(outreach)
    body = outreach.mailbox.messages[0].get_content()
    path = LINK.search(body).group(1)
    ann = outreach.people["agreed"]
    with Client(outreach.app) as visitor:
        assert "Unsubscribe" in visitor.get(path).text
        assert outreach.store.get(outreach.mia, "contact", ann["id"])["marketing_consent"]
        answer = visitor.form(path, {})
    assert answer.status_code == 200
    assert outreach.store.get(outreach.mia, "contact", ann["id"])["marketing_consent"] is False
    history = outreach.client.get(f"/e/contact/{ann['id']}/consent").text
    assert "withdrawn" in history
    assert f"unsubscribe link (campaign {outreach.campaign['id']})" in history


def test_the_consent_history_shows_who_gave_consent_and_when(outreach):
    bo = outreach.people["refused"]
    outreach.store.update(outreach.mia, "contact", bo["id"], {"marketing_consent": True})
    history = outreach.client.get(f"/e/contact/{bo['id']}/consent").text
    row = history.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "given" in row and "mia" in row


def test_after_unsubscribing_the_next_email_skips_the_member(outreach):
    send(outreach)
    path = LINK.search(outreach.mailbox.messages[0].get_content()).group(1)
    with Client(outreach.app) as visitor:
        visitor.form(path, {})
    page = send(outreach)
    assert len(outreach.mailbox.messages) == 1
    assert "0 e-mails queued; 2 members without consent" in page


def test_opening_an_unsubscribe_link_changes_nothing_until_confirmed(outreach):
    send(outreach)
    path = LINK.search(outreach.mailbox.messages[0].get_content()).group(1)
    with Client(outreach.app) as visitor:
        visitor.get(path)
        assert visitor.post(path).status_code == 403
    ann = outreach.store.get(outreach.mia, "contact", outreach.people["agreed"]["id"])
    assert ann["marketing_consent"] is True


def test_a_tampered_unsubscribe_link_is_not_found(outreach):
    bob = outreach.people["refused"]["id"]
    with Client(outreach.app) as visitor:
        assert visitor.get(f"/unsubscribe/contact.{bob}.1.forged").status_code == 404


def test_leads_attributed_to_a_campaign_give_its_cost_per_lead(outreach):
    for name in ("Li", "Wu", "Xu"):
        outreach.store.create(outreach.mia, "lead",
                              {"name": name, "campaign": outreach.campaign["id"]})
    campaign = outreach.store.get(outreach.mia, "campaign", outreach.campaign["id"])
    assert campaign["leads"] == 3
    assert campaign["cost_per_lead"] == Decimal("300")
