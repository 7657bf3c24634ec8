"""Located problems found in a project, and the one catalog of their stable ids.

Every problem `guanxi check` can report has an id here (`GX101` …), a severity, a message
template and a line of documentation; docs/errors.md lists exactly these. Errors stop a
project from running; warnings are reported and do not.

Ranges: GX1xx files and YAML, GX2xx structure, GX3xx names and references,
GX4xx expressions, GX5xx workflows, GX6xx access (GX61x–GX62x the customer portal and
attachments, GX63x–GX65x self-service: the public actor, the help centre, web forms,
marketing), GX7xx overlays, GX80x–GX81x data (import mappings, duplicate rules), GX82x–GX84x
automation (teams, approvals), GX85x acceptance scenarios, GX90x–GX92x insight (reports,
dashboards, targets, segments and tiers), GX96x messages (reply templates, webhooks), GX97x
the workspace (search), GX98x lists and boards (shared views, cards).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from guanxi import diagnostics_zh
from guanxi.spec import Loc

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One row of the catalog."""

    id: str
    severity: str
    template: str
    doc: str


def _catalog(*rows: tuple[str, str, str, str]) -> dict[str, Problem]:
    return {row[0]: Problem(*row) for row in rows}


E, W = ERROR, WARNING

CATALOG: dict[str, Problem] = _catalog(
    # ------------------------------------------------------------ files and YAML
    ("GX101", E, "{detail}", "The file is not valid YAML."),
    ("GX102", E, "{detail}", "A tag other than plain YAML's (`!!python/object`, `!custom` …) "
     "or a value that does not fit its tag."),
    ("GX103", E, "{detail}", "The same key is given twice in one mapping."),
    ("GX104", E, "{detail}", "The file is larger than 1 MiB."),
    ("GX105", E, "{detail}", "Aliases expand to too many values, or values nest too deeply "
     "(a \"billion laughs\" file)."),
    ("GX106", E, "{detail}", "A mapping key is not a plain name, or `<<` merges something "
     "other than mappings."),
    ("GX107", E, "{detail}", "The file is not UTF-8 text."),
    ("GX108", E, "no project file: {path} has no guanxi.yaml",
     "The project directory has no `guanxi.yaml`."),
    ("GX109", E, "{what} must be a mapping of names to definitions, not {got}",
     "A file's top level is not a mapping."),
    ("GX110", E, "{path} is not a directory", "The project path does not exist or is a file."),
    ("GX111", E, "{detail}", "A project file is a FIFO, a device, a directory or a socket, "
     "not a regular file; it is refused before anything is read from it."),
    ("GX112", E, "{detail}", "A project file is a symbolic link that leads outside the "
     "project directory."),
    ("GX113", E, "{detail}", "A project file cannot be opened (permissions, a broken link)."),
    ("GX114", E, "the project has more than {limit} files; this one and those after it "
     "were not read", "The project (with the projects it extends) has more than 500 files."),
    ("GX115", E, "the project's files hold more than {limit} MiB together; this one and "
     "those after it were not read",
     "The project's files (with the projects it extends) hold more than 4 MiB together."),
    # ------------------------------------------------------------ structure (schemas)
    ("GX201", E, "unknown key '{key}' in {where}", "A key the language does not have here."),
    ("GX202", E, "{where} must be {expected}, not {got}", "A value of the wrong kind."),
    ("GX203", E, "{where} needs '{key}'", "A required key is missing."),
    ("GX204", E, "{where} must be one of {allowed}, not {got}",
     "A value outside the allowed set."),
    ("GX205", E, "{where}: {detail}", "A value breaks another structural rule "
     "(too short, out of range)."),
    # ------------------------------------------------------------ names and references
    ("GX301", E, "'{name}' is not a valid {what} name",
     "Names are lowercase identifiers: `[a-z][a-z0-9_]*`, at most 63 characters."),
    ("GX302", E, "'{name}' is a system field and cannot be declared",
     "A field uses the name of a system field (`id`, `owner`, `state` …)."),
    ("GX303", E, "unknown field type '{type}'", "The field's `type` is not a field type."),
    ("GX304", E, "'{key}' does not apply to a {type} field",
     "A field key that the field's type does not take (`options` on a string …)."),
    ("GX305", E, "reference to unknown entity '{name}'", "`to:` names no entity."),
    ("GX306", E, "unknown field '{name}' in {where}",
     "A rule, index, title, list column, state or transition names no field of the entity."),
    ("GX307", E, "unknown role '{name}' in {where}", "A role name that is not declared."),
    ("GX308", E, "unknown workflow '{name}'",
     "`workflow:` names neither a workflow of the project nor a standard one."),
    ("GX309", E, "{what} '{name}' is declared twice (also at {other})",
     "The same name is declared in two files of one project."),
    ("GX310", E, "a {type} field needs 'options'", "A choice or tags field without options."),
    ("GX311", E, "default {value} is not valid for field '{field}': {reason}",
     "A default that is not an option, or not of the field's type."),
    ("GX312", E, "{low_key} {low} is greater than {high_key} {high}",
     "A lower bound above the upper bound."),
    ("GX313", E, "pattern is not a valid regular expression: {detail}",
     "`pattern` does not compile."),
    ("GX314", E, "{key} {value} is not valid for a {type} field: {reason}",
     "`min`, `max`, `scale` … of the wrong kind for the field's type."),
    ("GX315", E, "option '{value}' is given twice", "The same option value twice."),
    ("GX316", E, "role '{name}' includes itself through {cycle}",
     "Roles include each other in a cycle."),
    ("GX317", E, "a rule needs 'require' or 'check'", "A rule that would never do anything."),
    ("GX318", W, "label language '{language}' is not one of the project's languages "
     "({languages})", "A label in a language the project does not declare."),
    ("GX319", E, "a reference field needs 'to'", "A reference field without a target."),
    ("GX320", W, "role '{name}' is not used by any access entry, transition, timer or "
     "other role", "A role nothing grants anything to."),
    ("GX321", E, "a computed field cannot have {key}",
     "`compute` or `rollup` together with `default` or `required`."),
    ("GX322", E, "'{name}' is listed twice in {where}", "A name repeated in one list."),
    ("GX323", E, "entity name '{name}' starts with 'gx_', which is kept for the engine's "
     "own tables", "An entity named like the engine's tables (users, history)."),
    ("GX324", E, "computed field '{name}' depends on itself through {cycle}",
     "Computed fields that compute each other in a cycle."),
    ("GX325", E, "field '{name}' is both computed and rolled up",
     "A field with both `compute` and `rollup`."),
    ("GX326", E, "the roll-up of '{name}' is over unknown entity '{of}'",
     "`rollup` names no entity in `of` (or in `count`)."),
    ("GX327", E, "the roll-up of '{name}': '{via}' is not a reference of '{of}' to "
     "'{entity}'", "`via` must name a reference field of the rolled-up entity that points "
     "at the entity holding the roll-up."),
    ("GX328", E, "the roll-up of '{name}' reads unknown field '{field}' of '{of}'",
     "The field a sum, min, max or avg reads is not a field of the rolled-up entity."),
    ("GX329", E, "the roll-up of '{name}': {kind} of a {source} field cannot be kept in a "
     "{target} field", "The aggregate cannot read that field, or its result does not fit "
     "the roll-up field's type (sums of decimals in an integer, averages in an integer)."),
    ("GX330", E, "the roll-up of '{name}' keeps records by 'final' but '{of}' has no "
     "workflow", "`final:` on a roll-up over an entity without a workflow."),
    ("GX331", E, "the roll-up condition of '{name}' reads '{path}' through a reference",
     "A roll-up condition reads the rolled-up records' own fields only."),
    ("GX332", E, "'{name}' depends on itself through {cycle}",
     "Roll-ups and computed fields that depend on each other across entities in a cycle."),
    ("GX333", E, "computed field '{name}' reads '{path}' through more than one reference",
     "A computed field reads through one reference at most, so that it is computed again "
     "when that record changes."),
    ("GX334", E, "unknown time zone '{name}'", "`time_zone:` in guanxi.yaml is not an "
     "IANA time zone name such as Asia/Shanghai or Europe/Berlin."),
    ("GX335", E, "the roll-up condition of '{name}' depends on who writes: {what}",
     "A roll-up condition reads `current_user` or `has_role()`; a stored roll-up is the "
     "same for every reader."),
    ("GX336", E, "'{of}' has no reference to '{entity}' for the aggregate in '{name}'",
     "An aggregate in `compute:` (`sum(purchase.amount)`) adds up the records of an entity "
     "that reference this one; the entity named has no reference field to it."),
    ("GX337", E, "'{of}' references '{entity}' through several fields ({via}); the "
     "aggregate in '{name}' cannot tell which",
     "An aggregate in `compute:` over an entity with more than one reference to this one; "
     "write the field as `rollup:` and name the reference with `via:`."),
    ("GX338", E, "the aggregate {call} in '{name}' must be the whole expression",
     "An aggregate (`sum`, `count`, `min`, `max`, `avg` over another entity's records) is "
     "written inside a larger expression; it is stored as a roll-up, so it must be a "
     "field of its own that other expressions read."),
    ("GX339", E, "the aggregate in '{name}' is not written {usage}",
     "An aggregate in `compute:` with the wrong arguments: `count(entity)` or "
     "`count(entity, condition)`, `sum(entity.field)` or `sum(entity.field, condition)` "
     "(likewise `min`, `max`, `avg`)."),
    ("GX340", E, "{what} '{name}' is renamed_from '{former}', which is still declared",
     "`renamed_from` names a field, entity, state or option that the project still declares; "
     "a rename needs the old name gone."),
    # ------------------------------------------------------------ expressions
    ("GX401", E, "expression syntax error: {detail}", "An expression that does not parse."),
    ("GX402", E, "{detail}", "An expression that names unknown things or mixes types."),
    ("GX403", E, "the expression '{text}' was cut at a comma by YAML; quote it",
     "An unquoted expression with commas inside a flow mapping `{ … }`, which YAML splits "
     "into keys at each comma."),
    ("GX404", E, "{detail}", "An expression compares `state` with a text that is not a "
     "state of the entity's workflow."),
    # ------------------------------------------------------------ workflows
    ("GX501", E, "initial state '{name}' is not a state of workflow '{workflow}'",
     "`initial` names no state."),
    ("GX502", E, "transition '{transition}' starts from unknown state '{name}'",
     "`from` names no state."),
    ("GX503", E, "transition '{transition}' goes to unknown state '{name}'",
     "`to` names no state."),
    ("GX504", E, "final state '{name}' has outgoing transition '{transition}'",
     "A transition leaves a final state."),
    ("GX505", E, "entity '{entity}' has no field '{name}', which workflow '{workflow}' uses "
     "in {where}", "A workflow's `require`, `set` or `editable` names a field that an "
     "entity using it lacks."),
    ("GX506", E, "timer '{timer}' waits in unknown state '{name}'", "A timer's `in` names "
     "no state."),
    ("GX507", E, "timer '{timer}' fires unknown transition '{name}'",
     "A `do: fire` timer names no transition."),
    ("GX508", E, "timer '{timer}' notifies unknown role '{name}'",
     "A `do: notify` timer's `to` is neither `owner`, a role, nor (for the entities "
     "using the workflow) a user field or a path to one."),
    ("GX509", E, "'{value}' is not a duration", "A duration that is not `90m`, `12h`, `3d`, "
     "`1w` or a number of seconds."),
    ("GX510", W, "state '{name}' of workflow '{workflow}' cannot be reached from "
     "'{initial}'", "No chain of transitions leads to the state."),
    ("GX511", W, "state '{name}' of workflow '{workflow}' is not final but no transition "
     "leaves it", "Records in the state are stuck."),
    ("GX512", E, "workflow '{workflow}' extends unknown workflow '{name}'",
     "`extends` names no workflow."),
    ("GX513", E, "workflow '{workflow}' extends itself through {cycle}",
     "Workflows extend each other in a cycle."),
    ("GX514", E, "workflow '{workflow}' has no states", "A workflow without states."),
    ("GX515", W, "workflow '{workflow}' is not used by any entity",
     "A workflow the project declares but no entity names."),
    ("GX516", E, "timer '{timer}' with do: {action} needs '{key}'",
     "A timer without its target."),
    ("GX517", E, "transition '{transition}' cannot set '{name}': {reason}",
     "`set` assigns a system or computed field."),
    ("GX518", E, "timer name '{name}' is used twice in workflow '{workflow}'",
     "Two timers with one name."),
    ("GX519", W, "transition '{transition}' requires '{name}' of entity '{entity}', which "
     "no role that may fire it can write", "A transition requires a field that no role "
     "allowed to fire it can edit, and does not set it."),
    ("GX540", E, "state_map of workflow '{workflow}' moves '{name}' to unknown state "
     "'{target}'", "A `state_map` entry whose target is not a state of the workflow."),
    ("GX541", W, "state_map of workflow '{workflow}' moves '{name}', which is still one of "
     "its states", "A `state_map` entry for a state the workflow still has: records in it "
     "are not moved."),
    # ------------------------------------------------------------ access
    ("GX601", E, "access entry for unknown role '{name}'", "`access` names no role."),
    ("GX602", E, "unknown field '{name}' in {key} of role '{role}'",
     "`hide` or `readonly` names no field of the entity."),
    ("GX603", E, "unknown transition '{name}' for role '{role}': workflow '{workflow}' has "
     "no such transition", "`transitions` names a transition the workflow lacks."),
    ("GX604", E, "role '{role}' lists transitions but entity '{entity}' has no workflow",
     "`transitions` on an entity without a workflow."),
    ("GX605", W, "entity '{entity}' grants nothing to any role, so nobody can use it",
     "An entity without access entries."),
    ("GX606", W, "role '{role}' may create {entity} records but never sees required field "
     "'{name}'", "A role creates records whose required field it hides, so its creates "
     "fail unless the field has a default."),
    ("GX607", E, "role 'system' is kept for the system actor declared under 'system:'",
     "A declared role takes the system actor's name."),
    ("GX608", E, "the system's grants name unknown entity '{name}'",
     "`system: grants:` names no entity."),
    # ------------------------------------------------------------ self-service
    ("GX610", E, "role 'portal' is kept for the customer portal's users",
     "A declared role takes the name of the portal's role while `portal:` is declared."),
    ("GX611", E, "the portal's {what} names unknown entity '{name}'",
     "`portal: principal:` or `portal: tickets:` names no entity."),
    ("GX612", E, "'{name}' is not a field of type {type} of '{entity}'",
     "`portal: email:` names no e-mail field of the principal, or `portal: account:` no "
     "reference field of it."),
    ("GX613", E, "the portal's reply transition '{name}' is not a transition of "
     "'{entity}'", "`portal: reply:` names no transition of the tickets' workflow."),
    ("GX614", E, "the portal's grants name unknown entity '{name}'",
     "`portal: grants:` names no entity."),
    ("GX615", E, "the portal's users may not read any '{entity}'",
     "`portal: grants:` gives no read grant on the tickets entity, so the portal would "
     "show nothing."),
    ("GX616", E, "the system actor may not read '{entity}', so the portal cannot find "
     "contacts by e-mail", "The portal looks contacts up by address as the system actor, "
     "which needs a read grant on the principal entity."),
    ("GX617", E, "'{name}' is read outside the portal's grants (entity '{entity}'), where "
     "it is always null", "`current_contact` and `current_account` are the portal's user; "
     "they mean nothing in staff roles, rules or computed fields."),
    ("GX618", E, "a portal grant on '{entity}' reads current_user, which no portal user "
     "is", "A condition under `portal: grants:` compares with `current_user`."),
    ("GX619", E, "a portal grant on '{entity}' reads current_account, but the portal "
     "names no account field", "`current_account` needs `portal: account:`."),
    ("GX620", E, "attachments: max_size {value} is not a size",
     "`attachments: max_size` is not a number of bytes or a size such as `10MiB`."),
    ("GX621", E, "attachments: unknown content type '{name}'",
     "`attachments: types` lists a type the content sniffer never tells."),
    ("GX630", E, "role 'public' is kept for the public actor declared under 'public:'",
     "A declared role takes the public actor's name."),
    ("GX631", E, "the public's grants name unknown entity '{name}'",
     "`public: grants:` names no entity."),
    ("GX632", E, "the help centre names unknown entity '{entity}'",
     "`public: help_centre: entity:` names no entity."),
    ("GX633", E, "the help centre's {key} names unknown field '{name}' of '{entity}'",
     "A field of the help centre is not a field of its entity."),
    ("GX634", E, "the help centre shows '{entity}' but the public may not read it",
     "The public actor has no read grant on the help centre's entity, so /help is empty."),
    ("GX635", E, "the help centre's contact names unknown web form '{name}'",
     "`public: help_centre: contact:` names no form of forms/*.yaml."),
    ("GX640", E, "web form '{name}' is declared twice (first at {first})",
     "Two forms of forms/*.yaml share a name."),
    ("GX641", E, "web form '{name}' names unknown entity '{entity}'",
     "A web form's `entity:` names no entity."),
    ("GX642", E, "web form '{name}': entity '{entity}' has no field '{field}' (in {key})",
     "A web form's `fields`, `required` or `values` names a field its entity lacks."),
    ("GX643", E, "web form '{name}' creates '{entity}' but the public may not create it",
     "Web forms create records as the public actor, which needs the create grant."),
    ("GX644", E, "web form '{name}' names unknown assignment rule '{rule}'",
     "A web form's `assign:` names no assignment rule of automation/*.yaml."),
    ("GX645", E, "web form '{name}': assignment rule '{rule}' does not assign new '{entity}' "
     "records", "The rule a form names is for another entity or not `on: create`."),
    ("GX646", E, "web form '{name}': consent field '{field}' is not a boolean field",
     "A web form's `consent:` must name a boolean field of its entity."),
    ("GX647", E, "web form '{name}' checks duplicates but the system may not read '{entity}'",
     "Known records are looked up as the system actor, which needs the read grant."),
    ("GX648", E, "web form '{name}' asks visitors for {type} field '{field}'",
     "A public form may not let visitors point at records or users of their choosing."),
    ("GX650", E, "marketing's {key} names unknown entity '{entity}'",
     "`marketing: campaign:` or `members:` names no entity."),
    ("GX651", E, "marketing's {key} names unknown field '{name}' of '{entity}'",
     "A field named under `marketing:` is not a field of its entity."),
    ("GX652", E, "marketing e-mail goes to contacts, not to '{entity}'",
     "The mail module checks a contact's consent before a marketing e-mail; other members "
     "are not supported."),
    ("GX653", E, "the system may not update '{entity}', so an unsubscribe link cannot "
     "withdraw consent", "Unsubscribe links record the withdrawal as the system actor."),
    # ------------------------------------------------------------ overlays
    ("GX701", E, "cannot extend {path}: it has no guanxi.yaml", "`extends` is not a project."),
    ("GX702", E, "project {path} extends itself through {cycle}",
     "Projects extend each other in a cycle."),
    ("GX703", E, "cannot remove {what} '{name}': the base has no such {what}",
     "`remove` names something the base project lacks."),
    ("GX704", E, "{what} '{name}' is removed at {removed} but still used at {used}",
     "A removed thing is still used; reported at both places."),
    ("GX705", E, "'remove' needs 'extends': there is no base project to remove from",
     "`remove` in a project that extends nothing."),
    # ------------------------------------------------------------ import mappings
    ("GX801", E, "the mapping is for unknown entity '{name}'",
     "A mapping's `entity` names no entity."),
    ("GX802", E, "unknown field '{name}' of entity '{entity}' in {where}",
     "A mapping's column, key or lookup names no field."),
    ("GX803", E, "entity '{entity}' has no workflow, so no column can give its state",
     "`state: true` on a mapping of an entity without a workflow."),
    ("GX804", E, "column '{column}' gives both a field and the state",
     "A column with both `field` and `state: true`."),
    ("GX805", E, "column '{column}' fills nothing",
     "A column mapping without `field` or `state: true`."),
    ("GX806", E, "field '{name}' is computed and cannot be imported",
     "A column fills a computed field."),
    ("GX807", E, "'{key}' does not apply to a {type} field",
     "`lookup`/`create` on a field that is not a reference, `format` on one that is not a "
     "date, `number` on one that is not a number."),
    ("GX808", E, "lookup field '{name}' of entity '{entity}' is neither unique nor its title",
     "A reference is looked up by a field that does not identify one record."),
    ("GX809", E, "column '{column}' fills '{field}', which column '{other}' already fills",
     "Two columns fill one field."),
    ("GX810", E, "fuzzy field '{name}' is not one of the rule's match fields",
     "A duplicate rule compares a field by similarity that it does not match on."),
    ("GX811", E, "normalize: phone applies to phone fields; '{name}' is a {type} field",
     "A duplicate rule normalizes a field that is not a phone number as one."),
    ("GX812", E, "{where}: unknown phone region '{name}'",
     "`phone_region` in guanxi.yaml, or a duplicate rule's `region`, is not a country "
     "whose numbering plan is known (a two-letter code such as CN, US, DE)."),
    ("GX813", E, "a duplicate rule of {entity} is marked safe but compares '{name}' by similarity",
     "`safe: true` on a rule with `fuzzy:` fields: only exact keys may be merged without asking."),
    ("GX814", E, "{where}: 'duplicates' is the only action of a schedule",
     "`do: duplicates` beside other actions, or in an SLA step or a reminder."),
    ("GX815", E, "{where}: entity '{entity}' has no duplicate rules to clean up by",
     "A schedule's `do: duplicates` on an entity without `duplicates:` rules."),
    ("GX816", E, "{where}: merge '{value}' is not safe or never",
     "The `merge` of a duplicates clean-up is `safe` or `never`."),
    ("GX817", E, "{where}: merge: safe, but no duplicate rule of {entity} is marked safe",
     "`merge: safe` merges only what rules marked `safe: true` find; the entity has none."),
    ("GX818", E, "{where}: merge: safe, but the system actor may not read, update and "
     "delete {entity} records",
     "Merging writes as the system actor, which needs `read`, `update` and `delete` "
     "grants on the entity."),
    ("GX819", E, "{where}: '{name}' is not a role",
     "A duplicates clean-up tells roles (`to:`) of new clusters; it has no record to "
     "follow a path from."),
    # ------------------------------------------------------------ insight
    ("GX901", E, "report '{report}' counts unknown entity '{name}'",
     "A report's `entity` names no entity."),
    ("GX902", E, "report '{report}' reads {detail}",
     "A group or parameter of a report names a path that does not resolve."),
    ("GX903", E, "report '{report}' buckets '{path}' by {by}, but it holds no date",
     "A date bucket (`by: month` …) on a field that is not a date or a date and time."),
    ("GX904", E, "report '{report}', measure '{measure}': {detail}",
     "A measure that does not parse, is not made of aggregates, or mixes types."),
    ("GX905", E, "report '{report}': {what} '{name}' names no group or measure of it",
     "`sort`, `pivot` or `chart: {measure}` names something the report lacks."),
    ("GX907", E, "dashboard '{dashboard}' names unknown {what} '{name}'",
     "A dashboard names a role, report or entity the project lacks."),
    ("GX909", E, "{what} '{name}' is declared twice (first at {first})",
     "Two reports, or two dashboards, with one name."),
    ("GX910", E, "parameter '{name}' of report '{report}': {detail}",
     "A parameter's default is neither a value nor one of current_user, today, "
     "month_start, year_start."),
    ("GX911", E, "{what} '{name}' names unknown entity '{entity}'",
     "A segment, tier or target names an entity (`entity`, `of`) the project lacks."),
    ("GX912", E, "{what} '{name}': {detail}",
     "A segment, tier or target names a field that is missing or of the wrong type: the "
     "choice field written, a score field, the reference `via`, the `date` or the `sum`."),
    ("GX913", E, "{what} '{name}': '{value}' is not an option of field '{field}'",
     "A segment rule or a tier level is named for a value the field written cannot hold."),
    ("GX914", E, "{what} '{name}': {detail}",
     "RFM thresholds that are not four ascending numbers, or tier levels not highest "
     "first, or left (`down_below`) above where they start (`from`)."),
    ("GX915", E, "target '{name}': {detail}",
     "A target's period kind, manager role, team or a declared value's period is unknown "
     "or misspelt."),
    ("GX916", E, "report '{report}': {detail}",
     "A report counts SLA clocks (`sla:`) of a policy its entity lacks, or a measure uses "
     "sla_met() / sla_missed() without `sla:`."),
    ("GX917", E, "{what} '{name}' is kept by the system actor, which may not {operation} "
     "{entity}",
     "Segments and tiers are written as the system actor: its grants (`system:` in "
     "guanxi.yaml) must let it update the entity classified and read the related one."),
    # ------------------------------------------------------------ scenarios (warnings: a
    # scenario that cannot run fails `guanxi test`, and does not stop the project)
    ("GX851", W, "scenario '{scenario}': {detail}",
     "A scenario file or step that does not have the shape of a scenario."),
    ("GX852", W, "scenario '{scenario}' names unknown entity '{name}'",
     "A scenario creates or counts records of an entity the project lacks."),
    ("GX853", W, "scenario '{scenario}' names unknown field '{name}' of {entity}",
     "A scenario gives or expects a field the entity lacks."),
    ("GX854", W, "scenario '{scenario}' fires unknown transition '{name}' of {entity}",
     "A scenario fires a transition the record's workflow lacks."),
    ("GX855", W, "scenario '{scenario}' names record '{name}' before it is given or created",
     "A step uses a record name the scenario has not introduced."),
    ("GX856", W, "scenario '{scenario}' names unknown {what} '{name}'",
     "A scenario acts as a user it does not declare (and that is no role), gives a "
     "user a role the project lacks, or expects an SLA or a report the project lacks."),
    # ------------------------------------------------------------ automation
    ("GX821", E, "{where} names unknown calendar '{name}'",
     "A timer or SLA counts in a calendar that `calendars:` in guanxi.yaml lacks."),
    ("GX822", E, "{where} addresses unknown recipient '{name}'",
     "`to:` is neither a role nor a user field (or a path to one) of the entity."),
    ("GX823", E, "{where} names unknown entity '{name}'",
     "An automation rule works on an entity the project lacks."),
    ("GX824", E, "{where} names unknown field '{name}' of {entity}",
     "An action, SLA or rule names a field the entity lacks (or one of the wrong type)."),
    ("GX825", E, "{where} fires unknown transition '{name}'",
     "A `do: fire` action names a transition the entity's workflow lacks."),
    ("GX826", E, "{where}: '{value}' is neither a cron expression nor a duration ({detail})",
     "`every:` must be five cron fields (`0 9 * * MON`) or a duration (`1d`)."),
    ("GX827", E, "calendar '{calendar}': {detail}",
     "A calendar's hours, dates, time zone or holiday country cannot be read."),
    ("GX828", E, "{where} has no target", "An SLA without a duration to meet."),
    ("GX829", E, "{where} names unknown role '{name}'",
     "An assignment rule shares work among a role the project lacks."),
    ("GX831", E, "{where} names unknown team '{name}'",
     "A rule keeps to a team that `teams:` in guanxi.yaml lacks."),
    ("GX832", E, "{where} reminds of '{name}', which is not a date or datetime field of "
     "{entity}", "A reminder's `field` must be a date or datetime field of the entity."),
    ("GX830", E, "{where}: {detail}", "An action lacks what it needs (a transition, "
     "an entity, a recipient) or has an unknown `do:`."),
    ("GX833", E, "{where} names unknown approver '{name}' for {entity}",
     "`by:` is a role, a team, a user field of the entity (or a path to one), "
     "`manager of requester` or `manager of <user field>`."),
    ("GX834", E, "{where} returns to unknown state '{name}'",
     "`on_reject` must name a state of the workflow."),
    ("GX835", E, "{where} cannot return from '{source}' to '{name}'",
     "A rejected record returns to `on_reject` through a transition of the workflow; "
     "none leads there from this source state."),
    ("GX836", E, "{where} has no approvers",
     "An approval needs at least one step, and each step a `by:`."),
    ("GX837", E, "{where}: {key} '{value}' is not a duration",
     "`remind:` is a duration (`1d`: one reminder) or a mapping whose `every:` and "
     "`after:` are durations such as `4h` or `1d`."),
    ("GX838", E, "{where}: remind times '{value}' is not a whole number from 1 to {max}",
     "`times:` bounds how many reminders an approver gets for one step."),
    ("GX839", E, "{where}: remind {detail}",
     "A `remind:` mapping needs `every:`: how often to remind again (for one reminder, "
     "write the duration alone: `remind: 1d`)."),
    # ------------------------------------------------------------ messages
    ("GX961", E, "{what} '{name}' names unknown entity '{entity}'",
     "A reply template or a webhook names no entity."),
    ("GX962", E, "webhook '{name}' reads as unknown role '{role}'",
     "A webhook's `as:` names no role."),
    ("GX963", E, "webhook '{name}': entity '{entity}' has no transition '{transition}'",
     "A webhook's `transition:` names no transition of the entity's workflow."),
    ("GX964", E, "{what} '{name}' is declared twice (first at {first})",
     "Two reply templates, or two webhooks, with one name."),
    # ------------------------------------------------------------ lists and boards
    ("GX980", E, "{where} names unknown field '{name}' of {entity}",
     "A board's cards or total, or a shared view's columns, filters or sort, name a field "
     "the entity lacks."),
    ("GX981", E, "{entity}.board.sum: '{name}' is a {type} field, not a number",
     "A board column totals a number field (money, decimal, integer, percent)."),
    ("GX982", E, "view '{view}' is offered to unknown role '{name}'",
     "A shared view's `roles:` names a role `guanxi.yaml` lacks."),
    ("GX983", E, "view '{view}': {detail}",
     "A shared view's filter cannot be read as the list's URL would read it (a value its "
     "field cannot hold, a range on a field without order, an unknown state), or it sorts "
     "by a field lists cannot sort by."),
)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One located problem. `str()` gives `file:line:col: [GX123] message (hint: …)`."""

    id: str
    severity: str
    message: str
    loc: Loc
    hint: str | None = None
    # The values that filled the template, to say the same in another language.
    params: tuple[tuple[str, Any], ...] = field(default=(), compare=False, repr=False)

    def __str__(self) -> str:
        text = f"{self.loc}: [{self.id}] {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def in_language(self, language: str) -> Diagnostic:
        """The same problem with its message and hint in `language` (`en` or `zh`): in
        Chinese where the catalog has it (`guanxi.diagnostics_zh`), else in English."""
        if language != "zh":
            return self
        message = diagnostics_zh.message(self.id, dict(self.params))
        return replace(self, message=self.message if message is None else message,
                       hint=diagnostics_zh.hint(self.hint))

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "severity": self.severity, "message": self.message,
            "file": self.loc.file, "line": self.loc.line, "col": self.loc.col,
            "hint": self.hint,
        }


def diag(problem_id: str, loc: Loc, hint: str | None = None, **params: Any) -> Diagnostic:
    """A Diagnostic for catalog entry `problem_id`, its template filled from `params`."""
    problem = CATALOG[problem_id]
    return Diagnostic(problem.id, problem.severity, problem.template.format(**params), loc,
                      hint, tuple(params.items()))


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.loc.file, d.loc.line, d.loc.col, d.id)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)
