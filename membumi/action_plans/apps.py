from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionPlansConfig(AppConfig):
    name = "membumi.action_plans"
    verbose_name = _("Action plans")

    def ready(self):
        # The pass gate (DESIGN §4): an enrolment passes only with an approved action plan.
        # The later stage plugs its guard into the earlier stage's table, so programs never
        # imports action plans.
        from membumi.programs import rules as program_rules
        from membumi.programs.enums import EnrollmentAction

        from . import hooks
        from .rules import enrollment_has_approved_plan, enrollments_have_approved_plan

        plug = [
            (program_rules.ENROLLMENT_GUARDS, enrollment_has_approved_plan),
            (program_rules.ENROLLMENT_BATCH_GUARDS, enrollments_have_approved_plan),
        ]
        for table, guard in plug:
            guards = table.setdefault(EnrollmentAction.PASS, [])
            if guard not in guards:
                guards.append(guard)
        # People move: the plan's state on the batch pages, and closing the plan of a
        # participant who left.
        for registry, hook in [
            (program_rules.ENROLLMENT_FACTS, hooks.plan_facts),
            (program_rules.ENROLLMENT_LEAVE_HOOKS, hooks.abandon_open_plan),
        ]:
            if hook not in registry:
                registry.append(hook)
