"""A small project with a knowledge base, a public help centre and public web forms, for
the self-service tests (HTTP and browser)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

PROJECT: dict[str, str] = {
    "guanxi.yaml": """
        project: desk
        languages: [en, zh]
        roles:
          agent: {}
          rep: {}
          manager: {includes: [agent, rep]}
        system:
          grants:
            lead: {create: none, read: all, update: all, delete: none}
        public:
          grants:
            article: {create: none, read: 'state == "published" and visibility == "public"',
                      update: none, delete: none}
            ticket: {create: all, read: none, update: none, delete: none}
            lead: {create: all, read: none, update: none, delete: none}
          help_centre:
            entity: article
            category: category
            language: language
            tags: keywords
            contact: contact
    """,
    "entities/article.yaml": """
        article:
          title: title
          workflow: review
          fields:
            title: {type: string, required: true}
            body: {type: markdown, required: true}
            category:
              type: choice
              default: products
              options: {products: {en: Products, zh: 产品}, billing: {en: Billing, zh: 账单}}
            keywords: {type: string}
            language:
              type: choice
              default: en
              options: {en: English, zh: 中文}
            visibility:
              type: choice
              default: internal
              options: {internal: Internal, public: Public}
            secret_note: {type: string}
          access:
            agent: {create: all, read: all, update: all, delete: none}
    """,
    "workflows/review.yaml": """
        review:
          initial: draft
          states: {draft: {}, review: {}, published: {}}
          transitions:
            submit: {from: draft, to: review}
            publish: {from: review, to: published}
            revise: {from: published, to: draft}
    """,
    "entities/ticket.yaml": """
        ticket:
          title: subject
          fields:
            subject: {type: string, required: true, max_length: 200}
            kind:
              type: choice
              default: inquiry
              options: {inquiry: Inquiry, complaint: Complaint}
            description: {type: text}
            requester_name: {type: string}
            requester_email: {type: email}
            privacy_consent: {type: boolean, default: false}
            channel: {type: choice, default: phone, options: {phone: Phone, web: Web}}
            article: {type: reference, to: article}
          access:
            agent: {create: all, read: all, update: all, delete: none}
    """,
    "entities/lead.yaml": """
        lead:
          title: name
          fields:
            name: {type: string, required: true}
            email: {type: email, unique: true}
            source: {type: choice, default: phone, options: {phone: Phone, web: Web}}
            notes: {type: text}
            marketing_consent: {type: boolean, default: false}
          duplicates:
            - {match: [email], normalize: email}
          access:
            rep: {create: all, read: owner == current_user, update: owner == current_user,
                  delete: none}
    """,
    "automation/leads.yaml": """
        web_leads:
          entity: lead
          on: create
          when: source == "web"
          to: {round_robin: rep}
          field: owner
    """,
    "insight/reports.yaml": """
        reports:
          articles_most_used:
            entity: ticket
            when: article != null
            group: [article]
            measures: {tickets: count()}
    """,
    "forms/public.yaml": """
        forms:
          contact:
            entity: ticket
            label: {en: Contact us, zh: 联系我们}
            fields: [requester_name, requester_email, kind, subject, description,
                     privacy_consent]
            required: [requester_name, requester_email, privacy_consent]
            values: {channel: web}
            duplicates: create
            consent: privacy_consent
            thanks: {en: Your ticket is open., zh: 工单已创建。}
          quote:
            entity: lead
            label: {en: Request a quote, zh: 申请报价}
            fields: [name, email, notes, marketing_consent]
            required: [email]
            values: {source: web}
            assign: web_leads
            thanks: {en: A representative will call you., zh: 销售代表会联系您。}
    """,
}

USERS = {"amy": ("agent",), "rob": ("rep",), "meg": ("manager",)}


def published(store: Any, user: Any, **values: Any) -> dict[str, Any]:
    """An article taken through review to published."""
    record = store.create(user, "article", values)
    store.transition(user, "article", record["id"], "submit")
    store.transition(user, "article", record["id"], "publish")
    return dict(record)


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write a project (relative path -> YAML, dedented) under `root`."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root
