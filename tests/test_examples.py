"""The example projects load cleanly and say what their READMEs promise; the standard
workflows ask for exactly the fields and roles docs/workflows.md lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from guanxi.language.project import load_project, load_project_or_raise
from guanxi.spec import ProjectSpec

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_DIRS = sorted(p for p in EXAMPLES.iterdir() if (p / "guanxi.yaml").is_file())
# Options named in one way in every language (product names).
LANGUAGE_NEUTRAL_OPTIONS = {("opportunity", "product")}


@pytest.fixture(scope="module")
def acme() -> ProjectSpec:
    return load_project_or_raise(EXAMPLES / "acme")


@pytest.fixture(scope="module")
def globex() -> ProjectSpec:
    return load_project_or_raise(EXAMPLES / "globex")


def grant(project: ProjectSpec, entity: str, role: str):
    access = project.entity(entity).access_for(role)
    assert access is not None, f"{role} has no access entry on {entity}"
    return access


# ---------------------------------------------------------------- every example


def test_there_are_examples():
    assert {p.name for p in EXAMPLE_DIRS} >= {"acme", "globex"}


@pytest.mark.parametrize("root", EXAMPLE_DIRS, ids=lambda p: p.name)
def test_example_loads_without_errors_or_warnings(root):
    result = load_project(root)
    assert result.spec is not None
    assert [str(d) for d in result.diagnostics] == []


@pytest.mark.parametrize("root", EXAMPLE_DIRS, ids=lambda p: p.name)
def test_example_labels_everything_in_english_and_chinese(root):
    project = load_project_or_raise(root)
    missing = []

    def need(text, where):
        if not text or not {"en", "zh"} <= set(text):
            missing.append(where)

    for role in project.roles:
        need(role.label, f"role {role.name}")
    for entity in project.entities:
        need(entity.label, f"entity {entity.name}")
        need(entity.plural, f"plural of {entity.name}")
        for field in entity.fields:
            need(field.label, f"{entity.name}.{field.name}")
            if (entity.name, field.name) in LANGUAGE_NEUTRAL_OPTIONS:
                continue
            for option in field.options:
                need(option.label, f"{entity.name}.{field.name} option {option.value}")
        for index, rule in enumerate(entity.rules):
            need(rule.message, f"{entity.name} rule {index + 1}")
    used = {e.workflow for e in project.entities if e.workflow}
    for workflow in project.workflows:
        if workflow.name not in used:
            continue
        need(workflow.label, f"workflow {workflow.name}")
        for state in workflow.states:
            need(state.label, f"{workflow.name} state {state.name}")
        for transition in workflow.transitions:
            need(transition.label, f"{workflow.name} transition {transition.name}")
    assert missing == []


# ---------------------------------------------------------------- acme


def test_acme_is_bilingual_with_english_first(acme):
    assert acme.name == "acme"
    assert acme.languages == ("en", "zh")


def test_acme_has_its_roles_and_their_hierarchy(acme):
    # five for people, and `erp` for the ERP's webhook (messages/webhooks.yaml)
    assert {r.name for r in acme.roles} == {
        "sales_rep", "sales_manager", "service_agent", "service_manager", "admin", "erp"}
    assert acme.expand_roles({"sales_manager"}) == {"sales_manager", "sales_rep"}
    assert acme.expand_roles({"service_manager"}) == {"service_manager", "service_agent"}
    assert acme.expand_roles({"admin"}) == {r.name for r in acme.roles} - {"erp"}
    assert [r.name for r in acme.roles if r.admin] == ["admin"]


def test_acme_has_the_crm_entities(acme):
    assert {e.name for e in acme.entities} == {
        "account", "contact", "lead", "opportunity", "activity", "quote", "ticket",
        "article", "campaign"}


def test_acme_entities_use_their_workflows(acme):
    workflows = {e.name: e.workflow for e in acme.entities}
    assert workflows == {
        "account": None, "contact": None, "activity": None,
        "lead": "lead_lifecycle", "opportunity": "opportunity_pipeline",
        "quote": "quote_approval", "ticket": "service_ticket", "article": "article_review",
        "campaign": None}


def test_acme_account_tiers_are_membership_levels(acme):
    tier = acme.entity("account").field("tier")
    assert [o.value for o in tier.options] == ["bronze", "silver", "gold", "platinum"]
    assert tier.compute is None  # written by the membership tiers (insight/classes.yaml)


def test_acme_personal_and_financial_data_is_marked_sensitive(acme):
    sensitive = {(e.name, f.name) for e in acme.entities for f in e.fields if f.sensitive}
    assert sensitive >= {("account", "address"), ("account", "annual_revenue"),
                         ("contact", "address"), ("lead", "income")}


def test_acme_reps_read_every_account_without_address_or_revenue(acme):
    rep = grant(acme, "account", "sales_rep")
    assert rep.read.kind == "all"
    assert set(rep.hide) == {"address", "annual_revenue"}
    assert grant(acme, "account", "sales_manager").hide == ()


@pytest.mark.parametrize("entity", ["lead", "opportunity", "activity", "quote"])
def test_acme_reps_read_and_update_only_their_own_records(acme, entity):
    rep = grant(acme, entity, "sales_rep")
    assert rep.read.condition == "owner == current_user"
    assert rep.update.condition == "owner == current_user"
    manager = grant(acme, entity, "sales_manager")
    assert (manager.read.kind, manager.update.kind) == ("all", "all")


def test_acme_service_agents_see_their_own_and_unassigned_tickets(acme):
    agent = grant(acme, "ticket", "service_agent")
    assert agent.read.condition == "assignee == current_user or assignee == null"
    assert grant(acme, "ticket", "service_manager").read.kind == "all"
    assert grant(acme, "ticket", "sales_rep").read.condition == "account.owner == current_user"


def test_acme_expected_value_is_computed_from_amount_and_probability(acme):
    opportunity = acme.entity("opportunity")
    assert opportunity.field("expected_value").compute == "amount * probability / 100"
    assert opportunity.field("probability").type == "percent"


def test_acme_won_deals_need_a_close_value(acme):
    pipeline = acme.workflow("opportunity_pipeline")
    assert set(pipeline.state("won").require) == {"close_value", "close_date"}
    rules = acme.entity("opportunity").rules
    won = [r for r in rules if r.when == 'state == "won"']
    assert won and won[0].require == ("close_value",)
    assert set(won[0].message) == {"en", "zh"}


def test_acme_referral_leads_need_a_referrer(acme):
    rule = acme.entity("lead").rules[0]
    assert (rule.when, rule.require) == ('source == "referral"', ("referrer",))


def test_acme_quotes_are_approved_only_by_sales_managers(acme):
    approval = acme.workflow("quote_approval")
    assert approval.initial == "draft"
    assert approval.transition("approve").roles == ("sales_manager",)
    assert approval.transition("reject").roles == ("sales_manager",)
    assert "approve" not in grant(acme, "quote", "sales_rep").transitions


def test_acme_tickets_extend_the_standard_lifecycle_with_a_first_response(acme):
    tickets = acme.workflow("service_ticket")
    assert {s.name for s in tickets.states} >= {
        "open", "assigned", "in_progress", "waiting_customer", "resolved", "closed",
        "reopened", "escalated"}
    alarm = next(t for t in tickets.timers if t.name == "reply_alarm")
    assert (alarm.state, alarm.after_seconds, alarm.action, alarm.target) == (
        "open", 12 * 3600, "notify", "service_manager")
    start = tickets.transition("start")
    assert dict(start.set) == {"first_response_at": "coalesce(first_response_at, now())"}
    assert start.when == "assignee != null"  # kept from ticket_lifecycle


def test_acme_indexes_the_fields_lists_filter_on(acme):
    def indexed(entity):
        spec = acme.entity(entity)
        return {f.name for f in spec.fields if f.index or f.unique} | {
            i.fields[0] for i in spec.indexes}

    assert indexed("ticket") >= {"assignee", "priority", "account"}
    assert indexed("opportunity") >= {"account", "close_date", "product"}
    assert indexed("activity") >= {"done", "opportunity"}


# ---------------------------------------------------------------- globex overlay


def test_globex_extends_acme(globex):
    assert globex.name == "globex"
    assert any(Path(p).name == "acme" for p in globex.extends)


def test_globex_removes_quotes_and_a_field(globex, acme):
    assert globex.entity("quote") is None
    assert globex.entity("account").field("year_established") is None
    assert acme.entity("quote") is not None


def test_globex_adds_a_wechat_field_to_contacts(globex):
    wechat = globex.entity("contact").field("wechat")
    assert wechat is not None and wechat.label["zh"] == "微信号"
    assert globex.entity("contact").field("email") is not None  # acme's fields stay


def test_globex_renames_leads_and_sales_reps(globex, acme):
    assert globex.entity("lead").label == {"en": "Prospect", "zh": "潜在客户"}
    assert globex.role("sales_rep").label["en"] == "Account executive"
    assert globex.role("sales_manager").includes == ("sales_rep",)
    assert acme.entity("lead").label["en"] == "Lead"


def test_globex_reps_share_leads_but_still_update_only_their_own(globex):
    rep = grant(globex, "lead", "sales_rep")
    assert rep.read.kind == "all"
    assert rep.update.condition == "owner == current_user"
    assert set(rep.hide) == {"income", "address"}


def test_globex_pipeline_adds_a_trial_stage(globex):
    assert globex.entity("opportunity").workflow == "globex_pipeline"
    pipeline = globex.workflow("globex_pipeline")
    assert pipeline.state("trial") is not None
    assert pipeline.transition("start_trial").sources == ("proposal",)
    assert "trial" in pipeline.transition("win").sources
    assert pipeline.transition("win").require == ("close_value", "close_date")


# ---------------------------------------------------------------- standard workflows

# What docs/workflows.md says each standard workflow needs: fields (name: type) and roles.
STANDARD_NEEDS = {
    "lead_lifecycle": ({"value": "money", "loss_reason": "string", "converted_on": "date"},
                       ["sales_manager"]),
    "opportunity_pipeline": ({"close_value": "money", "close_date": "date",
                              "loss_reason": "string"}, []),
    "ticket_lifecycle": ({"assignee": "user", "resolution": "text"}, ["service_manager"]),
}


@pytest.mark.parametrize("workflow", sorted(STANDARD_NEEDS))
def test_standard_workflow_needs_only_the_documented_fields_and_roles(workflow, write_project):
    fields, roles = STANDARD_NEEDS[workflow]
    field_lines = "".join(f"    {name}: {{type: {kind}}}\n" for name, kind in fields.items())
    role_lines = "".join(f"  {role}: {{}}\n" for role in roles)
    root = write_project({
        "guanxi.yaml": f"project: minimal\nroles:\n{role_lines}" if roles else "project: minimal\n",
        "entities/thing.yaml": f"thing:\n  workflow: {workflow}\n  fields:\n"
                               f"    name: {{type: string}}\n{field_lines}",
    })
    result = load_project(root)
    assert [str(d) for d in result.errors] == []
    assert result.spec.workflow(workflow) is not None


def test_standard_workflows_are_documented():
    doc = (EXAMPLES.parent / "docs" / "workflows.md").read_text(encoding="utf-8")
    for name, (fields, roles) in STANDARD_NEEDS.items():
        assert f"## `{name}`" in doc
        for needed in [*fields, *roles]:
            assert f"`{needed}`" in doc


# ---------------------------------------------------------------- acme at work


ROLES_OF = {"rep": "sales_rep", "rep_zh": "sales_rep", "manager": "sales_manager",
            "agent": "service_agent", "service_manager": "service_manager"}


@pytest.fixture(scope="module")
def acme_app():
    from guanxi.compile.app import compile_app

    return compile_app(load_project_or_raise(EXAMPLES / "acme"))


class Staff(dict):
    """acme's users by name (see ROLES_OF), each created on first use."""

    def __init__(self, store) -> None:
        super().__init__()
        self.store = store

    def __missing__(self, name: str):
        from guanxi.accounts.users import add_user

        self[name] = add_user(self.store.engine, name, "correct horse battery",
                              [ROLES_OF[name]], project=self.store.app.spec,
                              language="zh" if name.endswith("_zh") else "en")
        return self[name]


