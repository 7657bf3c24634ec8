"""The checker's problems in Chinese: a template per id of `guanxi.diagnostics.CATALOG`,
with the same placeholders (`TEMPLATES`), and the Chinese of the words (`WORDS`) and
phrases (`PHRASES`: hints, details, places, expression errors; `{0}`, `{1}` … for the
values filled in) that the checks write. `Diagnostic.in_language("zh")` uses them. Names,
paths and expressions from the project are never translated; what other software wrote
(the YAML parser, the operating system, the regular-expression and cron libraries) and a
phrase not in the table stay in English."""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping
from typing import Any, NamedTuple

TEMPLATES: dict[str, str] = {
    "GX101": "{detail}",
    "GX102": "{detail}",
    "GX103": "{detail}",
    "GX104": "{detail}",
    "GX105": "{detail}",
    "GX106": "{detail}",
    "GX107": "{detail}",
    "GX108": "没有项目文件：{path} 中没有 guanxi.yaml",
    "GX109": "{what} 必须是名称到定义的映射，而不是 {got}",
    "GX110": "{path} 不是目录",
    "GX111": "{detail}",
    "GX112": "{detail}",
    "GX113": "{detail}",
    "GX114": "项目的文件超过 {limit} 个；此文件及其后的文件未被读取",
    "GX115": "项目文件的总大小超过 {limit} MiB；此文件及其后的文件未被读取",
    "GX201": "{where} 中有未知的键 '{key}'",
    "GX202": "{where} 必须是 {expected}，而不是 {got}",
    "GX203": "{where} 缺少 '{key}'",
    "GX204": "{where} 必须是 {allowed} 之一，而不是 {got}",
    "GX205": "{where}：{detail}",
    "GX301": "'{name}' 不是有效的 {what} 名称",
    "GX302": "'{name}' 是系统字段，不能声明",
    "GX303": "未知的字段类型 '{type}'",
    "GX304": "'{key}' 不适用于 {type} 字段",
    "GX305": "引用了未知的实体 '{name}'",
    "GX306": "{where} 中有未知的字段 '{name}'",
    "GX307": "{where} 中有未知的角色 '{name}'",
    "GX308": "未知的工作流 '{name}'",
    "GX309": "{what} '{name}' 被重复声明（另一处在 {other}）",
    "GX310": "{type} 字段需要 'options'",
    "GX311": "默认值 {value} 对字段 '{field}' 无效：{reason}",
    "GX312": "{low_key} {low} 大于 {high_key} {high}",
    "GX313": "pattern 不是有效的正则表达式：{detail}",
    "GX314": "{key} {value} 对 {type} 字段无效：{reason}",
    "GX315": "选项 '{value}' 重复出现",
    "GX316": "角色 '{name}' 通过 {cycle} 包含了自身",
    "GX317": "规则需要 'require' 或 'check'",
    "GX318": "标签语言 '{language}' 不在项目的语言中（{languages}）",
    "GX319": "引用字段需要 'to'",
    "GX320": "角色 '{name}' 未被任何权限条目、流转、定时器或其他角色使用",
    "GX321": "计算字段不能有 {key}",
    "GX322": "'{name}' 在 {where} 中重复列出",
    "GX323": "实体名称 '{name}' 以 'gx_' 开头，该前缀保留给引擎自身的表使用",
    "GX324": "计算字段 '{name}' 通过 {cycle} 依赖于自身",
    "GX325": "字段 '{name}' 不能既是计算字段又是汇总字段",
    "GX326": "'{name}' 的汇总所基于的实体 '{of}' 未知",
    "GX327": "'{name}' 的汇总：'{via}' 不是 '{of}' 中指向 '{entity}' 的引用字段",
    "GX328": "'{name}' 的汇总读取了 '{of}' 的未知字段 '{field}'",
    "GX329": "'{name}' 的汇总：{source} 字段的 {kind} 结果无法存入 {target} 字段",
    "GX330": "'{name}' 的汇总字段按 'final' 筛选记录，但 '{of}' 没有工作流",
    "GX331": "'{name}' 的汇总条件通过引用读取了 '{path}'",
    "GX332": "'{name}' 通过 {cycle} 依赖自身",
    "GX333": "计算字段 '{name}' 通过多个引用读取 '{path}'",
    "GX334": "未知的时区 '{name}'",
    "GX335": "'{name}' 的汇总条件取决于写入者：{what}",
    "GX336": "'{of}' 没有指向 '{entity}' 的引用，无法用于 '{name}' 中的聚合",
    "GX337": "'{of}' 通过多个字段（{via}）引用 '{entity}'；'{name}' 中的聚合无法确定使用哪一个",
    "GX338": "'{name}' 中的聚合 {call} 必须是完整的表达式",
    "GX339": "'{name}' 中的聚合写法不正确，应写作 {usage}",
    "GX340": "{what} '{name}' 的 renamed_from 为 '{former}'，但后者仍在声明中",
    "GX401": "表达式语法错误：{detail}",
    "GX402": "{detail}",
    "GX403": "表达式 '{text}' 被 YAML 在逗号处截断；请为其加上引号",
    "GX404": "{detail}",
    "GX501": "初始状态 '{name}' 不是工作流 '{workflow}' 的状态",
    "GX502": "流转 '{transition}' 的起始状态 '{name}' 未知",
    "GX503": "流转 '{transition}' 的目标状态 '{name}' 未知",
    "GX504": "终态 '{name}' 有流出的流转 '{transition}'",
    "GX505": "实体 '{entity}' 没有字段 '{name}'，而工作流 '{workflow}' 在 {where} 中使用了它",
    "GX506": "定时器 '{timer}' 等待的状态 '{name}' 未知",
    "GX507": "定时器 '{timer}' 触发的流转 '{name}' 未知",
    "GX508": "定时器 '{timer}' 通知的角色 '{name}' 未知",
    "GX509": "'{value}' 不是有效的时长",
    "GX510": "工作流 '{workflow}' 的状态 '{name}' 无法从 '{initial}' 到达",
    "GX511": "工作流 '{workflow}' 的状态 '{name}' 不是终态，但没有任何流出的流转",
    "GX512": "工作流 '{workflow}' 扩展了未知的工作流 '{name}'",
    "GX513": "工作流 '{workflow}' 通过 {cycle} 扩展了自身",
    "GX514": "工作流 '{workflow}' 没有任何状态",
    "GX515": "工作流 '{workflow}' 未被任何实体使用",
    "GX516": "定时器 '{timer}' 使用 do: {action} 时需要 '{key}'",
    "GX517": "流转 '{transition}' 不能设置 '{name}'：{reason}",
    "GX518": "定时器名称 '{name}' 在工作流 '{workflow}' 中重复使用",
    "GX519":
        "流转 '{transition}' 要求实体 '{entity}' 的字段 '{name}'，但可触发该流转的角色都无法写入它",
    "GX540": "工作流 '{workflow}' 的 state_map 将 '{name}' 迁移到未知状态 '{target}'",
    "GX541": "工作流 '{workflow}' 的 state_map 迁移了 '{name}'，但它仍是该工作流的状态",
    "GX601": "未知角色 '{name}' 的权限条目",
    "GX602": "角色 '{role}' 的 {key} 中有未知字段 '{name}'",
    "GX603": "角色 '{role}' 的流转 '{name}' 未知：工作流 '{workflow}' 中没有该流转",
    "GX604": "角色 '{role}' 列出了流转，但实体 '{entity}' 没有工作流",
    "GX605": "实体 '{entity}' 未向任何角色授权，因此无人可以使用",
    "GX606": "角色 '{role}' 可以创建 {entity} 记录，但看不到必填字段 '{name}'",
    "GX607": "角色 'system' 保留给在 'system:' 下声明的系统执行者",
    "GX608": "系统的授权中引用了未知实体 '{name}'",
    "GX610": "角色 'portal' 保留给客户门户的用户",
    "GX611": "客户门户的 {what} 引用了未知实体 '{name}'",
    "GX612": "'{name}' 不是 '{entity}' 中类型为 {type} 的字段",
    "GX613": "客户门户的回复流转 '{name}' 不是 '{entity}' 的流转",
    "GX614": "客户门户的授权中引用了未知实体 '{name}'",
    "GX615": "客户门户的用户无权读取任何 '{entity}'",
    "GX616": "系统执行者无权读取 '{entity}'，因此客户门户无法按电子邮件地址查找联系人",
    "GX617": "'{name}' 在客户门户的授权之外被读取（实体 '{entity}'），此处它始终为 null",
    "GX618": "'{entity}' 上的客户门户授权读取了 current_user，但客户门户用户不可能是 current_user",
    "GX619": "'{entity}' 上的客户门户授权读取了 current_account，但客户门户未指定客户字段",
    "GX620": "attachments: max_size {value} 不是有效的大小",
    "GX621": "attachments: 未知的内容类型 '{name}'",
    "GX630": "角色 'public' 保留给在 'public:' 下声明的公开访客",
    "GX631": "公开访客的授权指定了未知实体 '{name}'",
    "GX632": "帮助中心指定了未知实体 '{entity}'",
    "GX633": "帮助中心的 {key} 指定了 '{entity}' 的未知字段 '{name}'",
    "GX634": "帮助中心展示 '{entity}'，但公开访客无权读取它",
    "GX635": "帮助中心的 contact 指定了未知网页表单 '{name}'",
    "GX640": "网页表单 '{name}' 被重复声明（首次声明于 {first}）",
    "GX641": "网页表单 '{name}' 指定了未知实体 '{entity}'",
    "GX642": "网页表单 '{name}'：实体 '{entity}' 没有字段 '{field}'（位于 {key}）",
    "GX643": "网页表单 '{name}' 会创建 '{entity}'，但公开访客无权创建它",
    "GX644": "网页表单 '{name}' 指定了未知的分配规则 '{rule}'",
    "GX645": "网页表单 '{name}'：分配规则 '{rule}' 不会分配新建的 '{entity}' 记录",
    "GX646": "网页表单 '{name}'：同意字段 '{field}' 不是布尔字段",
    "GX647": "网页表单 '{name}' 会检查重复，但系统执行者无权读取 '{entity}'",
    "GX648": "网页表单 '{name}' 要求访客填写 {type} 字段 '{field}'",
    "GX650": "marketing 的 {key} 指定了未知实体 '{entity}'",
    "GX651": "marketing 的 {key} 指定了 '{entity}' 的未知字段 '{name}'",
    "GX652": "营销邮件只能发送给联系人，不能发送给 '{entity}'",
    "GX653": "系统执行者无权更新 '{entity}'，因此退订链接无法撤回营销同意",
    "GX701": "无法扩展 {path}：其中没有 guanxi.yaml",
    "GX702": "项目 {path} 通过 {cycle} 扩展了自身",
    "GX703": "无法移除 {what} '{name}'：基础项目中没有该 {what}",
    "GX704": "{what} '{name}' 已在 {removed} 处移除，但仍在 {used} 处被使用",
    "GX705": "'remove' 需要 'extends'：没有可供移除的基础项目",
    "GX801": "该映射针对的是未知实体 '{name}'",
    "GX802": "{where} 中有实体 '{entity}' 的未知字段 '{name}'",
    "GX803": "实体 '{entity}' 没有工作流，因此任何列都不能提供其状态",
    "GX804": "列 '{column}' 同时提供了字段和状态",
    "GX805": "列 '{column}' 没有填充任何内容",
    "GX806": "字段 '{name}' 是计算字段，不能导入",
    "GX807": "'{key}' 不适用于 {type} 字段",
    "GX808": "实体 '{entity}' 的查找字段 '{name}' 既不唯一，也不是其标题",
    "GX809": "列 '{column}' 填充 '{field}'，但列 '{other}' 已填充该字段",
    "GX810": "模糊字段 '{name}' 不在该规则的匹配字段中",
    "GX811": "normalize: phone 仅适用于电话字段；'{name}' 是 {type} 字段",
    "GX812": "{where}：未知的电话区域 '{name}'",
    "GX813": "{entity} 的一条查重规则被标记为 safe，但按相似度比较 '{name}'",
    "GX814": "{where}：'duplicates' 必须是计划任务的唯一动作",
    "GX815": "{where}：实体 '{entity}' 没有可用于清理的查重规则",
    "GX816": "{where}：merge 的值 '{value}' 不是 safe 或 never",
    "GX817": "{where}：merge: safe，但 {entity} 没有任何查重规则被标记为 safe",
    "GX818": "{where}：merge: safe，但系统执行者无权读取、更新和删除 {entity} 记录",
    "GX819": "{where}：'{name}' 不是角色",
    "GX901": "报表 '{report}' 统计了未知的实体 '{name}'",
    "GX902": "报表 '{report}' 读取了 {detail}",
    "GX903": "报表 '{report}' 按 {by} 对 '{path}' 分组，但该字段不是日期",
    "GX904": "报表 '{report}'，度量 '{measure}'：{detail}",
    "GX905": "报表 '{report}'：{what} '{name}' 不是该报表的分组或度量",
    "GX907": "仪表板 '{dashboard}' 引用了未知的 {what} '{name}'",
    "GX909": "{what} '{name}' 被声明了两次（首次声明于 {first}）",
    "GX910": "报表 '{report}' 的参数 '{name}'：{detail}",
    "GX911": "{what} '{name}' 引用了未知的实体 '{entity}'",
    "GX912": "{what} '{name}'：{detail}",
    "GX913": "{what} '{name}'：'{value}' 不是字段 '{field}' 的选项",
    "GX914": "{what} '{name}'：{detail}",
    "GX915": "目标 '{name}'：{detail}",
    "GX916": "报表 '{report}'：{detail}",
    "GX917": "{what} '{name}' 由系统执行者维护，但系统执行者无权 {operation} {entity}",
    "GX851": "验收场景 '{scenario}'：{detail}",
    "GX852": "验收场景 '{scenario}' 引用了未知的实体 '{name}'",
    "GX853": "验收场景 '{scenario}' 引用了 {entity} 的未知字段 '{name}'",
    "GX854": "验收场景 '{scenario}' 触发了 {entity} 的未知流转 '{name}'",
    "GX855": "验收场景 '{scenario}' 在给出或创建记录 '{name}' 之前就引用了它",
    "GX856": "验收场景 '{scenario}' 引用了未知的 {what} '{name}'",
    "GX821": "{where} 引用了未知的日历 '{name}'",
    "GX822": "{where} 发送给未知的接收者 '{name}'",
    "GX823": "{where} 引用了未知的实体 '{name}'",
    "GX824": "{where} 引用了 {entity} 的未知字段 '{name}'",
    "GX825": "{where} 触发了未知的流转 '{name}'",
    "GX826": "{where}：'{value}' 既不是 cron 表达式，也不是时长（{detail}）",
    "GX827": "日历 '{calendar}'：{detail}",
    "GX828": "{where} 没有设定目标时长",
    "GX829": "{where} 引用了未知的角色 '{name}'",
    "GX831": "{where} 引用了未知的团队 '{name}'",
    "GX832": "{where} 提醒的 '{name}' 不是 {entity} 的日期或日期时间字段",
    "GX830": "{where}：{detail}",
    "GX833": "{where} 为 {entity} 指定了未知的审批人 '{name}'",
    "GX834": "{where} 退回到未知的状态 '{name}'",
    "GX835": "{where} 无法从 '{source}' 退回到 '{name}'",
    "GX836": "{where} 没有审批人",
    "GX837": "{where}：{key} '{value}' 不是时长",
    "GX838": "{where}：remind 的 times 值 '{value}' 不是 1 到 {max} 之间的整数",
    "GX839": "{where}：提醒（remind）{detail}",
    "GX961": "{what} '{name}' 引用了未知的实体 '{entity}'",
    "GX962": "Webhook '{name}' 以未知的角色 '{role}' 读取数据",
    "GX963": "Webhook '{name}'：实体 '{entity}' 没有流转 '{transition}'",
    "GX964": "{what} '{name}' 被声明了两次（首次声明于 {first}）",
    "GX980": "{where} 引用了 {entity} 的未知字段 '{name}'",
    "GX981": "{entity}.board.sum：'{name}' 是 {type} 字段，不是数字字段",
    "GX982": "视图 '{view}' 提供给了未知的角色 '{name}'",
    "GX983": "视图 '{view}'：{detail}",
}

