"""A small deals project with reports, for the insight tests, written as YAML.

Roles: `rep` (reads her own deals; `margin` and the account's `rating` hidden),
`manager` (everything, an administrator). Deals go through `deal_flow`
(prospecting → engaging → won | lost).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from guanxi.compile.app import App, compile_app
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store

PROJECT = {
    "guanxi.yaml": """
        project: deals
        languages: [en, zh]
        roles:
          rep: {label: {en: Sales rep, zh: 销售代表}}
          manager: {includes: [rep], admin: true}
    """,
    "entities/account.yaml": """
        account:
          title: name
          fields:
            name: {type: string, required: true}
            region:
              type: choice
              options: {east: {en: East, zh: 华东}, west: {en: West, zh: 华西}}
            rating: {type: integer}
          access:
            rep: {read: all, hide: [rating]}
            manager: {create: all, read: all, update: all}
    """,
    "entities/deal.yaml": """
        deal:
          title: name
          workflow: deal_flow
          fields:
            name: {type: string, required: true}
            account: {type: reference, to: account}
            product: {type: choice, options: [basic, pro]}
            amount: {type: money}
            probability: {type: percent}
            margin: {type: money}
            seats: {type: integer}
            close_date: {type: date}
          access:
            rep:
              create: all
              read: owner == current_user
              update: owner == current_user
              hide: [margin]
            manager: {create: all, read: all, update: all, delete: all}
    """,
    "workflows/deal_flow.yaml": """
        deal_flow:
          initial: prospecting
          states:
            prospecting: {label: {en: Prospecting, zh: 潜在}}
            engaging: {label: {en: Engaging, zh: 接洽}}
            won: {final: true, label: {en: Won, zh: 赢单}}
            lost: {final: true, label: {en: Lost, zh: 输单}}
          transitions:
            engage: {from: prospecting, to: engaging}
            win: {from: engaging, to: won}
            lose: {from: [prospecting, engaging], to: lost}
    """,
    "insight/reports.yaml": """
        reports:
          pipeline_by_stage:
            label: {en: Pipeline by stage, zh: 按阶段的销售管道}
            entity: deal
            group: [state]
            measures:
              deals: count()
              amount: sum(amount)
              weighted: sum(amount * probability / 100)
            chart: funnel
          win_rate_by_owner:
            entity: deal
            group: [owner]
            measures:
              win_rate: 'count(state == "won") / count(state in ["won", "lost"])'
              won: count(state == "won")
            sort: [-win_rate]
          won_by_region:
            entity: deal
            when: 'state == "won"'
            group: [account.region]
            measures: {won: sum(amount), deals: count()}
          by_account:
            entity: deal
            group: [account]
            measures: {deals: count(), average: avg(amount), biggest: max(amount),
                       first_close: min(close_date), products: count_distinct(product)}
          won_by_month:
            entity: deal
            group: [{field: close_date, by: month}, product]
            measures: {won: 'sum(amount, state == "won")', deals: count()}
            pivot: product
            chart: stacked_bar
            params:
              from: {field: close_date, op: ">="}
              to: {field: close_date, op: "<="}
              mine: {field: owner}
          margin_by_product:
            entity: deal
            group: [product]
            measures: {margin: sum(margin)}
          by_rating:
            entity: deal
            group: [account.rating]
            measures: {deals: count()}
          big_accounts:
            entity: deal
            when: account.rating > 3
            group: [product]
            measures: {deals: count()}
          by_margin_param:
            entity: deal
            group: [product]
            measures: {deals: count()}
            params:
              min_margin: {field: margin, op: ">="}
          seats_total:
            entity: deal
            measures: {seats: sum(seats), deals: count()}
            chart: kpi
          my_deals:
            entity: deal
            group: [state]
            measures: {deals: count()}
            params:
              owner: {field: owner, default: current_user}
    """,
    "insight/dashboards.yaml": """
        dashboards:
          selling:
            label: {en: My selling, zh: 我的销售}
            roles: [rep]
            tiles:
              - {report: pipeline_by_stage}
              - {kpi: seats_total, label: {en: Seats, zh: 席位}}
              - {list: deal, where: 'state == "engaging"', label: {en: Engaging deals, zh: 接洽中}}
              - {report: margin_by_product, chart: pie}
    """,
}


@dataclass
class World:
    app: App
    store: Store
    rep: User
    other_rep: User
    manager: User
    zh_rep: User
    root: Path


def add_user(store: Store, username: str, roles: list[str], language: str = "en") -> User:
    """A user row with roles and no usable password (the Store never reads passwords)."""
    tables = store.app.tables
    with store.engine.begin() as conn:
        user_id = conn.execute(tables.users.insert().values(
            username=username, display_name=username.title(), password_hash="!",
            language=language, active=True, created_at=dt.datetime.now(dt.UTC)
        ).returning(tables.users.c.id)).scalar_one()
        conn.execute(tables.user_roles.insert(), [{"user_id": user_id, "role": r} for r in roles])
    return User(id=user_id, username=username, roles=frozenset(roles), language=language)


def open_world(write_project: Callable[..., Path], db_url: str,
               files: dict[str, str] | None = None) -> World:
    root = write_project({**PROJECT, **(files or {})})
    app = compile_app(load_project_or_raise(root))
    store = Store(app, db_url)
    store.create_schema()
    return World(app, store, add_user(store, "rita", ["rep"]), add_user(store, "ralf", ["rep"]),
                 add_user(store, "mona", ["manager"]),
                 add_user(store, "wang", ["rep"], language="zh"), root)


ACCOUNTS = [("Acme", "east", 5), ("Bolt", "west", 2), ("Cora", None, 4)]


def seed(world: World, deals: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Three accounts and the given deals (default: `DEALS`), imported as they were."""
    store, manager = world.store, world.manager
    ids = [store.create(manager, "account", {"name": n, "region": r, "rating": s})["id"]
           for n, r, s in ACCOUNTS]
    rows = [dict(d) for d in (deals if deals is not None else default_deals(world))]
    for row in rows:
        if isinstance(row.get("account"), int) and row["account"] < 10:
            row["account"] = ids[row["account"]]
    report = store.bulk_insert(manager, "deal", rows, historical=True)
    assert not report.errors, report.errors
    return rows


