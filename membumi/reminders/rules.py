"""The reminder rules, each a set-based ``INSERT … SELECT`` into the notification table.

A rule names a ``kind`` (the stable code stored on the notification), the rows it starts from
(milestones, progress updates or plans), a condition, and one statement per recipient role.
Every candidate row carries a ``key`` that names the rule, the object, the occasion and the
recipient, e.g. ``milestone_due_7:<milestone id>:<due date>:<user id>``; the notification
table's unique ``key`` makes a second firing impossible (``NOT EXISTS`` skips keys already
taken, ``ON CONFLICT (key) DO NOTHING`` settles a race with a concurrent pass).

| kind | fires when | to |
|---|---|---|
| ``milestone_due_7`` | a milestone (planned / in progress) is due in 2–7 days; first pass 7 days before | participant |
| ``milestone_due_1`` | … is due tomorrow | participant |
| ``milestone_overdue`` | … its due date has passed | participant, mentor |
| ``update_unverified_7`` | a progress update has awaited verification for 7 days | mentor |
| ``update_unverified_14`` | … for 14 days | organizers of the batch's institution |
| ``plan_silent_30`` | a plan in progress has had no update for 30 days (since the last update, or since it started) | participant, coach |

Milestone rules apply to approved and in-progress plans only: before approval the milestones
are still a draft, a completed plan is with its mentor, and verified or abandoned plans are
closed. Update rules skip verified and abandoned plans. Inactive accounts get nothing.

Texts are English msgids rendered under the default language (Bahasa Indonesia) into SQL
string concatenations, so no row passes through Python; dates are written "5 Desember 2026".
"""

# ruff: noqa: S608 -- only table names from ``_meta`` and fixed aliases are interpolated;
# every value is a query parameter.

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from membumi.accounts.enums import Role
from membumi.action_plans.enums import MilestoneStatus, PlanState

# Plan states whose milestones are reminded about; plan states that are closed.
MILESTONE_PLAN_STATES = (PlanState.APPROVED, PlanState.IN_PROGRESS)
OPEN_MILESTONE = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)
CLOSED_PLAN_STATES = (PlanState.VERIFIED, PlanState.ABANDONED)

OUTPUT_CHARS = 80  # milestone output quoted in a title
PLAN_URL_SENTINEL = 987654321


@dataclass
class Sql:
    """A fragment of SQL with its parameters, composable with ``+``."""

    text: str
    params: list = field(default_factory=list)

    def __add__(self, other: "Sql | str") -> "Sql":
        if isinstance(other, str):
            return Sql(self.text + other, list(self.params))
        return Sql(self.text + other.text, self.params + other.params)

    def __radd__(self, other: str) -> "Sql":
        return Sql(other + self.text, list(self.params))


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def table(app_label: str, model: str) -> str | None:
    """The quoted table of a model, or ``None`` when its app is not installed (yet)."""
    try:
        return q(apps.get_model(app_label, model)._meta.db_table)
    except LookupError:
        return None


class _Bound:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


# Placeholders for a chunk's id range, replaced by ``Statement.select_for(lo, hi)``.
LO, HI = _Bound("LO"), _Bound("HI")


def in_range(column: str) -> Sql:
    return Sql(f"{column} >= %s AND {column} < %s", [LO, HI])


def literal(value) -> Sql:
    return Sql("%s", [value])


def concat(*parts: "Sql | str") -> Sql:
    """``a || b || …``; strings are literal values."""
    pieces = [literal(p) if isinstance(p, str) else p for p in parts]
    out = Sql("(")
    for i, piece in enumerate(pieces):
        out = out + (" || " if i else "") + piece
    return out + ")"


def as_text(expr: str) -> Sql:
    return Sql(f"CAST({expr} AS TEXT)")


def text_template(template: str, **values: Sql) -> Sql:
    """Render a gettext template with ``%(name)s`` placeholders into a SQL concatenation."""
    parts: list[Sql | str] = []
    position = 0
    for match in re.finditer(r"%\((\w+)\)s", template):
        if match.start() > position:
            parts.append(template[position : match.start()].replace("%%", "%"))
        parts.append(values[match.group(1)])
        position = match.end()
    if position < len(template):
        parts.append(template[position:].replace("%%", "%"))
    return concat(*parts)


def clipped(expr: str, chars: int) -> Sql:
    return Sql(
        f"(CASE WHEN LENGTH({expr}) > %s THEN SUBSTR({expr}, 1, %s) || %s ELSE {expr} END)",
        [chars, chars - 1, "…"],
    )


