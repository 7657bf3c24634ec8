"""From located YAML (a RawProject) to the frozen ProjectSpec.

Building never fails: whatever has the wrong shape is skipped or given a neutral value,
because the checker reports it (with its place) from the same data. A project without
errors builds into exactly what it says.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from guanxi.fields.registry import FIELD_TYPES, coerce
from guanxi.language import automation as automation_keys
from guanxi.language import listing as listing_keys
from guanxi.language import selfservice
from guanxi.language.aggregates import with_aggregates
from guanxi.language.durations import parse_duration as parse_duration
from guanxi.language.durations import remind_of
from guanxi.language.labels import derived_label
from guanxi.language.overlays import timer_name
from guanxi.language.raw import RawProject
from guanxi.language.tree import LocDict, LocList
from guanxi.spec import (
    ALLOW,
    DENY,
    PORTAL_ROLE,
    PUBLIC_ROLE,
    ROLLUP_KINDS,
    SYSTEM_ROLE,
    AccessSpec,
    ApprovalSpec,
    ApprovalStep,
    DuplicateRule,
    EntitySpec,
    FieldSpec,
    HelpSpec,
    IndexSpec,
    Loc,
    MarketingSpec,
    Option,
    Permission,
    ProjectSpec,
    PublicSpec,
    RoleSpec,
    RollupSpec,
    RuleSpec,
    StateSpec,
    SystemSpec,
    Text,
    TimerSpec,
    TransitionSpec,
    WorkflowSpec,
)

# Dynamic defaults, by the field type they fit.
DYNAMIC_DEFAULTS = {"current_user": "user", "today": "date", "now": "datetime"}

def plural_of(word: str) -> str:
    """A plain English plural: lead → leads, opportunity → opportunities."""
    lower = word.lower()
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return word[:-1] + "ies"
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def expression_text(value: Any) -> str | None:
    """A YAML scalar as expression source: `5` → "5", `true` → "true", text as is."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def public_help(data: LocDict | None, loc: Loc) -> HelpSpec | None:
    """The help centre declared under `public: help_centre:` (None when there is none)."""
    if data is None or not isinstance(data.get("entity"), str):
        return None

    def name(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) else None

    return HelpSpec(loc, str(data["entity"]), name("title") or "title",
                    name("body") or "body", name("category"), name("language"),
                    name("tags"), name("contact"))


def marketing_of(data: LocDict | None, loc: Loc) -> MarketingSpec | None:
    """Marketing e-mail declared under `marketing:` (None when there is none)."""
    if data is None or not isinstance(data.get("campaign"), str) \
            or not isinstance(data.get("members"), str):
        return None
    given = {key: value for key, value in data.items()
             if key in ("condition", "subject", "body", "email", "consent")
             and isinstance(value, str)}
    return MarketingSpec(loc, str(data["campaign"]), str(data["members"]), **given)


