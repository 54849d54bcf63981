from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionPlansConfig(AppConfig):
    name = "membumi.action_plans"
    verbose_name = _("Action plans")

    def ready(self):
        # The pass gate (DESIGN §4): an enrolment passes only with an approved action plan.
        # The later stage plugs its guard into the earlier stage's table, so programs never
        # imports action plans.
        from membumi.programs.enums import EnrollmentAction
        from membumi.programs.rules import ENROLLMENT_GUARDS

        from .rules import enrollment_has_approved_plan

        guards = ENROLLMENT_GUARDS.setdefault(EnrollmentAction.PASS, [])
        if enrollment_has_approved_plan not in guards:
            guards.append(enrollment_has_approved_plan)
