"""The user interface's own words, in English and Chinese.

Labels of entities, fields, states and transitions come from the project (`text_in`);
this module holds the words the pages themselves say ("Save", "Next page" …) and picks
the language a request is answered in.
"""

from __future__ import annotations

from collections.abc import Callable

UI_LANGUAGES = ("en", "zh")

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "app_title": "Guanxi",
        "home": "Home",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "username": "Username",
        "password": "Password",
        "bad_login": "Wrong username or password.",
        "login_brake": "Too many failed sign-ins. Wait {seconds} seconds and try again.",
        "login_busy": "The server is checking many sign-ins right now. Try again in a "
                      "few seconds.",
        "body_too_large": "What was sent is too large for the server to take.",
        "signed_in_as": "Signed in as {name}",
        "welcome": "What would you like to work on?",
        "nothing_to_use": "Your roles give you access to nothing yet. Ask an administrator.",
        "records": "{count} records",
        "new": "New {label}",
        "create": "Create",
        "save": "Save",
        "cancel": "Cancel",
        "edit": "Edit",
        "delete": "Delete",
        "restore": "Restore",
        "confirm_delete": "Delete this record?",
        "deleted": "Deleted.",
        "saved": "Saved.",
        "created": "Created.",
        "search": "Search",
        "filter": "Filter",
        "clear": "Clear",
        "any": "(any)",
        "sort": "Sort",
        "next_page": "Next page",
        "first_page": "First page",
        "no_records": "No records to show.",
        "list": "List",
        "board": "Board",
        "export_csv": "Export CSV",
        "export_xlsx": "Export XLSX",
        "likely_duplicate": "This looks like records that already exist:",
        "create_anyway_hint": "Open one of them instead, or create this one anyway.",
        "merge": "Merge",
        "merged": "Merged",
        "merge_hint": "Choose, field by field, the value to keep. Every reference to "
        "{other} will point here, and {other} will be deleted; both histories are kept.",
        "likely_duplicates": "Likely duplicates",
        "import": "Import",
        "import_entity": "Records",
        "import_file": "File (CSV or XLSX)",
        "import_mode": "Mode",
        "import_key": "Key fields (for upsert)",
        "import_preview": "Preview",
        "import_run": "Import",
        "import_result_preview": "Preview (nothing written yet)",
        "import_result_run": "Imported",
        "import_counts": "{created} created, {updated} updated, {unchanged} unchanged, "
        "{failed} rows refused",
        "import_counts_short": "created / updated / refused",
        "import_column": "Column",
        "import_unused": "not imported",
        "import_row": "Row",
        "import_value": "Value",
        "import_message": "Problem",
        "import_history": "Past imports",
        "import_status": "Status",
        "import_undo": "Undo",
        "import_undone": "Import {batch} undone",
        "erase": "Erase personal data",
        "erase_hint": "Erase the sensitive values of this record, also from its history",
        "erased": "Sensitive values erased",
        "details": "Details",
        "history": "History",
        "workflow": "Workflow",
        "related": "Related",
        "actions": "Actions",
        "no_actions": "No actions available to you in this state.",
        "state": "State",
        "current_state": "current state",
        "yes": "Yes",
        "no": "No",
        "empty": "—",
        "created_by_at": "{who}, {when}",
        "history_created": "created",
        "history_updated": "changed",
        "history_deleted": "deleted",
        "history_restored": "restored",
        "history_imported": "imported",
        "history_erased": "sensitive values erased",
        "history_merged": "merged",
        "history_transition": "{transition}",
        "field": "Field",
        "before": "Before",
        "after": "After",
        "fix_errors": "Please correct the marked fields.",
        "version_conflict": (
            "Someone else changed this record while you were editing it. Your changes were "
            "not saved. The form now shows the current values; apply your change again."
        ),
        "not_found": "This page does not exist, or you may not see it.",
        "forbidden": "You may not do this.",
        "csrf_failed": "This form has expired or was not sent by this site. Reload the page "
                       "and try again.",
        "transition_refused": "This step cannot be taken now: {reason}",
        "fields_needed": "This step needs these fields:",
        "go": "Go",
        "config_errors": "The project has configuration errors; the last good version is "
                         "still being served.",
        "api_tokens": "API tokens",
        "notifications": "Notifications",
        "no_notifications": "No notifications.",
        "mark_read": "Open",
        "mark_all_read": "Mark all read",
        "unread": "unread",
        "sla_clocks": "Service levels",
        "sla_due": "due",
        "sla_left": "business time left",
        "sla_paused": "paused",
        "sla_stopped": "stopped",
        "sla_breached": "breached",
        "jobs": "Automation jobs",
        "breaching_soon": "Breaching soon",
        "nothing_breaching": "No service level is running.",
        "all": "all",
        "job_kind": "Kind",
        "job_state": "State",
        "job_attempts": "Attempts",
        "job_run_at": "Runs at",
        "job_error": "Last error",
        "job_retry": "Retry",
        "job_cancel": "Cancel",
        "new_token": "Create token",
        "token_label": "Label",
        "token_created": "Copy this token now; it will not be shown again:",
        "token_revoke": "Revoke",
        "token_expires": "Expires",
        "token_last_used": "Last used",
        "token_never": "never",
        "token_expired": "expired",
        "language": "Language",
        "mermaid_text": "Diagram source (Mermaid)",
        "choose": "— choose —",
        "owner": "Owner",
        "id": "ID",
        "created_at": "Created",
        "updated_at": "Updated",
        "created_by": "Created by",
        "version": "Version",
        "deleted_at": "Deleted",
        "explain": "Why can I see this?",
        "explain_access": "Explain access",
        "explain_user": "User",
        "explain_entity": "Entity",
        "explain_record": "Record id (optional)",
        "explain_go": "Explain",
        "explain_no_user": "No active user named {name}.",
        "total": "{count} in total",
        "page_error": "Something went wrong on the server.",
        "server_error": "Server error",
        "system": "System",
    },
    "zh": {
        "app_title": "关系",
        "home": "首页",
        "sign_in": "登录",
        "sign_out": "退出",
        "username": "用户名",
        "password": "密码",
        "bad_login": "用户名或密码错误。",
        "login_brake": "登录失败次数过多。请等待 {seconds} 秒后再试。",
        "login_busy": "服务器正在处理大量登录请求。请几秒后再试。",
        "body_too_large": "提交的内容太大，服务器无法接收。",
        "signed_in_as": "当前用户：{name}",
        "welcome": "今天要处理什么？",
        "nothing_to_use": "您的角色暂时没有任何权限。请联系管理员。",
        "records": "{count} 条记录",
        "new": "新建{label}",
        "create": "创建",
        "save": "保存",
        "cancel": "取消",
        "edit": "编辑",
        "delete": "删除",
        "restore": "恢复",
        "confirm_delete": "确定删除这条记录吗？",
        "deleted": "已删除。",
        "saved": "已保存。",
        "created": "已创建。",
        "search": "搜索",
        "filter": "筛选",
        "clear": "清除",
        "any": "（全部）",
        "sort": "排序",
        "next_page": "下一页",
        "first_page": "第一页",
        "no_records": "没有可显示的记录。",
        "list": "列表",
        "board": "看板",
        "export_csv": "导出 CSV",
        "export_xlsx": "导出 Excel",
        "likely_duplicate": "这条记录与以下已有记录相似：",
        "create_anyway_hint": "可以打开其中一条，或仍然创建这条记录。",
        "merge": "合并",
        "merged": "已合并",
        "merge_hint": "请逐个字段选择要保留的值。所有指向 {other} 的引用将指向这里，"
        "{other} 将被删除；两条记录的历史都会保留。",
        "likely_duplicates": "可能重复的记录",
        "import": "导入",
        "import_entity": "记录类型",
        "import_file": "文件（CSV 或 XLSX）",
        "import_mode": "模式",
        "import_key": "键字段（用于更新导入）",
        "import_preview": "预览",
        "import_run": "导入",
        "import_result_preview": "预览（尚未写入）",
        "import_result_run": "已导入",
        "import_counts": "新建 {created} 条，更新 {updated} 条，未变 {unchanged} 条，"
        "拒绝 {failed} 行",
        "import_counts_short": "新建 / 更新 / 拒绝",
        "import_column": "列",
        "import_unused": "未导入",
        "import_row": "行",
        "import_value": "值",
        "import_message": "问题",
        "import_history": "导入记录",
        "import_status": "状态",
        "import_undo": "撤销",
        "import_undone": "已撤销导入批次 {batch}",
        "erase": "擦除个人信息",
        "erase_hint": "擦除此记录的敏感信息，包括其历史中的旧值",
        "erased": "敏感信息已擦除",
        "details": "详情",
        "history": "历史",
        "workflow": "流程",
        "related": "相关记录",
        "actions": "操作",
        "no_actions": "在此状态下您没有可执行的操作。",
        "state": "状态",
        "current_state": "当前状态",
        "yes": "是",
        "no": "否",
        "empty": "—",
        "created_by_at": "{who}，{when}",
        "history_created": "创建",
        "history_updated": "修改",
        "history_deleted": "删除",
        "history_restored": "恢复",
        "history_imported": "导入",
        "history_erased": "敏感信息已擦除",
        "history_merged": "合并",
        "history_transition": "{transition}",
        "field": "字段",
        "before": "修改前",
        "after": "修改后",
        "fix_errors": "请更正标出的字段。",
        "version_conflict": "在您编辑期间，其他人修改了这条记录。您的修改没有保存。"
                            "表单现在显示最新的内容，请重新修改。",
        "not_found": "页面不存在，或您无权查看。",
        "forbidden": "您无权执行此操作。",
        "csrf_failed": "表单已过期或并非来自本站。请刷新页面后重试。",
        "transition_refused": "现在无法执行此步骤：{reason}",
        "fields_needed": "此步骤需要填写以下字段：",
        "go": "执行",
        "config_errors": "项目配置有错误；系统仍在使用上一个正确的版本。",
        "api_tokens": "API 令牌",
        "notifications": "通知",
        "no_notifications": "没有通知。",
        "mark_read": "查看",
        "mark_all_read": "全部标为已读",
        "unread": "未读",
        "sla_clocks": "服务时限",
        "sla_due": "到期",
        "sla_left": "剩余工作时间",
        "sla_paused": "已暂停",
        "sla_stopped": "已停止",
        "sla_breached": "已超时",
        "jobs": "自动化任务",
        "breaching_soon": "即将超时",
        "nothing_breaching": "没有正在计时的服务时限。",
        "all": "全部",
        "job_kind": "类型",
        "job_state": "状态",
        "job_attempts": "尝试次数",
        "job_run_at": "运行时间",
        "job_error": "最近错误",
        "job_retry": "重试",
        "job_cancel": "取消",
        "new_token": "创建令牌",
        "token_label": "名称",
        "token_created": "请立即复制此令牌，它不会再次显示：",
        "token_revoke": "撤销",
        "token_expires": "过期时间",
        "token_last_used": "最近使用",
        "token_never": "从不",
        "token_expired": "已过期",
        "language": "语言",
        "mermaid_text": "流程图源码（Mermaid）",
        "choose": "— 请选择 —",
        "owner": "负责人",
        "id": "编号",
        "created_at": "创建时间",
        "updated_at": "更新时间",
        "created_by": "创建人",
        "version": "版本",
        "deleted_at": "删除时间",
        "explain": "为什么我能看到这条记录？",
        "explain_access": "权限说明",
        "explain_user": "用户",
        "explain_entity": "实体",
        "explain_record": "记录编号（可选）",
        "explain_go": "说明",
        "explain_no_user": "没有名为 {name} 的有效用户。",
        "total": "共 {count} 条",
        "page_error": "服务器出错了。",
        "server_error": "服务器错误",
        "system": "系统",
    },
}

