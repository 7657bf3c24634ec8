"""A small sales project for the Store's tests, written as YAML, and a way to open it.

Roles: `rep` (their own leads; income hidden; source read-only), `manager` (includes
rep; everything), `auditor` (reads every lead, changes nothing). One workflow, `pipeline`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from guanxi.compile.app import App, compile_app
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store

PROJECT = {
    "guanxi.yaml": """
        project: sales
        languages: [en, zh]
        roles:
          rep: {label: {en: Sales rep, zh: 销售代表}}
          manager: {includes: [rep]}
          auditor: {}
    """,
    "entities/account.yaml": """
        account:
          fields:
            name: {type: string, required: true, unique: true}
            sector: {type: choice, options: [tech, retail]}
          access:
            rep: {create: all, read: all, update: all}
            auditor: {read: all}
    """,
    "entities/lead.yaml": """
        lead:
          label: {en: Lead, zh: 线索}
          workflow: pipeline
          fields:
            name: {type: string, required: true, max_length: 50}
            email: {type: email, unique: true}
            phone: {type: phone}
            source: {type: choice, options: [web, phone, referral], default: web}
            referrer: {type: string}
            value: {type: money, min: 0, max: 1000000}
            probability: {type: percent}
            expected: {type: money, compute: value * probability / 100}
            income: {type: money, sensitive: true}
            visits: {type: integer, min: 0}
            since: {type: date}
            follow_up: {type: duration}
            vip: {type: boolean, default: false}
            tags: {type: tags, options: [hot, cold, partner]}
            account: {type: reference, to: account}
            loss_reason: {type: choice, options: [budget, competitor]}
            converted_on: {type: date}
            code: {type: string, pattern: "[A-Z]{2}-[0-9]{3}"}
            notes: {type: text}
          rules:
            - when: source == "referral"
              require: [referrer]
              message: {en: Referral leads need a referrer, zh: 推荐来源的线索需要填写推荐人}
            - check: visits == null or visits < 100
              fields: [visits]
            - when: account.sector == "retail"
              require: [phone]
              message: {en: Retail leads need a phone number, zh: 零售线索需要电话号码}
          access:
            rep:
              create: all
              read: owner == current_user
              update: owner == current_user
              hide: [income]
              readonly: [source]
            manager: {create: all, read: all, update: all, delete: all}
            auditor: {read: all}
    """,
    "workflows/pipeline.yaml": """
        pipeline:
          initial: new
          states:
            new: {}
            contacted: {}
            qualified: {require: [value]}
            converted: {final: true, editable: []}
            lost: {final: true, require: [loss_reason]}
          transitions:
            contact: {from: new, to: contacted}
            qualify: {from: contacted, to: qualified, when: value > 0}
            convert: {from: qualified, to: converted, roles: [manager],
                      set: {converted_on: today()}}
            lose: {from: [new, contacted, qualified], to: lost, require: [loss_reason]}
    """,
}


@dataclass
class Sales:
    """An open Store on the sales project, with one user per role."""

    app: App
    store: Store
    rep: User
    other_rep: User
    manager: User
    auditor: User
    zh_rep: User


def add_account(store: Store, username: str, roles: list[str], language: str = "en") -> User:
    """A user row with roles but no usable password: the Store never looks at passwords,
    and hashing one (argon2) would cost each test a good part of a second."""
    tables = store.app.tables
    with store.engine.begin() as conn:
        user_id = conn.execute(tables.users.insert().values(
            username=username, display_name="", password_hash="!", language=language,
            active=True, created_at=dt.datetime.now(dt.UTC)).returning(tables.users.c.id)
        ).scalar_one()
        conn.execute(tables.user_roles.insert(), [{"user_id": user_id, "role": r} for r in roles])
    return User(id=user_id, username=username, roles=frozenset(roles), language=language)


def open_sales(write_project: Callable[..., Path], db_url: str,
               files: dict[str, str] | None = None) -> Sales:
    """Write the sales project (with `files` replacing or adding files), compile it,
    create its tables in `db_url` and add the users."""
    app = compile_app(load_project_or_raise(write_project({**PROJECT, **(files or {})})))
    store = Store(app, db_url)
    store.create_schema()
    return Sales(
        app=app,
        store=store,
        rep=add_account(store, "rita", ["rep"]),
        other_rep=add_account(store, "ralf", ["rep"]),
        manager=add_account(store, "mona", ["manager"]),
        auditor=add_account(store, "aude", ["auditor"]),
        zh_rep=add_account(store, "wang", ["rep"], language="zh"),
    )


def fresh(db_url: str, tmp_path: Path) -> str:
    """Another empty database next to `db_url` (a new SQLite file or schema)."""
    url = sa.engine.make_url(db_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.sqlite'}"
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)