# Words the checks fill into messages and hints: what a value is (`guanxi.checks.schema`,
# the project reader, expression types), what `suggest` lists, parts of calls.
WORDS: dict[str, str] = {
    "a text": "文本", "a whole number": "整数", "a number": "数字",
    "true or false": "true 或 false", "a list": "列表", "a mapping": "映射",
    "empty": "空值", "a valid value": "有效的值", "true": "true", "false": "false",
    "the text {0}": "文本 {0}", "the number {0}": "数字 {0}", "the value {0}": "值 {0}",
    # what `guanxi.checks.registry.suggest` lists
    "fields": "字段", "entities": "实体", "roles": "角色", "states": "状态",
    "transitions": "流转", "teams": "团队", "reports": "报表", "calendars": "日历",
    "workflows": "工作流", "users and roles": "用户和角色", "user fields": "用户字段",
    "types": "类型", "time zones": "时区", "references": "引用", "records so far": "已有记录",
    "periods": "周期", "options": "选项", "measures": "度量", "groups": "分组",
    "groups and measures": "分组和度量", "forms": "表单", "field types": "字段类型",
    "events": "事件", "dynamic defaults": "动态默认值", "assignment rules": "分配规则",
    "approvers": "审批人", "SLAs": "SLA", "SLA policies": "SLA 策略",
    "{0} fields": "{0} 字段", "fields of '{0}'": "'{0}' 的字段",
    # how `guanxi.expr.types.describe` names the types of expressions
    "text": "文本", "a date": "日期", "a date and time": "日期时间", "a duration": "时长",
    "a record": "记录", "null": "空值", "a user": "用户", "a {0} record": "{0} 记录",
    "an {0} record": "{0} 记录", "a list of {0}s": "{0}列表",
    # `guanxi.expr.checker` on calls and arithmetic
    "argument": "个参数", "arguments": "个参数", "at least {0}": "至少 {0}",
    "{0} to {1}": "{0} 到 {1}", "add": "相加", "subtract": "相减", "multiply": "相乘",
    "divide": "相除",
}

