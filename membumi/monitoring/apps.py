from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "membumi.monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        # Monitoring plugs its guards into the plan lifecycle (the action-plans app never
        # imports monitoring): completing needs a final measurement; verifying needs every
        # update decided and at least one accepted measurement.
        from membumi.action_plans.enums import PlanAction
        from membumi.action_plans.rules import GUARDS

        from .rules import plan_has_accepted_measurement, plan_has_final_measurement

        for action, guard in (
            (PlanAction.COMPLETE, plan_has_final_measurement),
            (PlanAction.VERIFY, plan_has_accepted_measurement),
        ):
            guards = GUARDS.setdefault(action, [])
            if guard not in guards:
                guards.append(guard)

        from membumi.action_plans.rules import EFFECTS

        from .services import plan_completed_notify, plan_rejected_notify, plan_verification_record

        for action, effect in (
            (PlanAction.COMPLETE, plan_completed_notify),
            (PlanAction.VERIFY, plan_verification_record),
            (PlanAction.REJECT, plan_rejected_notify),
        ):
            effects = EFFECTS.setdefault(action, [])
            if effect not in effects:
                effects.append(effect)
