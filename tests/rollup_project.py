"""A small membership project for the roll-up tests, written as YAML: members with
roll-ups over their purchases and tickets, a tier computed from a roll-up, a points
balance rolled up from point movements with a rule that it never goes negative, and a
purchase that reads its member's name through the reference."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from guanxi.compile.app import App, compile_app
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from store_project import add_account

PROJECT = {
    "guanxi.yaml": """
        project: members
        roles:
          clerk: {}
    """,
    "entities/member.yaml": """
        member:
          fields:
            name: {type: string, required: true}
            spend: {type: money, rollup: {sum: amount, of: purchase, via: member}}
            spend_12m:
              type: money
              rollup: {sum: amount, of: purchase, via: member,
                       when: 'bought_on >= today() - 365d'}
            purchases: {type: integer, rollup: {count: purchase, via: member}}
            biggest: {type: money, rollup: {max: amount, of: purchase, via: member}}
            smallest: {type: money, rollup: {min: amount, of: purchase, via: member}}
            average: {type: money, rollup: {avg: amount, of: purchase, via: member}}
            last_bought: {type: date, rollup: {max: bought_on, of: purchase, via: member}}
            open_tickets: {type: integer, rollup: {count: ticket, via: member, final: false}}
            points: {type: integer, rollup: {sum: points, of: movement, via: member}}
            tier: {type: choice, options: [basic, black],
                   compute: 'if(spend >= 5000, "black", "basic")'}
          rules:
            - check: points >= 0
              fields: [points]
              message: {en: The points balance cannot go below zero, zh: 积分余额不能为负}
          access:
            clerk: {create: all, read: all, update: all, delete: all}
    """,
    "entities/purchase.yaml": """
        purchase:
          fields:
            member: {type: reference, to: member}
            amount: {type: money, required: true}
            bought_on: {type: date}
            member_name: {type: string, compute: member.name}
          access:
            clerk: {create: all, read: all, update: all, delete: all}
    """,
    "entities/movement.yaml": """
        movement:
          fields:
            member: {type: reference, to: member, required: true}
            points: {type: integer, required: true}
          access:
            clerk: {create: all, read: all, update: all, delete: all}
    """,
    "entities/ticket.yaml": """
        ticket:
          workflow: desk
          fields:
            member: {type: reference, to: member}
            subject: {type: string}
          access:
            clerk: {create: all, read: all, update: all, delete: all}
    """,
    "workflows/desk.yaml": """
        desk:
          initial: open
          states:
            open: {}
            closed: {final: true}
          transitions:
            close: {from: open, to: closed}
    """,
}


@dataclass
class Members:
    app: App
    store: Store
    clerk: User


def open_members(write_project: Callable[..., Path], db_url: str,
                 files: dict[str, str] | None = None) -> Members:
    """The membership project compiled, its tables created in `db_url`, and a clerk."""
    app = compile_app(load_project_or_raise(write_project({**PROJECT, **(files or {})})))
    store = Store(app, db_url)
    store.create_schema()
    return Members(app, store, add_account(store, "clara", ["clerk"]))
