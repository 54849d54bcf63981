from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    MENTOR = "mentor", _("Mentor")
    TRAINER = "trainer", _("Trainer (widyaiswara)")
    EXAMINER = "examiner", _("Examiner")
    ORGANIZER = "organizer", _("Organizer")
    AGENCY_VIEWER = "agency_viewer", _("Agency viewer")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


# Which scope each role carries. A role assignment has exactly the scope its role needs.
INSTITUTION_ROLES = frozenset({Role.TRAINER, Role.EXAMINER, Role.ORGANIZER})
AGENCY_ROLES = frozenset({Role.AGENCY_VIEWER})
UNIT_OPTIONAL_ROLES = frozenset({Role.PARTICIPANT, Role.MENTOR})
UNSCOPED_ROLES = frozenset({Role.PLATFORM_ADMIN})
