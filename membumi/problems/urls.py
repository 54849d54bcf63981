from django.urls import path

from . import views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="problem_list"),
    path("new/", views.problem_create, name="problem_create"),
    path("similar/", views.similar_hx, name="similar_hx"),
    path("import/", views.import_start, name="import_start"),
    path("import/template.<str:fmt>", views.import_template, name="import_template"),
    path("<int:pk>/", views.problem_detail, name="problem_detail"),
    path("<int:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("<int:pk>/join/", views.problem_join, name="problem_join"),
    path("<int:pk>/<str:action>/", views.problem_transition, name="problem_transition"),
]