# English phrases of the checks (hints, details, places), with numbered slots for the
# values filled in, and their Chinese.
PHRASES: dict[str, str] = {
    "did you mean {0}?": "是否想写 {0}？",
    "the {0} are: {1}": "可用的{0}：{1}",
    "there are no {0}": "还没有任何{0}",
    "write {0}": "写成 {0}",
    "declare a field such as 'total: {{type: …, compute: {0}}}' and use 'total' here":
        "声明一个字段，如 'total: {{type: …, compute: {0}}}'，并在此处使用 'total'",
    "write '{0}' as rollup: {{{1}: …, of: {2}, via: {3}}} naming the reference":
        "将 '{0}' 改写为 rollup: {{{1}: …, of: {2}, via: {3}}}，写明引用字段",
    "add a field '{0}: {{type: reference, to: {1}}}' to '{2}'":
        "在 '{2}' 中添加字段 '{0}: {{type: reference, to: {1}}}'",
    "approval of transition '{0}'": "流转 '{0}' 的审批",
    "remind at most {0} times; to remind once, write remind: <duration>":
        "最多提醒 {0} 次；若只提醒一次，请写 remind: <duration>",
    "add every: 1d (or write remind: 1d for one reminder)":
        "添加 every: 1d（或写 remind: 1d 只提醒一次）",
    "needs every: how often to remind again": "需要 every:，即再次提醒的间隔",
    "add steps: [{{by: <role>}}]": "添加 steps: [{{by: <role>}}]",
    "give by: a role, a user field or 'manager of requester'":
        "为 by: 指定一个角色、一个用户字段或 'manager of requester'",
    "{0}, step {1}": "{0}，第 {1} 步",
    "add a transition from '{0}' to '{1}'": "添加一条从 '{0}' 到 '{1}' 的流转",
    "rule '{0}'": "规则 '{0}'",
    "timer '{0}'": "定时器 '{0}'",
    "SLA '{0}' of {1}": "{1} 的 SLA '{0}'",
    "reminder '{0}' of {1}": "{1} 的提醒 '{0}'",
    "add 'do:' with the actions": "添加 'do:' 及其动作",
    "a schedule needs actions": "计划任务需要动作",
    "give a country code of the holidays library, such as CN, US or DE":
        "给出 holidays 库中的国家代码，如 CN、US 或 DE",
    "unknown holiday country '{0}'": "未知的节假日国家 '{0}'",
    "write five cron fields, e.g. \"0 9 * * MON\", or a duration such as 1d":
        "写五个 cron 字段，例如 \"0 9 * * MON\"，或写一个时长，如 1d",
    "give an IANA time zone such as Asia/Shanghai or UTC":
        "给出 IANA 时区，如 Asia/Shanghai 或 UTC",
    "unknown time zone '{0}'": "未知的时区 '{0}'",
    "add 'to: <role or user field>'": "添加 'to: <role or user field>'",
    "do: {0} needs 'to'": "do: {0} 需要 'to'",
    "give a duration (12h) or one per value: {{high: 4h, default: 1d}}":
        "给出一个时长（12h），或按值分别给出：{{high: 4h, default: 1d}}",
    "write dates as \"YYYY-MM-DD\"": "日期写作 \"YYYY-MM-DD\"",
    "'{0}' is not a date": "'{0}' 不是日期",
    "write hours as \"09:00-18:00\" or \"09:00-12:00, 13:00-18:00\"":
        "工作时间写作 \"09:00-18:00\" 或 \"09:00-12:00, 13:00-18:00\"",
    "cannot read the hours '{0}'": "无法读取工作时间 '{0}'",
    "segment": "客户分群",
    "tier": "等级",
    "target": "目标",
    "{0} has no field '{1}' ({2})": "{0} 没有字段 '{1}'（{2}）",
    "use a field of type {0}": "使用 {0} 类型的字段",
    "'{0}' ({1}) is a {2} field": "'{0}'（{1}）是 {2} 字段",
    "name a reference of {0} to {1}": "指定 {0} 中指向 {1} 的引用字段",
    "'{0}' is no reference of {1} to {2}": "'{0}' 不是 {1} 中指向 {2} 的引用字段",
    "grant it under system: grants: {0}: {{{1}: all}} in guanxi.yaml":
        "在 guanxi.yaml 中通过 system: grants: {0}: {{{1}: all}} 授权",
    "unknown period '{0}'": "未知的周期 '{0}'",
    "unknown role '{0}'": "未知的角色 '{0}'",
    "unknown team '{0}'": "未知的团队 '{0}'",
    "write a {0} like {1}": "将 {0} 写成 {1} 这样的格式",
    "'{0}' is no {1}": "'{0}' 不是有效的 {1}",
    "give four numbers, smallest first": "给出四个数，从小到大排列",
    "thresholds are not four ascending": "阈值不是四个递增的数",
    "list the levels highest first": "按从高到低的顺序列出级别",
    "level '{0}' starts above the one before": "级别 '{0}' 的起点高于前一个级别",
    "down_below is at most from": "down_below 不能大于 from",
    "level '{0}' is left above its start": "级别 '{0}' 的降级阈值高于其起点",
    "{0} has no SLA '{1}'": "{0} 没有 SLA '{1}'",
    "add sla: with the SLA policy counted": "添加 sla:，写明所统计的 SLA 策略",
    "measure '{0}' counts SLA clocks without sla:": "度量 '{0}' 统计 SLA 计时，但未写 sla:",
    "move the other actions to a schedule of their own": "将其他动作移到单独的计划任务中",
    "add 'duplicates:' rules to the entity": "为该实体添加 'duplicates:' 查重规则",
    "write merge: safe, or leave it out to only report": "写 merge: safe，或省略它以仅作报告",
    "mark an exact rule 'safe: true'": "将一条精确匹配规则标记为 'safe: true'",
    "grant the system actor {{{0}: {{read: all, update: all, delete: all}}}}":
        "授予系统执行者 {{{0}: {{read: all, update: all, delete: all}}}}",
    "remove 'safe: true', or the rule's 'fuzzy:'": "删除 'safe: true'，或删除该规则的 'fuzzy:'",
    "run the clean-up from a schedule of its own": "在单独的计划任务中运行清理",
    "duplicates of {0}": "{0} 的查重规则",
    "add it to match: [{0}]": "将其添加到 match: [{0}]",
    "grant it access to an entity, or remove it": "授予它对某个实体的访问权限，或将其删除",
    "add 'access:' with a role and what it may do": "添加 'access:'，写明角色及其可执行的操作",
    "add 'workflow:' to the entity or remove 'transitions'":
        "为实体添加 'workflow:'，或删除 'transitions'",
    "every entity already has '{0}'; choose another name, e.g. '{1}_{2}'":
        "每个实体都已有 '{0}'；请换一个名称，例如 '{1}_{2}'",
    "'{0}' applies to: {1}": "'{0}' 适用于：{1}",
    "remove '{0}'": "删除 '{0}'",
    "add 'options: [first, second]'": "添加 'options: [first, second]'",
    "'{0}' is the default for {1} fields": "'{0}' 是 {1} 字段的默认值",
    "only a {0} field can default to {1}": "只有 {0} 字段才能以 {1} 为默认值",
    "remove 'default'": "删除 'default'",
    "remove one of the includes": "删除其中一个 include",
    "rename it, e.g. '{0}'": "请重命名，例如 '{0}'",
    "add 'require: [fields]' or 'check: <condition>'":
        "添加 'require: [fields]' 或 'check: <condition>'",
    "give '{0}' a default, or do not hide it from '{1}'":
        "为 '{0}' 设置默认值，或不要对 '{1}' 隐藏它",
    "add 'to: <entity name>'": "添加 'to: <entity name>'",
    "remove '{0}'; a computed or rolled-up field always has its computed value":
        "删除 '{0}'；计算字段或汇总字段的值始终是其计算结果",
    "remove the second one": "删除第二个",
    "swap them, or lower '{0}'": "交换两者，或调低 '{0}'",
    "includes of role '{0}'": "角色 '{0}' 的 includes",
    "quote the pattern with single quotes and escape special characters with \\":
        "用单引号括起该模式，并用 \\ 转义特殊字符",
    "add '{0}' to 'languages' in guanxi.yaml, or remove this text":
        "在 guanxi.yaml 的 'languages' 中添加 '{0}'，或删除此文本",
    "an option is text: write it in quotes, \"{0}\"": "选项是文本：请加引号，写成 \"{0}\"",
    "compute one of them from stored fields only": "将其中一个改为仅由存储字段计算",
    "write {0}: \"{1}\"": "改为 {0}: \"{1}\"",
    "pivot": "透视（pivot）",
    "chart measure": "图表度量",
    "bucket a date or a date and time field": "只能对日期或日期时间字段分段",
    "unknown default '{0}'": "未知的默认值 '{0}'",
    "sort": "排序",
    "role": "角色",
    "report": "报表",
    "rename one of them": "重命名其中一个",
    "entity": "实体",
    "name a money, decimal, integer or percent field":
        "指定一个 money、decimal、integer 或 percent 字段",
    "write the value as the list's URL would carry it": "按列表页面 URL 中的格式填写该值",
    "sort by another field": "改按其他字段排序",
    "a list cannot be sorted by {0} ({1})": "列表不能按 {0}（{1}）排序",
    "principal": "主体实体（principal）",
    "tickets": "工单实体（tickets）",
    "rename the role; portal users hold it": "重命名该角色；客户门户用户持有此角色",
    "add '{0}: {{read: ...}}' under 'portal: grants:'":
        "在 'portal: grants:' 下添加 '{0}: {{read: ...}}'",
    "add 'system: grants: {{{0}: {{read: all}}}}'":
        "添加 'system: grants: {{{0}: {{read: all}}}}'",
    "write e.g. 10MiB, 512KiB or 1048576": "写成如 10MiB、512KiB 或 1048576",
    "write current_contact: the portal's user is a contact":
        "改用 current_contact：客户门户的用户是联系人",
    "add 'account: <field of the contact>' under 'portal:'":
        "在 'portal:' 下添加 'account: <field of the contact>'",
    "use it under 'portal: grants:' only": "仅在 'portal: grants:' 下使用",
    "use at most {0} characters": "最多使用 {0} 个字符",
    "use lowercase letters, digits and _, starting with a letter, e.g. '{0}'":
        "只使用小写字母、数字和 _，并以字母开头，例如 '{0}'",
    "keep it, or change what still uses it": "保留它，或修改仍在使用它的地方",
    "remove entity '{0}', or the renamed_from": "删除实体 '{0}'，或删除 renamed_from",
    "remove state '{0}', or the renamed_from": "删除状态 '{0}'，或删除 renamed_from",
    "state": "状态",
    "remove '{0}' from state_map, or the state": "从 state_map 中删除 '{0}'，或删除该状态",
    "remove field '{0}', or the renamed_from": "删除字段 '{0}'，或删除 renamed_from",
    "field": "字段",
    "remove option '{0}', or the renamed_from": "删除选项 '{0}'，或删除 renamed_from",
    "option": "选项",
    "make the field a {0} field": "将该字段改为 {0} 字段",
    "{0} reads {1} fields; use count for others": "{0} 只读取 {1} 字段；其他字段请用 count",
    "make the field a decimal or money field, like '{0}'":
        "将该字段改为 decimal 或 money 字段，与 '{0}' 一致",
    "keep either 'compute' or 'rollup'": "'compute' 和 'rollup' 只保留其一",
    "remove 'final', or give '{0}' a workflow": "删除 'final'，或为 '{0}' 指定工作流",
    "a roll-up is the same for everyone; compare with fields, constants, today() or now()":
        "汇总字段对所有人都相同；请与字段、常量、today() 或 now() 比较",
    "roll up or compute one of them from stored fields only":
        "将其中一个改为仅由存储字段汇总或计算",
    "roll up over the fields of '{0}' itself; copy '{1}' into a computed field of '{2}' first":
        "只汇总 '{0}' 自身的字段；请先将 '{1}' 复制到 '{2}' 的一个计算字段中",
    "compute '{0}' into a field of '{1}'s entity and read that":
        "将 '{0}' 计算到 '{1}' 所引用实体的一个字段中，再读取该字段",
    "user": "用户",
    "SLA of {0}": "{0} 的 SLA",
    "write a list: [{0}]": "写成列表：[{0}]",
    "write true or false without quotes": "写 true 或 false，不加引号",
    "write a single value here": "此处只写一个值",
    "did you mean '{0}'?": "是否想写 '{0}'？",
    "add '{0}:' ({1})": "添加 '{0}:'（{1}）",
    "add '{0}:'": "添加 '{0}:'",
    "rename the role; anonymous visitors act as the public actor":
        "重命名该角色；匿名访客以 public 执行者的身份操作",
    "grant the public a read condition on {0} under public: grants:, e.g. read: state == \"publish"
    "ed\"":
        "在 public: grants: 下为 public 授予 {0} 的读取条件，例如 read: state == \"published\"",
    "write members: {0}": "改为 members: {0}",
    "grant it under public: grants: {0}: {{create: all}}":
        "在 public: grants: 下授权：{0}: {{create: all}}",
    "grant the system actor update on {0} (system: grants:)":
        "授予系统执行者对 {0} 的更新权限（system: grants:）",
    "set it with a fixed value (values:) or leave it out": "用固定值设置它（values:），或将其删除",
    "name a boolean field the visitor ticks": "指定一个由访客勾选的布尔字段",
    "grant the system actor read on {0} (system: grants:), or write duplicates: create":
        "授予系统执行者对 {0} 的读取权限（system: grants:），或写 duplicates: create",
    "give the rule entity: {0} and on: create": "为该规则设置 entity: {0} 和 on: create",
    "rename the role; automation acts as the system actor":
        "重命名该角色；自动化以系统执行者的身份操作",
    "let a role that fires '{0}' edit '{1}', or set it in the transition":
        "允许某个可触发 '{0}' 的角色编辑 '{1}'，或在该流转中设置它",
    "add 'states: [first, second]'": "添加 'states: [first, second]'",
    "name it in an entity's 'workflow:', or remove it":
        "在某个实体的 'workflow:' 中引用它，或将其删除",
    "roles of transition '{0}'": "流转 '{0}' 的角色",
    "give each timer its own name": "为每个定时器取不同的名称",
    "write a duration such as 90m, 12h, 3d, 1w or a number of seconds":
        "写一个时长，如 90m、12h、3d、1w，或秒数",
    "add a transition into it, or remove it": "添加一个进入它的流转，或将其删除",
    "add a transition out of it, or mark it 'final: true'":
        "添加一个从它出发的流转，或将其标记为 'final: true'",
    "remove '{0}' from 'from', or make '{1}' not final":
        "从 'from' 中删除 '{0}'，或将 '{1}' 改为非终止状态",
    "add 'transition: <name>'": "添加 'transition: <name>'",
    "only 'owner' of the system fields may be set": "系统字段中只有 'owner' 可以设置",
    "it is a system field": "它是系统字段",
    "add 'to: owner' or 'to: <role>'": "添加 'to: owner' 或 'to: <role>'",
    "remove it from 'set'; it is computed on every save":
        "从 'set' 中删除它；它在每次保存时都会重新计算",
    "it is computed": "它是计算字段",
    "add 'field: NAME', 'state: true', or leave the column empty to ignore it":
        "添加 'field: NAME' 或 'state: true'，或将该列留空以忽略它",
    "column '{0}'": "列 '{0}'",
    "add 'entity: NAME'": "添加 'entity: NAME'",
    "the mapping": "映射",
    "a column gives either a field or the state": "一列只能对应一个字段或状态，不能两者兼有",
    "make it unique, or look up by the title": "将其设为唯一，或改为按标题查找",
    "use days_between(a, b) for the number of days between two dates":
        "用 days_between(a, b) 计算两个日期之间的天数",
    "numbers in quotes are text; write 5, not \"5\"": "加引号的数字是文本；请写 5，而不是 \"5\"",
    "{0}() takes {1} {2}, not {3}": "{0}() 需要 {1} {2}，而不是 {3} 个",
    "{0}() needs a role name in quotes": "{0}() 需要一个加引号的角色名",
    "for example: source in [\"web\", \"expo\"]": "例如：source in [\"web\", \"expo\"]",
    "a list [ … ] can only be written after 'in' or 'not in'":
        "列表 [ … ] 只能写在 'in' 或 'not in' 之后",
    "'-' needs a number or a duration; '{0}' is {1}": "'-' 需要数字或时长；'{0}' 是 {1}",
    "'{0}' compares {1} with {2}": "'{0}' 将 {1} 与 {2} 进行比较",
    "use == or !=": "改用 == 或 !=",
    "'{0}': {1} cannot be ordered with '{2}'": "'{0}'：{1} 不能用 '{2}' 比较大小",
    "test membership instead: \"vip\" in tags": "改为测试是否包含：\"vip\" in tags",
    "'{0}' compares two lists": "'{0}' 比较了两个列表",
    "'{0}' needs a list on its right, like [1, 2]; '{1}' is {2}":
        "'{0}' 的右侧需要一个列表，如 [1, 2]；'{1}' 是 {2}",
    "write a single value on the left: \"vip\" in tags": "左侧写单个值：\"vip\" in tags",
    "'{0}': the left of '{1}' is {2}": "'{0}'：'{1}' 的左侧是 {2}",
    "'{0}' looks for {1} in {2}": "'{0}' 在 {2} 中查找 {1}",
    "{0}() needs {1} as argument {2}; '{3}' is {4}": "{0}() 的第 {2} 个参数需要 {1}；'{3}' 是 {4}",
    "a list cannot hold {0}": "列表不能包含 {0}",
    "a list's items must all be of one kind; '{0}' is {1}, the ones before are {2}":
        "列表中的各项必须是同一类型；'{0}' 是 {1}，而前面各项是 {2}",
    "'not' needs a condition; '{0}' is {1}": "'not' 需要一个条件；'{0}' 是 {1}",
    "test for an empty value with == null or is_empty(x)":
        "用 == null 或 is_empty(x) 判断是否为空值",
    "'{0}' orders against null, which is never true": "'{0}' 与 null 比较大小，结果永远不为真",
    "coalesce() needs values of one kind; '{0}' is {1}, the first is {2}":
        "coalesce() 需要同一类型的值；'{0}' 是 {1}，而第一个值是 {2}",
    "use '{0}'": "改用 '{0}'",
    "check the spelling of '{0}'": "检查 '{0}' 的拼写",
    "{0} '{1}' has no {2} '{3}'; check the spelling": "{0} '{1}' 中没有 {2} '{3}'；请检查拼写",
    "give the directory that holds guanxi.yaml": "指定包含 guanxi.yaml 的目录",
    "create guanxi.yaml with at least 'project: name'":
        "创建 guanxi.yaml，至少包含 'project: name'",
    "remove one of the 'extends'": "删除其中一个 'extends'",
    "give the path (relative to this guanxi.yaml) of a directory with guanxi.yaml":
        "指定一个包含 guanxi.yaml 的目录的路径（相对于当前 guanxi.yaml）",
    "write 'project: name' and the other keys": "写出 'project: name' 及其他键",
    "merge small files, or split the project with 'extends' only where it must be":
        "合并小文件，或仅在必要时用 'extends' 拆分项目",
    "remove what the project does not need (long comments, generated definitions)":
        "删除项目不需要的内容（冗长的注释、自动生成的定义）",
    "write '<name>:' and its definition for each of the {0}": "为每个 {0} 写出 '<name>:' 及其定义",
    "a file in {0}/": "{0}/ 中的文件",
    "add 'extends: <path of the base project>' or delete 'remove'":
        "添加 'extends: <path of the base project>'，或删除 'remove'",
    "the key is given again at {0}": "该键在 {0} 处再次出现",
    "rename one of them or merge the two": "重命名其中一个，或将两者合并",
    "YAML syntax error: {0}": "YAML 语法错误：{0}",
    "values are nested more than {0} levels deep (or an alias refers to itself)":
        "值的嵌套超过 {0} 层（或别名引用了自身）",
    "values are nested more than {0} levels deep": "值的嵌套超过 {0} 层",
    "the file expands to more than {0} values (aliases repeated too many times); write the values "
    "out or use fewer aliases":
        "文件展开后超过 {0} 个值（别名重复次数过多）；请直接写出这些值，或减少别名",
    "the tag {0} is not allowed; only plain YAML (mappings, lists, text, numbers, true/false, null"
    ") is accepted":
        "不允许使用标签 {0}；只接受普通 YAML（映射、列表、文本、数字、true/false、null）",
    "the tag {0} cannot be put on {1}": "标签 {0} 不能用于{1}",
    "{0} is not a valid {1}": "{0} 不是有效的 {1}",
    "a key must be a plain name, not a list or mapping": "键必须是普通名称，不能是列表或映射",
    "the key {0} is given twice in one mapping (first at {1}); remove one of them":
        "键 {0} 在同一映射中出现了两次（第一次在 {1}）；请删除其中一个",
    "'<<' merges a mapping or a list of mappings": "'<<' 只能合并映射或映射列表",
    "the file is larger than {0} KiB; split it into several files":
        "文件大于 {0} KiB；请拆分为多个文件",
    "the file is {0} bytes, more than the {1} KiB allowed; split it into several files":
        "文件有 {0} 字节，超过允许的 {1} KiB；请拆分为多个文件",
    "the file is not UTF-8 text (byte {0})": "文件不是 UTF-8 文本（第 {0} 字节）",
    "the file leads to {0}, outside the project directory {1}; copy the file into the project inst"
    "ead":
        "文件指向项目目录 {1} 之外的 {0}；请把文件复制到项目中",
    "the file cannot be read: {0}": "无法读取文件：{0}",
    "the file is {0}, not a regular file": "文件是{0}，不是普通文件",
    "a FIFO (named pipe)": "FIFO（命名管道）",
    "check the indentation and quoting around this place": "检查此处附近的缩进和引号",
    "remove the tag; write the value as plain YAML": "删除标签；用普通 YAML 写这个值",
    "keep one of the two keys": "两个键只保留一个",
    "split the definitions over several files": "把定义拆分到多个文件中",
    "write the values out instead of repeating aliases": "直接写出这些值，不要重复使用别名",
    "use a plain name as the key": "用普通名称作键",
    "save the file as UTF-8": "将文件保存为 UTF-8",
    "a project file must be an ordinary file; remove or rename this one":
        "项目文件必须是普通文件；请删除或重命名此文件",
    "keep every project file inside the project directory (or use 'extends')":
        "所有项目文件都应放在项目目录内（或使用 'extends'）",
    "check the file's permissions": "检查文件的权限",
    "unknown field '{0}'": "未知字段 '{0}'",
    "unknown field '{0}' of '{1}'": "'{1}' 没有字段 '{0}'",
    "unknown field '{0}' — did you mean '{1}'?": "未知字段 '{0}'——是否想写 '{1}'？",
    "unknown field '{0}' of '{1}' — did you mean '{2}'?": "'{1}' 没有字段 '{0}'——是否想写 '{2}'？",
    "the fields are: {0}": "可用字段：{0}",
    "did you mean '{0}'? State names are case-sensitive": "是否想写 '{0}'？状态名称区分大小写",
    "'{0}' is not a state of workflow '{1}'": "'{0}' 不是工作流 '{1}' 的状态",
    "known workflows: {0}": "已有的工作流：{0}",
    "{0} is not one of: {1}": "{0} 不是可选值之一：{1}",
    "must be at least {0}": "不能小于 {0}",
    "declare '{0}' in entity '{1}' ({2}); the fields are: {3}":
        "在实体 '{1}'（{2}）中声明 '{0}'；可用字段：{3}",
    "require of transition '{0}'": "流转 '{0}' 的 require",
    "reply template": "回复模板",
    "put fields inside an aggregate, e.g. sum(amount) or count(state == \"won\")":
        "把字段放进聚合函数，例如 sum(amount) 或 count(state == \"won\")",
    "a directory": "目录",
    "a character device": "字符设备",
    "a block device": "块设备",
    "a socket": "套接字",
    "unknown key '{0}' in {1} (keys: {2})": "{1} 中有未知的键 '{0}'（可用的键：{2}）",
    "a scenario": "验收场景",
    "{0} is not a whole number": "{0} 不是整数",
    "'{0}': {1}": "'{0}'：{1}",
    "the sum": "合计",
    "entity '{0}' has no workflow, so it has no 'state'":
        "实体 '{0}' 没有工作流，因此没有 'state'",
    "add 'workflow:' to the entity, or use another field":
        "为该实体添加 'workflow:'，或改用其他字段",
    "unknown role '{0}' in has_role": "has_role 中的角色 '{0}' 未知",
    "the result must be {0}; this is {1}": "结果必须是{0}；这里是{1}",
    "a condition must be true or false; this is {0}": "条件的结果必须是 true 或 false；这里是{0}",
    "compare it with something, e.g. value > 0": "把它与某个值比较，例如 value > 0",
    "'{0}' joins conditions; '{1}' is {2}": "'{0}' 用于连接条件；'{1}' 是{2}",
    "'{0}' is not a date written YYYY-MM-DD": "'{0}' 不是 YYYY-MM-DD 格式的日期",
    "'{0}' is not a date and time written YYYY-MM-DDTHH:MM:SS":
        "'{0}' 不是 YYYY-MM-DDTHH:MM:SS 格式的日期时间",
    "'{0}' is not a date of the calendar": "'{0}' 不是日历上存在的日期",
    "'{0}' is not a date and time of the calendar": "'{0}' 不是日历上存在的日期时间",
    "the date written in quotes, YYYY-MM-DD": "引号中写出的日期，格式为 YYYY-MM-DD",
    "the moment written in quotes (ISO 8601), as UTC": "引号中写出的时刻（ISO 8601），按 UTC 解释",
    "the second value when the condition holds, else the third":
        "条件成立时取第二个值，否则取第三个值",
    "the number rounded half away from zero": "四舍五入后的数字（0.5 向远离零的方向取整）",
    "the greatest whole number ≤ x": "≤ x 的最大整数",
    "the least whole number ≥ x": "≥ x 的最小整数",
    "the first day of the {0} holding a date or datetime": "日期或日期时间所在 {0} 的第一天",
    "a duration in {0} (6 decimal places)": "以 {0} 为单位的时长（保留 6 位小数）",
    "the current date (in the project's time zone)": "当前日期（按项目时区）",
    "the current date and time (UTC)": "当前日期时间（UTC）",
    "the number of characters of a text, or of items of a tags field":
        "文本的字符数，或 tags 字段中的项数",
    "the text with A-Z made lowercase": "把 A-Z 转为小写后的文本",
    "the text with a-z made uppercase": "把 a-z 转为大写后的文本",
    "true when the value is null, empty text or an empty list":
        "值为空值、空文本或空列表时为 true",
    "the first value that is not null": "第一个非空值",
    "whole days from the first date to the second (b - a); a moment counts by its date in the proj"
    "ect's time zone":
        "从第一个日期到第二个日期的整天数（b - a）；日期时间按其在项目时区中的日期计算",
    "true when the user has the role (or a role that includes it)":
        "用户拥有该角色（或包含该角色的角色）时为 true",
    "true when the user in the field shares a team with the current user (as a member or its manag"
    "er)":
        "字段中的用户与当前用户同属一个团队（作为成员或其经理）时为 true",
    "true when the text contains the part (case-sensitive)":
        "文本包含该片段时为 true（区分大小写）",
    "true when the text begins with the prefix (case-sensitive)":
        "文本以该前缀开头时为 true（区分大小写）",
    "unexpected character '{0}'": "意外的字符 '{0}'",
    "text values are written in quotes: \"like this\"": "文本值要写在引号中：\"like this\"",
    "the expression is too long ({0} characters; at most {1})":
        "表达式过长（{0} 个字符；最多 {1} 个）",
    "split it into simpler rules or computed fields": "把它拆分为更简单的规则或计算字段",
    "'=' is not an operator here — did you mean '=='?": "'=' 在这里不是运算符——是否想写 '=='？",
    "compare with '=='": "用 '==' 进行比较",
    "unknown unit '{0}' after {1}": "{1} 后面的单位 '{0}' 未知",
    "durations are written 90m, 12h, 3d or 2w (minutes, hours, days, weeks)":
        "时长写作 90m、12h、3d 或 2w（分钟、小时、天、周）",
    "the number {0}… is too large": "数字 {0}… 过大",
    "whole numbers go up to {0}": "整数最大为 {0}",
    "the number {0} is too large": "数字 {0} 太大",
    "the number {0} has too many digits": "数字 {0} 的位数太多",
    "decimal numbers have at most {0} digits": "小数最多 {0} 位数字",
    "unclosed string": "字符串未闭合",
    "end the string with {0} on the same line": "在同一行内用 {0} 结束字符串",
    "'{0}': a duration is a whole number followed by m, h, d or w":
        "'{0}'：时长是一个整数后跟 m、h、d 或 w",
    "write 90m instead of 1.5h": "写成 90m，而不是 1.5h",
    "a text value cannot contain the NUL character": "文本值不能包含 NUL 字符",
    "remove the NUL (\\x00) from the text": "从文本中删除 NUL 字符（\\x00）",
    "the duration {0} is too long": "时长 {0} 太长",
    "durations go up to {0} seconds": "时长最多为 {0} 秒",
    "unknown escape '\\{0}' in a string": "字符串中有未知的转义 '\\{0}'",
    "the expression is empty": "表达式为空",
    "write a condition such as value > 0": "写一个条件，例如 value > 0",
    "unexpected {0} — expected an operator or the end": "意外的 {0} — 此处应为运算符或表达式结尾",
    "join conditions with 'and' or 'or'": "用 'and' 或 'or' 连接条件",
    "expected a value, found {0}": "此处应为值，却发现 {0}",
    "expected '{0}' to close the '{1}' at {2}, found {3}":
        "此处应为 '{0}'，用于闭合位于 {2} 的 '{1}'，却发现 {3}",
    "unmatched ')'": "')' 不匹配",
    "remove it or add a '(' before": "删除它，或在前面添加 '('",
    "the expression is nested too deeply (more than {0} levels)": "表达式嵌套过深（超过 {0} 层）",
    "split it into simpler parts": "把它拆分成更简单的部分",
    "expected a value after '{0}'": "'{0}' 后面应为值",
    "found {0}": "发现的是 {0}",
    "comparisons cannot be chained": "比较不能连写",
    "join two comparisons with 'and': a < b and b < c": "用 'and' 连接两个比较：a < b and b < c",
    "'not' must come before a whole condition": "'not' 必须放在整个条件之前",
    "put the condition in parentheses: not (a == b)": "把条件放在括号中：not (a == b)",
    "expected a value": "此处应为值",
    "'{0}' is not a function": "'{0}' 不是函数",
    "only named functions such as len(x) can be called": "只能调用具名函数，例如 len(x)",
    "expected a field name after '.'": "'.' 后面应为字段名",
    "expressions are compiled for SQLite and PostgreSQL only, not {0}":
        "表达式只能编译为 SQLite 和 PostgreSQL，不支持 {0}",
    "division by zero": "除以零",
    "{0} — did you mean '{1}'?": "{0} — 你是不是想写 '{1}'？",
    "'{0}' is not a reference, so '.{1}' cannot follow it":
        "'{0}' 不是引用，因此后面不能跟 '.{1}'",
    "paths go through reference fields only, e.g. account.sector":
        "路径只能经过引用字段，例如 account.sector",
    "unknown entity '{0}'": "未知的实体 '{0}'",
    "no table given for entity '{0}'": "实体 '{0}' 没有指定表",
    "the table of '{0}' has no column '{1}'": "'{0}' 的表中没有列 '{1}'",
    "{0} takes {1}": "{0} 接受 {1}",
    "'{0}' is no aggregate": "'{0}' 不是聚合函数",
    "cannot {0} {1} and {2} with '{3}'": "不能用 '{3}' 将{1}与{2}{0}",
    "'{0}' {1}": "'{0}' {1}",
    "unknown function '{0}'": "未知的函数 '{0}'",
    "unknown function '{0}' — did you mean '{1}'?": "未知的函数 '{0}'——是否想写 '{1}'？",
    "the functions are: {0}": "可用的函数：{0}",
    "see the expression language in docs/language.md#expressions":
        "参见 docs/language.md#expressions 中的表达式语言",
}