# Reports and dashboards.
STRINGS["en"].update({
    "reports": "Reports",
    "report_params": "Parameters",
    "show": "Show",
    "download_csv": "Download CSV",
    "download_xlsx": "Download Excel",
    "data_table": "Data",
    "drill": "Records",
    "condition": "Condition",
    "dashboard": "Dashboard",
    "tile_unavailable": "Not available to you.",
    "no_records": "Nothing here.",
})
STRINGS["zh"].update({
    "reports": "报表",
    "report_params": "参数",
    "show": "显示",
    "download_csv": "下载 CSV",
    "download_xlsx": "下载 Excel",
    "data_table": "数据",
    "drill": "记录",
    "condition": "条件",
    "dashboard": "仪表盘",
    "tile_unavailable": "您无权查看。",
    "no_records": "暂无记录。",
})


def translator(language: str) -> Callable[..., str]:
    """`t(key, **values)` in `language`, falling back to English, then to the key."""
    table = STRINGS.get(language, STRINGS["en"])

    def t(key: str, **values: object) -> str:
        text = table.get(key) or STRINGS["en"].get(key) or key
        return text.format(**values) if values else text

    return t


def from_accept_language(header: str, supported: tuple[str, ...] = UI_LANGUAGES) -> str | None:
    """The best supported language named by an Accept-Language header, or None.

    `zh-CN,zh;q=0.9,en;q=0.8` → "zh". Entries are ranked by their q value.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        if not tag:
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag.split("-")[0]))
    for _, _, primary in sorted(ranked):
        if primary in supported:
            return primary
    return None


def choose_language(
    *, session_choice: str | None, user_language: str | None, accept_language: str,
    default: str = "en",
) -> str:
    """The language to answer in: the one picked this session, else the user's own,
    else the browser's preference, else `default`."""
    for candidate in (session_choice, user_language):
        if candidate in UI_LANGUAGES:
            return candidate
    return from_accept_language(accept_language) or (
        default if default in UI_LANGUAGES else "en"
    )