@pytest.fixture
def acme_at_work(acme_app, db_url):
    """acme on a real database, with its staff and a customer account."""
    from guanxi.store.facade import Store

    store = Store(acme_app, db_url)
    store.create_schema()
    users = Staff(store)
    account = store.create(users["manager"], "account", {
        "name": "Cancity", "industry": "retail", "address": "1 Main Street",
        "annual_revenue": "718.62"})
    yield store, users, account
    store.dispose()


def test_acme_hides_account_address_and_revenue_from_reps_only(acme_at_work):
    store, users, account = acme_at_work
    as_rep = store.get(users["rep"], "account", account["id"])
    as_manager = store.get(users["manager"], "account", account["id"])
    assert "address" not in as_rep and "annual_revenue" not in as_rep
    assert as_manager["address"] == "1 Main Street"


def test_acme_reps_see_only_their_own_leads(acme_at_work):
    store, users, _ = acme_at_work
    store.create(users["rep"], "lead", {"name": "Li Wei", "email": "li@example.cn"})
    assert store.count(users["rep"], "lead") == 1
    assert store.count(users["rep_zh"], "lead") == 0
    assert store.count(users["manager"], "lead") == 1


def test_acme_referral_rule_speaks_the_users_language(acme_at_work):
    from guanxi.errors import ValidationFailed

    store, users, _ = acme_at_work
    with pytest.raises(ValidationFailed) as refused:
        store.create(users["rep_zh"], "lead", {"name": "王芳", "source": "referral",
                                               "phone": "+86 10 1234 5678"})
    assert refused.value.errors["referrer"] == ["推荐来源的线索需要填写推荐人"]


