"""factory_boy factories with no surprises: every object is valid and minimal."""

import datetime as dt

import factory

from membumi.accounts.models import RoleAssignment, User
from membumi.organizations.enums import AgencyKind, AgencyLevel, InstitutionKind, Sex
from membumi.organizations.models import Agency, Employee, Institution, WorkUnit


def make_nip(
    sequence: int, *, sex: str = Sex.MALE, birth=dt.date(1988, 4, 12), tmt=(2012, 3)
) -> str:
    digit = "1" if sex == Sex.MALE else "2"
    return f"{birth:%Y%m%d}{tmt[0]:04d}{tmt[1]:02d}{digit}{sequence % 999 + 1:03d}"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"AG{n:03d}")
    name = factory.Sequence(lambda n: f"Kabupaten Contoh {n}")
    kind = AgencyKind.REGIONAL
    level = AgencyLevel.REGENCY


class WorkUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkUnit
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Dinas Contoh {n}")
    kind = "dinas"

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        if create:
            parent_path = obj.parent.path if obj.parent_id else "/"
            obj.path = f"{parent_path}{obj.pk}/"
            obj.depth = obj.parent.depth + 1 if obj.parent_id else 0
            obj.save(update_fields=["path", "depth"])


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"BPSDM{n:03d}")
    name = factory.Sequence(lambda n: f"BPSDM Contoh {n}")
    kind = InstitutionKind.BPSDM

    @factory.post_generation
    def served(obj, create, extracted, **kwargs):
        if create:
            obj.served_agencies.add(obj.agency, *(extracted or []))


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    nip = factory.Sequence(lambda n: make_nip(n, birth=dt.date(1980, 1, 1) + dt.timedelta(days=n)))
    name = factory.Sequence(lambda n: f"Pegawai {n}")
    sex = Sex.MALE
    agency = factory.SubFactory(AgencyFactory)
    work_unit = factory.LazyAttribute(lambda o: WorkUnitFactory(agency=o.agency))
    golongan = "III/a"
    position_type = "pelaksana"
    position_name = "Analis"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.go.id")
    password = factory.django.Password("secret-pass-123")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "participant"
