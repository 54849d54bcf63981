from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    CIVIL_REGISTRATION = "civil_registration", _("Population administration")
    FINANCE = "finance", _("Finance and budget")
    LICENSING = "licensing", _("Licensing and investment")
    ENVIRONMENT = "environment", _("Environment")
    INFRASTRUCTURE = "infrastructure", _("Public works and infrastructure")
    SOCIAL = "social", _("Social welfare")
    AGRICULTURE = "agriculture", _("Agriculture and food")
    VILLAGE = "village", _("Village governance")
    PERSONNEL = "personnel", _("Personnel and HR")
    DIGITAL = "digital", _("E-government (SPBE)")
    DISASTER = "disaster", _("Disaster management")
    ECONOMY = "economy", _("Economy, trade and SMEs")
    OTHER = "other", _("Other")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Increase (higher is better)")
    DECREASE = "decrease", _("Decrease (lower is better)")


class ProblemState(models.TextChoices):
    OPEN = "open", _("Open")
    VALIDATED = "validated", _("Validated")
    ADDRESSED = "addressed", _("Addressed by training")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    DUPLICATE = "duplicate", _("Duplicate")


class ProblemAction(models.TextChoices):
    VALIDATE = "validate", _("validate")
    ADDRESS = "address", _("mark as addressed")
    RESOLVE = "resolve", _("resolve")
    CLOSE = "close", _("close")
    MARK_DUPLICATE = "mark_duplicate", _("mark as duplicate")
    REOPEN = "reopen", _("reopen")


# Fishbone (Ishikawa) categories for root-cause notes.
FISHBONE = [
    ("man", _("People")),
    ("method", _("Method / procedure")),
    ("machine", _("Tools and facilities")),
    ("material", _("Material and data")),
    ("money", _("Budget")),
    ("environment", _("Environment / policy")),
]

USG_CHOICES = [(i, str(i)) for i in range(1, 6)]