def date_text(date_sql: Sql) -> Sql:
    """A date column as "5 Desember 2026" (month names in the active language)."""

    def part(kind):
        text, params = connection.ops.date_extract_sql(kind, date_sql.text, tuple(date_sql.params))
        return Sql(f"CAST(CAST({text} AS INTEGER) AS TEXT)", list(params))

    month_text, month_params = connection.ops.date_extract_sql(
        "month", date_sql.text, tuple(date_sql.params)
    )
    month = Sql(f"CASE CAST({month_text} AS INTEGER)", list(month_params))
    for number, name in MONTHS.items():
        month = month + Sql(" WHEN %s THEN %s", [number, str(name)])
    month = month + " END"
    return concat(part("day"), " ", month, " ", part("year"))


def local_date(datetime_expr: str) -> Sql:
    from django.utils import timezone

    text, params = connection.ops.datetime_cast_date_sql(
        datetime_expr, (), timezone.get_current_timezone_name()
    )
    return Sql(text, list(params))


def plan_url(plan_id_expr: str) -> Sql:
    """``reverse("action_plans:detail")`` for the plan, with ``/plans/<pk>/`` as fallback."""
    try:
        sample = reverse("action_plans:detail", args=[PLAN_URL_SENTINEL])
    except NoReverseMatch:
        sample = f"/plans/{PLAN_URL_SENTINEL}/"
    before, _sep, after = sample.partition(str(PLAN_URL_SENTINEL))
    return concat(before, as_text(plan_id_expr), after)


# --- Recipients ----------------------------------------------------------------------------


def recipient_join(role: str, t: dict) -> Sql:
    """Join ``r`` (the recipient's account) onto enrolment ``e``."""
    if role == "participant":
        return Sql(f" JOIN {t['user']} r ON r.employee_id = e.employee_id")
    if role == "mentor":
        return Sql(f" JOIN {t['user']} r ON r.employee_id = e.mentor_id")
    if role == "coach":
        return Sql(f" JOIN {t['user']} r ON r.id = e.coach_id")
    if role == "organizer":
        return Sql(
            f" JOIN {t['batch']} b ON b.id = e.batch_id"
            f" JOIN {t['program']} pg ON pg.id = b.program_id"
            f" JOIN {t['role']} ra ON ra.institution_id = pg.institution_id AND ra.role = %s"
            f" JOIN {t['user']} r ON r.id = ra.user_id",
            [Role.ORGANIZER.value],
        )
    raise ValueError(role)


def tables() -> dict[str, str | None]:
    return {
        "milestone": table("action_plans", "Milestone"),
        "plan": table("action_plans", "ActionPlan"),
        "transition": table("action_plans", "PlanTransition"),
        "enrollment": table("programs", "Enrollment"),
        "batch": table("programs", "Batch"),
        "program": table("programs", "Program"),
        "employee": table("organizations", "Employee"),
        "user": table("accounts", "User"),
        "role": table("accounts", "RoleAssignment"),
        "update": table("monitoring", "ProgressUpdate"),
        "notification": table("notifications", "Notification"),
    }


# --- The statements --------------------------------------------------------------------------


@dataclass
class Statement:
    """One rule for one recipient role: ``select`` yields (recipient_id, title, body, url,
    nkey) for the rows of ``source`` whose id lies in a chunk's range (``LO``/``HI``)."""

    kind: str
    role: str
    source: str  # key of ``tables()`` the chunks range over
    select: Sql

    def select_for(self, lo: int, hi: int) -> Sql:
        params = [lo if p is LO else hi if p is HI else p for p in self.select.params]
        return Sql(self.select.text, params)


@dataclass
class Context:
    today: object  # date
    now: object  # aware datetime
    adapt_date: object
    adapt_datetime: object