class _Builder:
    def __init__(self, raw: RawProject) -> None:
        assert raw.project is not None, "a project is built only once read"
        self.raw = raw
        self.project_data: LocDict = raw.project
        languages = raw.project.get("languages")
        names = tuple(x for x in languages if isinstance(x, str)) \
            if isinstance(languages, list) else ()
        self.languages = names or ("en",)
        self.language = self.languages[0]
        self.system_grants = LocDict(raw.project.loc)
        self.portal_grants = LocDict(raw.project.loc)
        self.public_grants = LocDict(raw.project.loc)

    # ------------------------------------------------------------ small values

    def text(self, value: Any, name: str | None = None) -> Text:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return {self.language: str(value)}
        if isinstance(value, dict):
            given = {str(k): str(v) for k, v in value.items()
                     if isinstance(v, str | int | float) and not isinstance(v, bool)}
            if given:
                return given
        return {self.language: derived_label(name)} if name else {}

    @staticmethod
    def names(value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list):
            return tuple(x for x in value if isinstance(x, str))
        return ()

    @staticmethod
    def flag(data: LocDict, key: str) -> bool:
        return data.get(key) is True

    @staticmethod
    def mapping(value: Any) -> LocDict | None:
        return value if isinstance(value, LocDict) else None

    # ------------------------------------------------------------ project

    def project(self) -> ProjectSpec:
        data = self.project_data
        name = data.get("project")
        if not isinstance(name, str):
            name = self.raw.root.rstrip("/").rsplit("/", 1)[-1] or "project"
        workflows = self.workflows()
        by_name = {w.name: w for w in workflows}
        system = self.mapping(data.get("system"))
        system_grants = self.mapping(system.get("grants")) if system is not None else None
        self.system_grants = system_grants or LocDict(data.loc)
        self.portal_grants = selfservice.portal_grants(data.get("portal")) or LocDict(data.loc)
        public = self.mapping(data.get("public"))
        public_grants = self.mapping(public.get("grants")) if public is not None else None
        self.public_grants = public_grants or LocDict(data.loc)
        given_zone = data.get("time_zone")
        time_zone = given_zone if isinstance(given_zone, str) and given_zone else "UTC"
        automation = self.raw.automation or LocDict(data.loc)
        return ProjectSpec(
            name=name,
            root=self.raw.root,
            loc=data.key_loc("project") if "project" in data else data.loc,
            label=self.text(data.get("label"), name),
            languages=self.languages,
            roles=self.roles(),
            entities=with_aggregates(tuple(
                self.entity(entity_name, value, self.raw.entities.key_loc(entity_name),
                            by_name)
                for entity_name, value in self.raw.entities.items()
                if isinstance(entity_name, str)
            )),
            workflows=workflows,
            extends=self.raw.extends,
            system=None if system is None else SystemSpec(
                data.key_loc("system"),
                tuple(str(name) for name in self.system_grants)),
            public=None if public is None else PublicSpec(
                data.key_loc("public"), tuple(str(name) for name in self.public_grants),
                public_help(self.mapping(public.get("help_centre")),
                            public.key_loc("help_centre") if "help_centre" in public
                            else data.key_loc("public"))),
            marketing=marketing_of(self.mapping(data.get("marketing")),
                                   data.key_loc("marketing") if "marketing" in data
                                   else data.loc),
            time_zone=time_zone,
            phone_region=self.phone_region(),
            calendars=automation_keys.calendars(data.get("calendars"), time_zone),
            teams=automation_keys.teams(data.get("teams"), self.text),
            assignments=automation_keys.assignments(automation),
            schedules=automation_keys.schedules(automation, self.text),
            portal=selfservice.portal(data.get("portal")),
            attachments=selfservice.attachments(data.get("attachments")),
        )

    def roles(self) -> tuple[RoleSpec, ...]:
        roles = self.mapping(self.project_data.get("roles"))
        if roles is None:
            return ()
        out = []
        for name, value in roles.items():
            data = self.mapping(value) or LocDict(roles.key_loc(name))
            out.append(RoleSpec(
                name=str(name),
                loc=roles.key_loc(name),
                label=self.text(data.get("label"), str(name)),
                includes=self.names(data.get("includes")),
                admin=self.flag(data, "admin"),
            ))
        return tuple(out)

    # ------------------------------------------------------------ entities

    def entity(self, name: str, value: Any, loc: Loc,
               workflows: dict[str, WorkflowSpec]) -> EntitySpec:
        data = self.mapping(value) or LocDict(loc)
        fields_data = self.mapping(data.get("fields")) or LocDict(loc)
        fields = tuple(
            self.field(str(field_name), field_value, fields_data.key_loc(field_name))
            for field_name, field_value in fields_data.items()
        )
        label = self.text(data.get("label"), name)
        plural = data.get("plural")
        workflow_name = data.get("workflow") if isinstance(data.get("workflow"), str) else None
        workflow = workflows.get(workflow_name) if workflow_name else None
        title = data.get("title")
        if not isinstance(title, str):
            title = next((f.name for f in fields if f.type == "string"), None)
        list_data = self.mapping(data.get("list"))
        return EntitySpec(
            name=name,
            loc=loc,
            label=label,
            plural=self.text(plural) if plural is not None else {
                lang: plural_of(text) if lang == "en" or derived_label(name) == text else text
                for lang, text in label.items()
            },
            title=title,
            fields=fields,
            rules=self.rules(data.get("rules")),
            indexes=self.indexes(data.get("indexes")),
            workflow=workflow_name,
            workflow_loc=data.value_loc("workflow") if workflow_name else None,
            access=self.access(data.get("access"), workflow)
            + self.actor_access(name, workflow, self.system_grants, SYSTEM_ROLE)
            + self.actor_access(name, workflow, self.public_grants, PUBLIC_ROLE)
            + self.actor_access(name, workflow, self.portal_grants, PORTAL_ROLE),
            list_columns=self.names(list_data.get("columns")) if list_data else (),
            renamed_from=_name_or_none(data.get("renamed_from")),
            sla=automation_keys.slas(data.get("sla"), self.text),
            duplicates=self.duplicates(data.get("duplicates")),
            reminders=automation_keys.reminders(data.get("reminders"), self.text),
            views=listing_keys.views(data.get("views"), self.text),
            board=listing_keys.board(data.get("board")),
        )

    def field(self, name: str, value: Any, loc: Loc) -> FieldSpec:
        data = self.mapping(value) or LocDict(loc)
        kind = data.get("type")
        if not isinstance(kind, str) or kind not in FIELD_TYPES:
            kind = "string"  # the checker reports the unknown type
        scale = data.get("scale")
        if kind == "decimal":
            scale = scale if isinstance(scale, int) and not isinstance(scale, bool) else 2
        elif kind in ("money", "percent"):
            scale = 2
        else:
            scale = None
        compute = expression_text(data.get("compute"))
        spec = FieldSpec(
            name=name,
            type=kind,
            loc=loc,
            label=self.text(data.get("label"), name),
            help=self.text(data.get("help")),
            required=self.flag(data, "required"),
            unique=self.flag(data, "unique"),
            index=self.flag(data, "index"),
            min_length=_int_or_none(data.get("min_length")),
            max_length=_int_or_none(data.get("max_length")),
            pattern=data.get("pattern") if isinstance(data.get("pattern"), str) else None,
            options=self.options(data.get("options")),
            ref=data.get("to") if kind == "reference" and isinstance(data.get("to"), str)
            else None,
            scale=scale,
            compute=compute,
            compute_loc=data.value_loc("compute") if compute is not None else None,
            sensitive=self.flag(data, "sensitive"),
            readonly=self.flag(data, "readonly"),
            related_label=self.text(data.get("related_label")),
            rollup=self.rollup(data),
            renamed_from=_name_or_none(data.get("renamed_from")),
            currency=data.get("currency") if kind == "money"
            and isinstance(data.get("currency"), str) else None,
        )
        return _with_values(spec, data)

    def rollup(self, data: LocDict) -> RollupSpec | None:
        """`rollup: {sum: amount, of: purchase, via: member, when: …}`; `count: ticket`
        names the entity counted. None when absent or without one aggregate (the
        checker reports it)."""
        value = self.mapping(data.get("rollup"))
        if value is None:
            return None
        kinds = [k for k in ROLLUP_KINDS if isinstance(value.get(k), str)]
        if len(kinds) != 1:
            return None
        kind = kinds[0]
        target = str(value.get(kind))
        of = value.get("of") if isinstance(value.get("of"), str) else None
        if kind == "count":
            of, target = of or target, ""
        via = value.get("via")
        when = expression_text(value.get("when"))
        final = value.get("final")
        return RollupSpec(
            kind=kind, of=of or "", via=via if isinstance(via, str) else "",
            loc=data.value_loc("rollup"), field=target or None, when=when,
            when_loc=value.value_loc("when") if when is not None else None,
            final=final if isinstance(final, bool) else None)

    def options(self, value: Any) -> tuple[Option, ...]:
        out: list[Option] = []
        if isinstance(value, LocList):
            for index, item in enumerate(value):
                text = option_value(item)
                if text is not None:
                    out.append(Option(text, self.text(None, text), value.item_loc(index)))
        elif isinstance(value, LocDict):
            for key, label in value.items():
                text = option_value(key)
                if text is None:
                    continue
                former = None
                if isinstance(label, LocDict) and ("label" in label or "renamed_from" in label):
                    # The long form: {label: ..., renamed_from: old_value}.
                    former = option_value(label.get("renamed_from"))
                    label = label.get("label")
                out.append(Option(text, self.text(label, text), value.key_loc(key), former))
        return tuple(out)

    def rules(self, value: Any) -> tuple[RuleSpec, ...]:
        if not isinstance(value, LocList):
            return ()
        out = []
        for index, item in enumerate(value):
            if not isinstance(item, LocDict):
                continue
            when = expression_text(item.get("when"))
            check = expression_text(item.get("check"))
            out.append(RuleSpec(
                loc=value.item_loc(index),
                when=when,
                when_loc=item.value_loc("when") if when is not None else None,
                require=self.names(item.get("require")),
                check=check,
                check_loc=item.value_loc("check") if check is not None else None,
                message=self.text(item.get("message")),
                fields=self.names(item.get("fields")),
            ))
        return tuple(out)

    def phone_region(self) -> str | None:
        """The project's `phone_region:` (a country code such as CN), if given."""
        region = self.project_data.get("phone_region")
        return region if isinstance(region, str) and region else None

    def duplicates(self, value: Any) -> tuple[DuplicateRule, ...]:
        if not isinstance(value, LocList):
            return ()
        out = []
        for index, item in enumerate(value):
            if not isinstance(item, LocDict):
                continue
            fuzzy: dict[Any, Any] = self.mapping(item.get("fuzzy")) or {}
            normalize, region = item.get("normalize"), item.get("region")
            out.append(DuplicateRule(
                self.names(item.get("match")), value.item_loc(index),
                normalize=normalize if isinstance(normalize, str) else None,
                region=region if isinstance(region, str) else self.phone_region(),
                fuzzy=tuple((str(k), float(v)) for k, v in fuzzy.items()
                            if isinstance(v, int | float) and not isinstance(v, bool)),
                safe=item.get("safe") is True))
        return tuple(out)

    def indexes(self, value: Any) -> tuple[IndexSpec, ...]:
        if not isinstance(value, LocList):
            return ()
        out = []
        for index, item in enumerate(value):
            loc = value.item_loc(index)
            if isinstance(item, LocDict):
                names = self.names(item.get("fields"))
                if names:
                    out.append(IndexSpec(names, loc, unique=self.flag(item, "unique")))
            elif self.names(item):
                out.append(IndexSpec(self.names(item), loc))
        return tuple(out)

    def access(self, value: Any, workflow: WorkflowSpec | None) -> tuple[AccessSpec, ...]:
        data = self.mapping(value)
        if data is None:
            return ()
        out = []
        for role, grants_value in data.items():
            loc = data.key_loc(role)
            grants = self.mapping(grants_value) or LocDict(loc)
            transitions = grants.get("transitions")
            if transitions is None:
                chosen: tuple[str, ...] | None = None
            elif transitions == "all":
                chosen = tuple(t.name for t in workflow.transitions) if workflow else ()
            else:
                chosen = self.names(transitions) if transitions != "none" else ()
            out.append(AccessSpec(
                role=str(role),
                loc=loc,
                create=_permission(grants, "create"),
                read=_permission(grants, "read"),
                update=_permission(grants, "update"),
                delete=_permission(grants, "delete"),
                hide=self.names(grants.get("hide")),
                readonly=self.names(grants.get("readonly")),
                transitions=chosen,
            ))
        return tuple(out)

    def actor_access(self, entity: str, workflow: WorkflowSpec | None, declared: LocDict,
                     role: str) -> tuple[AccessSpec, ...]:
        """A declared actor's grants on `entity` (the system's, the public's) as the
        access entry of its role."""
        if entity not in declared:
            return ()
        grants = LocDict(declared.key_loc(entity))
        grants.put(role, declared[entity], declared.key_loc(entity),
                   declared.value_loc(entity))
        return self.access(grants, workflow)

    # ------------------------------------------------------------ workflows

    def workflows(self) -> tuple[WorkflowSpec, ...]:
        source = self.raw.workflows
        return tuple(
            self.workflow(str(name), value, source.key_loc(name))
            for name, value in source.items()
        )

    def workflow(self, name: str, value: Any, loc: Loc) -> WorkflowSpec:
        data = self.mapping(value) or LocDict(loc)
        states_data = self.mapping(data.get("states")) or LocDict(loc)
        states = tuple(
            self.state(str(state), states_data.get(state), states_data.key_loc(state))
            for state in states_data
        )
        initial = data.get("initial")
        if not isinstance(initial, str):
            initial = states[0].name if states else ""
        open_states = tuple(s.name for s in states if not s.final)
        transitions_data = self.mapping(data.get("transitions")) or LocDict(loc)
        transitions = tuple(
            self.transition(str(t), transitions_data.get(t), transitions_data.key_loc(t),
                            open_states)
            for t in transitions_data
        )
        timers_data = data.get("timers")
        timers: tuple[TimerSpec, ...] = ()
        if isinstance(timers_data, LocList):
            timers = tuple(
                timer for index, item in enumerate(timers_data)
                if (timer := self.timer(item, index, timers_data.item_loc(index))) is not None
            )
        state_map = self.mapping(data.get("state_map"))
        return WorkflowSpec(
            name=name,
            loc=loc,
            initial=initial,
            label=self.text(data.get("label"), name),
            states=states,
            transitions=transitions,
            timers=timers,
            state_map=tuple((str(old), new) for old, new in (state_map or {}).items()
                            if isinstance(new, str)),
            state_map_loc=data.key_loc("state_map") if state_map is not None else None,
        )

    def state(self, name: str, value: Any, loc: Loc) -> StateSpec:
        data = self.mapping(value) or LocDict(loc)
        editable = data.get("editable")
        return StateSpec(
            name=name,
            loc=loc,
            label=self.text(data.get("label"), name),
            final=self.flag(data, "final"),
            require=self.names(data.get("require")),
            editable=self.names(editable) if editable is not None else None,
            renamed_from=_name_or_none(data.get("renamed_from")),
        )

    def transition(self, name: str, value: Any, loc: Loc,
                   open_states: tuple[str, ...]) -> TransitionSpec:
        data = self.mapping(value) or LocDict(loc)
        sources = data.get("from")
        when = expression_text(data.get("when"))
        set_data = self.mapping(data.get("set"))
        assignments = tuple(
            (str(field), text) for field, expr in (set_data or {}).items()
            if (text := expression_text(expr)) is not None
        )
        return TransitionSpec(
            name=name,
            loc=loc,
            sources=open_states if sources == "*" else self.names(sources),
            target=str(data["to"]) if isinstance(data.get("to"), str) else "",
            label=self.text(data.get("label"), name),
            when=when,
            when_loc=data.value_loc("when") if when is not None else None,
            roles=self.names(data.get("roles")),
            require=self.names(data.get("require")),
            set=assignments,
            approval=self.approval(data.get("approval")),
        )

    def approval(self, value: Any) -> ApprovalSpec | None:
        data = self.mapping(value)
        if data is None:
            return None
        steps: list[ApprovalStep] = []
        listed = data.get("steps")
        if not isinstance(listed, LocList):
            listed = LocList(data.loc)
        for index, item in enumerate(listed):
            step = self.mapping(item)
            if step is None:
                continue
            when = expression_text(step.get("when"))
            need = step.get("need")
            steps.append(ApprovalStep(
                loc=listed.item_loc(index), by=self.names(step.get("by")),
                need=need if need in ("any", "all") else "any", when=when,
                when_loc=step.value_loc("when") if when is not None else None))
        on_reject = data.get("on_reject")
        return ApprovalSpec(
            loc=data.loc, steps=tuple(steps),
            on_reject=on_reject if isinstance(on_reject, str) else None,
            on_reject_loc=data.value_loc("on_reject") if on_reject is not None else None,
            **remind_of(data.get("remind")))

    def timer(self, value: Any, index: int, loc: Loc) -> TimerSpec | None:
        data = self.mapping(value)
        if data is None:
            return None
        action = data.get("do") if data.get("do") in ("notify", "fire") else "notify"
        target = data.get("to") if action == "notify" else data.get("transition")
        after = data.get("after")
        return TimerSpec(
            name=timer_name(data, index),
            loc=loc,
            state=str(data["in"]) if isinstance(data.get("in"), str) else "",
            after_seconds=parse_duration(after) or 0,
            after_text=str(after) if after is not None else "",
            action=str(action),
            target=target if isinstance(target, str) else "",
            message=self.text(data.get("message")),
            when=data.get("when") if isinstance(data.get("when"), str) else None,
            when_loc=data.value_loc("when") if "when" in data else None,
            calendar=data.get("calendar") if isinstance(data.get("calendar"), str) else None,
        )


