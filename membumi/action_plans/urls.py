"""Action-plan pages. Each module of ``views`` owns its URL patterns: ``editor`` (the
participant's plan: create, edit with autosave, milestones, quality panel, the plan page with
its history and lifecycle steps), ``review`` (review queues, plan lists, similar plans side by
side), ``peers`` (the peer clinic)."""

from .views import editor, peers, review

app_name = "action_plans"
urlpatterns = [*editor.urlpatterns, *review.urlpatterns, *peers.urlpatterns]