def test_acme_only_managers_convert_leads(acme_at_work):
    from guanxi.errors import AccessDenied, TransitionRefused

    store, users, _ = acme_at_work
    lead = store.create(users["rep"], "lead", {"name": "Li Wei", "email": "li@example.cn",
                                               "value": 1000})
    store.transition(users["rep"], "lead", lead["id"], "contact")
    store.transition(users["rep"], "lead", lead["id"], "qualify")
    with pytest.raises((AccessDenied, TransitionRefused)):
        store.transition(users["rep"], "lead", lead["id"], "convert")
    converted = store.transition(users["manager"], "lead", lead["id"], "convert")
    assert converted["state"] == "converted" and converted["converted_on"] is not None


def test_acme_deal_is_won_with_its_close_value(acme_at_work):
    from guanxi.errors import TransitionRefused

    store, users, account = acme_at_work
    rep = users["rep"]
    deal = store.create(rep, "opportunity", {"name": "Cancity GTX Pro", "account": account["id"],
                                              "product": "gtx_pro", "amount": 4821,
                                              "probability": 40})
    assert float(deal["expected_value"]) == pytest.approx(1928.40)
    store.transition(rep, "opportunity", deal["id"], "engage")
    with pytest.raises(TransitionRefused):
        store.transition(rep, "opportunity", deal["id"], "win")
    won = store.transition(rep, "opportunity", deal["id"], "win", {"close_value": 4514})
    assert won["state"] == "won" and won["close_date"] is not None