def _milestone_statement(kind: str, role: str, t: dict, where: Sql, title: str, body: str):
    participant = Sql("pe.name")
    values = {
        "milestone": clipped("m.output", OUTPUT_CHARS),
        "plan": Sql("p.title"),
        "due": date_text(Sql("m.due_date")),
        "participant": participant,
    }
    select = (
        Sql("SELECT r.id AS recipient_id, ")
        + Sql("SUBSTR(")
        + text_template(title, **values)
        + Sql(", 1, 200) AS title, ")
        + text_template(body, **values)
        + Sql(" AS body, ")
        + plan_url("p.id")
        + Sql(" AS url, ")
        + concat(kind + ":", as_text("m.id"), ":", as_text("m.due_date"), ":", as_text("r.id"))
        + Sql(" AS nkey")
        + Sql(
            f" FROM {t['milestone']} m"
            f" JOIN {t['plan']} p ON p.id = m.plan_id"
            f" JOIN {t['enrollment']} e ON e.id = p.enrollment_id"
            f" JOIN {t['employee']} pe ON pe.id = e.employee_id"
        )
        + recipient_join(role, t)
        + Sql(
            " WHERE r.is_active = %s AND m.status IN (%s, %s) AND p.state IN (%s, %s)",
            [True, *OPEN_MILESTONE, *MILESTONE_PLAN_STATES],
        )
        + " AND "
        + where
        + " AND "
        + in_range("m.id")
    )
    return Statement(kind=kind, role=role, source="milestone", select=select)


def milestone_statements(ctx: Context, t: dict) -> list[Statement]:
    import datetime as dt

    today = ctx.today
    day = dt.timedelta(days=1)
    due_soon = Sql(
        "m.due_date >= %s AND m.due_date <= %s",
        [ctx.adapt_date(today + 2 * day), ctx.adapt_date(today + 7 * day)],
    )
    due_tomorrow = Sql("m.due_date = %s", [ctx.adapt_date(today + day)])
    overdue = Sql("m.due_date < %s", [ctx.adapt_date(today)])
    return [
        _milestone_statement(
            "milestone_due_7",
            "participant",
            t,
            due_soon,
            _("Milestone due on %(due)s: %(milestone)s"),
            _(
                "Your action plan “%(plan)s” has a milestone due on %(due)s: %(milestone)s. "
                "Record its progress, or update its status, before then."
            ),
        ),
        _milestone_statement(
            "milestone_due_1",
            "participant",
            t,
            due_tomorrow,
            _("Milestone due tomorrow: %(milestone)s"),
            _(
                "The milestone “%(milestone)s” of your action plan “%(plan)s” is due tomorrow, "
                "%(due)s. Record what was done in a progress update."
            ),
        ),
        _milestone_statement(
            "milestone_overdue",
            "participant",
            t,
            overdue,
            _("Milestone overdue: %(milestone)s"),
            _(
                "The milestone “%(milestone)s” of your action plan “%(plan)s” was due on "
                "%(due)s and is not done yet. Record what happened in a progress update, or "
                "mark it done or dropped with a reason."
            ),
        ),
        _milestone_statement(
            "milestone_overdue",
            "mentor",
            t,
            overdue,
            _("Milestone overdue for %(participant)s: %(milestone)s"),
            _(
                "The milestone “%(milestone)s” of the action plan “%(plan)s” by "
                "%(participant)s was due on %(due)s and is not done yet. A word from you as "
                "mentor may help."
            ),
        ),
    ]


def _update_statement(kind: str, role: str, t: dict, older_than, title: str, body: str):
    values = {
        "participant": Sql("pe.name"),
        "plan": Sql("p.title"),
        "date": date_text(local_date("u.created_at")),
        "mentor": Sql("COALESCE(me.name, %s)", ["—"]),
    }
    select = (
        Sql("SELECT r.id AS recipient_id, SUBSTR(")
        + text_template(title, **values)
        + Sql(", 1, 200) AS title, ")
        + text_template(body, **values)
        + Sql(" AS body, ")
        + plan_url("p.id")
        + Sql(" AS url, ")
        + concat(kind + ":", as_text("u.id"), ":", as_text("r.id"))
        + Sql(" AS nkey")
        + Sql(
            f" FROM {t['update']} u"
            f" JOIN {t['plan']} p ON p.id = u.plan_id"
            f" JOIN {t['enrollment']} e ON e.id = p.enrollment_id"
            f" JOIN {t['employee']} pe ON pe.id = e.employee_id"
            f" LEFT JOIN {t['employee']} me ON me.id = e.mentor_id"
        )
        + recipient_join(role, t)
        + Sql(
            " WHERE r.is_active = %s AND u.state = %s AND u.created_at <= %s"
            " AND p.state NOT IN (%s, %s)",
            [True, "submitted", older_than, *CLOSED_PLAN_STATES],
        )
        + " AND "
        + in_range("u.id")
    )
    return Statement(kind=kind, role=role, source="update", select=select)


