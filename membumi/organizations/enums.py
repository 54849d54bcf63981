from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    CENTRAL = "central", _("Central (ministry or agency)")
    REGIONAL = "regional", _("Regional government")


class AgencyLevel(models.TextChoices):
    MINISTRY = "kementerian", _("Ministry")
    AGENCY = "lembaga", _("Institution (lembaga)")
    PROVINCE = "provinsi", _("Province")
    REGENCY = "kabupaten", _("Regency (kabupaten)")
    CITY = "kota", _("City (kota)")


class WorkUnitKind(models.TextChoices):
    SECRETARIAT = "sekretariat", _("Secretariat")
    DINAS = "dinas", _("Dinas")
    BADAN = "badan", _("Badan")
    BIDANG = "bidang", _("Bidang")
    SEKSI = "seksi", _("Seksi / subbagian")
    PUSKESMAS = "puskesmas", _("Puskesmas")
    HOSPITAL = "rsud", _("Regional hospital (RSUD)")
    SCHOOL = "sekolah", _("School")
    DISTRICT = "kecamatan", _("Kecamatan")
    VILLAGE = "kelurahan", _("Kelurahan")
    UPT = "upt", _("Technical unit (UPT)")
    OTHER = "lainnya", _("Other")


class InstitutionKind(models.TextChoices):
    BPSDM = "bpsdm", _("BPSDM (regional)")
    PUSDIKLAT = "pusdiklat", _("Pusdiklat (ministry)")
    LAN = "lan", _("LAN")
    OTHER = "lainnya", _("Other")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class EmploymentType(models.TextChoices):
    PNS = "pns", _("PNS")
    PPPK = "pppk", _("PPPK")


class PositionType(models.TextChoices):
    JPT = "jpt", _("Senior executive (JPT)")
    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "pengawas", _("Supervisor (pengawas)")
    EXECUTOR = "pelaksana", _("Executor (pelaksana)")
    FUNCTIONAL = "fungsional", _("Functional")


# Golongan/ruang → pangkat for PNS (PP 99/2000). PPPK use golongan I–XVII without pangkat.
PANGKAT = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
PPPK_GOLONGAN = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX",
    "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
]  # fmt: skip
GOLONGAN_CHOICES = [(g, f"{g} – {p}") for g, p in PANGKAT.items()] + [
    (g, f"PPPK {g}") for g in PPPK_GOLONGAN
]