def test_acme_agents_work_their_own_and_unassigned_tickets(acme_at_work):
    store, users, account = acme_at_work
    agent, manager = users["agent"], users["service_manager"]
    queue = store.create(agent, "ticket", {"subject": "Fan noise", "kind": "inquiry",
                                           "account": account["id"]})
    store.create(manager, "ticket", {"subject": "Invoice", "assignee": manager.id})
    assert store.count(agent, "ticket") == 1
    assert store.count(manager, "ticket") == 2
    store.transition(agent, "ticket", queue["id"], "assign", {"assignee": agent.id})
    started = store.transition(agent, "ticket", queue["id"], "start")
    assert started["first_response_at"] is not None
    store.transition(agent, "ticket", queue["id"], "escalate")
    taken = store.transition(manager, "ticket", queue["id"], "take_over")
    assert taken["assignee"] == manager.id
    assert store.count(agent, "ticket") == 0


def test_acme_reps_read_the_tickets_of_their_own_accounts(acme_at_work):
    store, users, managers_account = acme_at_work
    rep, agent = users["rep"], users["agent"]
    own = store.create(rep, "account", {"name": "Isdom", "industry": "medical"})
    store.create(agent, "ticket", {"subject": "Broken fan", "account": own["id"]})
    store.create(agent, "ticket", {"subject": "Late delivery", "account": managers_account["id"]})
    subjects = [t["subject"] for t in store.list(rep, "ticket").items]
    assert subjects == ["Broken fan"]
