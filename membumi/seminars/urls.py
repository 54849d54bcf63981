from django.urls import path

from . import views

app_name = "seminars"
urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("programs/<int:program_pk>/settings/", views.config, name="config"),
    path("batches/<int:batch_pk>/", views.batch_sessions, name="batch_sessions"),
    path("batches/<int:batch_pk>/new/", views.session_create, name="session_create"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/edit/", views.session_update, name="session_update"),
    path("<int:pk>/transition/", views.session_transition, name="session_transition"),
    path("<int:pk>/plans/<int:plan_pk>/", views.plan_sheet, name="plan_sheet"),
    path("<int:pk>/plans/<int:plan_pk>/score/", views.score, name="score"),
    path(
        "<int:pk>/plans/<int:plan_pk>/berita-acara.pdf",
        views.berita_acara,
        name="berita_acara",
    ),
]
