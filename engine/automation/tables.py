"""The automation tables, on a project's MetaData (built with the project's other tables
by `guanxi.compile.tables.build_tables`, so `create_schema` and `guanxi migrate` make them).

`gx_job`: the durable job queue (see `guanxi.automation.jobs`). `gx_timer`: one row per
timer armed for a record (a workflow timer when the record entered its state, or a step
of an SLA clock), pending until it fires or is cancelled. `gx_sla_clock`: each record's
SLA clocks. `gx_schedule`: when each scheduled action runs next. `gx_notification`: the
in-app notifications. `gx_assignment`: the round-robin pointer of each assignment rule.
`gx_team`, `gx_team_member`: the teams managed in the database (`guanxi.automation.teams`).
`gx_approval`, `gx_approval_task`: approval requests and who is asked to decide them
(`guanxi.automation.asking`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.registry import UTCDateTime
from sqlalchemy.dialects import postgresql

JOB_TABLE = "gx_job"
TIMER_TABLE = "gx_timer"
SLA_TABLE = "gx_sla_clock"
SCHEDULE_TABLE = "gx_schedule"
NOTIFICATION_TABLE = "gx_notification"
ASSIGNMENT_TABLE = "gx_assignment"
TEAM_TABLE = "gx_team"
TEAM_MEMBER_TABLE = "gx_team_member"
APPROVAL_TABLE = "gx_approval"
APPROVAL_TASK_TABLE = "gx_approval_task"


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _big() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


@dataclass(frozen=True, slots=True)
class AutomationTables:
    jobs: sa.Table
    timers: sa.Table
    slas: sa.Table
    schedules: sa.Table
    notifications: sa.Table
    assignments: sa.Table
    teams: sa.Table
    team_members: sa.Table
    approvals: sa.Table
    approval_tasks: sa.Table


def define_automation_tables(metadata: sa.MetaData) -> AutomationTables:
    """Add the automation tables to `metadata`."""
    jobs = sa.Table(
        JOB_TABLE, metadata,
        sa.Column("id", _big(), primary_key=True),
        sa.Column("kind", sa.String(63), nullable=False),
        sa.Column("payload", _json(), nullable=False),
        # An idempotency key: a second job with the same key is not enqueued.
        sa.Column("key", sa.String(200), nullable=True, unique=True),
        # queued, running, done, failed or cancelled
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("run_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("locked_by", sa.String(100), nullable=True),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Index("ix_gx_job_due", "state", "run_at"),
    )
    timers = sa.Table(
        TIMER_TABLE, metadata,
        sa.Column("id", _big(), primary_key=True),
        sa.Column("entity", sa.String(63), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        # "timer" (a workflow timer) or "sla" (a step of an SLA clock)
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        # pending, fired or cancelled; done: an approval reminder whose job has run
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("armed_at", UTCDateTime(), nullable=False),
        sa.Column("fired_at", UTCDateTime(), nullable=True),
        sa.Index("ix_gx_timer_due", "state", "due_at"),
        sa.Index("ix_gx_timer_record", "entity", "record_id", "state"),
    )
    slas = sa.Table(
        SLA_TABLE, metadata,
        sa.Column("entity", sa.String(63), primary_key=True),
        sa.Column("record_id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("target_seconds", sa.Integer, nullable=False),
        # Business seconds spent before the current run (the clock's pauses split it).
        sa.Column("used_seconds", sa.Integer, nullable=False),
        # When the clock last started running (None while paused or stopped).
        sa.Column("running_since", UTCDateTime(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("warn_at", UTCDateTime(), nullable=True),
        sa.Column("paused_at", UTCDateTime(), nullable=True),
        sa.Column("stopped_at", UTCDateTime(), nullable=True),
        sa.Column("breached_at", UTCDateTime(), nullable=True),
    )
    schedules = sa.Table(
        SCHEDULE_TABLE, metadata,
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("last_run_at", UTCDateTime(), nullable=True),
        sa.Column("next_run_at", UTCDateTime(), nullable=False),
    )
    notifications = sa.Table(
        NOTIFICATION_TABLE, metadata,
        sa.Column("id", _big(), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("gx_user.id"), nullable=False),
        # The channel it is delivered by: "app" (the bell); others may come.
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("entity", sa.String(63), nullable=True),
        sa.Column("record_id", sa.Integer, nullable=True),
        # The message in each language: {"en": …, "zh": …}.
        sa.Column("message", _json(), nullable=False),
        # What sent it: "timer:ticket.reply_alarm", "sla:first_response" …
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Index("ix_gx_notification_user", "user_id", "read_at"),
    )
    assignments = sa.Table(
        ASSIGNMENT_TABLE, metadata,
        sa.Column("rule", sa.String(100), primary_key=True),
        sa.Column("last_user_id", sa.Integer, nullable=True),
    )
    # Teams managed in the database (`guanxi users team`, /admin/teams): a team with a
    # row here is read from here, not from `teams:` in guanxi.yaml.
    teams = sa.Table(
        TEAM_TABLE, metadata,
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("manager_id", sa.Integer, sa.ForeignKey("gx_user.id"), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    team_members = sa.Table(
        TEAM_MEMBER_TABLE, metadata,
        sa.Column("team", sa.String(63), sa.ForeignKey(f"{TEAM_TABLE}.name"),
                  primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("gx_user.id"), primary_key=True),
        sa.Index("ix_gx_team_member_user", "user_id"),
    )
    # Approval requests: a transition that needs approval, fired and waiting.
    approvals = sa.Table(
        APPROVAL_TABLE, metadata,
        sa.Column("id", _big(), primary_key=True),
        sa.Column("entity", sa.String(63), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("transition", sa.String(63), nullable=False),
        sa.Column("requester_id", sa.Integer, sa.ForeignKey("gx_user.id"), nullable=False),
        # The values given with the transition, applied when it finally fires.
        sa.Column("payload", _json(), nullable=False),
        # pending, approved, rejected, cancelled or withdrawn (the record was deleted)
        sa.Column("state", sa.String(16), nullable=False),
        # The index of the step being asked (in the transition's `approval: steps`).
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Index("ix_gx_approval_record", "entity", "record_id", "state"),
    )
    # One row per approver asked in a step (`party`: the index of the `by:` entry).
    approval_tasks = sa.Table(
        APPROVAL_TASK_TABLE, metadata,
        sa.Column("id", _big(), primary_key=True),
        sa.Column("approval_id", _big(), sa.ForeignKey(f"{APPROVAL_TABLE}.id"),
                  nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("party", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("gx_user.id"), nullable=False),
        # None while undecided; approved, rejected, or skipped (the step closed)
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Index("ix_gx_approval_task_user", "user_id", "decision"),
        sa.Index("ix_gx_approval_task_approval", "approval_id", "step"),
    )
    return AutomationTables(jobs, timers, slas, schedules, notifications, assignments,
                            teams, team_members, approvals, approval_tasks)


# The same tables on a MetaData of their own, for the modules that read and write them.
TABLES = define_automation_tables(sa.MetaData())
