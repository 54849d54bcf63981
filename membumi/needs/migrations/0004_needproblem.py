"""A problem belongs to at most one need of an analysis, held by the database: the plain
many-to-many ``Need.problems`` becomes one through ``NeedProblem`` with a unique
(analysis, problem). Existing memberships are copied; a problem found in two needs of one
analysis stays in the first (lowest position) only."""

import django.db.models.deletion
from django.db import migrations, models


def copy_memberships(apps, schema_editor):
    Need = apps.get_model("needs", "Need")
    NeedProblem = apps.get_model("needs", "NeedProblem")
    OldLink = Need.problems.through
    seen = set()
    rows = []
    links = OldLink.objects.select_related("need").order_by(
        "need__analysis_id", "need__position", "need_id", "problem_id"
    )
    for link in links.iterator():
        key = (link.need.analysis_id, link.problem_id)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            NeedProblem(
                analysis_id=link.need.analysis_id, need_id=link.need_id, problem_id=link.problem_id
            )
        )
    NeedProblem.objects.bulk_create(rows, batch_size=2000)


def copy_back(apps, schema_editor):
    Need = apps.get_model("needs", "Need")
    NeedProblem = apps.get_model("needs", "NeedProblem")
    OldLink = Need.problems.through
    OldLink.objects.bulk_create(
        [
            OldLink(need_id=m.need_id, problem_id=m.problem_id)
            for m in NeedProblem.objects.iterator()
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("needs", "0003_needsanalysis_status"),
        ("problems", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="NeedProblem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "analysis",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="needs.needsanalysis",
                    ),
                ),
                (
                    "need",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="needs.need",
                    ),
                ),
                (
                    "problem",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="need_memberships",
                        to="problems.problem",
                    ),
                ),
            ],
            options={
                "verbose_name": "problem of a need",
                "verbose_name_plural": "problems of needs",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("analysis", "problem"), name="need_problem_once_per_analysis"
                    )
                ],
            },
        ),
        migrations.RunPython(copy_memberships, copy_back),
        migrations.RemoveField(model_name="need", name="problems"),
        migrations.AddField(
            model_name="need",
            name="problems",
            field=models.ManyToManyField(
                blank=True,
                related_name="needs",
                through="needs.NeedProblem",
                to="problems.problem",
                verbose_name="problems",
            ),
        ),
    ]
