"""The parsed project: plain, frozen data that remembers where each thing was written.

Everything downstream of the loader (checker, compiler, store, server, diagrams) reads
these classes and never re-reads YAML. Every declaration carries a `Loc` so that any
later message can point back at the file, line and column an analyst wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A label or message given per language: {"en": "Lead", "zh": "线索"}.
# `label: Lead` in YAML becomes {"en": "Lead"} (the project's default language).
Text = dict[str, str]


@dataclass(frozen=True, slots=True)
class Loc:
    """Where something was written: 1-based line and column, as editors count."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


NOWHERE = Loc("<built-in>", 0, 0)


def text_in(text: Text | None, language: str, fallback: str = "") -> str:
    """The text in `language`, else English, else any language given, else `fallback`."""
    if not text:
        return fallback
    return text.get(language) or text.get("en") or next(iter(text.values()), fallback)


@dataclass(frozen=True, slots=True)
class Option:
    """One allowed value of a choice or tags field."""

    value: str
    label: Text
    loc: Loc = NOWHERE
    # The value this option had before (stored values are moved to this one).
    renamed_from: str | None = None


# The aggregates a roll-up field may take over the records that reference its entity.
ROLLUP_KINDS = ("count", "sum", "min", "max", "avg")


@dataclass(frozen=True, slots=True)
class RollupSpec:
    """A roll-up: `kind` (count, sum, min, max, avg) over `field` (None for count) of the
    records of entity `of` whose reference `via` points at this record and whose
    condition `when` holds; `final` (True/False) keeps only those whose workflow state
    is (or is not) final. Stored in the field's column and kept up to date by the
    Store in the transaction of every write to `of`."""

    kind: str
    of: str
    via: str
    loc: Loc
    field: str | None = None
    when: str | None = None
    when_loc: Loc | None = None
    final: bool | None = None
    # "compute" when written as an aggregate in `compute:` (`sum(purchase.amount)`).
    written: str = "rollup"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of an entity, as declared. `type` names a row of the field-type registry."""

    name: str
    type: str
    loc: Loc
    label: Text = field(default_factory=dict)
    help: Text = field(default_factory=dict)
    required: bool = False
    unique: bool = False
    index: bool = False
    # Literal value, or one of the dynamic defaults: "current_user", "today", "now".
    default: Any = None
    min: Any = None
    max: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    options: tuple[Option, ...] = ()
    # reference: the target entity name; None for other types.
    ref: str | None = None
    # decimal/money: digits after the point.
    scale: int | None = None
    # An expression; the field is computed on every write and stored (so it can be filtered).
    compute: str | None = None
    compute_loc: Loc | None = None
    sensitive: bool = False
    readonly: bool = False
    # reference: the title of the list of records pointing here, on the referenced
    # record's page ("Subsidiaries" for account.parent); empty: the entity's plural label.
    related_label: Text = field(default_factory=dict)
    # A roll-up over the records that reference this entity; None for other fields.
    rollup: RollupSpec | None = None
    # The field's former name: migrations rename the column, keeping values and history.
    renamed_from: str | None = None
    # money: the ISO 4217 code shown beside amounts (`currency: CNY`); None shows none.
    currency: str | None = None

    @property
    def derived(self) -> bool:
        """Whether the engine fills the field (computed or rolled up), never a user."""
        return self.compute is not None or self.rollup is not None


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A cross-field rule: when `when` holds (or always), `require` fields must be
    filled and `check` must be true; otherwise `message` is reported on `fields`
    (or, if empty, on the required fields / the record as a whole)."""

    loc: Loc
    when: str | None = None
    when_loc: Loc | None = None
    require: tuple[str, ...] = ()
    check: str | None = None
    check_loc: Loc | None = None
    message: Text = field(default_factory=dict)
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Permission:
    """One operation's grant: `all`, `none`, or a row condition in the expression language."""

    kind: str  # "all" | "none" | "where"
    loc: Loc = NOWHERE
    condition: str | None = None

    @property
    def granted(self) -> bool:
        return self.kind != "none"


DENY = Permission("none")
ALLOW = Permission("all")


