"""Action-plan pages: peers (see the app README)."""

urlpatterns = []