# The parameters whose values are words of the checks even when they are one word, and
# those translated when they are phrases (with a space); never a name, a path or an
# expression from the project (`roles`, `lead.fields.source`, `state == "won"`).
_WORDED = frozenset({"what", "expected", "got"})
_PHRASED = _WORDED | {"where", "detail", "reason", "problem", "message", "error", "why"}


def _parts(english: str) -> list[tuple[str, str | None]]:
    """A phrase as (literal text, slot number or None) pairs; `{{` and `}}` as braces."""
    return [(literal, slot) for literal, slot, _, _ in string.Formatter().parse(english)]


def _quoted(english: str) -> frozenset[str]:
    """The slots of a phrase written between quotes ('{0}'): names, never translated."""
    parts = _parts(english)
    return frozenset(slot for (before, slot), (after, _) in zip(parts, [*parts[1:], ("", None)])
                     if slot is not None and before[-1:] in ("'", '"') and after[:1] == before[-1:])


def _pattern(english: str) -> re.Pattern[str]:
    """A phrase as a regular expression: its slots as named groups `s0`, `s1` …"""
    regex = "".join(re.escape(literal) + ("" if slot is None else f"(?P<s{slot}>.+?)")
                    for literal, slot in _parts(english))
    return re.compile(regex, re.DOTALL)


