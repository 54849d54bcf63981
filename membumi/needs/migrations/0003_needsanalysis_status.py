"""A run now reports its status and progress (the clustering runs as a background task).
Runs saved before this migration were complete, so they become ``done``."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("needs", "0002_initial"),
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="needsanalysis",
            name="status",
            field=models.CharField(
                choices=[("running", "Running"), ("done", "Finished"), ("failed", "Failed")],
                default="done",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="needsanalysis",
            name="status",
            field=models.CharField(
                choices=[("running", "Running"), ("done", "Finished"), ("failed", "Failed")],
                default="running",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="needsanalysis",
            name="progress",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="progress (%)"),
        ),
        migrations.AddField(
            model_name="needsanalysis",
            name="message",
            field=models.TextField(blank=True, default="", verbose_name="message"),
        ),
        migrations.AddField(
            model_name="needsanalysis",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
        ),
        migrations.AddIndex(
            model_name="needsanalysis",
            index=models.Index(
                fields=["institution", "-created_at"], name="needsanalysis_inst_created"
            ),
        ),
    ]
