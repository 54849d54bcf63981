from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "membumi.reminders"
    verbose_name = _("Reminders")
    default_auto_field = "django.db.models.BigAutoField"
