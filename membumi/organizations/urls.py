from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.employee_list, name="employee_list"),
    path("import/", views.import_start, name="import_start"),
    path("import/template.<str:fmt>", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("<str:nip>/", views.employee_detail, name="employee_detail"),
]
