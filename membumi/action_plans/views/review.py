"""Action-plan pages: review (see the app README)."""

urlpatterns = []