def default_deals(world: World) -> list[dict[str, Any]]:
    rita, ralf = world.rep.id, world.other_rep.id
    d = Decimal
    return [
        {"name": "A1", "account": 0, "product": "basic", "amount": d("100.00"),
         "probability": d("50"), "margin": d("10"), "seats": 3, "state": "won",
         "close_date": dt.date(2026, 1, 15), "owner": rita},
        {"name": "A2", "account": 0, "product": "pro", "amount": d("250.50"),
         "probability": d("20"), "margin": d("30"), "seats": 5, "state": "lost",
         "close_date": dt.date(2026, 1, 20), "owner": rita},
        {"name": "B1", "account": 1, "product": "pro", "amount": d("999.99"),
         "probability": d("33"), "margin": d("70"), "seats": 1, "state": "won",
         "close_date": dt.date(2026, 2, 3), "owner": ralf},
        {"name": "B2", "account": 1, "product": "basic", "amount": None,
         "probability": None, "margin": None, "seats": None, "state": "engaging",
         "close_date": None, "owner": ralf},
        {"name": "C1", "account": 2, "product": "basic", "amount": d("40.10"),
         "probability": d("90"), "margin": d("4"), "seats": 2, "state": "prospecting",
         "close_date": dt.date(2026, 3, 1), "owner": rita},
        {"name": "C2", "account": 2, "product": "pro", "amount": d("60.00"),
         "probability": d("75"), "margin": d("6"), "seats": 8, "state": "won",
         "close_date": dt.date(2026, 3, 31), "owner": ralf},
        {"name": "N1", "account": None, "product": None, "amount": d("5.55"),
         "probability": d("10"), "margin": None, "seats": 1, "state": "lost",
         "close_date": dt.date(2026, 2, 28), "owner": rita},
    ]
