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
        "mail": "E-mail",
        "mail_in": "received",
        "mail_out": "sent",
        "mail_suggested": "Suggested replies",
        "mail_hits": "hits",
        "mail_reply": "Reply to the customer",
        "mail_subject": "Subject",
        "mail_body": "Message",
        "mail_send": "Send",
        "mail_queued": "The reply is queued and will be sent shortly.",
        "webhooks": "Webhooks",
        "no_webhooks": "No webhook subscriptions (messages/*.yaml, webhooks:).",
        "webhook_name": "Subscription",
        "webhook_events": "Events",
        "webhook_role": "Reads as",
        "webhook_secret": "Secret",
        "webhook_secret_set": "set",
        "webhook_secret_missing": "missing",
        "webhook_state": "State",
        "webhook_active": "active",
        "webhook_disabled": "disabled",
        "webhook_enable": "Enable",
        "webhook_failures": "failures in a row",
        "webhook_log": "Latest deliveries",
        "webhook_at": "At",
        "webhook_enabled": "The webhook is enabled again.",
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
        "mail": "邮件",
        "mail_in": "收到",
        "mail_out": "发出",
        "mail_suggested": "推荐回复",
        "mail_hits": "命中",
        "mail_reply": "回复客户",
        "mail_subject": "主题",
        "mail_body": "内容",
        "mail_send": "发送",
        "mail_queued": "回复已排队，稍后发出。",
        "webhooks": "Webhook",
        "no_webhooks": "没有 Webhook 订阅（messages/*.yaml，webhooks:）。",
        "webhook_name": "订阅",
        "webhook_events": "事件",
        "webhook_role": "读取角色",
        "webhook_secret": "密钥",
        "webhook_secret_set": "已设置",
        "webhook_secret_missing": "未设置",
        "webhook_state": "状态",
        "webhook_active": "启用",
        "webhook_disabled": "已停用",
        "webhook_enable": "重新启用",
        "webhook_failures": "次连续失败",
        "webhook_log": "最近投递",
        "webhook_at": "时间",
        "webhook_enabled": "Webhook 已重新启用。",
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
        "total": "共 {count} 条",
        "page_error": "服务器出错了。",
        "server_error": "服务器错误",
        "system": "系统",
    },
}


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
