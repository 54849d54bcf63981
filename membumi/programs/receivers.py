"""Signal receivers: thin, they call services."""

from .services import mentor_proposals_from_changes


def propose_mentor_changes(sender, *, changes, **kwargs):
    mentor_proposals_from_changes(changes=changes)
