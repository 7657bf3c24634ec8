"""The shop project with what list pages and boards read from the YAML: a currency,
card fields and a column total on the board, and shared views for some roles."""

from __future__ import annotations

from server_app import SHOP_PROJECT

LISTS_PROJECT: dict[str, str] = {
    **SHOP_PROJECT,
    "entities/crm.yaml": SHOP_PROJECT["entities/crm.yaml"]
    .replace("    value: {type: money, min: 0, label: {en: Value, zh: 金额}}",
             "    value: {type: money, min: 0, currency: CNY, label: {en: Value, zh: 金额}}\n"
             "    due: {type: date, label: {en: Due, zh: 截止}}\n"
             "    hot: {type: boolean, label: {en: Hot, zh: 热门}}")
    .replace("  list:\n    columns: [name, email, value, source]",
             "  list:\n    columns: [name, email, value, source]\n"
             "  board:\n    card: [value, due]\n"
             "  views:\n"
             "    big:\n"
             "      label: {en: Big deals, zh: 大单}\n"
             "      filters: {value.from: 1000}\n"
             "      columns: [name, value]\n"
             "      sort: -value\n"
             "    managers_only:\n"
             "      label: {en: Hot ones, zh: 热门的}\n"
             "      roles: [manager]\n"
             "      filters: {hot: true}"),
}