@dataclass(frozen=True, slots=True)
class AccessSpec:
    """What one role may do with one entity. Anything not granted is denied."""

    role: str
    loc: Loc
    create: Permission = DENY
    read: Permission = DENY
    update: Permission = DENY
    delete: Permission = DENY
    hide: tuple[str, ...] = ()
    readonly: tuple[str, ...] = ()
    # None: every transition, if the role may update; () none; otherwise the names.
    transitions: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class IndexSpec:
    fields: tuple[str, ...]
    loc: Loc
    unique: bool = False


@dataclass(frozen=True, slots=True)
class DuplicateRule:
    """A rule finding likely duplicates: records whose `match` fields are all equal,
    after `normalize` (email, phone, text), or similar by at least `fuzzy[field]` (0–1).
    `region`: the country that reads national phone numbers (the rule's own, else the
    project's `phone_region`)."""

    match: tuple[str, ...]
    loc: Loc
    normalize: str | None = None
    region: str | None = None
    fuzzy: tuple[tuple[str, float], ...] = ()
    # `safe: true`: a scheduled clean-up may merge what this rule finds on its own.
    safe: bool = False


@dataclass(frozen=True, slots=True)
class ViewSpec:
    """A shared list view of an entity (`views:`): filters (query-string pairs, read as
    a list's URL is), columns and sort, offered to the roles named (everyone who may
    read the entity when none are)."""

    name: str
    loc: Loc
    label: Text = field(default_factory=dict)
    roles: tuple[str, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    columns: tuple[str, ...] = ()
    sort: str | None = None


@dataclass(frozen=True, slots=True)
class BoardSpec:
    """The board's settings (`board:`): the fields shown on each card, and the number
    field each column totals (None: the first money field on the cards, if any)."""

    card: tuple[str, ...] = ()
    sum: str | None = None


@dataclass(frozen=True, slots=True)
class EntitySpec:
    name: str
    loc: Loc
    label: Text = field(default_factory=dict)
    plural: Text = field(default_factory=dict)
    # The field shown as the record's title in lists, references and pages.
    title: str | None = None
    fields: tuple[FieldSpec, ...] = ()
    rules: tuple[RuleSpec, ...] = ()
    indexes: tuple[IndexSpec, ...] = ()
    workflow: str | None = None
    workflow_loc: Loc | None = None
    access: tuple[AccessSpec, ...] = ()
    # Default list columns (field names); empty means "the first few fields".
    list_columns: tuple[str, ...] = ()
    # The entity's former name: migrations rename the table, keeping rows and history.
    renamed_from: str | None = None
    # SLA clocks (`sla:`) and reminders (`reminders:`).
    sla: tuple[SlaSpec, ...] = ()
    reminders: tuple[ReminderSpec, ...] = ()
    # Rules finding likely duplicates (`duplicates:`).
    duplicates: tuple[DuplicateRule, ...] = ()
    # Shared list views (`views:`) and the board's cards (`board:`).
    views: tuple[ViewSpec, ...] = ()
    board: BoardSpec = field(default_factory=BoardSpec)

    def field(self, name: str) -> FieldSpec | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def access_for(self, role: str) -> AccessSpec | None:
        for a in self.access:
            if a.role == role:
                return a
        return None


@dataclass(frozen=True, slots=True)
class StateSpec:
    name: str
    loc: Loc
    label: Text = field(default_factory=dict)
    final: bool = False
    # Fields that must be filled while a record is in this state.
    require: tuple[str, ...] = ()
    # Fields that may be edited in this state; None means all (that access allows).
    editable: tuple[str, ...] | None = None
    # The state's former name: migrations move records in it to this state.
    renamed_from: str | None = None


@dataclass(frozen=True, slots=True)
class ApprovalStep:
    """One step of an approval: who approves (`by`: roles, user fields of the record
    such as `owner` or `account.owner`, or `manager of requester` / `manager of <user
    field>`), whether every one of them (`need: all`) or any one (`any`) must approve,
    and a condition that must hold for the step to be asked at all."""

    loc: Loc
    by: tuple[str, ...]
    need: str = "any"  # "any" | "all"
    when: str | None = None
    when_loc: Loc | None = None


@dataclass(frozen=True, slots=True)
class ApprovalSpec:
    """`approval:` on a transition: its steps, asked in order; the state a rejected
    record returns to (through a transition of the workflow); reminders to approvers
    who have not decided: the first `remind_seconds` after they were asked (0: none),
    then every `remind_every_seconds` (0: no more), `remind_times` reminders in all."""

    loc: Loc
    steps: tuple[ApprovalStep, ...]
    on_reject: str | None = None
    on_reject_loc: Loc | None = None
    remind_seconds: int = 0
    remind_every_seconds: int = 0
    remind_times: int = 1


@dataclass(frozen=True, slots=True)
class TransitionSpec:
    name: str
    loc: Loc
    sources: tuple[str, ...]
    target: str
    label: Text = field(default_factory=dict)
    when: str | None = None
    when_loc: Loc | None = None
    # Roles that may fire it; empty means any role that may update the record.
    roles: tuple[str, ...] = ()
    # Fields that must be filled (after `set` and the values given with the transition).
    require: tuple[str, ...] = ()
    # Field name -> expression evaluated when the transition fires.
    set: tuple[tuple[str, str], ...] = ()
    # Firing it asks for approval first (`guanxi.automation.approvals`).
    approval: ApprovalSpec | None = None


@dataclass(frozen=True, slots=True)
class TimerSpec:
    """Something to do when a record has stayed in `state` longer than `after`."""

    name: str
    loc: Loc
    state: str
    after_seconds: int
    after_text: str
    action: str  # "notify" | "fire"
    # notify: "owner" or a role name; fire: a transition name.
    target: str
    message: Text = field(default_factory=dict)
    # A condition on the record that must hold when the timer comes due.
    when: str | None = None
    when_loc: Loc | None = None
    # Count `after` in the business hours of this calendar (None: around the clock).
    calendar: str | None = None


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One thing automation does to a record (timers, SLA steps, schedules):
    `notify` `to` recipients with `message`; `fire` a `transition`; `set` fields to
    expressions; `create` an `entity` with `values` (expressions on the record);
    `assign` the user field `field` to `to` (a user field, or `round_robin: role`);
    `duplicates` (a schedule's only action): the entity's duplicates report, the roles
    `to` told of new clusters, and with `merge: safe` the clusters of rules marked
    `safe` merged."""

    do: str
    loc: Loc
    to: tuple[str, ...] = ()
    message: Text = field(default_factory=dict)
    transition: str | None = None
    values: tuple[tuple[str, str], ...] = ()
    entity: str | None = None
    field: str | None = None
    round_robin: str | None = None
    merge: str | None = None


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """Business hours: per weekday (0 Monday … 6 Sunday) the open periods in minutes
    from midnight, in `time_zone`; public holidays of `holidays` (a country code of the
    `holidays` library), plus `extra_holidays` and `extra_workdays` (ISO dates)."""

    name: str
    loc: Loc
    time_zone: str
    week: tuple[tuple[int, tuple[tuple[int, int], ...]], ...] = ()
    holidays: str | None = None
    extra_holidays: tuple[str, ...] = ()
    extra_workdays: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TeamSpec:
    """A team (`teams:` in guanxi.yaml): its manager and members, by username. A user
    may be in several teams."""

    name: str
    loc: Loc
    label: Text = field(default_factory=dict)
    manager: str | None = None
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SlaStep:
    """What an SLA clock does `after` its target passed (0: at the breach)."""

    loc: Loc
    after_seconds: int
    actions: tuple[ActionSpec, ...]


@dataclass(frozen=True, slots=True)
class SlaSpec:
    """An SLA clock on an entity: started for records matching `when`, with a target
    per value of `by` (e.g. priority; "default" for the rest), counted in `calendar`'s
    business hours, paused while `pause_when` holds, stopped once `stop_when` holds."""

    name: str
    loc: Loc
    targets: tuple[tuple[str, int], ...]
    by: str = "priority"
    when: str | None = None
    pause_when: str | None = None
    stop_when: str | None = None
    calendar: str | None = None
    warn_at: float | None = None
    warn: tuple[ActionSpec, ...] = ()
    breach: tuple[SlaStep, ...] = ()

    def target_for(self, value: Any) -> int | None:
        found = dict(self.targets)
        return found.get(str(value), found.get("default"))


@dataclass(frozen=True, slots=True)
class ReminderSpec:
    """A reminder on an entity: `before` the moment in date/datetime field `field`,
    if `when` holds then, do `actions` (e.g. notify the owner of an activity)."""

    name: str
    loc: Loc
    field: str
    before_seconds: int
    actions: tuple[ActionSpec, ...]
    when: str | None = None


@dataclass(frozen=True, slots=True)
class AssignmentSpec:
    """Who gets new work: on `on` ("create" or a transition name) of `entity`'s records
    matching `when`, set user field `field` by `round_robin` among a role's active
    users, or to the one with the least open work (`least_open`)."""

    name: str
    loc: Loc
    entity: str
    on: tuple[str, ...]
    role: str
    field: str = "assignee"
    method: str = "round_robin"
    when: str | None = None
    # Only the role's users in this team.
    team: str | None = None
    # Open work: records of `entity` not in a final state, assigned to the user.


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """Scheduled actions: `every` (cron, or a duration) over `entity`'s records matching
    `when`, doing `actions` on each."""

    name: str
    loc: Loc
    every: str
    entity: str
    actions: tuple[ActionSpec, ...]
    when: str | None = None
    every_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    name: str
    loc: Loc
    initial: str
    label: Text = field(default_factory=dict)
    states: tuple[StateSpec, ...] = ()
    transitions: tuple[TransitionSpec, ...] = ()
    timers: tuple[TimerSpec, ...] = ()
    # Former states -> the states their records move to when the database is migrated
    # (`state_map:`, and each state's `renamed_from`).
    state_map: tuple[tuple[str, str], ...] = ()
    state_map_loc: Loc | None = None

    def moved_states(self) -> dict[str, str]:
        """Every former state name and the state its records move to."""
        moved = {s.renamed_from: s.name for s in self.states if s.renamed_from}
        moved.update(self.state_map)
        return moved

    def state(self, name: str) -> StateSpec | None:
        for s in self.states:
            if s.name == name:
                return s
        return None

    def transition(self, name: str) -> TransitionSpec | None:
        for t in self.transitions:
            if t.name == name:
                return t
        return None


@dataclass(frozen=True, slots=True)
class RoleSpec:
    name: str
    loc: Loc
    label: Text = field(default_factory=dict)
    includes: tuple[str, ...] = ()
    # Administrators manage users and see configuration errors; access rules still apply.
    admin: bool = False


# The role the system actor holds: its grants are written under `system: grants:` in
# guanxi.yaml and built into each entity's access as this role's entry.
SYSTEM_ROLE = "system"


@dataclass(frozen=True, slots=True)
class SystemSpec:
    """The declared system actor: automation writes as it, with only what its grants
    (the entities named here) allow."""

    loc: Loc
    entities: tuple[str, ...] = ()


# The role a customer portal's users hold: its grants are written under `portal: grants:`
# in guanxi.yaml and built into each entity's access as this role's entry.
PORTAL_ROLE = "portal"


@dataclass(frozen=True, slots=True)
class PortalSpec:
    """The customer portal (`portal:` in guanxi.yaml): contacts of `principal` sign in by
    a link mailed to their `email` field and see the records of `tickets` that the grants
    (the access entries of PORTAL_ROLE) let them; `account` is the principal's field read
    as `current_account`. `reply_transition`: fired on a ticket when its contact answers,
    if it may be."""

    loc: Loc
    principal: str
    email: str
    tickets: str
    account: str | None = None
    entities: tuple[str, ...] = ()
    link_minutes: int = 15
    links_per_hour: int = 5
    reply_transition: str | None = None
    principal_loc: Loc | None = None
    email_loc: Loc | None = None
    tickets_loc: Loc | None = None
    account_loc: Loc | None = None
    reply_loc: Loc | None = None


@dataclass(frozen=True, slots=True)
class AttachmentsSpec:
    """Where attachments are kept and what they may be (`attachments:` in guanxi.yaml):
    `directory` (relative to the project; the GUANXI_ATTACHMENTS_DIR environment variable
    wins), `max_size` in bytes, `types`: the content types allowed, as sniffed."""

    loc: Loc | None = None
    directory: str = "attachments"
    max_size: int = 10 * 1024 * 1024
    types: tuple[str, ...] = ("application/pdf", "image/png", "image/jpeg", "image/gif",
                              "image/webp", "text/plain", "text/csv", "application/zip")
# The role the public actor holds: what anonymous visitors of the help centre and the
# public forms may do, written under `public: grants:` in guanxi.yaml.
PUBLIC_ROLE = "public"


@dataclass(frozen=True, slots=True)
class HelpSpec:
    """The public help centre (`public: help_centre:`): which entity holds the articles, and the
    fields it shows them by. What visitors may read is the public actor's read grant."""

    loc: Loc
    entity: str
    title: str = "title"
    body: str = "body"
    category: str | None = None
    language: str | None = None
    tags: str | None = None
    # The web form (forms/*.yaml) the help centre's contact page shows.
    contact: str | None = None


@dataclass(frozen=True, slots=True)
class PublicSpec:
    """The declared public actor: anonymous visitors act as it, with only what its grants
    (the entities named here) allow; `help` when the project has a help centre."""

    loc: Loc
    entities: tuple[str, ...] = ()
    help: HelpSpec | None = None


@dataclass(frozen=True, slots=True)
class MarketingSpec:
    """Marketing e-mail (`marketing:`): the campaign entity and its fields (the members'
    condition, the subject and the text), and the members' entity with its e-mail and
    consent fields."""

    loc: Loc
    campaign: str
    members: str
    condition: str = "audience"
    subject: str = "subject"
    body: str = "message"
    email: str = "email"
    consent: str = "marketing_consent"


@dataclass(frozen=True, slots=True, weakref_slot=True)
class ProjectSpec:
    """A whole project. What is derived from it once (each entity's expression scope,
    `guanxi.expr.Scope.for_entity`) is kept by its identity for as long as it lives."""

    name: str
    root: str
    loc: Loc
    label: Text = field(default_factory=dict)
    languages: tuple[str, ...] = ("en",)
    roles: tuple[RoleSpec, ...] = ()
    entities: tuple[EntitySpec, ...] = ()
    workflows: tuple[WorkflowSpec, ...] = ()
    # Base projects this one extends, nearest first (paths as written, resolved).
    extends: tuple[str, ...] = ()
    # The system actor, when `system:` is declared.
    system: SystemSpec | None = None
    # The public actor and help centre, when `public:` is declared.
    public: PublicSpec | None = None
    # Marketing e-mail to campaign members, when `marketing:` is declared.
    marketing: MarketingSpec | None = None
    # Automation: the project's time zone, business calendars, assignment rules and
    # scheduled actions (automation/*.yaml).
    time_zone: str = "UTC"
    # The country whose numbering plan reads national phone numbers (`phone_region:`),
    # for duplicate rules without their own `region:`.
    phone_region: str | None = None
    calendars: tuple[CalendarSpec, ...] = ()
    teams: tuple[TeamSpec, ...] = ()
    assignments: tuple[AssignmentSpec, ...] = ()
    schedules: tuple[ScheduleSpec, ...] = ()
    # Self-service: the customer portal (when `portal:` is declared) and attachments.
    portal: PortalSpec | None = None
    attachments: AttachmentsSpec = field(default_factory=AttachmentsSpec)
    # The first entity, workflow and role of each name, for the lookups below.
    _entity_index: dict[str, EntitySpec] = field(
        init=False, default_factory=dict, repr=False, compare=False)
    _workflow_index: dict[str, WorkflowSpec] = field(
        init=False, default_factory=dict, repr=False, compare=False)
    _role_index: dict[str, RoleSpec] = field(
        init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for entity in self.entities:
            self._entity_index.setdefault(entity.name, entity)
        for workflow in self.workflows:
            self._workflow_index.setdefault(workflow.name, workflow)
        for role in self.roles:
            self._role_index.setdefault(role.name, role)

    def entity(self, name: str) -> EntitySpec | None:
        return self._entity_index.get(name)

    def workflow(self, name: str) -> WorkflowSpec | None:
        return self._workflow_index.get(name)

    def role(self, name: str) -> RoleSpec | None:
        return self._role_index.get(name)

    def calendar(self, name: str) -> CalendarSpec | None:
        return next((c for c in self.calendars if c.name == name), None)

    def team(self, name: str) -> TeamSpec | None:
        return next((t for t in self.teams if t.name == name), None)

    def expand_roles(self, names: frozenset[str] | set[str] | tuple[str, ...]) -> frozenset[str]:
        """The given roles plus every role they include, transitively."""
        by_name = {r.name: r for r in self.roles}
        seen: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            role = by_name.get(name)
            if role:
                todo.extend(role.includes)
        return frozenset(seen)
