"""Sample data for `guanxi demo`: users for every role and a believable book of business
(accounts, contacts, leads, opportunities, quotes, tickets, activities) in many states.

Generated in code from a fixed random seed, so the installed package needs no data files.
Records are written through the Store like any user's, so every rule holds for them; a
value an edited project no longer accepts is skipped, never forced.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from dataclasses import dataclass
from typing import Any

from guanxi.accounts import users as accounts
from guanxi.errors import GuanxiError
from guanxi.identity import User
from guanxi.spec import EntitySpec, WorkflowSpec

PASSWORD = "guanxi-demo"

# username, display name, roles, language
DEMO_USERS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("admin", "Ada Admin", ("admin",), "en"),
    ("mona", "Mona Manager", ("sales_manager",), "en"),
    ("rita", "Rita Reyes", ("sales_rep",), "en"),
    ("wei", "Wang Wei", ("sales_rep",), "zh"),
    ("sue", "Sue Service", ("service_manager",), "en"),
    ("li", "Li Na", ("service_agent",), "zh"),
)

COMPANIES = [
    ("Northwind Medical", "medical", "east", "United States"),
    ("Bluestone Retail", "retail", "central", "United States"),
    ("Kestrel Software", "software", "west", "United States"),
    ("Harbor Finance Group", "finance", "east", "United States"),
    ("Lumen Entertainment", "entertainment", "west", "United States"),
    ("Pinecrest Telecom", "telecommunications", "central", "Canada"),
    ("Orchid Marketing", "marketing", "west", "United States"),
    ("上海星河科技", "technology", "international", "China"),
    ("Brightpath Staffing", "employment", "central", "United States"),
    ("Granite Services", "services", "east", "United States"),
    ("Velox Systems", "technology", "international", "Germany"),
    ("深圳恒通电子", "technology", "international", "China"),
]
FIRST_NAMES = ["Olivia", "James", "Amelia", "Noah", "Sofia", "Liam", "Grace", "Ethan",
               "Hannah", "Lucas", "Ava", "Mia", "Daniel", "Emma", "Isabella", "Henry",
               "Chloe", "Oscar", "Ruby", "Felix", "Nora", "Leo", "Iris"]
LAST_NAMES = ["Park", "Carter", "Brooks", "Rossi", "Walsh", "Kim", "Moore", "Lee", "Meyer",
              "Nguyen", "Fischer", "Ortiz", "Novak", "Cruz", "Adams", "Martin", "Evans",
              "Silva", "Kowalski"]
CHINESE_NAMES = ["Zhang Min", "Chen Jie", "Zhao Lei", "Liu Yang", "Wu Fang", "Sun Li",
                 "Zhou Hui", "Xu Ming", "Ma Lin", "Gao Yan", "Lin Tao", "He Jing"]


def people(count: int) -> list[str]:
    """`count` different names, one in four Chinese: 23 first names are walked against 19
    last names (coprime lengths), so no name repeats before 437."""
    western = [f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[i % len(LAST_NAMES)]}"
               for i in range(len(FIRST_NAMES) * len(LAST_NAMES))]
    chinese = iter(CHINESE_NAMES)
    names: list[str] = []
    western_names = iter(western)
    for index in range(count):
        name = next(chinese, None) if index % 4 == 3 else None
        names.append(name or next(western_names))
    return names


PEOPLE = people(22)
TITLES = ["CTO", "Head of Purchasing", "IT Manager", "Operations Director", "CFO",
          "Procurement Lead", "Facilities Manager", "CEO"]
PRODUCTS = ["gtx_basic", "gtx_pro", "gtx_plus_basic", "gtx_plus_pro", "mg_special",
            "mg_advanced", "gtk_500"]
TICKETS = [("Printer board fails after firmware update", "repair", "hardware", "high"),
           ("Invoice shows the wrong discount", "complaint", "billing", "normal"),
           ("How to install the GTX Pro drivers on Linux?", "inquiry", "software", "low"),
           ("Delivery arrived with a damaged case", "complaint", "delivery", "high"),
           ("GTK 500 overheats under load", "repair", "hardware", "urgent"),
           ("Need help with rack installation", "inquiry", "installation", "normal"),
           ("Driver crash on Windows 11", "inquiry", "software", "normal"),
           ("Fan noise on MG Advanced", "repair", "hardware", "low")]


@dataclass
class SeedReport:
    users: list[tuple[str, str, str]]  # username, password, roles
    created: dict[str, int]
    skipped: int


def _path(workflow: WorkflowSpec, target: str) -> list[str]:
    """Transition names leading from the initial state to `target` (shortest path)."""
    queue: deque[tuple[str, list[str]]] = deque([(workflow.initial, [])])
    seen = {workflow.initial}
    while queue:
        state, path = queue.popleft()
        if state == target:
            return path
        for tr in workflow.transitions:
            sources = ([s.name for s in workflow.states if not s.final]
                       if "*" in tr.sources else tr.sources)
            if state in sources and tr.target not in seen:
                seen.add(tr.target)
                queue.append((tr.target, [*path, tr.name]))
    return []


class Seeder:
    """Writes records through the Store as demo users, tolerating an edited project."""

    def __init__(self, store: Any, users: dict[str, User], rng: random.Random) -> None:
        self.store, self.users, self.rng = store, users, rng
        self.created: dict[str, int] = {}
        self.skipped = 0

    def _entity(self, name: str) -> EntitySpec | None:
        entity: EntitySpec | None = self.store.app.spec.entity(name)
        return entity

    def _only_declared(self, entity: EntitySpec, values: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in values.items()
                if (f := entity.field(k)) is not None and not f.derived and v is not None}

    def create(self, entity_name: str, values: dict[str, Any], *, as_user: str = "admin",
               state: str | None = None, later: dict[str, Any] | None = None
               ) -> dict[str, Any] | None:
        """Create a record, then move it to `state`; `later` holds the values the
        transitions on the way ask for (given when they fire, not on create)."""
        entity = self._entity(entity_name)
        if entity is None:
            return None
        user = self.users[as_user]
        values = self._only_declared(entity, values)
        workflow = self.store.app.spec.workflow(entity.workflow) if entity.workflow else None
        writable = self.store.app.policies[entity_name].writable_fields(
            user, workflow.initial if workflow else None, "create")
        own = {k: v for k, v in values.items() if k in writable}
        rest = {k: v for k, v in values.items() if k not in writable}
        try:
            record: dict[str, Any] = self.store.create(user, entity_name, own)
            if rest:  # fields the owner may not set (hidden from them) are set by a manager
                record = self.store.update(self.users["admin"], entity_name, record["id"], rest)
        except GuanxiError:
            self.skipped += 1
            return None
        self.created[entity_name] = self.created.get(entity_name, 0) + 1
        if workflow is not None and state and state != workflow.initial:
            record = self.walk(entity, workflow, record, state, later or {})
        return record

    def walk(self, entity: EntitySpec, workflow: WorkflowSpec, record: dict[str, Any],
             state: str, values: dict[str, Any]) -> dict[str, Any]:
        """Fire transitions (as the administrator) until the record is in `state`."""
        admin = self.users["admin"]
        for name in _path(workflow, state):
            transition = workflow.transition(name)
            assert transition is not None
            target = workflow.state(transition.target)
            needed = set(transition.require) | set(target.require if target else ())
            given = {k: values[k] for k in needed
                     if k in values and entity.field(k) and record.get(k) in (None, "")}
            try:
                record = self.store.transition(admin, entity.name, record["id"], name,
                                               given or None)
            except GuanxiError:
                self.skipped += 1
                break
        return record


def _username(users: dict[str, User], user_id: Any) -> str:
    """The demo username of the user with this id (records are created as their owner)."""
    return next((name for name, u in users.items() if u.id == user_id), "admin")


def seed(store: Any, *, today: dt.date | None = None, random_seed: int = 7) -> SeedReport:
    """Create the demo users and sample records; return the logins and what was made."""
    today = today or dt.date.today()
    rng = random.Random(random_seed)
    spec = store.app.spec
    users: dict[str, User] = {}
    logins = []
    for username, name, roles, language in DEMO_USERS:
        wanted = tuple(r for r in roles if spec.role(r) is not None)
        if not wanted:
            continue
        existing = accounts.find_user(store.engine, username)
        users[username] = existing or accounts.add_user(
            store.engine, username, PASSWORD, wanted, display_name=name, language=language,
            project=spec)
        logins.append((username, PASSWORD, ", ".join(wanted)))
    if "admin" not in users:
        raise GuanxiError("the demo needs a role named admin in the project")
    reps: list[str] = [u for u in ("rita", "wei") if u in users] or ["admin"]
    agents: list[str] = [u for u in ("li", "sue") if u in users] or ["admin"]
    s = Seeder(store, users, rng)

    accounts_made: list[dict[str, Any]] = []
    for index, (company, industry, region, country) in enumerate(COMPANIES):
        record = s.create("account", {
            "name": company, "industry": industry, "region": region, "country": country,
            "phone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            "website": "https://www." + "".join(c for c in company.lower() if c.isascii()
                                                and c.isalnum())[:16] + ".example",
            "employees": (employees := rng.choice([12, 45, 130, 800, 2400, 9100])),
            "year_established": rng.randint(1975, 2019),
            # In thousands of US dollars: 120k–300k dollars per employee.
            "annual_revenue": employees * rng.randint(120, 300),
            "address": f"{rng.randint(1, 999)} Market Street, {country}",
            "parent": accounts_made[0]["id"] if index == 10 and accounts_made else None,
        }, as_user=rng.choice(reps))
        if record:
            accounts_made.append(record)

    contacts = []
    names = iter(people(80))
    for account in accounts_made:
        for _ in range(rng.choice([1, 2, 2, 3])):
            person = next(names)
            handle = person.lower().replace(" ", ".")
            record = s.create("contact", {
                "name": person, "account": account["id"], "job_title": rng.choice(TITLES),
                "email": f"{handle}@example.com", "phone": f"+1 555 010 {rng.randint(1000, 9999)}",
                "preferred_language": "zh" if person in CHINESE_NAMES else "en",
            }, as_user=_username(users, account.get("owner")))
            if record:
                contacts.append(record)

    lead_states = ["new"] * 6 + ["contacted"] * 5 + ["qualified"] * 4 + ["nurturing"] * 2 + \
        ["converted"] * 3 + ["lost"] * 4
    lead_names = people(80 + len(lead_states))[80:]
    for index, state in enumerate(lead_states):
        person = lead_names[index]
        company = rng.choice(["Aurora Labs", "Cobalt Logistics", "Delta Clinics",
                              "Evergreen Foods", "Falcon Media", "杭州云帆网络",
                              "Glacier Analytics", "Helix Robotics"])
        source = rng.choice(["web", "phone", "referral", "expo", "partner", "campaign"])
        s.create("lead", {
            "name": person, "company": company, "source": source,
            "referrer": rng.choice(PEOPLE) if source == "referral" else None,
            "email": f"{person.lower().replace(' ', '.')}.{index}@example.org",
            "phone": f"+1 555 020 {1000 + index}",
            "industry": rng.choice(["technology", "medical", "retail", "software", "finance"]),
            "value": rng.choice([5000, 12000, 25000, 48000, 90000]),
            "income": rng.choice([60000, 85000, 120000]),
            "notes": "Met at the spring trade fair." if source == "expo" else None,
        }, as_user=rng.choice(reps), state=state,
            later={"loss_reason": rng.choice(["no_budget", "competitor", "unresponsive"])})

    stages = ["prospecting"] * 3 + ["engaging"] * 4 + ["proposal"] * 3 + \
        ["negotiation"] * 3 + ["won"] * 4 + ["lost"] * 3
    opportunities: list[dict[str, Any]] = []
    deals_made: set[tuple[Any, str]] = set()
    for index, state in enumerate(stages):
        if not accounts_made:
            break
        account = accounts_made[index % len(accounts_made)]
        # One deal per account and product, so no two deals share a name.
        product = rng.choice([p for p in PRODUCTS if (account["id"], p) not in deals_made])
        deals_made.add((account["id"], product))
        amount = rng.choice([1100, 4800, 26700, 55000, 4500, 3400])
        engaged = today - dt.timedelta(days=rng.randint(20, 200))
        contact = next((c for c in contacts if c.get("account") == account["id"]), None)
        record = s.create("opportunity", {
            "name": f"{account['name']} – {product.replace('_', ' ').upper()}",
            "account": account["id"], "contact": contact["id"] if contact else None,
            "product": product, "amount": amount,
            "probability": {"prospecting": 10, "engaging": 30, "proposal": 50,
                            "negotiation": 70, "won": 100, "lost": 0}[state],
            "engage_date": engaged.isoformat(),
            "close_date": (engaged + dt.timedelta(days=rng.randint(10, 90))).isoformat()
            if state in ("won", "lost") else None,
        }, as_user=_username(users, account.get("owner")), state=state,
            later={"close_value": int(amount * rng.choice([0.9, 1.0, 1.05])),
                   "close_date": today.isoformat(),
                   "loss_reason": rng.choice(["price", "competitor", "timing"])})
        if record:
            opportunities.append(record)

    for index, state in enumerate(["draft", "submitted", "approved", "rejected", "draft"]):
        if not opportunities:
            break
        opp = opportunities[index % len(opportunities)]
        s.create("quote", {
            "number": f"Q-{1001 + index:04d}", "account": opp["account"],
            "opportunity": opp["id"], "total": opp.get("amount") or 5000,
            "discount": [0, 5, 10, 25, 15][index],
            "discount_reason": "Multi-year commitment" if index == 3 else None,
            "valid_until": (today + dt.timedelta(days=30)).isoformat(),
        }, as_user=_username(users, opp.get("owner")), state=state,
            later={"rejection_reason": "Discount too deep for this tier"})

    ticket_states = ["open", "open", "assigned", "in_progress", "waiting_customer",
                     "resolved", "closed", "escalated"]
    for index, (subject, kind, category, priority) in enumerate(TICKETS):
        if not accounts_made:
            break
        account = accounts_made[(index * 3) % len(accounts_made)]
        contact = next((c for c in contacts if c.get("account") == account["id"]), None)
        assignee = users[agents[index % len(agents)]].id
        s.create("ticket", {
            "subject": subject, "kind": kind, "category": category, "priority": priority,
            "account": account["id"], "contact": contact["id"] if contact else None,
            "description": f"Reported by {contact['name'] if contact else 'the customer'}.",
        }, state=ticket_states[index % len(ticket_states)],
            later={"assignee": assignee, "resolution": "Replaced the faulty part on site."})

    for index in range(24):
        if not accounts_made:
            break
        account = accounts_made[index % len(accounts_made)]
        kind = ["call", "visit", "meeting", "email", "reminder"][index % 5]
        found: dict[str, Any] | None = next(
            (o for o in opportunities if o.get("account") == account["id"]), None)
        due = dt.datetime.combine(today, dt.time(9)) + dt.timedelta(days=rng.randint(-20, 20),
                                                                    hours=rng.randint(0, 8))
        s.create("activity", {
            "subject": {"call": "Follow-up call", "visit": "On-site visit",
                        "meeting": "Quarterly review", "email": "Send the price list",
                        "reminder": "Check the renewal date"}[kind] + f" – {account['name']}",
            "kind": kind, "due": due.replace(tzinfo=dt.UTC).isoformat(),
            "done": due.date() < today, "account": account["id"],
            "opportunity": found["id"] if found else None,
        }, as_user=_username(users, account.get("owner")))

    # The knowledge base (some published in the help centre) and two campaigns.
    for index, (title, body, category, language, visibility) in enumerate(ARTICLES):
        s.create("article", {"title": title, "body": body, "category": category,
                             "language": language, "visibility": visibility,
                             "keywords": title},
                 state=["published", "published", "review", "draft"][index % 4])
    for name, channel, budget, days in (("Spring GTX launch", "email", "12000", -30),
                                        ("Shanghai trade fair", "expo", "40000", 20)):
        s.create("campaign", {
            "name": name, "channel": channel, "budget": budget,
            "starts_on": (today + dt.timedelta(days=days)).isoformat(),
            "ends_on": (today + dt.timedelta(days=days + 14)).isoformat(),
            "audience": 'account.tier == "gold"', "subject": name,
            "email_text": "Our new GTX line is here."})
    return SeedReport(logins, s.created, s.skipped)


# Knowledge-base articles: title, Markdown body, category, language, visibility.
ARTICLES = (
    ("Installing the GTX driver", "1. Download the driver.\n2. Run **setup**.",
     "drivers", "en", "public"),
    ("显卡驱动安装", "1. 下载驱动程序。\n2. 运行**安装程序**。", "drivers", "zh", "public"),
    ("Warranty terms", "Every GTX card has a **three-year** warranty.", "warranty", "en",
     "public"),
    ("Discount rules for partners", "Partners get 12% off list prices.", "billing", "en",
     "internal"),
    ("保修条款", "所有 GTX 显卡均享受**三年**保修。", "warranty", "zh", "public"),
    ("Replacing a fan", "Open the case and unplug the fan.", "products", "en", "public"),
    ("退款流程", "退款需经经理批准。", "billing", "zh", "internal"),
    ("MG series overview", "The MG series is for workstations.", "products", "en",
     "public"),
)
