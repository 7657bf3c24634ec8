"""A small sales project for the workspace's tests (search, timelines, tasks), as YAML.

Roles: `rep` (her own accounts, deals and activities; a deal's `secret` is hidden from
her), `manager` (includes rep; reads and changes everything, administrator). Deals
follow a workflow; activities are tasks (a `due` time and a `done` box).
"""

from __future__ import annotations

PROJECT: dict[str, str] = {
    "guanxi.yaml": """\
project: workspace
label: {en: Workspace CRM, zh: 工作台客户管理}
languages: [en, zh]
roles:
  rep: {label: {en: Rep, zh: 销售}}
  manager: {includes: [rep], admin: true}
""",
    "entities/crm.yaml": """\
account:
  label: {en: Account, zh: 客户}
  plural: {en: Accounts, zh: 客户}
  title: name
  fields:
    name: {type: string, required: true, label: {en: Company, zh: 公司}}
    city: {type: string, label: {en: City, zh: 城市}}
  access:
    rep: {create: all, read: owner == current_user, update: owner == current_user}
    manager: {create: all, read: all, update: all, delete: all}
deal:
  label: {en: Deal, zh: 商机}
  plural: {en: Deals, zh: 商机}
  title: name
  workflow: pipeline
  fields:
    name: {type: string, required: true, label: {en: Name, zh: 名称}}
    account: {type: reference, to: account, label: {en: Account, zh: 客户}}
    secret: {type: text, label: {en: Secret, zh: 机密}}
  access:
    rep: {create: all, read: owner == current_user, update: owner == current_user,
          hide: [secret]}
    manager: {create: all, read: all, update: all, delete: all}
activity:
  label: {en: Activity, zh: 活动}
  plural: {en: Activities, zh: 活动}
  title: subject
  fields:
    subject: {type: string, required: true, label: {en: Subject, zh: 主题}}
    kind:
      type: choice
      default: call
      label: {en: Kind, zh: 类型}
      options:
        call: {en: Call, zh: 电话}
        meeting: {en: Meeting, zh: 会议}
        email: {en: E-mail, zh: 邮件}
    due: {type: datetime, label: {en: Due, zh: 时间}}
    done: {type: boolean, default: false, label: {en: Done, zh: 已完成}}
    deal: {type: reference, to: deal, label: {en: Deal, zh: 商机}}
    account: {type: reference, to: account, label: {en: Account, zh: 客户}}
  access:
    rep: {create: all, read: owner == current_user, update: owner == current_user}
    manager: {create: all, read: all, update: all, delete: all}
""",
    "workflows/pipeline.yaml": """\
pipeline:
  initial: open
  states:
    open: {label: {en: Open, zh: 进行中}}
    won: {label: {en: Won, zh: 赢单}, final: true}
  transitions:
    win: {from: open, to: won, label: {en: Win, zh: 赢单}}
""",
}