class _Phrase(NamedTuple):
    """A phrase with slots, compiled: `short` when it has little text of its own."""

    pattern: re.Pattern[str]
    chinese: str
    short: bool
    quoted: frozenset[str]


# A phrase with this little text of its own ("write {0}") is used only when its values
# hold no English words left untranslated, so that no sentence comes out half translated.
_SHORT = 8
_ENGLISH = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}")


@functools.cache
def _compiled() -> tuple[dict[str, str], tuple[_Phrase, ...]]:
    """The phrases without slots by their text; the others as patterns, the most literal
    text first (so that a longer phrase wins over a shorter one it also matches)."""
    exact: dict[str, str] = {}
    patterns: list[tuple[int, re.Pattern[str], str, str]] = []
    for english, chinese in {**WORDS, **PHRASES}.items():
        parts = _parts(english)
        if all(slot is None for _, slot in parts):
            exact["".join(literal for literal, _ in parts)] = chinese.format()
        else:
            literal = sum(len(text) for text, _ in parts)
            patterns.append((literal, _pattern(english), chinese, english))
    patterns.sort(key=lambda row: -row[0])
    return exact, tuple(_Phrase(pattern, chinese, literal <= _SHORT, _quoted(english))
                        for literal, pattern, chinese, english in patterns)


