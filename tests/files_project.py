"""A small help desk for the attachment and portal tests: accounts, contacts with
e-mail addresses, tickets with a file field and a workflow where a ticket waits for
its customer; agents, a manager, and a customer portal whose contacts see their own
tickets (or, with `account_tickets`, their account's)."""

from __future__ import annotations

OWN_TICKETS = "contact == current_contact"
ACCOUNT_TICKETS = "contact == current_contact or account == current_account"


def desk(read: str = OWN_TICKETS, max_size: str = "64KiB", directory: str = "files",
         ) -> dict[str, str]:
    """The project's files; `read` is the portal's read condition on tickets."""
    return {
        "guanxi.yaml": f"""\
project: desk
label: {{en: Help desk, zh: 服务台}}
languages: [en, zh]
roles:
  agent: {{label: {{en: Agent, zh: 客服}}}}
  manager: {{includes: [agent], admin: true}}
  reader: {{}}
  visitor: {{}}
system:
  grants:
    contact: {{read: all}}
portal:
  principal: contact
  email: email
  account: account
  tickets: ticket
  reply: customer_replied
  link_lifetime: 10m
  links_per_hour: 3
  grants:
    ticket:
      read: '{read}'
      update: 'contact == current_contact'
      readonly: [subject, contact, account, body]
      hide: [notes, assignee]
      transitions: [customer_replied]
attachments:
  directory: {directory}
  max_size: {max_size}
  types: [application/pdf, image/png, text/plain]
""",
        "entities/desk.yaml": """\
account:
  title: name
  fields:
    name: {type: string, required: true}
  access:
    agent: {read: all, create: all}
contact:
  title: name
  fields:
    name: {type: string, required: true}
    email: {type: email}
    account: {type: reference, to: account}
  access:
    agent: {read: all, create: all, update: all}
ticket:
  label: {en: Ticket, zh: 工单}
  plural: {en: Tickets, zh: 工单}
  title: subject
  workflow: support
  fields:
    subject: {type: string, required: true, label: {en: Subject, zh: 主题}}
    body: {type: text, label: {en: Description, zh: 描述}}
    contact: {type: reference, to: contact}
    account: {type: reference, to: account}
    assignee: {type: user}
    notes: {type: text, label: {en: Internal notes, zh: 内部备注}}
    receipt: {type: file, label: {en: Receipt, zh: 收据}}
    id_scan: {type: file, sensitive: true, label: {en: ID scan, zh: 证件扫描}}
  access:
    agent: {create: all, read: all, update: all, hide: [id_scan]}
    manager: {create: all, read: all, update: all, delete: all}
    reader: {read: all}
""",
        "workflows/support.yaml": """\
support:
  initial: open
  states:
    open: {label: {en: Open, zh: 待处理}}
    waiting: {label: {en: Waiting for you, zh: 等待您的回复}}
    working: {label: {en: In progress, zh: 处理中}}
    done: {final: true, label: {en: Done, zh: 已完成}}
  transitions:
    ask_customer: {from: [open, working], to: waiting}
    customer_replied: {from: waiting, to: working}
    finish: {from: [open, working, waiting], to: done}
""",
    }


# The smallest file of each kind the sniffer tells.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
HTML = b"<!doctype html><script>alert(1)</script>"