def option_value(value: Any) -> str | None:
    """An option as text: `web` → "web", `3` → "3", `true` → "true"; None for others."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _name_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _permission(grants: LocDict, key: str) -> Permission:
    if key not in grants:
        return DENY
    value = grants[key]
    loc = grants.value_loc(key)
    if value is True or value == "all":
        return Permission(ALLOW.kind, loc)
    if value is False or value is None or value == "none":
        return Permission(DENY.kind, loc)
    condition = expression_text(value)
    if condition is None:
        return Permission(DENY.kind, loc)
    return Permission("where", loc, condition)


def typed_value(field: FieldSpec, value: Any) -> tuple[Any, str | None]:
    """The field's canonical value for a literal in the YAML (a default, min or max) and
    None, or the literal unchanged and why it does not fit."""
    if value is None:
        return None, None
    if field.type == "duration":
        seconds = parse_duration(value)
        return (seconds, None) if seconds is not None else (value, "not a duration")
    if field.type in ("date", "datetime") and not isinstance(value, str):
        return value, f"not a {field.type} (write it as 2026-11-22"
    try:
        result = coerce(field, value)
    except (ValueError, TypeError, ArithmeticError) as error:
        return value, str(error)
    if isinstance(result, list):
        result = tuple(result)
    return result, None


def _with_values(spec: FieldSpec, data: LocDict) -> FieldSpec:
    """The field with its default, min and max as values of its type (when they fit)."""
    changes: dict[str, Any] = {}
    default = data.get("default")
    if isinstance(default, LocList):
        default = tuple(default)
    if isinstance(default, str) and DYNAMIC_DEFAULTS.get(default) == spec.type:
        changes["default"] = default
    elif default is not None:
        changes["default"] = typed_value(spec, default)[0]
    for key in ("min", "max"):
        if data.get(key) is not None:
            changes[key] = typed_value(spec, data[key])[0]
    return replace(spec, **changes) if changes else spec


def build_project(raw: RawProject) -> ProjectSpec:
    """The ProjectSpec of merged, located project data (read with a project file)."""
    if raw.project is None:
        raise ValueError(f"{raw.root} has no project file to build from")
    return _Builder(raw).project()