def translate(text: str, depth: int = 2) -> str:
    """The Chinese of an English phrase of the checks (its values translated too, when
    they are phrases), or the text as it is."""
    exact, patterns = _compiled()
    known = exact.get(text)
    if known is not None:
        return known
    for phrase in patterns:
        found = phrase.pattern.fullmatch(text)
        if found is None:
            continue
        values = {int(name[1:]): value for name, value in found.groupdict().items()}
        if depth > 0:  # a value that is itself a phrase or a word, not a name
            values = {k: translate(v, depth - 1)
                      if str(k) not in phrase.quoted and (" " in v or v in WORDS) else v
                      for k, v in values.items()}
        if phrase.short and any(_ENGLISH.search(v) for v in values.values()):
            continue
        return phrase.chinese.format(*(values[k] for k in range(max(values) + 1)))
    return text


def _value(name: str, value: Any) -> Any:
    if (not isinstance(value, str) or name not in _PHRASED
            or (name not in _WORDED and " " not in value)):
        return value
    if name == "expected" and " or " in value and value not in WORDS:
        return "或".join(translate(part) for part in value.split(" or "))
    return translate(value)


def message(problem_id: str, params: Mapping[str, Any]) -> str | None:
    """The Chinese message of problem `problem_id` with `params`, or None when the
    catalog has no Chinese for it or `params` do not fill it."""
    template = TEMPLATES.get(problem_id)
    if template is None:
        return None
    try:
        return template.format(**{name: _value(name, value) for name, value in params.items()})
    except (KeyError, IndexError):
        return None


def hint(text: str | None) -> str | None:
    """The Chinese of a hint where it is known, else the hint as it is."""
    return None if text is None else translate(text)
