"""The runtime's message catalog: what users are told, in English and Chinese.

Messages are looked up by a code and filled with named parameters. Values a user typed
are shown quoted and shortened (`show`), so every message names the bad value and says
what is allowed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

CATALOG: dict[str, dict[str, str]] = {
    "en": {
        "required": "is required",
        "unknown_field": "unknown field {name} (fields of {entity} you may set: {allowed})",
        "not_text": "{value} is not text",
        "not_integer": "{value} is not a whole number",
        "not_number": "{value} is not a number",
        "too_many_decimals": "{value} has more than {scale} digits after the decimal point",
        "too_large": "{value} is too large a number (at most 28 digits in all)",
        "out_of_range": "{value} is outside the whole numbers that can be stored "
        "(from -9223372036854775808 to 9223372036854775807)",
        "not_boolean": "{value} is not yes or no (use true or false)",
        "not_date": "{value} is not a date (use YYYY-MM-DD, e.g. 2026-11-22)",
        "not_datetime": "{value} is not a date and time (use ISO 8601, e.g. 2026-11-22T14:30:00Z)",
        "not_duration": "{value} is not a duration (use 90m, 12h, 3d, 1w or a number of seconds)",
        "not_email": "{value} is not an e-mail address (expected name@domain.tld)",
        "not_phone": "{value} is not a phone number (digits, spaces and + - ( ) ., "
        "at least 5 digits)",
        "not_url": "{value} is not a web address (expected http://… or https://…)",
        "not_choice": "{value} is not one of: {allowed}",
        "not_list": "{value} is not a list of options (allowed: {allowed})",
        "not_id": "{value} is not a record id (a positive whole number)",
        "below_min": "{value} is below the minimum {min}",
        "above_max": "{value} is above the maximum {max}",
        "too_short": "{value} has {length} characters, fewer than the minimum {min_length}",
        "too_long": "{value} has {length} characters, more than the maximum {max_length}",
        "no_match": "{value} does not match the pattern {pattern}",
        "no_record": "there is no {entity} {value} that you can see",
        "no_user": "{value} is not the id of an active user",
        "not_unique": "{value} is already used by another {entity}",
        "rule_failed": "condition failed: {condition}",
        "required_in_state": "is required in state '{state}'",
        "computed": "could not be computed: {reason}",
        "not_writable": "you may not set this field",
        "may_not_create": "you may not create this {entity}",
        "password_empty": "a password cannot be empty",
        "password_too_short": "the password has {length} characters; use at least "
        "{min_length} (a few words in a row are long and easy to remember)",
        "password_too_long": "the password has {length} characters; use at most {max_length}",
        "password_has_username": "the password contains the username; choose one that "
        "does not",
        "password_common": "the password is on the list of commonly used passwords; "
        "choose a less common one",
    },
    "zh": {
        "required": "必填",
        "unknown_field": "未知字段 {name}（{entity} 中你可以填写的字段：{allowed}）",
        "not_text": "{value} 不是文本",
        "not_integer": "{value} 不是整数",
        "not_number": "{value} 不是数字",
        "too_many_decimals": "{value} 的小数位超过 {scale} 位",
        "too_large": "{value} 数值太大（总共最多 28 位数字）",
        "out_of_range": "{value} 超出可存储的整数范围"
        "（-9223372036854775808 到 9223372036854775807）",
        "not_boolean": "{value} 不是“是”或“否”（请使用 true 或 false）",
        "not_date": "{value} 不是日期（请使用 YYYY-MM-DD，例如 2026-11-22）",
        "not_datetime": "{value} 不是日期时间（请使用 ISO 8601，例如 2026-11-22T14:30:00Z）",
        "not_duration": "{value} 不是时长（请使用 90m、12h、3d、1w 或秒数）",
        "not_email": "{value} 不是电子邮件地址（应为 name@domain.tld）",
        "not_phone": "{value} 不是电话号码（数字、空格和 + - ( ) .，至少 5 位数字）",
        "not_url": "{value} 不是网址（应以 http:// 或 https:// 开头）",
        "not_choice": "{value} 不是可选值之一：{allowed}",
        "not_list": "{value} 不是选项列表（可选值：{allowed}）",
        "not_id": "{value} 不是记录编号（正整数）",
        "below_min": "{value} 小于最小值 {min}",
        "above_max": "{value} 大于最大值 {max}",
        "too_short": "{value} 有 {length} 个字符，少于最少 {min_length} 个",
        "too_long": "{value} 有 {length} 个字符，超过最多 {max_length} 个",
        "no_match": "{value} 不符合格式 {pattern}",
        "no_record": "没有您可以查看的编号为 {value} 的{entity}",
        "no_user": "{value} 不是有效用户的编号",
        "not_unique": "{value} 已被另一个{entity}使用",
        "rule_failed": "条件不成立：{condition}",
        "required_in_state": "在状态“{state}”下必填",
        "computed": "无法计算：{reason}",
        "not_writable": "您不能设置此字段",
        "may_not_create": "您不能创建此{entity}",
        "password_empty": "密码不能为空",
        "password_too_short": "密码只有 {length} 个字符；至少需要 {min_length} 个"
        "（几个词连在一起，既够长又好记）",
        "password_too_long": "密码有 {length} 个字符；最多 {max_length} 个",
        "password_has_username": "密码包含用户名；请换一个不含用户名的密码",
        "password_common": "这个密码在常用密码列表中；请换一个不常见的密码",
    },
}

# Messages of the Store itself (access, workflow), same conventions.
CATALOG["en"].update({
    "no_transition": "'{entity}' has no transition '{name}' (transitions: {allowed})",
    "no_workflow": "'{entity}' has no workflow, so it has no transitions",
    "wrong_state": "can't '{name}' from '{state}' (allowed from: {allowed})",
    "guard_failed": "can't '{name}': condition failed: {condition}",
    "missing": "can't '{name}': missing: {fields}",
    "role_refused": "your roles ({roles}) may not '{name}'",
    "state_via_transition": "the state changes only through a transition ({allowed})",
})
CATALOG["zh"].update({
    "no_transition": "“{entity}”没有流转“{name}”（可用流转：{allowed}）",
    "no_workflow": "“{entity}”没有工作流，因此没有流转",
    "wrong_state": "无法从“{state}”执行“{name}”（允许的起始状态：{allowed}）",
    "guard_failed": "无法执行“{name}”：条件不成立：{condition}",
    "missing": "无法执行“{name}”：缺少：{fields}",
    "role_refused": "您的角色（{roles}）不能执行“{name}”",
    "state_via_transition": "状态只能通过流转改变（{allowed}）",
})

# The Store's refusals and errors: stable codes (`GuanxiError.code`), same conventions.
CATALOG["en"].update({
    "not_found": "{entity} {id} not found",
    "version_conflict": "{entity} {id} was changed by someone else (you had version "
    "{expected}, it is now {actual}); reload it and apply your change again",
    "may_not_create_any": "you may not create {entity} records",
    "may_not_create_rule": "you may not create this {entity} (no create condition of your "
    "roles holds for it)",
    "may_not_read": "you may not read {entity} records",
    "may_not_change": "you may not change this {entity}",
    "may_not_delete": "you may not delete this {entity}",
    "may_not_restore": "you may not restore this {entity}",
    "note_empty": "write something in the note",
    "note_too_long": "a note holds at most {max} characters",
    "note_mention": "{author} mentioned you in a note: {excerpt}",
    "not_a_task": "{entity} records are not tasks (they need a due date and a done field)",
    "may_not_set": "you may not set {fields} on {entity} (hidden, read-only, computed, "
    "system or not editable in this state)",
    "bad_expected_version": "expected_version must be a whole number, not {value}",
    "bad_import_mode": "mode must be one of {allowed}, not {value}",
    "bad_batch_size": "batch_size must be a positive whole number, not {value}",
    "bad_limit": "limit must be a whole number from 1 to {max}, not {value}",
    "bad_offset": "page skips too far: at most {max} records, not {value}",
    "sum_refused": "{name} cannot be summed: it is not a number field",
    "bad_cursor": "invalid cursor: use the next_cursor of a page listed with the same sort",
    "where_too_long": "where: the condition is longer than {max} characters",
    "where_invalid": "where: {reason}",
    "filter_tags": "cannot filter {entity} by tags field {name} with equality; "
    "use where: \"option\" in {field}",
    "filter_invalid": "filter {name}: {reason}",
    "sort_refused": "cannot sort {entity} by {name} (sortable: {allowed})",
    "path_unreadable_entity": "cannot {what} {entity} by {path}: you may not read {owner}",
    "path_unreadable": "cannot {what} {entity} by {path}: {reason} ({hint}fields{of}: "
    "{allowed})",
    "path_no_field": "no such field you can see",
    "path_no_field_of": "{owner} has no field {name} you can see",
    "path_did_you_mean": "did you mean {name}? ",
    "path_fields_of": " of {owner}",
    "unknown_entity": "unknown entity {name} (entities: {allowed})",
    "automation_notice": "a {entity} needs your attention",
})
CATALOG["zh"].update({
    "not_found": "找不到{entity} {id}",
    "version_conflict": "{entity} {id} 已被他人修改（您的版本是 {expected}，现在是 {actual}）；"
    "请重新加载后再修改",
    "may_not_create_any": "您不能创建{entity}记录",
    "may_not_create_rule": "您不能创建此{entity}（您的角色没有成立的创建条件）",
    "may_not_read": "您不能查看{entity}记录",
    "may_not_change": "您不能修改此{entity}",
    "may_not_delete": "您不能删除此{entity}",
    "may_not_restore": "您不能恢复此{entity}",
    "note_empty": "请填写备注内容",
    "note_too_long": "备注最多 {max} 个字符",
    "note_mention": "{author} 在备注中提到了您：{excerpt}",
    "not_a_task": "{entity}记录不是任务（需要截止时间和完成字段）",
    "may_not_set": "您不能设置{entity}的 {fields}"
    "（隐藏、只读、计算、系统字段，或在此状态下不可编辑）",
    "bad_expected_version": "expected_version 必须是整数，而不是 {value}",
    "bad_import_mode": "mode 必须是 {allowed} 之一，而不是 {value}",
    "bad_batch_size": "batch_size 必须是正整数，而不是 {value}",
    "bad_limit": "limit 必须是 1 到 {max} 之间的整数，而不是 {value}",
    "bad_offset": "页码过大：最多跳过 {max} 条记录，而不是 {value}",
    "sum_refused": "{name} 不能求和：它不是数字字段",
    "bad_cursor": "无效的游标：请使用按同一排序列出的页面的 next_cursor",
    "where_too_long": "where：条件超过 {max} 个字符",
    "where_invalid": "where：{reason}",
    "filter_tags": "不能按标签字段 {name} 对{entity}做相等筛选；请使用 where: \"选项\" in {field}",
    "filter_invalid": "筛选 {name}：{reason}",
    "sort_refused": "不能按 {name} 对{entity}排序（可排序字段：{allowed}）",
    "path_unreadable_entity": "不能按 {path} {what}{entity}：您不能查看{owner}",
    "path_unreadable": "不能按 {path} {what}{entity}：{reason}（{hint}{of}字段：{allowed}）",
    "path_no_field": "没有您可以查看的此字段",
    "path_no_field_of": "{owner} 没有您可以查看的字段 {name}",
    "path_did_you_mean": "您是不是指 {name}？",
    "path_fields_of": "{owner} 的",
    "unknown_entity": "未知实体 {name}（实体：{allowed}）",
    "automation_notice": "有一条{entity}记录需要您处理",
})

# Explanations of access ("why can I see this?"), same conventions.
CATALOG["en"].update({
    "explain_verb_read": "read",
    "explain_verb_update": "update",
    "explain_verb_delete": "delete",
    "explain_verb_create": "create",
    "explain_no_roles": "no roles",
    "explain_user": "user {user} has {roles}",
    "explain_user_through": "user {user} has {roles} (and, through includes, {through})",
    "explain_no_entry": "role {role} has no access entry for {entity}: it may do nothing "
    "with it (default deny)",
    "explain_no_entry_unknown": "role {role} (not a role of this project) has no access "
    "entry for {entity}: it may do nothing with it (default deny)",
    "explain_op_none": "role {role} may not {operation} {entity} ({key}: none)",
    "explain_op_all": "role {role} may {operation} {entity}: every record ({path}, {loc})",
    "explain_op_new": "role {role} may {operation} {entity}: new records ({path}, {loc})",
    "explain_op_where": "role {role} may {operation} {entity} where {condition} "
    "({path}, {loc})",
    "explain_op_holds": "role {role} may {operation} {entity} where {condition}: holds "
    "for this record ({path}, {loc})",
    "explain_op_fails": "role {role} may {operation} {entity} where {condition}: does not "
    "hold for this record ({path}, {loc})",
    "explain_op_error": "role {role} may {operation} {entity} where {condition}: could not "
    "be evaluated here ({error}) ({path}, {loc})",
    "explain_none_readable": "so {user} cannot see any {entity}: no role of theirs grants read",
    "explain_can_see": "so {user} can see this {entity}",
    "explain_cannot_see": "so {user} cannot see this {entity}: no read condition holds for it",
    "explain_can_do": "so {user} can {operation} this {entity}",
    "explain_cannot_do": "so {user} cannot {operation} this {entity}",
    "explain_hidden_from_role": "field {field} is hidden from {role} ({entity}.access.{role}.hide)",
    "explain_visible_through": "field {field} is visible through {roles}",
    "explain_hidden_from_user": "so field {field} is hidden from {user}",
    "explain_readonly_role": "field {field} is read-only for {role} "
    "({entity}.access.{role}.readonly)",
    "explain_readonly_field": "field {field} is read-only once created "
    "({entity}.fields.{field}.readonly)",
    "explain_state_editable": "in state {state}, only {fields} may be edited ({loc})",
    "explain_state_frozen": "in state {state}, no field may be edited ({loc})",
    "explain_transitions": "so {user} may fire now: {transitions}",
    "explain_no_transitions": "so {user} may fire no transition on this {entity} now",
})
CATALOG["zh"].update({
    "explain_verb_read": "查看",
    "explain_verb_update": "修改",
    "explain_verb_delete": "删除",
    "explain_verb_create": "创建",
    "explain_no_roles": "无角色",
    "explain_user": "用户 {user} 拥有角色 {roles}",
    "explain_user_through": "用户 {user} 拥有角色 {roles}（并通过包含关系拥有 {through}）",
    "explain_no_entry": "角色 {role} 对 {entity} 没有访问条目：不能对其做任何操作（默认拒绝）",
    "explain_no_entry_unknown": "角色 {role}（不是本项目的角色）对 {entity} 没有访问条目："
    "不能对其做任何操作（默认拒绝）",
    "explain_op_none": "角色 {role} 不能{operation} {entity}（{key}: none）",
    "explain_op_all": "角色 {role} 可以{operation}所有 {entity} 记录（{path}，{loc}）",
    "explain_op_new": "角色 {role} 可以{operation}新的 {entity} 记录（{path}，{loc}）",
    "explain_op_where": "角色 {role} 可以{operation}满足 {condition} 的 {entity} 记录"
    "（{path}，{loc}）",
    "explain_op_holds": "角色 {role} 可以{operation}满足 {condition} 的 {entity} 记录："
    "本记录满足（{path}，{loc}）",
    "explain_op_fails": "角色 {role} 可以{operation}满足 {condition} 的 {entity} 记录："
    "本记录不满足（{path}，{loc}）",
    "explain_op_error": "角色 {role} 可以{operation}满足 {condition} 的 {entity} 记录："
    "此处无法判断（{error}）（{path}，{loc}）",
    "explain_none_readable": "因此 {user} 看不到任何 {entity}：其角色都没有查看权限",
    "explain_can_see": "因此 {user} 可以看到这条 {entity}",
    "explain_cannot_see": "因此 {user} 看不到这条 {entity}：没有成立的查看条件",
    "explain_can_do": "因此 {user} 可以{operation}这条 {entity}",
    "explain_cannot_do": "因此 {user} 不能{operation}这条 {entity}",
    "explain_hidden_from_role": "字段 {field} 对 {role} 隐藏（{entity}.access.{role}.hide）",
    "explain_visible_through": "字段 {field} 通过 {roles} 可见",
    "explain_hidden_from_user": "因此字段 {field} 对 {user} 隐藏",
    "explain_readonly_role": "字段 {field} 对 {role} 只读（{entity}.access.{role}.readonly）",
    "explain_readonly_field": "字段 {field} 创建后只读（{entity}.fields.{field}.readonly）",
    "explain_state_editable": "在状态 {state} 下，只能编辑 {fields}（{loc}）",
    "explain_state_frozen": "在状态 {state} 下，不能编辑任何字段（{loc}）",
    "explain_transitions": "因此 {user} 现在可以执行：{transitions}",
    "explain_no_transitions": "因此 {user} 现在不能对这条 {entity} 执行任何流转",
})

_LIST_SEPARATOR = {"en": ", ", "zh": "、"}
_MAX_SHOWN = 40


def show(value: Any) -> str:
    """A value as a message shows it: strings quoted, long ones shortened."""
    if isinstance(value, str):
        text = value if len(value) <= _MAX_SHOWN else value[: _MAX_SHOWN - 1] + "…"
        return f"'{text}'"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def join(items: Any, language: str = "en") -> str:
    """Names as a list in running text ("a, b, c" / "a、b、c")."""
    names = [str(i) for i in items]
    return _LIST_SEPARATOR.get(language, ", ").join(names) if names else "-"


def render(code: str, params: dict[str, Any], language: str = "en") -> str:
    """The message `code` in `language` (English if the language is not catalogued).
    List or tuple parameters are joined as running text in that language."""
    table = CATALOG.get(language) or CATALOG["en"]
    template = table.get(code) or CATALOG["en"][code]
    filled = {
        k: join(v, language) if isinstance(v, list | tuple) else v for k, v in params.items()
    }
    return template.format(**filled)

# Historical imports.
CATALOG["en"].update({
    "may_not_import_history": "only administrators and the system may import {entity} "
    "records as they were (historical=True)",
    "not_a_state": "{value} is not a state (states: {allowed})",
})
CATALOG["zh"].update({
    "may_not_import_history": "只有管理员和系统可以按原样导入{entity}记录（historical=True）",
    "not_a_state": "{value} 不是一个状态（状态：{allowed}）",
})

# Roll-ups and the records they change.
CATALOG["en"].update({
    "related_rule_failed": "{entity} {id} would break its rules: {messages}",
})
CATALOG["zh"].update({
    "related_rule_failed": "{entity} {id} 将不再符合其规则：{messages}",
})
# Data in and out: imports, exports, duplicates, erasure.
CATALOG["en"].update({
    "no_record_with": "there is no {entity} with {field} {value} that you can see",
    "upsert_needs_key": "an upsert of {entity} needs the key fields that identify a "
    "record (--key FIELD, or key: in the mapping)",
    "unknown_key": "key {name} is not a field of {entity}",
    "import_not_undoable": "import {batch} cannot be undone: it is {status}",
    "undo_refused": "import {batch} cannot be undone: {detail}",
    "same_record_twice": "{entity} {id} is already changed by an earlier row of this batch",
    "may_not_erase": "only administrators and the system may erase {entity} records",
    "merge_itself": "a {entity} cannot be merged with itself",
    "merge_side": "each field takes the value of the survivor or the other ({allowed}), "
    "not {given}",
    "likely_duplicate": "this {entity} looks like {count} that already exist; "
    "send it again with duplicates=allow to create it anyway",
    "duplicates_found": "{count} new group(s) of likely duplicate {entity} records",
})
CATALOG["zh"].update({
    "no_record_with": "没有您可以查看的{field}为 {value} 的{entity}",
    "upsert_needs_key": "更新导入{entity}需要标识记录的键字段（--key 字段，或映射中的 key:）",
    "unknown_key": "键 {name} 不是{entity}的字段",
    "import_not_undoable": "导入批次 {batch} 无法撤销：其状态为 {status}",
    "undo_refused": "导入批次 {batch} 无法撤销：{detail}",
    "same_record_twice": "{entity} {id} 已被本批次中前面的行修改",
    "may_not_erase": "只有管理员和系统可以擦除{entity}记录",
    "merge_itself": "{entity}不能与自身合并",
    "merge_side": "每个字段取保留记录或另一条记录的值（{allowed}），而不是 {given}",
    "duplicates_found": "发现 {count} 组新的疑似重复{entity}记录",
    "likely_duplicate": "此{entity}与已有的 {count} 条记录相似；"
    "如仍要创建，请带上 duplicates=allow 再次提交",
})
# Reports (guanxi.insight).
CATALOG["en"].update({
    "report_unknown": "there is no report {name} (reports: {allowed})",
    "report_refused": "report {report} is not shown to you: its {what} reads {path}, "
    "which you may not see",
    "report_entity_refused": "report {report} counts {entity} records, which you may not read",
    "report_param_unknown": "report {report} has no parameter {name} (parameters: {allowed})",
    "report_param_invalid": "parameter {name} of report {report}: {reason}",
    "report_too_many_groups": "report {report} has more than {max} rows; narrow it with "
    "its parameters or a limit",
    "report_param_too_long": "a value of at most {max} characters, without NUL, is expected",
})
CATALOG["zh"].update({
    "report_unknown": "没有报表 {name}（报表：{allowed}）",
    "report_refused": "报表 {report} 不对您显示：其{what}读取了您无权查看的 {path}",
    "report_entity_refused": "报表 {report} 统计的是您无权读取的{entity}记录",
    "report_param_unknown": "报表 {report} 没有参数 {name}（参数：{allowed}）",
    "report_param_invalid": "报表 {report} 的参数 {name}：{reason}",
    "report_too_many_groups": "报表 {report} 超过 {max} 行；请用参数或 limit 缩小范围",
    "report_param_too_long": "值最多 {max} 个字符，且不能含 NUL",
})

# Approvals (`guanxi.automation.asking`, `guanxi.store.approving`).
CATALOG["en"].update({
    "approval_asked": "{entity} {id}: {requester} asks you to approve {transition}",
    "approval_reminder": "{entity} {id}: {transition} still waits for your approval",
    "approval_approved": "{entity} {id}: {transition} was approved",
    "approval_rejected": "{entity} {id}: {transition} was rejected by {approver}",
    "approval_withdrawn": "{entity} {id} was deleted: your request for {transition} is "
    "withdrawn",
    "approval_already_pending": "{entity} {id} already waits for approval of {transition}; "
    "it can be decided in the approvals inbox",
    "approval_nobody": "nobody may approve step {step} of {transition} ({by}): "
    "no active user holds it, and nobody approves their own request",
    "approval_not_found": "approval {id} not found, or already decided",
    "approval_not_asked": "you are not asked to decide approval {id} (at its step {step})",
    "approval_no_way_back": "{entity} {id} cannot return to {state} from {current}: "
    "no transition of the workflow leads there",
    "approval_bad_decision": "decision must be approve or reject, not {value}",
})
CATALOG["zh"].update({
    "approval_asked": "{entity} {id}：{requester} 请您审批“{transition}”",
    "approval_reminder": "{entity} {id}：“{transition}”仍在等待您的审批",
    "approval_approved": "{entity} {id}：“{transition}”已获批准",
    "approval_rejected": "{entity} {id}：“{transition}”被 {approver} 驳回",
    "approval_withdrawn": "{entity} {id} 已被删除：您的“{transition}”审批申请已撤回",
    "approval_already_pending": "{entity} {id} 的“{transition}”已在等待审批；请在审批收件箱中处理",
    "approval_nobody": "“{transition}”的第 {step} 步（{by}）无人可以审批：没有在职用户担任，"
    "且不能审批自己的申请",
    "approval_not_found": "找不到审批 {id}，或已处理",
    "approval_not_asked": "您不是审批 {id}（第 {step} 步）的审批人",
    "approval_no_way_back": "{entity} {id} 无法从 {current} 回到 {state}："
    "工作流中没有通往该状态的流转",
    "approval_bad_decision": "决定必须是 approve 或 reject，而不是 {value}",
})

# Attachments and the customer portal.
CATALOG["en"].update({
    "attachment_empty": "the file is empty",
    "attachment_too_large": "the file is {size} bytes; at most {max} bytes are allowed",
    "attachment_type_refused": "files of type {type} are not allowed (allowed: {allowed})",
    "attachment_not_file_field": "{name} is not a file field of {entity} (file fields: "
    "{allowed})",
    "portal_reply_empty": "write a reply",
    "portal_reply_subject": "Reply from {name}",
})
CATALOG["zh"].update({
    "attachment_empty": "文件为空",
    "attachment_too_large": "文件大小为 {size} 字节，最多允许 {max} 字节",
    "attachment_type_refused": "不允许 {type} 类型的文件（允许：{allowed}）",
    "attachment_not_file_field": "{name} 不是 {entity} 的文件字段（文件字段：{allowed}）",
    "portal_reply_empty": "请填写回复内容",
    "portal_reply_subject": "{name} 的回复",
})
