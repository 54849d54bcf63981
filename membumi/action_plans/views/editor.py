"""Action-plan pages: editor (see the app README)."""

urlpatterns = []