def update_statements(ctx: Context, t: dict) -> list[Statement]:
    import datetime as dt

    if t["update"] is None:
        return []
    return [
        _update_statement(
            "update_unverified_7",
            "mentor",
            t,
            ctx.adapt_datetime(ctx.now - dt.timedelta(days=7)),
            _("Progress update awaiting your verification: %(participant)s"),
            _(
                "%(participant)s reported progress on “%(plan)s” on %(date)s, and it has been "
                "waiting for your verification for a week. Accept it, or reject it with a note."
            ),
        ),
        _update_statement(
            "update_unverified_14",
            "organizer",
            t,
            ctx.adapt_datetime(ctx.now - dt.timedelta(days=14)),
            _("Progress update unverified for 14 days: %(participant)s"),
            _(
                "A progress update by %(participant)s on “%(plan)s”, reported on %(date)s, has "
                "waited two weeks for the mentor (%(mentor)s) to verify it."
            ),
        ),
    ]


def _silent_statement(role: str, t: dict, older_than, title: str, body: str) -> Statement:
    kind = "plan_silent_30"
    last_update = (
        f"(SELECT MAX(u.created_at) FROM {t['update']} u WHERE u.plan_id = p.id)"
        if t["update"]
        else "NULL"
    )
    started = Sql(
        f"(SELECT MAX(tr.created_at) FROM {t['transition']} tr"
        " WHERE tr.plan_id = p.id AND tr.to_state = %s)",
        [PlanState.IN_PROGRESS.value],
    )
    inner = (
        Sql(
            f"SELECT p.id, p.title, p.enrollment_id, p.approved_at, p.created_at, {last_update} AS lu, "
        )
        + started
        + Sql(f" AS ls FROM {t['plan']} p WHERE p.state = %s AND ", [PlanState.IN_PROGRESS.value])
        + in_range("p.id")
    )
    silent = (
        Sql(
            "SELECT x.*, COALESCE(CASE WHEN x.lu IS NULL THEN x.ls WHEN x.ls IS NULL THEN x.lu"
            " WHEN x.lu > x.ls THEN x.lu ELSE x.ls END, x.approved_at, x.created_at) AS ref FROM ("
        )
        + inner
        + ") x"
    )
    ref_date = local_date("s.ref")
    values = {
        "participant": Sql("pe.name"),
        "plan": Sql("s.title"),
        "date": date_text(ref_date),
    }
    select = (
        Sql("SELECT r.id AS recipient_id, SUBSTR(")
        + text_template(title, **values)
        + Sql(", 1, 200) AS title, ")
        + text_template(body, **values)
        + Sql(" AS body, ")
        + plan_url("s.id")
        + Sql(" AS url, ")
        + concat(
            kind + ":",
            as_text("s.id"),
            ":",
            Sql("CAST(") + ref_date + " AS TEXT)",
            ":",
            as_text("r.id"),
        )
        + Sql(" AS nkey FROM (")
        + silent
        + Sql(
            f") s JOIN {t['enrollment']} e ON e.id = s.enrollment_id"
            f" JOIN {t['employee']} pe ON pe.id = e.employee_id"
        )
        + recipient_join(role, t)
        + Sql(" WHERE r.is_active = %s AND s.ref <= %s", [True, older_than])
    )
    return Statement(kind=kind, role=role, source="plan", select=select)


def silent_statements(ctx: Context, t: dict) -> list[Statement]:
    import datetime as dt

    older_than = ctx.adapt_datetime(ctx.now - dt.timedelta(days=30))
    return [
        _silent_statement(
            "participant",
            t,
            older_than,
            _("No progress reported for 30 days: %(plan)s"),
            _(
                "Nothing has been reported on your action plan “%(plan)s” since %(date)s. Log a "
                "progress update: a small step or an obstacle counts too."
            ),
        ),
        _silent_statement(
            "coach",
            t,
            older_than,
            _("No progress from %(participant)s for 30 days: %(plan)s"),
            _(
                "%(participant)s has reported nothing on the action plan “%(plan)s” since "
                "%(date)s. A short check-in from you as coach may help."
            ),
        ),
    ]


# The rules in the order a pass runs them; ``KINDS`` names every kind a pass reports.
RULE_BUILDERS = (milestone_statements, update_statements, silent_statements)
KINDS = (
    "milestone_due_7",
    "milestone_due_1",
    "milestone_overdue",
    "update_unverified_7",
    "update_unverified_14",
    "plan_silent_30",
)
