"""Scenarios as a sign-off document (Markdown), in English or Chinese, written with the
project's own labels: what the business reads and signs, and `guanxi test` runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from guanxi.acceptance.scenario import Action, Expected, Scenario, Step
from guanxi.spec import ProjectSpec, text_in

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Acceptance scenarios: {project}",
        "intro": "Each scenario is run by `guanxi test` on a fresh database. Signing below "
                 "confirms that the project behaves as described.",
        "users": "Users",
        "given": "Given",
        "steps": "Steps",
        "create": "{user} creates {entity} “{name}”{values}",
        "update": "{user} changes {record}{values}",
        "fire": "{user} does “{transition}” on {record}{values}",
        "delete": "{user} deletes {record}",
        "import": "{user} imports {rows} {entity} row(s)",
        "advance": "{after} pass",
        "refused": "this is refused",
        "refused_on": "this is refused ({fields})",
        "saying": ", saying “{message}”",
        "value": "{record}: {field} is {value}",
        "sees": "{user} sees {record}",
        "cannot_see": "{user} cannot see {record}",
        "hidden": "{user} does not see {field} of {record}",
        "count": "{user} sees {value} {entity} record(s)",
        "imported": "{value} record(s) are imported",
        "notifications": "{value} notification(s) are sent",
        "with": " with {values}",
        "a_record": "{entity} “{name}”{values}",
        "then": "then",
        "empty": "empty",
        "sign": "Signed off by: ______________________  Date: ____________",
    },
    "zh": {
        "title": "验收场景：{project}",
        "intro": "每个场景都由 `guanxi test` 在全新的数据库上运行。"
                 "签字即确认系统的行为与描述一致。",
        "users": "用户",
        "given": "前提",
        "steps": "步骤",
        "create": "{user} 新建{entity}“{name}”{values}",
        "update": "{user} 修改 {record}{values}",
        "fire": "{user} 对 {record} 执行“{transition}”{values}",
        "delete": "{user} 删除 {record}",
        "import": "{user} 导入 {rows} 行{entity}",
        "advance": "经过 {after}",
        "refused": "系统拒绝",
        "refused_on": "系统拒绝（{fields}）",
        "saying": "，提示“{message}”",
        "value": "{record}：{field} 为 {value}",
        "sees": "{user} 能看到 {record}",
        "cannot_see": "{user} 看不到 {record}",
        "hidden": "{user} 看不到 {record} 的{field}",
        "count": "{user} 能看到 {value} 条{entity}",
        "imported": "导入了 {value} 条记录",
        "notifications": "发出了 {value} 条通知",
        "with": "，{values}",
        "a_record": "{entity}“{name}”{values}",
        "then": "然后",
        "empty": "空",
        "sign": "签字：______________________  日期：____________",
    },
}


class _Writer:
    def __init__(self, spec: ProjectSpec, language: str) -> None:
        self.spec = spec
        self.language = language if language in WORDS else "en"
        self.words = WORDS[self.language]
        self.entities: dict[str, str] = {}

    def say(self, key: str, **params: Any) -> str:
        return self.words[key].format(**params)

    def entity_label(self, entity: str) -> str:
        spec = self.spec.entity(entity)
        return text_in(spec.label, self.language, entity) if spec else entity

    def field_label(self, entity: str, name: str) -> str:
        spec = self.spec.entity(entity)
        field = spec.field(name) if spec else None
        if name == "state":
            return "状态" if self.language == "zh" else "state"
        return text_in(field.label, self.language, name) if field else name

    def value(self, entity: str, name: str, value: Any) -> str:
        if value is None:
            return self.words["empty"]
        spec = self.spec.entity(entity)
        if name == "state" and spec and spec.workflow:
            workflow = self.spec.workflow(spec.workflow)
            state = workflow.state(str(value)) if workflow else None
            if state is not None:
                return f"“{text_in(state.label, self.language, state.name)}”"
        field = spec.field(name) if spec else None
        for option in field.options if field else ():
            if option.value == str(value):
                return f"“{text_in(option.label, self.language, option.value)}”"
        return f"“{value}”" if isinstance(value, str) else str(value)

    def values(self, entity: str, values: Mapping[str, Any], key: str = "with") -> str:
        if not values:
            return ""
        separator = "，" if self.language == "zh" else ", "
        shown = separator.join(f"{self.field_label(entity, str(n))} "
                               f"{self.value(entity, str(n), v)}" for n, v in values.items())
        return self.say(key, values=shown)

    def transition_label(self, entity: str, name: str) -> str:
        spec = self.spec.entity(entity)
        workflow = self.spec.workflow(spec.workflow) if spec and spec.workflow else None
        transition = workflow.transition(name) if workflow else None
        return text_in(transition.label, self.language, name) if transition else name

    def action(self, action: Action, user: str) -> str:
        entity = self.entities.get(action.target, "")
        if action.kind == "create":
            self.entities[action.target] = action.entity
            return self.say("create", user=user, entity=self.entity_label(action.entity),
                            name=action.target, values=self.values(action.entity,
                                                                   action.values))
        if action.kind == "update":
            return self.say("update", user=user, record=action.target,
                            values=self.values(entity, action.values))
        if action.kind == "fire":
            return self.say("fire", user=user, record=action.target,
                            transition=self.transition_label(entity, action.transition),
                            values=self.values(entity, action.values))
        if action.kind == "delete":
            return self.say("delete", user=user, record=action.target)
        if action.kind == "import":
            rows = max(0, len(action.csv.strip().splitlines()) - 1)
            return self.say("import", user=user, rows=rows,
                            entity=self.entity_label(action.target))
        return self.say("advance", after=action.after)

    def expected(self, expected: Expected, user: str) -> str:
        entity = self.entities.get(expected.record, "")
        if expected.kind == "value":
            return self.say("value", record=expected.record,
                            field=self.field_label(entity, expected.name),
                            value=self.value(entity, expected.name, expected.value))
        if expected.kind == "hidden":
            return self.say("hidden", user=user, record=expected.record,
                            field=self.field_label(entity, expected.name))
        if expected.kind == "count":
            return self.say("count", user=user, value=expected.value,
                            entity=self.entity_label(expected.record))
        return self.say(expected.kind, user=user, record=expected.record,
                        value=expected.value)

    def step(self, step: Step, user: str) -> str:
        parts: list[str] = []
        if step.action is not None:
            parts.append(self.action(step.action, user))
        if step.error is not None:
            entity = self.entities.get(step.action.target, "") if step.action else ""
            fields = "、" if self.language == "zh" else ", "
            refused = self.say("refused_on", fields=fields.join(
                self.field_label(entity, f) for f in step.error.fields)) \
                if step.error.fields else self.say("refused")
            if step.error.message:
                refused += self.say("saying", message=self.message(entity,
                                                                   step.error.message))
            parts.append(refused)
        parts.extend(self.expected(e, user) for e in step.expect)
        text = f" — {self.words['then']} ".join([parts[0], "; ".join(parts[1:])]) \
            if len(parts) > 1 else "".join(parts)
        return text + (f" ({step.note})" if step.note else "")

    def message(self, entity: str, written: str) -> str:
        """A rule's message in the document's language, when `written` is one."""
        spec = self.spec.entity(entity)
        for rule in spec.rules if spec else ():
            if written in rule.message.values():
                return text_in(rule.message, self.language, written)
        return written

    def roles(self, names: tuple[str, ...]) -> str:
        separator = "、" if self.language == "zh" else ", "
        return separator.join(text_in(role.label, self.language, name) if
                              (role := self.spec.role(name)) else name for name in names)

    def scenario(self, scenario: Scenario) -> list[Block]:
        title = text_in(scenario.label, self.language, scenario.name) \
            if scenario.label else scenario.name
        out: list[Block] = [("h2", title), ("code", str(scenario.loc))]
        description = text_in(scenario.description, self.language)
        if description:
            out.append(("p", description))
        if scenario.users:
            shown = ", ".join(f"{name} ({self.roles(given)})"
                              for name, given in scenario.users.items())
            out.append(("field", (self.words["users"], shown)))
        if scenario.given:
            given = []
            for record in scenario.given:
                self.entities[record.name] = record.entity
                given.append(self.say("a_record", entity=self.entity_label(record.entity),
                                      name=record.name,
                                      values=self.values(record.entity, record.values)))
            out += [("label", self.words["given"]), ("ul", given)]
        steps = [self.step(step, step.user or scenario.user or "") for step in scenario.steps]
        out += [("label", self.words["steps"]), ("ol", steps)]
        return out


# One part of the document: (kind, content). kind: h1, h2, p, code, label (a bold
# heading line), field ((label, text)), ul and ol (lists of texts), hr.
Block = tuple[str, Any]
FORMATS = ("markdown", "html")


def _markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for kind, content in blocks:
        if kind in ("h1", "h2"):
            out.append(f"{'#' * int(kind[1])} {content}")
        elif kind == "code":
            out.append(f"`{content}`")
        elif kind == "label":
            out.append(f"**{content}:**")
        elif kind == "field":
            out.append(f"**{content[0]}:** {content[1]}")
        elif kind == "ul":
            out.append("\n".join(f"- {item}" for item in content))
        elif kind == "ol":
            out.append("\n".join(f"{n}. {item}" for n, item in enumerate(content, 1)))
        elif kind == "hr":
            out.append("---")
        else:
            out.append(str(content))
    return "\n\n".join(out) + "\n"


def _html(blocks: Sequence[Block], title: str, language: str) -> str:
    out = ["<!DOCTYPE html>", f'<html lang="{escape(language)}">', "<head>",
           '<meta charset="utf-8">', f"<title>{escape(title)}</title>", "</head>", "<body>"]
    for kind, content in blocks:
        if kind in ("h1", "h2"):
            out.append(f"<{kind}>{escape(content)}</{kind}>")
        elif kind == "code":
            out.append(f"<p><code>{escape(content)}</code></p>")
        elif kind == "label":
            out.append(f"<p><strong>{escape(content)}:</strong></p>")
        elif kind == "field":
            out.append(f"<p><strong>{escape(content[0])}:</strong> {escape(content[1])}</p>")
        elif kind in ("ul", "ol"):
            items = "".join(f"<li>{escape(item)}</li>" for item in content)
            out.append(f"<{kind}>{items}</{kind}>")
        elif kind == "hr":
            out.append("<hr>")
        else:
            out.append(f"<p>{escape(str(content))}</p>")
    return "\n".join([*out, "</body>", "</html>"]) + "\n"


def document(spec: ProjectSpec, scenarios: Sequence[Scenario], language: str = "en",
             format: str = "markdown") -> str:
    """The scenarios as one document for the business to read and sign: Markdown, or a
    standalone HTML page (every text escaped)."""
    writer = _Writer(spec, language)
    project = text_in(spec.label, writer.language, spec.name)
    title = writer.say("title", project=project)
    blocks: list[Block] = [("h1", title), ("p", writer.words["intro"])]
    for scenario in scenarios:
        blocks += writer.scenario(scenario)
    blocks += [("hr", ""), ("p", writer.words["sign"])]
    if format == "html":
        return _html(blocks, title, writer.language)
    return _markdown(blocks)
