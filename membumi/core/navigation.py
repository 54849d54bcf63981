"""The navigation each role sees. One place, so templates hold no role logic."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from membumi.accounts.enums import Role
from membumi.accounts.queries import user_roles
from membumi.action_plans import queries as plan_queries
from membumi.action_plans import rules as plan_rules
from membumi.organizations import rules as org_rules
from membumi.problems import rules as problem_rules
from membumi.programs import rules as program_rules


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def navigation_for(user, path: str) -> list[NavItem]:
    roles = user_roles(user)
    items: list[tuple[str, str]] = [(_("Home"), reverse("home"))]
    if org_rules.can_browse_employees(user):
        items.append((_("Employees"), reverse("organizations:employee_list")))
    if org_rules.can_import_employees(user):
        items.append((_("Import employees"), reverse("organizations:import_start")))
    if problem_rules.can_browse_problems(user):
        items.append((_("Problems"), reverse("problems:problem_list")))
    if roles.has(Role.ORGANIZER, Role.PLATFORM_ADMIN):
        items.append((_("Needs analysis"), reverse("needs:analysis_list")))
    if program_rules.can_use_programs(user):
        items.append((_("Programs"), reverse("programs:program_list")))
    if program_rules.can_review_people_moves(user):
        items.append((_("Mentor changes"), reverse("programs:people_moves")))
    if program_rules.has_training(user):
        items.append((_("My training"), reverse("programs:my_training")))
    if roles.has(Role.MENTOR):
        items.append((_("Mentees' problems"), reverse("programs:mentees")))
    if roles.has(Role.PARTICIPANT):
        items.append((_("My progress"), reverse("monitoring:my_plans")))
    if roles.has(Role.MENTOR):
        items.append((_("To verify"), reverse("monitoring:mentor_queue")))
    if roles.has(Role.TRAINER):
        items.append((_("Coachees' progress"), reverse("monitoring:coaching")))
    if roles.has(Role.ORGANIZER, Role.PLATFORM_ADMIN):
        items.append((_("Follow-up board"), reverse("monitoring:board_batches")))
    if plan_rules.can_browse_plans(user):
        items.append((_("Action plans"), reverse("action_plans:plan_list")))
    if plan_rules.may_review_plans(user):  # one COUNT query, only for coaches and mentors
        n = plan_queries.review_queue_count(user)
        items.append((_("To review (%(n)d)") % {"n": n}, reverse("action_plans:review_queue")))
    if roles.has(Role.EXAMINER):
        items.append((_("Seminars to score"), reverse("seminars:session_list")))
    if roles.has(Role.PARTICIPANT, Role.MENTOR):
        items.append((_("My follow-ups"), reverse("evaluation:my_follow_ups")))
    if roles.has(Role.ORGANIZER, Role.TRAINER, Role.PLATFORM_ADMIN):
        items.append((_("Follow-up results"), reverse("evaluation:rollup_list")))
    if roles.has(Role.PLATFORM_ADMIN):
        items.append((_("Administration"), reverse("admin:index")))
        items.append((_("Audit log"), reverse("core:audit_log")))
    items.append((_("API"), "/api/v1/docs"))
    home = reverse("home")
    # One current item: the longest URL the path starts with ("/employees/import/" is
    # "Import employees", not also "Employees"); home only for itself.
    matches = [
        url for _label, url in items if (path == url if url == home else path.startswith(url))
    ]
    current = max(matches, key=len, default=None)
    return [NavItem(str(label), url, url == current) for label, url in items]
