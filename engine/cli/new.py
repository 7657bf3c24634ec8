"""`guanxi new PATH`: a small project to start from, which checks clean, migrates, serves
and passes its own acceptance scenario.

    guanxi new crm                 write crm/ (refused if it exists and is not empty)
    guanxi new crm --name shop     … with the project called shop
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path

NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")

FILES = {
    "guanxi.yaml": """
        # The project: its name, languages and roles. See docs/language.md.
        project: {name}
        label: {{en: {title}, zh: {title}}}
        languages: [en, zh]

        roles:
          staff:
            label: {{en: Staff, zh: 员工}}
          manager:
            label: {{en: Manager, zh: 经理}}
            includes: [staff]
            admin: true
        """,
    "entities/customer.yaml": """
        customer:
          label: {en: Customer, zh: 客户}
          title: name
          fields:
            name: {type: string, required: true, max_length: 200, label: {en: Name, zh: 名称}}
            email: {type: email, label: {en: E-mail, zh: 电子邮箱}}
            phone: {type: phone, label: {en: Phone, zh: 电话}}
          access:
            staff: {create: all, read: all, update: all}
            manager: {create: all, read: all, update: all, delete: all}
        """,
    "entities/deal.yaml": """
        deal:
          label: {en: Deal, zh: 交易}
          title: name
          workflow: deal_flow
          fields:
            name: {type: string, required: true, max_length: 200, label: {en: Name, zh: 名称}}
            customer: {type: reference, to: customer, required: true,
                       label: {en: Customer, zh: 客户}}
            value: {type: money, min: 0, label: {en: Value, zh: 金额}}
          rules:
            - when: state == "won"
              require: [value]
              message: {en: A won deal needs its value, zh: 赢单必须填写金额}
          access:
            staff:
              create: all
              read: owner == current_user
              update: owner == current_user
            manager: {create: all, read: all, update: all, delete: all}
        """,
    "workflows/deal_flow.yaml": """
        deal_flow:
          label: {en: Deal flow, zh: 交易流程}
          initial: open
          states:
            open: {label: {en: Open, zh: 进行中}}
            won: {label: {en: Won, zh: 赢单}, final: true}
            lost: {label: {en: Lost, zh: 输单}, final: true}
          transitions:
            win: {from: open, to: won, label: {en: Mark won, zh: 标记赢单}}
            lose: {from: open, to: lost, label: {en: Mark lost, zh: 标记输单}}
        """,
    "scenarios/deals.yaml": """
        # Acceptance scenarios: run them with `guanxi test .`; print them for sign-off with
        # `guanxi test . --document --language zh`. See docs/analyst.md.
        a won deal needs its value:
          label: {en: A won deal needs its value, zh: 赢单必须填写金额}
          users: {sam: staff}
          given:
            acme: {customer: {name: Acme}}
            deal: {deal: {name: First order, customer: acme, owner: sam}}
          as: sam
          steps:
            - fire: {deal: win}
              expect_error: {fields: [value], message: A won deal needs its value}
            - update: {deal: {value: 1000}}
            - fire: {deal: win}
              expect: {deal: {state: won, value: 1000}}

        staff see their own deals only:
          label: {en: Staff see their own deals only, zh: 员工只能看到自己的交易}
          users: {sam: staff, kim: staff}
          given:
            acme: {customer: {name: Acme}}
            mine: {deal: {name: Mine, customer: acme, owner: sam}}
            theirs: {deal: {name: Theirs, customer: acme, owner: kim}}
          as: sam
          steps:
            - expect: {sees: [mine], cannot_see: [theirs]}
        """,
    "README.md": """
        # {title}

        A Guanxi project. From this folder:

        ```sh
        guanxi check .                      # every problem, located
        guanxi test .                       # the acceptance scenarios in scenarios/
        guanxi migrate . --plan             # what the database needs
        guanxi migrate .                    # create it (guanxi.sqlite)
        guanxi users add admin --role manager --project .
        guanxi serve .                      # the staff pages and the JSON API
        guanxi schemas --write .schemas --settings .vscode/settings.json   # editor help
        ```
        """,
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `new` sub-command."""
    parser = subparsers.add_parser(
        "new", help="start a project: a small CRM that checks, runs and passes its scenarios",
        description="Write a small project (customers, deals with a workflow and a rule, "
                    "two roles, acceptance scenarios) into PATH to start from.")
    parser.add_argument("path", metavar="PATH", help="the folder to create")
    parser.add_argument("--name", metavar="NAME",
                        help="the project's name (default: the folder's name)")
    parser.set_defaults(handler=run)


def scaffold(path: Path, name: str) -> list[Path]:
    """Write the starting project into `path`; the files written."""
    title = name.replace("_", " ").title()
    written = []
    for relative, template in FILES.items():
        text = textwrap.dedent(template).lstrip("\n")
        if "{name}" in template or "{title}" in template:
            text = text.format(name=name, title=title)
        target = path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    name = args.name or re.sub(r"[^a-z0-9_]", "_", path.resolve().name.lower()).strip("_")
    if not NAME.fullmatch(name):
        print(f"guanxi: '{name}' cannot name a project: use lowercase letters, digits and _ "
              "(starting with a letter); give one with --name", file=sys.stderr)
        return 1
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        print(f"guanxi: {path} exists and is not empty; choose a new folder",
              file=sys.stderr)
        return 1
    written = scaffold(path, name)
    print(f"wrote project '{name}' to {path} ({len(written)} files). Next:")
    print(f"  guanxi check {path} && guanxi test {path}")
    return 0
