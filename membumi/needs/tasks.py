"""Background jobs of this app. Thin: find the analysis, call the service."""

from django_tasks import task

from .models import NeedsAnalysis
from .services import needs_analysis_compute


@task()
def run_needs_analysis(analysis_id: int) -> str:
    """Cluster the problems of a started analysis. Idempotent: an analysis that has finished
    (or failed) is left as it is."""
    analysis = NeedsAnalysis.objects.filter(pk=analysis_id).first()
    if analysis is None:
        return "missing"
    return needs_analysis_compute(analysis=analysis).status
