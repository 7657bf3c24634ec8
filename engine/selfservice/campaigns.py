"""Marketing e-mail to a campaign's members (`marketing:` in guanxi.yaml).

A campaign record holds its members' condition (an expression on the members' entity,
e.g. `account.tier == "gold"`), a subject and a text. Sending lists the members the
sending user may read that match the condition (through the Store, with their row
rules), and queues one marketing e-mail per member who has an address and agreed to
marketing (the consent field is true); the others are skipped and counted. Each e-mail
ends with the member's signed unsubscribe link. The mail job runner sends them (SMTP).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from guanxi.errors import RequestInvalid
from guanxi.identity import User
from guanxi.mail import sending
from guanxi.selfservice import consent
from guanxi.spec import MarketingSpec
from guanxi.store.facade import Store

PAGE = 500
UNSUBSCRIBE = {"en": "To receive no more of these e-mails", "zh": "如不想再收到此类邮件"}


@dataclass(frozen=True, slots=True)
class Sent:
    queued: int = 0
    without_consent: int = 0
    without_address: int = 0


def send(store: Store, user: User, marketing: MarketingSpec, campaign_id: int, *,
         base_url: str, secret: str, now: dt.datetime | None = None) -> Sent:
    """Queue the campaign's e-mail to its members (see the module)."""
    now = now or store.clock()
    campaign = store.get(user, marketing.campaign, campaign_id)
    condition = str(campaign.get(marketing.condition) or "").strip() or None
    subject = str(campaign.get(marketing.subject) or "").strip()
    body = str(campaign.get(marketing.body) or "").strip()
    if not subject or not body:
        raise RequestInvalid("the campaign needs a subject and a text", code="bad_request")
    queued = skipped = unreachable = 0
    after: str | None = None
    while True:
        page = store.list(user, marketing.members, where=condition, sort=("id",),
                          limit=PAGE, after=after, with_total=False)
        for member in page.items:
            address = member.get(marketing.email)
            if not address:
                unreachable += 1
                continue
            if member.get(marketing.consent) is not True:
                skipped += 1
                continue
            link = consent.token(secret, consent.Member(marketing.members, int(member["id"]),
                                                        campaign_id))
            text = (f"{body}\n\n--\n{UNSUBSCRIBE['en']} / {UNSUBSCRIBE['zh']}: "
                    f"{base_url.rstrip('/')}/unsubscribe/{link}\n")
            sending.queue(store, sending.Outgoing(
                to=str(address), subject=subject, body=text, kind="marketing",
                entity=marketing.campaign, record_id=campaign_id,
                contact_id=int(member["id"])), user=user, now=now)
            queued += 1
        after = page.next_cursor
        if not after:
            return Sent(queued, skipped, unreachable)
