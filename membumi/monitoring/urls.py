from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.my_plans, name="my_plans"),
    path("plans/<int:pk>/", views.plan_timeline, name="plan_timeline"),
    path("plans/<int:pk>/<slug:action>/", views.plan_step, name="plan_step"),
    path("updates/<int:pk>/decide/", views.update_decide, name="update_decide"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("queue/", views.mentor_queue, name="mentor_queue"),
    path("coaching/", views.coaching, name="coaching"),
    path("board/", views.board_batches, name="board_batches"),
    path("board/<int:batch_pk>/", views.board, name="board"),
    path("v/<str:token>/", views.link_page, name="link"),
    path("v/<str:token>/evidence/<int:pk>/", views.link_evidence, name="link_evidence"),
]
