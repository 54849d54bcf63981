from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "membumi.programs"
    verbose_name = _("Programs, modules, batches and enrolment")

    def ready(self):
        # People move: an employee import that moves a participant or a mentor proposes a new
        # mentor. Organizations announces the change; this later stage listens.
        from membumi.organizations.signals import employees_changed

        from .receivers import propose_mentor_changes

        employees_changed.connect(propose_mentor_changes, dispatch_uid="programs.people_move")
