"""Agencies, their work-unit trees, training institutions and employees (DESIGN §1–2).

Every tenant row carries ``agency_id`` so that sharding by agency stays possible (DESIGN §8).
Writes go through ``services.py``; reads scoped to a user live in ``queries.py``.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .enums import (
    GOLONGAN_CHOICES,
    PANGKAT,
    AgencyKind,
    AgencyLevel,
    EmploymentType,
    InstitutionKind,
    PositionType,
    Sex,
    WorkUnitKind,
)
from .nip import format_nip, parse_nip, validate_nip


class Agency(models.Model):
    """An instansi: a ministry or lembaga (central) or a province, kabupaten or kota."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    level = models.CharField(_("level"), max_length=20, choices=AgencyLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("For a kabupaten or kota: its province."),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="agency_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        # The case-insensitive unique constraint's own message names the constraint.
        if self.name and Agency.objects.filter(name__iexact=self.name).exclude(pk=self.pk).exists():
            raise ValidationError({"name": _("An agency with this name already exists.")})


class WorkUnit(models.Model):
    """A unit kerja in an agency's tree, of any depth.

    ``path`` is a materialised path of ids ("/3/17/42/") kept by ``services.work_unit_create``
    (and ``work_unit_save`` for edits in the admin, which moves a subtree along)
    so that a whole subtree is one indexed prefix query.
    """

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=WorkUnitKind.choices, default=WorkUnitKind.OTHER
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("work unit")
        verbose_name_plural = _("work units")
        ordering = ["agency__name", "path"]
        constraints = [
            models.UniqueConstraint(
                "agency",
                "parent",
                Lower("name"),
                name="workunit_name_unique_per_parent",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.parent_id is not None:
            if self.agency_id and self.parent.agency_id != self.agency_id:
                raise ValidationError({"parent": _("The parent unit belongs to another agency.")})
            if self.pk and (self.parent_id == self.pk or f"/{self.pk}/" in self.parent.path):
                raise ValidationError(
                    {
                        "parent": _(
                            "A unit cannot be placed under itself or one of its own sub-units."
                        )
                    }
                )
        # The unique constraint's own message names the constraint; say it in words.
        siblings = WorkUnit.objects.filter(
            agency_id=self.agency_id, parent_id=self.parent_id, name__iexact=self.name.strip()
        ).exclude(pk=self.pk)
        if self.agency_id and self.name and siblings.exists():
            raise ValidationError(
                {"name": _("A unit with this name already exists at this place in the tree.")}
            )

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]


class Institution(models.Model):
    """A training provider (BPSDM, Pusdiklat, LAN). It belongs to one agency and serves the
    agencies listed in ``served_agencies`` (a provincial BPSDM serves its kabupaten/kota)."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="institutions"
    )
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=InstitutionKind.choices)
    served_agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("served agencies"),
        related_name="serving_institutions",
        blank=True,
    )

    class Meta:
        verbose_name = _("training institution")
        verbose_name_plural = _("training institutions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Employee(models.Model):
    """An ASN (PNS or PPPK), identified by NIP."""

    nip = models.CharField(_("NIP"), max_length=18, unique=True, validators=[validate_nip])
    name = models.CharField(_("name"), max_length=200)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    employment_type = models.CharField(
        _("employment type"),
        max_length=10,
        choices=EmploymentType.choices,
        default=EmploymentType.PNS,
    )
    golongan = models.CharField(
        _("golongan"), max_length=10, choices=GOLONGAN_CHOICES, blank=True, default=""
    )
    position_type = models.CharField(
        _("position type"), max_length=20, choices=PositionType.choices, blank=True, default=""
    )
    position_name = models.CharField(_("position"), max_length=200, blank=True, default="")
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="employees"
    )
    work_unit = models.ForeignKey(
        WorkUnit,
        verbose_name=_("work unit"),
        on_delete=models.PROTECT,
        related_name="employees",
        null=True,
        blank=True,
    )
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("direct supervisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subordinates",
    )
    email = models.EmailField(_("e-mail"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["agency", "name"]),
            models.Index(fields=["work_unit", "name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nip__regex=r"^[0-9]{18}$"), name="employee_nip_18_digits"
            ),
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("id")), name="employee_not_own_supervisor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nip_display})"

    @property
    def nip_display(self) -> str:
        return format_nip(self.nip)

    @property
    def pangkat(self) -> str:
        return PANGKAT.get(self.golongan, "")

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.nip:
            try:
                validate_nip(self.nip)
            except ValidationError:
                pass  # the field's own validator reports a malformed NIP once
            else:
                try:
                    parse_nip(self.nip, sex=self.sex or None)  # the sex digit against the sex
                except ValidationError as exc:
                    errors["nip"] = exc.messages
        if self.work_unit_id and self.agency_id and self.work_unit.agency_id != self.agency_id:
            errors["work_unit"] = [_("The work unit belongs to another agency.")]
        if self.supervisor_id and self.supervisor_id == self.pk:
            errors["supervisor"] = [_("An employee cannot supervise themselves.")]
        if errors:
            raise ValidationError(errors)


class ImportJob(models.Model):
    """One run of an employee import: its file, progress and report.

    The upload page creates it and queues a task; the task streams the file and updates the
    counters as it goes, so the page can show progress. The report keeps at most
    ``MAX_STORED_ERRORS`` row errors; ``rejected`` counts them all.
    """

    MAX_STORED_ERRORS = 1000

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=30, default="employees")
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_bytes = models.BigIntegerField(default=0)
    processed_bytes = models.BigIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True, default="")
    started_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_bytes:
            return 0
        return min(99, int(100 * self.processed_bytes / self.total_bytes))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
