"""A small CRM for the data tests (import, export, duplicates, erasure), written as YAML."""

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
        project: crm
        languages: [en, zh]
        roles:
          rep: {label: {en: Sales rep, zh: 销售代表}}
          manager: {includes: [rep]}
          admin: {includes: [manager], admin: true}
    """,
    "entities/company.yaml": """
        company:
          title: name
          fields:
            name: {type: string, required: true, unique: true, label: {en: Company, zh: 公司}}
          access:
            rep: {create: all, read: all}
            manager: {create: all, read: all, update: all, delete: all}
    """,
    "entities/customer.yaml": """
        customer:
          title: name
          fields:
            name: {type: string, required: true, label: {en: Name, zh: 名称}}
            email: {type: email, unique: true, label: {en: E-mail, zh: 邮箱}}
            phone: {type: phone, label: {en: Phone, zh: 电话}}
            revenue: {type: money, min: 0, sensitive: true, label: {en: Revenue, zh: 营业收入}}
            since: {type: date, label: {en: Customer since, zh: 客户起始日期}}
            tier:
              type: choice
              label: {en: Tier, zh: 等级}
              options:
                gold: {en: Gold, zh: 金牌}
                silver: {en: Silver, zh: 银牌}
            company: {type: reference, to: company, label: {en: Company, zh: 公司}}
            notes: {type: text}
          access:
            rep:
              create: all
              read: owner == current_user
              update: owner == current_user
              hide: [revenue]
            manager: {create: all, read: all, update: all, delete: all}
    """,
}


@dataclass
class Crm:
    app: App
    store: Store
    root: Path
    url: str
    rep: User
    other_rep: User
    manager: User
    admin: User


def open_crm(write_project: Callable[..., Path], db_url: str,
             files: dict[str, str] | None = None) -> Crm:
    """Write the CRM (with `files` added), create its tables in `db_url`, add users."""
    root = write_project({**PROJECT, **(files or {})})
    app = compile_app(load_project_or_raise(root))
    store = Store(app, db_url)
    store.create_schema()
    return Crm(app, store, root, db_url, add_account(store, "rita", ["rep"]),
               add_account(store, "ralf", ["rep"]), add_account(store, "mona", ["manager"]),
               add_account(store, "ada", ["admin"]))
