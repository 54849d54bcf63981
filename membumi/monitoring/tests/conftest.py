"""Monitoring on top of the action-plan fixtures: ``approved_plan`` is ``ready_plan`` (the
participant's, mentor ``mentor``, coach ``trainer``) approved by both reviewers.

Messages are asserted in English (the source language)."""

import io
import zipfile

import pytest
from django.utils import timezone

from membumi.action_plans.enums import PlanState
from membumi.action_plans.models import ActionPlan
from membumi.action_plans.tests.conftest import (  # noqa: F401 (fixtures)
    _english,
    _fresh_plan_index,
    batch,
    enrollment,
    plan,
    problem,
    program,
    ready_plan,
)
from membumi.programs.tests.factories import force_state

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name, content, content_type="application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def approved_plan(ready_plan):  # noqa: F811
    approved = force_state(ready_plan, PlanState.APPROVED)
    ActionPlan.objects.filter(pk=approved.pk).update(approved_at=timezone.now(), review_round=1)
    approved.refresh_from_db()
    return approved
