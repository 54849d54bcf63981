from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    RANCANGAN = "rancangan", _("Plan design (rancangan)")
    LAPORAN = "laporan", _("Implementation report (laporan)")


class SessionState(models.TextChoices):
    OPEN = "open", _("Open for scoring")
    FINALISED = "finalised", _("Finalised")


class SessionAction(models.TextChoices):
    FINALISE = "finalise", _("finalise")
